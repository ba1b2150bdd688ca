"""Keyboard only: sign in, then file an objection, with Tab, typing and Enter; focus always visible."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.support import DEMO_PASSWORD, ConsoleWatch, screenshot
from workflow.extensions import db
from workflow.lifecycle import Stage
from workflow.models import process as m

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    what: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " + (el.textContent || "").trim().slice(0, 30),
    id: el.id,
    focusVisible: el.matches(":focus-visible"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
      && box.left < innerWidth && box.top < innerHeight,
  };
}"""


def tab_to(page: Page, element_id: str, limit: int = 80) -> list[str]:
    """Press Tab until the element has focus; every stop on the way must show where the focus is."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        stops.append(focused["what"])
        assert focused["focusVisible"] and focused["outline"], f"focus not visible on {focused['what']}"
        assert focused["onScreen"], f"the focused {focused['what']} is off screen"
        if focused["id"] == element_id:
            return stops
    raise AssertionError(f"#{element_id} not reached with {limit} Tabs: {stops}")


def sign_in_with_the_keyboard(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/masuk")
    stops = tab_to(page, "f-username")
    assert stops[0].startswith("a Langsung ke isi"), stops  # the skip link comes first
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-password"
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/beranda$", page.url), page.url


def test_sign_in_and_an_objection_with_the_keyboard_only(private_server: LiveServer, new_page: Callable[..., Page],
                                                        console: ConsoleWatch) -> None:
    base = private_server.base_url
    with private_server.app.app_context():
        pid = db.session.scalar(sa.select(m.Process.id).where(m.Process.status == Stage.ANNOUNCED))
    page = new_page()
    sign_in_with_the_keyboard(page, base, "asn2")
    expect(page.locator(".flash--success")).to_be_visible()

    page.goto(f"{base}/saya/proses/{pid}")
    tab_to(page, "f-text")
    page.keyboard.type("Nilai kinerja tahun lalu di SIASN belum memuat predikat terbaru saya. Mohon diperiksa ulang.")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["what"].startswith("button") and "Kirim keberatan" in focused["what"], focused
    assert focused["focusVisible"] and focused["outline"]
    screenshot(page, "keyboard-objection-button-focused", full_page=False)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".flash--success")).to_contain_text("Keberatan Anda sudah tercatat")
    expect(page.locator("#keberatan .objection-text")).to_contain_text("Mohon diperiksa ulang")
    console.assert_clean()
