"""One process from draft to appointed, through the pages, each role in its own browser context.

Admin creates the process and seats the committee; each member signs the pact; admin forms the
committee and nominates; the verifier confirms (and excludes one, with a reason); admin shortlists;
members commit in the browser (static/js/commit.js computes the commitment) and reveal from the
receipt kept in their tab; the chair closes the review; admin announces; the server's clock jumps
past the objection window; the chair resolves; the PPK appoints rank 1. The stage is read from
the process page after every step, and at the end the inspector's "Verifikasi sekarang" says the
log is intact and the downloaded bundle verifies with ``audit.verify.verify_bundle``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from audit.verify import verify_bundle
from tests.browser.conftest import LiveServer
from tests.browser.support import ConsoleWatch, screenshot, sign_in
from workflow.extensions import db
from workflow.lifecycle import STAGE_LABELS, Stage
from workflow.merit.ruleset import RULED_POSITION_TYPES
from workflow.models import Position, User
from workflow.models import process as m

pytestmark = pytest.mark.browser

# Five seats, two of them internal (ketua, anggota1): 40 % ≤ the rule set's 45 %.
CHAIR = "ketua"
MEMBERS = ("anggota1", "anggota3", "anggota4", "anggota5")


def user_ids(server: LiveServer) -> dict[str, int]:
    with server.app.app_context():
        return {name: uid for name, uid in db.session.execute(sa.select(User.username, User.id))}


def free_vacancy(server: LiveServer) -> Position:
    """A vacant post of a ruled type (the rule set has eligibility rules for it) with no process."""
    with server.app.app_context():
        busy = sa.select(m.Process.position_id).where(m.Process.status.not_in([Stage.APPOINTED, Stage.CANCELLED]))
        position = db.session.scalars(
            sa.select(Position).where(Position.is_vacant.is_(True), Position.type.in_(RULED_POSITION_TYPES),
                                      Position.id.not_in(busy)).order_by(Position.code)
        ).first()
        assert position is not None, "the demo has no free vacancy of a ruled type"
        db.session.expunge(position)
        return position


def expect_stage(page: Page, server: LiveServer, pid: int, stage: Stage) -> None:
    """Open the process page and read its stage badge."""
    page.goto(f"{server.base_url}/proses/{pid}")
    badge = page.locator("p.lede .badge")
    expect(badge).to_have_class(re.compile(rf"\bbadge--{stage.value}\b"))
    expect(badge).to_have_text(STAGE_LABELS[stage].id)


def admin_action(page: Page, endpoint: str) -> None:
    """Press one of the admin's action buttons on the process page (the form posts the page's basis)."""
    with page.expect_navigation():
        page.click(f"form[action$='/{endpoint}'] button[type=submit]")
    expect(page.locator(".flash--success")).to_be_visible()


def flash(page: Page) -> str:
    return page.locator(".flashes").inner_text()


def test_a_process_from_draft_to_appointed_through_the_pages(private_server: LiveServer,
                                                             new_page: Callable[..., Page],
                                                             console: ConsoleWatch, tmp_path: Path) -> None:
    server, base = private_server, private_server.base_url
    ids = user_ids(server)
    position = free_vacancy(server)

    # --- admin: create the process and seat the committee ---------------------------------------
    admin = sign_in(new_page(), base, "admin")
    admin.goto(f"{base}/proses/baru")
    admin.select_option("#f-position_id", value=str(position.id))
    admin.select_option("#f-route", value="open")
    admin.select_option("#f-ppk_id", value=str(ids["ppk"]))
    with admin.expect_navigation():
        admin.click("main form button[type=submit]")
    match = re.search(r"/proses/(\d+)$", admin.url)
    assert match, admin.url
    pid = int(match.group(1))
    expect_stage(admin, server, pid, Stage.DRAFT)

    for name in (CHAIR, *MEMBERS):
        admin.select_option("#f-user_id", value=str(ids[name]))
        admin.select_option("#f-seat", value="chair" if name == CHAIR else "member")
        with admin.expect_navigation():
            admin.click("#tetapkan-panitia button[type=submit]")
        expect(admin.locator(".flash--success")).to_be_visible()
    expect(admin.locator("section[aria-labelledby=h-committee] tbody tr")).to_have_count(5)

    # --- each member, in their own browser, signs the pact and the declaration --------------------
    seats: dict[str, Page] = {}
    for name in (CHAIR, *MEMBERS):
        page = seats[name] = sign_in(new_page(), base, name)
        page.goto(f"{base}/komite/{pid}/pakta")
        page.check("#f-pact")
        page.check("#f-declaration")
        with page.expect_navigation():
            page.click("form[action$='/pakta'] button[type=submit]")
        assert "sudah ditandatangani" in flash(page), flash(page)
    expect_stage(admin, server, pid, Stage.DRAFT)

    # --- admin forms the committee and nominates the pool ----------------------------------------
    admin_action(admin, "bentuk-panitia")
    expect_stage(admin, server, pid, Stage.COMMITTEE_FORMED)
    admin_action(admin, "nominasi")
    expect_stage(admin, server, pid, Stage.POOL_NOMINATED)

    # --- the verifier confirms every candidate but the last, who is excluded with a reason ---------
    verifier = sign_in(new_page(), base, "verifikator")
    verifier.goto(f"{base}/proses/{pid}/verifikasi")
    cards = verifier.locator("fieldset.candidate-card")
    count = cards.count()
    assert count >= 2, f"the pool of {position.code} is too small for this test ({count})"
    for i in range(count):
        card = cards.nth(i)
        if i < count - 1:
            card.locator("input[value=confirmed]").check()
        else:
            card.locator("input[value=excluded]").check()
            card.locator("select[name^=reason-]").select_option(index=1)
            card.locator("textarea[name^=note-]").fill("Sertifikat asesmen tidak dapat ditunjukkan.")
    with verifier.expect_navigation():
        verifier.click("form.verify-form button[type=submit]")
    expect(verifier.locator(".flash--success")).to_be_visible()
    expect_stage(admin, server, pid, Stage.COMPETENCY_VERIFIED)

    # --- admin shortlists -------------------------------------------------------------------------
    admin.reload()
    admin_action(admin, "daftar-pendek")
    expect_stage(admin, server, pid, Stage.SHORTLISTED)

    # --- members commit in the browser, then reveal from the receipt kept in the tab ---------------
    commitments = {}
    for n, name in enumerate((CHAIR, *MEMBERS)):
        page = seats[name]
        page.goto(f"{base}/komite/{pid}/suara")
        form = page.locator("form[data-commit-form]")
        scores = form.locator("input[data-pseudonym]")
        assert scores.count() >= 1
        for i in range(scores.count()):  # in shortlist order: rank 1 gets the highest score
            scores.nth(i).fill(str(90 - 10 * i - n % 2))
        form.locator("textarea[name=reason]").fill(f"Penilaian {name}: sesuai data merit.\nBaris kedua.")
        form.locator("button[type=submit]").click()  # first press: commit.js computes the commitment
        expect(form.locator("[data-receipt-panel]")).to_be_visible()
        commitment = form.locator("input[name=commitment]").input_value()
        assert re.fullmatch(r"[0-9a-f]{64}", commitment), commitment
        expect(form.locator("[data-commitment]")).to_have_text(commitment)
        commitments[name] = commitment
        if n == 0:
            screenshot(page, "process-commit-receipt")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()  # second press: only the digest is sent
        assert "Komitmen Anda sudah dicatat" in flash(page), flash(page)
    with server.app.app_context():
        stored = set(db.session.scalars(sa.select(m.VoteCommit.digest).where(m.VoteCommit.process_id == pid)))
    assert stored == set(commitments.values())

    for name in (CHAIR, *MEMBERS):
        page = seats[name]
        page.goto(f"{base}/komite/{pid}/suara")
        page.click("[data-use-stored]")
        expect(page.locator("form[data-reveal-form] input[name=nonce]")).to_have_value(re.compile(r"^[0-9a-f]{32}$"))
        with page.expect_navigation():
            page.click("form[data-reveal-form] button[type=submit]")
        assert "sudah diungkap" in flash(page), flash(page)
    expect_stage(admin, server, pid, Stage.SHORTLISTED)

    # --- the chair closes the review -------------------------------------------------------------
    chair = seats[CHAIR]
    chair.goto(f"{base}/komite/{pid}")
    with chair.expect_navigation():
        chair.click("form[action$='/tutup-penilaian'] button[type=submit]")
    expect(chair.locator("ol.ranking li")).not_to_have_count(0)
    expect_stage(admin, server, pid, Stage.COMMITTEE_REVIEWED)

    # --- admin announces; the objection window opens ---------------------------------------------
    admin_action(admin, "umumkan")
    expect_stage(admin, server, pid, Stage.ANNOUNCED)
    with server.app.app_context():
        ends = db.session.get(m.Process, pid).objection_window_ends_at  # type: ignore[union-attr]
    assert ends is not None
    ends = ends if ends.tzinfo else ends.replace(tzinfo=dt.UTC)

    # The chair cannot resolve while the window is open ...
    chair.goto(f"{base}/komite/{pid}")
    expect(chair.locator("form[action$='/selesaikan-sanggahan']")).to_have_count(0)
    # ... and can once the server's clock has passed its end.
    server.clock.set(ends + dt.timedelta(minutes=1))
    chair.reload()
    with chair.expect_navigation():
        chair.click("form[action$='/selesaikan-sanggahan'] button[type=submit]")
    expect_stage(admin, server, pid, Stage.OBJECTIONS_RESOLVED)

    # --- the PPK appoints rank 1 -----------------------------------------------------------------
    ppk = sign_in(new_page(), base, "ppk")
    ppk.goto(f"{base}/proses/{pid}/penetapan")
    first = ppk.locator("#f-appointee option").nth(1)
    assert first.inner_text().startswith("1. "), first.inner_text()
    ppk.select_option("#f-appointee", value=first.get_attribute("value"))
    today = server.clock().astimezone(ZoneInfo("Asia/Jakarta")).date()
    ppk.fill("#f-decree_number", f"821.2/{pid:03d}/BKD/{today.year}")
    ppk.fill("#f-decree_date", today.isoformat())
    with ppk.expect_navigation():
        ppk.click("form[action$='/penetapan'] button[type=submit]")
    expect(ppk.locator(".flash--success")).to_be_visible()
    expect_stage(admin, server, pid, Stage.APPOINTED)
    expect(admin.locator("dl.facts")).to_contain_text("Peringkat 1 dalam rekomendasi panitia")
    screenshot(admin, "process-appointed")

    # --- the inspector: "Verifikasi sekarang", and the bundle through the audit package -----------
    inspector = sign_in(new_page(), base, "inspektur")
    inspector.goto(f"{base}/inspektur")
    with inspector.expect_navigation():
        inspector.click("form[action$='/inspektur/verifikasi'] button[type=submit]")
    expect(inspector.locator(".verdict")).to_have_class(re.compile(r"\bverdict--ok\b"))
    expect(inspector.locator(".flash--success")).to_contain_text("Log utuh")
    with inspector.expect_download() as download:
        inspector.click("a[href$='/inspektur/bundle']")
    bundle = tmp_path / "bundle.json"
    download.value.save_as(bundle)
    vkey = inspector.request.get(f"{base}/log/key").text().strip()
    report = verify_bundle(bundle.read_bytes(), vkey=vkey)
    assert report.ok, report.to_json()
    assert report.vkey_pinned
    console.assert_clean()
