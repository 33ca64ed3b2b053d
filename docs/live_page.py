"""Make docs/live-page.png, the README's picture of the live page: the Russo page at 1280×800 in headless
Chromium, w1 edited to 0.7 through its field and practice mode on, w1's gradient answered.

Run from the repository's root: `python docs/live_page.py` (needs selenium, chromium and chromedriver).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.keys import Keys

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's page, not an installed one
from backprop.page_command import page

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars")


def browser() -> webdriver.Chrome:
    """Headless Chromium with a 1280×800 viewport."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in (*FLAGS, f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(shutil.which("chromedriver")), options=options)
    metrics = {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    return driver


def shoot(out: Path) -> None:
    """Edit w1 in the side panel, practise, answer w1's gradient and save the screen as out."""
    with tempfile.TemporaryDirectory() as folder:
        html = Path(folder) / "russo.html"
        html.write_text(page("000-russo"), encoding="utf-8")
        driver = browser()
        try:
            driver.get(html.as_uri() + "#w1")
            field = driver.find_element("css selector", "#detail input.number")
            field.send_keys(Keys.CONTROL, "a")
            field.send_keys("0.7", Keys.ENTER)
            driver.find_element("id", "practise").click()
            grad = driver.execute_script("return backprop.get('w1').grad")
            answer = driver.find_element("css selector", '#detail input[data-asked="grad"]')
            answer.send_keys(f"{grad:.4g}", Keys.ENTER)
            driver.save_screenshot(str(out))
        finally:
            driver.quit()


if __name__ == "__main__":
    shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("live-page.png"))
