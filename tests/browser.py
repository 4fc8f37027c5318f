"""Headless Chromium for tests (Debian's chromium and chromium-driver, driven by selenium).

`chromium(width, height)` is a context manager giving a selenium WebDriver whose viewport is exactly
width x height CSS pixels, with a fresh profile and no network of its own (the flags keep Chromium from
calling home, which this machine's closed network refuses). .ci/run installs the two packages; a test
that needs a browser fails, it does not skip, when they are missing.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1")


@contextmanager
def chromium(width: int = 1280, height: int = 720):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert not missing, f"{', '.join(missing)} missing: apt-get install -y chromium chromium-driver (.ci/run does)"
    profile = tempfile.mkdtemp(prefix="mlsim-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # driver.get_log("browser"): the console
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        # The window size includes no browser chrome in headless mode, but make the viewport exact anyway.
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
        if inner != [width, height]:
            driver.set_window_size(width + (width - inner[0]), height + (height - inner[1]))
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
