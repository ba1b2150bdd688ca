"""The browser suite's precondition, as a test: skipped with the reason on a dev machine without
Debian's Chromium or the playwright package, failed in CI (``CI`` set) so CI cannot pass by skipping."""

from __future__ import annotations

import pytest

from tests.browser.support import require_chromium

pytestmark = pytest.mark.browser


def test_debian_chromium_and_playwright_are_available() -> None:
    require_chromium()
