"""What every test shares: Hypothesis draws the same examples on every run and keeps none; compiled
programs are cached in a directory of the test session's own; the fixtures of the page tests (the Russo
page, headless Chromium).

A failure Hypothesis saves in .hypothesis/ replays first on every later run in that checkout, so the
README's test command would fail there for good while passing in a fresh one. Derandomized, each
@given test draws the same examples everywhere (seeded by the test itself), so the outcome depends on
the code alone; `pytest --hypothesis-profile=explore` draws new ones each run, still saving none (a
failure prints its falsifying example, to keep as an @example).
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", database=None)
settings.load_profile("repeatable")


@pytest.fixture(autouse=True, scope="session")
def native_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Native programs built during the tests go to a temporary cache, never the user's."""
    os.environ["AUTOGRAD_CACHE"] = str(tmp_path_factory.mktemp("native-cache"))


CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)


@pytest.fixture(scope="module")
def russo(tmp_path_factory):
    from backprop.cli import main

    path = tmp_path_factory.mktemp("page") / "russo.html"
    assert main(["page", "000-russo", "-o", str(path), "--train", "20"]) == 0
    return path


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the tests extra has it)")
    if not CHROMIUM or not DRIVER:
        pytest.skip("Chromium or chromedriver is not installed (Debian: apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(DRIVER), options=options)
    yield driver
    driver.quit()
