"""What every test shares: Hypothesis draws the same examples on every run and keeps none, and
compiled programs are cached in a directory of the test session's own.

A failure Hypothesis saves in .hypothesis/ replays first on every later run in that checkout, so the
README's test command would fail there for good while passing in a fresh one. Derandomized, each
@given test draws the same examples everywhere (seeded by the test itself), so the outcome depends on
the code alone; `pytest --hypothesis-profile=explore` draws new ones each run, still saving none (a
failure prints its falsifying example, to keep as an @example).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", database=None)
settings.load_profile("repeatable")


@pytest.fixture(autouse=True, scope="session")
def native_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Native programs built during the tests go to a temporary cache, never the user's."""
    os.environ["AUTOGRAD_CACHE"] = str(tmp_path_factory.mktemp("native-cache"))
