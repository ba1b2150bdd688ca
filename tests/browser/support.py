"""Plain helpers for the browser tests: finding Chromium, signing in, watching the console.

Kept free of fixtures so tests elsewhere (tests/web/test_committee_pages.py) can use them too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ARTIFACTS = Path(os.environ.get("JEJAK_TEST_ARTIFACTS", ROOT / "test-artifacts"))
SCREENSHOTS = ARTIFACTS / "screenshots"
DEMO_PASSWORD = "jejak-demo"  # the documented demo credential (workflow.demo.DEMO_PASSWORD)

# Reported by the init script below (CSP violations) or by Chromium itself ("Refused to ...").
CSP_MARK = "CSP violation:"
# Runs before any page script, outside the page's CSP (Playwright injects it over the DevTools
# protocol), so it sees violations that the page itself could never report.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP_MARK " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + (e.sourceFile || document.location.href) + ":" + e.lineNumber);
}, true);
""".replace("CSP_MARK", CSP_MARK)


# Chromium asks every site for /favicon.ico; Jejak has none, so that one 404 is not a page's fault.
IGNORED_RESOURCES = ("/favicon.ico",)


def require_chromium() -> None:
    """Skip (with the reason) when Debian's Chromium or Playwright is missing; in CI, fail instead."""
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the playwright package is missing (pip install -r requirements-test.txt)")
    if problems:
        reason = "browser tests need Debian's Chromium and Playwright: " + "; ".join(problems)
        if os.environ.get("CI"):
            pytest.fail(reason + " — CI must run the browser tests", pytrace=False)
        pytest.skip(reason)


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless; Playwright's own browser downloads are never used."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)


# The browser of the session fixture (tests/browser/conftest.py) while it runs. Playwright's sync
# API allows one running instance per thread, so a test outside tests/browser borrows it.
_session: dict[str, Browser] = {}


@contextmanager
def chromium() -> Iterator[Browser]:
    """The session's browser if one is running, else a Chromium of its own for the with-block."""
    if "browser" in _session:
        yield _session["browser"]
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class ConsoleWatch:
    """Console errors, page errors and CSP violations of every page it is attached to."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> Page:
        def on_console(message: ConsoleMessage) -> None:
            text = message.text
            source = message.location.get("url", "")
            if source.endswith(IGNORED_RESOURCES):
                return
            if message.type == "error" or CSP_MARK in text or "Content Security Policy" in text:
                self.problems.append(f"{page.url}: console.{message.type}: {text} ({source})")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"{page.url}: uncaught {exc}"))
        return page

    def csp(self) -> list[str]:
        return [p for p in self.problems if CSP_MARK in p or "Content Security Policy" in p]

    def assert_clean(self) -> None:
        assert self.problems == [], "browser console reported problems:\n" + "\n".join(self.problems)


def screenshot(page: Page, name: str, **options: Any) -> Path:
    """Save a PNG under test-artifacts/screenshots/ (full page unless told otherwise)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=options.pop("full_page", True), **options)
    return path


def sign_in(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> Page:
    """Sign in through the real form (CSRF and all) and land on Beranda."""
    page.goto(f"{base_url}/masuk")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert re.search(r"/beranda$", page.url), f"{username} did not reach Beranda: {page.url}"
    return page
