"""Headless Debian chromium driven by Selenium through Debian's chromedriver, for the
browser tests (test_viz.py, test_site_browser.py): start it, run script in a page, read
its console errors and the requests it made (Chrome's performance log).

The driver is given by path (``Service(executable_path=...)``), so Selenium Manager is
never asked for one and nothing is downloaded. Tests skip when /usr/bin/chromium or
/usr/bin/chromedriver is absent (``scripts/ci-system-deps.sh`` installs both; CI runs it).

A page that opens a dialog (``alert(1)``) fails the test at the next command: the driver
keeps the default prompt behaviour ("dismiss and notify"), which raises
``UnexpectedAlertPresentException`` with the dialog's text.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
_MISSING = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
SKIP_REASON = (
    f"Debian's chromium and chromium-driver are needed ({', '.join(_MISSING)} missing): "
    "run scripts/ci-system-deps.sh"
)
needs_chromium = pytest.mark.skipif(bool(_MISSING), reason=SKIP_REASON)

HEADLESS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1200,800",
]


class Browser:
    """One headless chromium page under Selenium, with what it logged kept."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.events: list[dict] = []  # DevTools events of the performance log
        self.console: list[dict] = []  # the browser log (console, uncaught errors)

    def get(self, url: str) -> None:
        """Open `url` and wait for its load event."""
        self.driver.get(url)

    def js(self, expr: str) -> Any:
        """The value of the JavaScript expression `expr` in the page."""
        return self.driver.execute_script(f"return ({expr});")

    def find(self, css: str, text: str | None = None) -> Any:
        """The first element matching `css` (whose text is `text`, if given)."""
        from selenium.webdriver.common.by import By

        for el in self.driver.find_elements(By.CSS_SELECTOR, css):
            if text is None or el.text.strip() == text:
                return el
        raise AssertionError(f"nothing matches {css} {text!r}")

    def click(self, css: str, text: str | None = None) -> None:
        """A real click (WebDriver's, through the browser's input) on an element."""
        el = self.find(css, text)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", el)
        el.click()

    def _drain(self) -> None:
        for entry in self.driver.get_log("performance"):
            self.events.append(json.loads(entry["message"])["message"])
        self.console += self.driver.get_log("browser")

    def requests(self) -> list[str]:
        """The URL of every request the pages made so far (Network.requestWillBeSent)."""
        self._drain()
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def errors(self) -> list[dict]:
        """The console errors and uncaught exceptions of the pages so far."""
        self._drain()
        return [e for e in self.console if e.get("level") == "SEVERE"]

    def viewport(self, width: int, height: int) -> None:
        """Lay pages out at `width` × `height` CSS pixels, one device pixel each (the
        window's own size includes what headless chromium keeps for its toolbars)."""
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def screenshot(self) -> bytes:
        """The visible part of the page, as PNG."""
        return self.driver.get_screenshot_as_png()


def elsewhere(urls: list[str], host: str = "127.0.0.1") -> list[str]:
    """The URLs of `urls` that go anywhere but `host` (``data:`` and ``about:`` URLs stay
    in the page; ``file:`` ones on this machine)."""
    local = ("data", "about", "blob", "file")
    return [u for u in urls if urlsplit(u).scheme not in local and urlsplit(u).hostname != host]


@contextlib.contextmanager
def chromium(tmp_path: Path) -> Iterator[Browser]:
    """Debian's headless chromium under Debian's chromedriver, with a fresh profile in
    `tmp_path`, logging the page's network events and console."""
    if _MISSING:
        pytest.skip(SKIP_REASON)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (*HEADLESS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=opts)
    try:
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(30)
        # chromium opens its new-tab page (chrome://new-tab-page...) before the driver takes
        # over: leave it and forget its events, so the log is the test's pages only
        driver.get("about:blank")
        driver.get_log("performance")
        driver.get_log("browser")
        yield Browser(driver)
    finally:
        driver.quit()
