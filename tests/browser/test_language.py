"""The language switch in the header: Indonesian by default, English after the switch, and back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.support import ConsoleWatch, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_indonesian_by_default_english_after_the_switch(live_server: LiveServer, new_page: Callable[..., Page],
                                                        console: ConsoleWatch) -> None:
    # The browser asks for English first; the site still starts in Indonesian (BABEL_DEFAULT_LOCALE).
    page = new_page(extra_http_headers={"Accept-Language": "en-US,en;q=0.9"})
    page.goto(f"{live_server.base_url}/masuk")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text("Masuk ke Jejak")
    expect(page.locator(".lang-current")).to_have_text("Bahasa Indonesia")

    with page.expect_navigation():
        page.click("form.lang-switch button[value=en]")
    assert page.url.endswith("/masuk")  # the switch returns to the page it was on
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Sign in to Jejak")
    expect(page.locator("label[for=f-username]")).not_to_have_text("Nama pengguna")
    screenshot(page, "language-en-sign-in")

    # The choice is remembered: it survives signing in and follows to the other pages.
    sign_in(page, live_server.base_url, "asn2")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{live_server.base_url}/saya")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.site-nav")).not_to_contain_text("Keluar")

    with page.expect_navigation():
        page.click("form.lang-switch button[value=id]")
    assert page.url.endswith("/saya")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("nav.site-nav")).to_contain_text("Keluar")
    console.assert_clean()
