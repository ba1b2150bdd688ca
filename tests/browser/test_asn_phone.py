"""The ASN explanation on a phone (390×844): everything a civil servant needs, no sideways scrolling."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.support import SCREENSHOTS, ConsoleWatch, screenshot, sign_in
from workflow.lifecycle import STAGE_LABELS, Stage

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}


def open_all_details(page: Page) -> None:
    """Unfold every <details> the way a reader would: by tapping its summary (outer ones first)."""
    while True:
        closed = page.locator("main details:not([open]) > summary").filter(visible=True)
        if closed.count() == 0:
            return
        closed.first.tap()


def assert_fits(page: Page, width: int = 390) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url}: the page scrolls sideways ({scroll} px wide on a {width} px screen)"
    wide = page.evaluate(
        """(w) => Array.from(document.querySelectorAll("main *"))
             .filter((el) => el.getBoundingClientRect().right > w + 0.5)
             .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "")).slice(0, 5)""",
        width,
    )
    assert wide == [], f"{page.url}: elements stick out on the right: {wide}"


def rule_items(page: Page) -> Locator:
    return page.locator("#syarat li.rule")


def explanation(page: Page, base_url: str, username: str, *stages: Stage) -> Page:
    """Sign in and open the explanation of the first process listed (at one of ``stages``, if given)."""
    sign_in(page, base_url, username)
    page.goto(f"{base_url}/saya")
    assert_fits(page)
    cards = page.locator("main .card")
    if stages:
        cards = cards.filter(has=page.locator("dd", has_text=re.compile("|".join(STAGE_LABELS[s].id for s in stages))))
    link = cards.first.locator("a", has_text="Lihat penjelasan lengkap")
    with page.expect_navigation():
        link.tap()
    return page


def test_asn2_sees_each_rule_value_requirement_box_jpm_and_rank_on_a_phone(
        live_server: LiveServer, new_page: Callable[..., Page], console: ConsoleWatch) -> None:
    page = explanation(new_page(**PHONE), live_server.base_url, "asn2")
    screenshot(page, "asn2-explanation-390-folded")
    open_all_details(page)

    # Each rule: its name, the verdict, the reader's own value and the requirement, all on screen.
    rules = rule_items(page)
    assert rules.count() >= 10, rules.count()
    for i in range(rules.count()):
        rule = rules.nth(i)
        rule.scroll_into_view_if_needed()
        expect(rule.locator(".rule-head strong")).to_be_visible()
        expect(rule.locator(".rule-head .tag")).to_have_text(("Terpenuhi", "Belum terpenuhi")[
            "rule--fail" in (rule.get_attribute("class") or "")])
        pairs = rule.locator("dl.pairs")
        for term in ("Nilai Anda", "Syarat"):
            value = pairs.locator("dt", has_text=term).locator("xpath=following-sibling::dd[1]")
            expect(value).to_be_visible()
            assert value.inner_text().strip(), f"rule {i}: empty {term}"

    # The 9-box, the JPM table with each competency's gap, the rank and the shortlist cut-off.
    expect(page.locator("#kotak .box-card")).to_contain_text("Kotak")
    jpm = page.locator("#jpm table")
    expect(jpm.locator("thead")).to_contain_text("Selisih")
    gaps = jpm.locator("tbody tr td:last-child")
    assert gaps.count() >= 1
    for i in range(gaps.count()):
        expect(gaps.nth(i)).to_have_text(re.compile(r"^(0|\+\d+|-\d+)$"))
        expect(gaps.nth(i)).to_be_visible()
    expect(page.locator("#peringkat .big-number")).to_have_text(re.compile(r"^Peringkat \d+ dari \d+$"))
    cutoff = page.locator("#peringkat > p").nth(1)
    expect(cutoff).to_be_visible()
    assert cutoff.inner_text().strip()

    assert_fits(page)
    screenshot(page, "asn2-explanation-390")
    for section in ("peringkat", "syarat", "kotak", "jpm", "keberatan"):  # readable pieces for review
        page.locator(f"#{section}").screenshot(path=str(SCREENSHOTS / f"asn2-explanation-390-{section}.png"))
    rules.first.screenshot(path=str(SCREENSHOTS / "asn2-explanation-390-first-rule.png"))
    console.assert_clean()


def test_asn1_reads_the_answer_to_their_objection_on_a_phone(
        live_server: LiveServer, new_page: Callable[..., Page], console: ConsoleWatch) -> None:
    page = explanation(new_page(**PHONE), live_server.base_url, "asn1", Stage.OBJECTIONS_RESOLVED, Stage.APPOINTED)
    objection = page.locator("#keberatan li.objection").first
    expect(objection.locator(".objection-text")).to_be_visible()
    expect(objection.locator(".tag")).to_have_text(re.compile(r"^(Diterima|Ditolak)$"))
    expect(objection).to_contain_text("Jawaban:")
    open_all_details(page)
    assert_fits(page)
    screenshot(page, "asn1-explanation-390-objection", full_page=False)
    objection.screenshot(path=str(SCREENSHOTS / "asn1-objection-answer-390.png"))
    console.assert_clean()


