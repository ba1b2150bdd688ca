"""The committee's pages (blueprint ``committee``): pact, evidence, commit–reveal votes, the chair's actions.

Processes are built through the services (``tests/services/helpers.World``) and every action under
test goes through the pages, signed in as the seated accounts.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import re
import secrets
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from tests.services.helpers import World, at, make_world
from tests.web.helpers import CSRF_RE, sign_in_directly
from workflow import STATIC_DIR, ledger, services
from workflow.extensions import db
from workflow.lifecycle import Stage, votes
from workflow.models import User
from workflow.models import process as m
from workflow.security import SessionUser
from workflow.views import committee as views

BASIS_RE = re.compile(r'name="expected_basis" value="([0-9a-f]{64})"')
NONCE_RE = re.compile(r'<code class="detail nonce">([0-9a-f]+)</code>')
SVG_RE = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def world(app: Flask) -> World:
    return make_world(db.session)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The pages' clock runs on after the world's service calls (which end before minute 20)."""
    ticks = itertools.count(20)
    monkeypatch.setattr(views, "_now", lambda: at(next(ticks)))
    yield


def client_for(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in_directly(client, user)
    return client


def form_fields(page: str) -> dict[str, str]:
    """CSRF token and expected_basis of the first form on ``page``."""
    csrf = CSRF_RE.search(page)
    basis = BASIS_RE.search(page)
    assert csrf and basis, "no action form on the page"
    return {"csrf_token": csrf.group(1), "expected_basis": basis.group(1)}


def post_from(client: FlaskClient, page_url: str, action_url: str, data: dict[str, str | list[str]]):  # type: ignore[no-untyped-def]
    """Load the page (for its CSRF token and basis), then post the action as its form would.

    A page without an action form for this visitor (a recused member's ballot page) still gives
    the CSRF token; the basis is then the process's current one, as a crafted request would send.
    """
    page = client.get(page_url).get_data(as_text=True)
    if BASIS_RE.search(page) is None:
        pid = int(page_url.split("/")[2])
        csrf = CSRF_RE.search(page)
        assert csrf
        fields = {"csrf_token": csrf.group(1), "expected_basis": ledger.process_basis(db.session, pid).hex()}
    else:
        fields = form_fields(page)
    return client.post(action_url, data={**fields, **data})


def names_of(world: World) -> list[str]:
    return [e.name for e in world.employees]


def seat(world: World, user: User) -> m.CommitteeSeat:
    world.session.expire_all()
    return world.session.scalars(sa.select(m.CommitteeSeat).where(
        m.CommitteeSeat.process_id == world.process_id, m.CommitteeSeat.user_id == user.id)).one()


# --- my processes ------------------------------------------------------------------------------


def test_index_lists_only_my_processes_with_what_waits(app: Flask, world: World) -> None:
    world.create()
    world.seat_all()
    member = world.members[0]
    page = client_for(app, member).get("/komite").get_data(as_text=True)
    assert "Jabatan BKD-KABID" in page
    assert "Tandatangani pakta integritas" in page
    assert f"/komite/{world.process_id}/pakta" in page
    # Someone with a committee role but no seat sees an empty list, not other people's processes.
    outsider = services.create_user(db.session, actor=None, username="anggota9", display_name="Anggota 9",
                                    password_hash="x", roles=["committee_member"], now=at(0))
    page = client_for(app, outsider).get("/komite").get_data(as_text=True)
    assert "Jabatan BKD-KABID" not in page and "Belum ada proses" in page


def test_committee_dashboard_is_linked_from_home(app: Flask, world: World) -> None:
    page = client_for(app, world.members[0]).get("/beranda").get_data(as_text=True)
    assert 'href="/komite"' in page


# --- pact and declaration -------------------------------------------------------------------------


def test_signing_the_pact_through_the_page_records_declared_ties(app: Flask, world: World) -> None:
    world.create()
    world.seat_all()
    member = world.members[0]
    client = client_for(app, member)
    url = f"/komite/{world.process_id}/pakta"
    page = client.get(url).get_data(as_text=True)
    assert "Pakta integritas anggota panitia seleksi" in page
    tie = world.employees[3]
    response = post_from(client, url, url, {"pact": "yes", "declaration": "yes", "ties": f"{tie.nip}\n"})
    assert response.status_code == 303
    row = seat(world, member)
    assert row.pact_signed_at is not None and row.declared_ties == [tie.id]
    page = client.get(url).get_data(as_text=True)
    assert tie.nip in page and tie.name in page  # shown back to the member who declared it


def test_the_pact_form_shows_errors_next_to_the_fields(app: Flask, world: World) -> None:
    world.create()
    world.seat_all()
    client = client_for(app, world.members[0])
    url = f"/komite/{world.process_id}/pakta"
    response = post_from(client, url, url, {"declaration": "yes", "ties": "123\n999999999999999999"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-pact-error"' in page and "pakta integritas" in page
    assert 'id="f-ties-error"' in page
    assert "123 bukan NIP" in page and "NIP 999999999999999999 tidak ada" in page
    assert seat(world, world.members[0]).pact_signed_at is None


def test_a_stale_page_is_refused_with_409(app: Flask, world: World) -> None:
    world.create()
    world.seat_all()
    client = client_for(app, world.members[0])
    url = f"/komite/{world.process_id}/pakta"
    fields = form_fields(client.get(url).get_data(as_text=True))
    services.sign_pledge(db.session, world.process_id, actor=world.members[1], now=at(3))  # the process moves on
    response = client.post(url, data={**fields, "pact": "yes", "declaration": "yes"})
    assert response.status_code == 409
    assert "Halaman Anda sudah usang" in response.get_data(as_text=True)
    assert seat(world, world.members[0]).pact_signed_at is None


def test_a_form_without_basis_is_422(app: Flask, world: World) -> None:
    world.create()
    world.seat_all()
    client = client_for(app, world.members[0])
    url = f"/komite/{world.process_id}/pakta"
    fields = form_fields(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": fields["csrf_token"], "pact": "yes", "declaration": "yes"})
    assert response.status_code == 422


# --- evidence -------------------------------------------------------------------------------------


def test_an_unsigned_member_is_told_what_to_sign_and_sees_no_candidate(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    member = world.members[0]
    # A seat without a signed pact once the pool exists cannot be reached through the services
    # (forming the committee needs every pledge); clear it to check the page's own gate.
    row = seat(world, member)
    row.pact_signed_at = row.declared_at = None
    db.session.commit()
    client = client_for(app, member)
    base = f"/komite/{world.process_id}"
    for url in (f"{base}/kandidat", f"{base}/kandidat/{world.pool()[0].pseudonym}", f"{base}/suara"):
        page = client.get(url).get_data(as_text=True)
        assert "pakta integritas" in page, url
        assert not [name for name in names_of(world) if name in page], url
        assert "<svg" not in page


def test_draft_member_sees_what_to_sign(app: Flask, world: World) -> None:
    world.create()
    world.seat_all()
    page = client_for(app, world.members[0]).get(f"/komite/{world.process_id}/kandidat").get_data(as_text=True)
    assert "pernyataan konflik kepentingan" in page and "Baca dan tandatangani" in page


def test_a_signed_member_sees_the_merit_table_and_the_ninebox(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    page = client_for(app, world.members[0]).get(f"/komite/{world.process_id}/kandidat").get_data(as_text=True)
    pool = world.pool()
    for candidate in pool:
        employee = next(e for e in world.employees if e.id == candidate.employee_id)
        assert employee.name in page and employee.nip in page and candidate.pseudonym in page
    svg = SVG_RE.search(page)
    assert svg is not None
    root = ET.fromstring(svg.group(0))
    counts = {int(g.get("data-box")): int(g.get("data-count")) for g in root.iter(f"{SVG}g")}
    expected: dict[int, int] = {}
    for candidate in pool:
        if candidate.box is not None:
            expected[candidate.box] = expected.get(candidate.box, 0) + 1
    assert {box: n for box, n in counts.items() if n} == expected
    assert sum(counts.values()) == len(pool)


def test_candidate_detail_renders_each_rule_in_the_reader_language(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    client = client_for(app, world.members[0])
    url = f"/komite/{world.process_id}/kandidat/{world.pool()[0].pseudonym}"
    page = client.get(url).get_data(as_text=True)
    assert "memenuhi syarat minimal" in page  # golongan/education rules, Indonesian
    assert "Kompetensi" in page and "Standar" in page and "Capaian" in page and "Selisih" in page
    client.set_cookie("jejak_lang", "en")
    page = client.get(url).get_data(as_text=True)
    assert "meets the minimum" in page


def test_unknown_or_malformed_pseudonym_is_404(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    client = client_for(app, world.members[0])
    assert client.get(f"/komite/{world.process_id}/kandidat/p-000000000000000000000000").status_code == 404
    assert client.get(f"/komite/{world.process_id}/kandidat/%3Cscript%3E").status_code == 404


def test_a_recused_member_sees_no_evidence_and_cannot_vote(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    member = world.members[0]
    client = client_for(app, member)
    url = f"/komite/{world.process_id}/pakta"
    page = client.get(url).get_data(as_text=True)
    assert world.pool()[0].pseudonym in page  # the recusal form offers the pool's candidates
    response = post_from(client, url, f"/komite/{world.process_id}/mundur",
                         {"reason": "Sepupu kandidat", "candidate": [world.pool()[0].pseudonym]})
    assert response.status_code == 303
    row = seat(world, member)
    assert row.recused and world.pool()[0].pseudonym in (row.recusal_reason or "")
    page = client.get(f"/komite/{world.process_id}/kandidat").get_data(as_text=True)
    assert "mengundurkan diri" in page and not [n for n in names_of(world) if n in page]
    vote_url = f"/komite/{world.process_id}/suara"
    assert "Anda tidak memberi suara" in client.get(vote_url).get_data(as_text=True)
    response = post_from(client, f"/komite/{world.process_id}", vote_url, {"reason": "apa saja"})
    assert response.status_code == 403
    assert "mengundurkan diri" in response.get_data(as_text=True)
    assert not db.session.scalars(sa.select(m.VoteCommit)).all()


# --- votes ----------------------------------------------------------------------------------------


def ballot(world: World, favourite: int = 0) -> dict[str, str]:
    return {f"score-{p}": str(90 - 10 * i + (5 if i == favourite else 0)) for i, p in enumerate(world.ranking())}


def commit_on_page(app: Flask, world: World, user: User, reason: str, scores: dict[str, str]) -> str:
    """Commit through the form without JavaScript; return the nonce the receipt shows."""
    client = client_for(app, user)
    url = f"/komite/{world.process_id}/suara"
    response = post_from(client, url, url, {**scores, "reason": reason})
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "Simpan tanda terima ini sekarang" in page
    match = NONCE_RE.search(page)
    assert match, "no nonce on the receipt"
    assert "data:text/plain;charset=utf-8," in page  # the downloadable receipt
    return match.group(1)


def reveal_on_page(app: Flask, world: World, user: User, reason: str, scores: dict[str, str], nonce: str):  # type: ignore[no-untyped-def]
    client = client_for(app, user)
    url = f"/komite/{world.process_id}/suara"
    return post_from(client, url, f"{url}/ungkap", {**scores, "reason": reason, "nonce": nonce})


def others_commit(world: World, *users: User) -> None:
    """``users`` commit (directly through the service): with the last voter the reveal phase opens."""
    for user in users:
        services.commit_vote(db.session, world.process_id, actor=user, commitment=secrets.token_hex(32), now=at(7))


def test_commit_reveal_and_close_review_end_to_end(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    voters = world.committee  # the chair and four members: five seats
    ballots = {u.id: ballot(world, favourite=i % 2) for i, u in enumerate(voters)}
    reasons = {u.id: f"ALASAN-RAHASIA-{u.username}" for u in voters}
    nonces = {}
    for user in voters:
        nonces[user.id] = commit_on_page(app, world, user, reasons[user.id], ballots[user.id])
        # Nobody else's ballot is visible anywhere, to anyone, before the reveals.
        for other in voters:
            for url in (f"/komite/{world.process_id}", f"/komite/{world.process_id}/suara"):
                page = client_for(app, other).get(url).get_data(as_text=True)
                assert reasons[user.id] not in page, (other.username, url)
    page = client_for(app, world.chair).get(f"/komite/{world.process_id}/suara").get_data(as_text=True)
    assert "5 dari 5 anggota" in page  # committed
    for user in voters:
        response = reveal_on_page(app, world, user, reasons[user.id], ballots[user.id], nonces[user.id])
        assert response.status_code == 303, response.get_data(as_text=True)
    # The chair closes the review from the process page.
    chair = client_for(app, world.chair)
    url = f"/komite/{world.process_id}"
    page = chair.get(url).get_data(as_text=True)
    assert "Semua syarat terpenuhi" in page
    response = post_from(chair, url, f"{url}/tutup-penilaian", {})
    assert response.status_code == 303
    assert world.process().status == Stage.COMMITTEE_REVIEWED
    page = chair.get(url).get_data(as_text=True)
    assert "Rekomendasi panitia" in page


def test_commitment_computed_in_the_browser_needs_no_ballot_on_the_server(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    member = world.members[0]
    scores = {p: 50 + i for i, p in enumerate(world.ranking())}
    nonce = "ab" * 16
    digest = services.ballot_commitment(db.session, world.process_id, member=member, scores=scores,
                                        reason_text="baris satu\nbaris dua", nonce=nonce)
    client = client_for(app, member)
    url = f"/komite/{world.process_id}/suara"
    response = post_from(client, url, url, {"commitment": digest})  # what commit.js sends: the digest only
    assert response.status_code == 303
    commit = db.session.scalars(sa.select(m.VoteCommit)).one()
    assert commit.digest == digest
    others_commit(world, *(u for u in world.committee if u.id != member.id))
    # The browser's textarea sends CRLF; the reveal is judged over LF, as commit.js committed it.
    response = reveal_on_page(app, world, member, "baris satu\r\nbaris dua",
                              {f"score-{p}": str(s) for p, s in scores.items()}, nonce)
    assert response.status_code == 303, response.get_data(as_text=True)


def test_a_reveal_with_a_wrong_nonce_is_refused_next_to_the_field(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    member = world.members[1]
    scores = ballot(world)
    nonce = commit_on_page(app, world, member, "alasan", scores)
    others_commit(world, *(u for u in world.committee if u.id != member.id))
    wrong = ("0" if nonce[0] != "0" else "1") + nonce[1:]
    response = reveal_on_page(app, world, member, "alasan", scores, wrong)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    error = re.search(r'<ul class="field-errors" id="f-nonce-error">(.*?)</ul>', page, re.DOTALL)
    assert error and "tanda terima" in error.group(1)
    assert 'id="f-nonce"' in page and f'value="{wrong}"' in page  # the form keeps what was typed
    assert not db.session.scalars(sa.select(m.VoteReveal)).all()
    assert reveal_on_page(app, world, member, "alasan", scores, nonce).status_code == 303


def test_reveal_input_errors_are_422_at_the_fields(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    member = world.members[1]
    scores = ballot(world)
    commit_on_page(app, world, member, "alasan", scores)
    others_commit(world, *(u for u in world.committee if u.id != member.id))
    first = f"score-{world.ranking()[0]}"
    response = reveal_on_page(app, world, member, "", {**scores, first: "sembilan"}, "xyz")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="f-{first}-error"' in page and 'id="f-nonce-error"' in page and 'id="f-reason-error"' in page


def test_an_early_reveal_is_refused_and_the_chair_opens_the_reveals(app: Flask, world: World) -> None:
    """The stall scenario on the pages: a member who reveals early is refused (nothing closes), the
    chair may open the reveals only with a quorum of commitments, then the round closes."""
    world.advance(Stage.SHORTLISTED)
    member = world.members[0]
    scores = ballot(world)
    nonce = commit_on_page(app, world, member, "alasan", scores)
    client = client_for(app, member)
    url = f"/komite/{world.process_id}/suara"
    page = client.get(url).get_data(as_text=True)
    assert "Pengungkapan nilai belum dibuka" in page and "data-reveal-form" not in page
    assert "Pengungkapan pertama menutup komitmen" not in page and "confirm_early" not in page
    response = reveal_on_page(app, world, member, "alasan", scores, nonce)
    assert response.status_code == 409
    assert "tahap pengungkapan nilai belum dibuka" in response.get_data(as_text=True)
    assert not db.session.scalars(sa.select(m.VoteReveal)).all()
    # Commitments stay open for everyone else.
    assert "Kirim komitmen nilai Anda" in client_for(app, world.members[1]).get(url).get_data(as_text=True)
    # The chair sees the action and why it is not available yet (one commitment; the quorum is 3).
    chair = client_for(app, world.chair)
    process_url = f"/komite/{world.process_id}"
    page = chair.get(process_url).get_data(as_text=True)
    assert "Buka pengungkapan nilai" in page and "Baru 1 komitmen" in page
    assert post_from(chair, process_url, f"{process_url}/buka-pengungkapan", {}).status_code == 409
    assert post_from(client_for(app, member), process_url, f"{process_url}/buka-pengungkapan",
                     {}).status_code == 403
    others_commit(world, world.chair, world.members[1])
    page = chair.get(process_url).get_data(as_text=True)
    assert "Buka pengungkapan nilai (ketua)" in page  # on the chair's to-do list
    response = post_from(chair, process_url, f"{process_url}/buka-pengungkapan", {})
    assert response.status_code == 303
    assert "Buka pengungkapan nilai" not in chair.get(process_url).get_data(as_text=True)
    # The member reveals; a member who had not committed is told commitments are closed.
    page = client.get(url).get_data(as_text=True)
    assert "data-reveal-form" in page and "Tahap pengungkapan nilai dibuka" in page
    assert reveal_on_page(app, world, member, "alasan", scores, nonce).status_code == 303
    late = client_for(app, world.members[2]).get(url).get_data(as_text=True)
    assert "Komitmen sudah ditutup" in late and "data-commit-form" not in late


def test_chair_close_review_refused_explains_the_blockers(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    chair = client_for(app, world.chair)
    url = f"/komite/{world.process_id}"
    page = chair.get(url).get_data(as_text=True)
    assert "Belum bisa dijalankan karena" in page and "uorum" in page
    response = post_from(chair, url, f"{url}/tutup-penilaian", {})
    assert response.status_code == 409
    assert "Tindakan ditolak" in response.get_data(as_text=True)
    assert world.process().status == Stage.SHORTLISTED


def test_a_member_cannot_use_the_chair_actions(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    member = client_for(app, world.members[0])
    url = f"/komite/{world.process_id}"
    assert "Tindakan ketua" not in member.get(url).get_data(as_text=True)
    assert post_from(member, url, f"{url}/tutup-penilaian", {}).status_code == 403


# --- objections -----------------------------------------------------------------------------------


def test_chair_answers_an_objection_and_reopens_the_shortlist(app: Flask, world: World,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    world.advance(Stage.ANNOUNCED)
    objection = services.file_objection(db.session, world.process_id, actor=world.asn_other,
                                        text="Nilai SKP saya 2025 salah dicatat.", now=at(11))
    chair = client_for(app, world.chair)
    url = f"/komite/{world.process_id}"
    page = chair.get(url).get_data(as_text=True)
    assert "Nilai SKP saya 2025 salah dicatat." in page and "Jawab sanggahan" in page
    # Missing choice and answer: errors next to that objection's fields.
    response = post_from(chair, url, f"{url}/sanggahan/{objection.id}", {})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="f-upheld-{objection.id}-error"' in page and f'id="f-answer-{objection.id}-error"' in page
    # Closing the window while it is open is refused, with the reason.
    monkeypatch.setattr(views, "_now", lambda: at(30))
    response = post_from(chair, url, f"{url}/selesaikan-sanggahan", {})
    assert response.status_code == 409 and "Tindakan ditolak" in response.get_data(as_text=True)
    response = post_from(chair, url, f"{url}/sanggahan/{objection.id}",
                         {"upheld": "yes", "answer": "Diterima; data SKP diperiksa ulang."})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(m.Objection, objection.id).upheld is True
    response = post_from(chair, url, f"{url}/buka-kembali", {})
    assert response.status_code == 303
    process = world.process()
    assert process.status == Stage.SHORTLISTED and process.round == 2


def test_an_unknown_objection_is_404(app: Flask, world: World) -> None:
    world.advance(Stage.ANNOUNCED)
    chair = client_for(app, world.chair)
    url = f"/komite/{world.process_id}"
    response = post_from(chair, url, f"{url}/sanggahan/999", {"upheld": "no", "answer": "x"})
    assert response.status_code == 404


# --- isolation and bad input -----------------------------------------------------------------------


def test_a_member_of_process_a_gets_404_on_process_b(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    process_a = world.process_id
    other = services.create_process(db.session, actor=world.admin2, position_id=world.other_position_id,
                                    route="open", now=at(12), ppk_id=world.ppk2.id,
                                    planned_appointment_on=dt.date(2026, 6, 1))
    services.seat_member(db.session, other.id, actor=world.admin2, user_id=world.chair.id, now=at(13), seat="chair")
    member = client_for(app, world.members[0])
    csrf = CSRF_RE.search(member.get(f"/komite/{process_a}").get_data(as_text=True))
    assert csrf
    token = {"csrf_token": csrf.group(1), "expected_basis": ledger.process_basis(db.session, other.id).hex()}
    for path in ("", "/pakta", "/kandidat", "/suara", f"/kandidat/{world.pool()[0].pseudonym}"):
        assert member.get(f"/komite/{other.id}{path}").status_code == 404, path
    for path in ("/pakta", "/mundur", "/suara", "/suara/ungkap", "/tutup-penilaian", "/selesaikan-sanggahan",
                 "/buka-kembali", "/sanggahan/1"):
        assert member.post(f"/komite/{other.id}{path}", data=token).status_code == 404, path
    page = member.get("/komite").get_data(as_text=True)
    assert f"/komite/{other.id}" not in page


@pytest.mark.parametrize("path", ["/komite/99999999999999999999999", "/komite/0/suara", "/komite/7/kandidat"])
def test_bad_process_ids_are_404(app: Flask, world: World, path: str) -> None:
    assert client_for(app, world.members[0]).get(path).status_code == 404


def test_pages_render_after_the_review_for_every_seat(app: Flask, world: World) -> None:
    world.advance(Stage.COMMITTEE_REVIEWED)
    for user in world.committee:
        client = client_for(app, user)
        for path in ("", "/pakta", "/kandidat", "/suara"):
            assert client.get(f"/komite/{world.process_id}{path}").status_code == 200, (user.username, path)
    page = client_for(app, world.members[0]).get(f"/komite/{world.process_id}/suara").get_data(as_text=True)
    assert "Penilaian sudah ditutup" in page and "Rekomendasi panitia" in page


# --- the browser's commitment -----------------------------------------------------------------------

COMMIT_JS = STATIC_DIR / "js" / "commit.js"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run static/js/commit.js")
def test_commit_js_computes_the_servers_commitment() -> None:
    """commit.js (Web Crypto) and workflow.lifecycle.votes hash the same canonical bytes."""
    ballots = [
        {"member": "u5", "scores": {"p-" + "a" * 24: 90, "p-" + "0" * 24: 0}, "reason": "merit", "nonce": "ab" * 16},
        {"member": "p-" + "1" * 24, "scores": {"p-b" + "2" * 23: 100, "p-a" + "9" * 23: 7},
         "reason": 'Kutip "ini" \\ baris\nbaru\ttab \x1f kontrol \u2028 é 😀 ✓', "nonce": "0f" * 20},
        {"member": "u12", "scores": {}, "reason": "kosong", "nonce": "c" * 32},
    ]
    script = (
        f"const c = require({json.dumps(str(COMMIT_JS))});"
        f"const ballots = {json.dumps(ballots)};"
        "Promise.all(ballots.map(b => c.commitment(b.member, b.scores, b.reason, b.nonce)))"
        ".then(r => { const receipt = c.parseReceipt(c.makeReceipt({note: 'n', process: 1, round: 1,"
        " member: 'u5', scores: {}, reason: 'r', nonce: 'x', commitment: r[0]}));"
        " console.log(JSON.stringify({digests: r, receipt: receipt, nonce: c.randomNonce()})); });"
    )
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, timeout=60).stdout
    result = json.loads(out)
    expected = [votes.commitment(b["member"], b["scores"], b["reason"], b["nonce"]) for b in ballots]
    assert result["digests"] == expected
    assert result["receipt"]["kind"] == views.RECEIPT_KIND and result["receipt"]["commitment"] == expected[0]
    assert re.fullmatch(r"[0-9a-f]{32}", result["nonce"])  # 128 bits, what reveal_vote requires


def test_the_servers_receipt_has_the_shape_commit_js_reads(app: Flask, world: World) -> None:
    world.advance(Stage.SHORTLISTED)
    member = world.members[2]
    client = client_for(app, member)
    url = f"/komite/{world.process_id}/suara"
    scores = ballot(world)
    page = post_from(client, url, url, {**scores, "reason": "alasan"}).get_data(as_text=True)
    text = html.unescape(re.search(r'<pre class="detail receipt-text">(.*?)</pre>', page, re.DOTALL).group(1))  # type: ignore[union-attr]
    receipt = json.loads(text)
    assert receipt["kind"] == views.RECEIPT_KIND
    assert receipt["scores"] == {k.removeprefix("score-"): int(v) for k, v in scores.items()}
    assert receipt["commitment"] == db.session.scalars(sa.select(m.VoteCommit.digest)).one()
    assert receipt["commitment"] == votes.commitment(receipt["member"], receipt["scores"], receipt["reason"],
                                                     receipt["nonce"])
    # The commit page loads commit.js from our own origin (the CSP allows nothing else).
    assert '<script src="/static/js/commit.js" defer></script>' in client.get(url).get_data(as_text=True)


# Drives Debian's Chromium through Playwright (tests/browser/support.py): signs in with the session
# cookie, fills the ballot, lets commit.js compute the commitment, sends it, then fills the reveal
# form from the receipt kept in the tab and reveals.
BALLOT_STATE_JS = """(form) => ({
  commitment: form.querySelector("input[name=commitment]").value,
  shownNonce: form.querySelector("[data-nonce]").textContent,
  download: form.querySelector("[data-download]").href,
  namedFields: form.querySelectorAll("input[name^=score-], textarea[name=reason]").length,
  receipt: sessionStorage.getItem(
    ["jejak-receipt", form.dataset.process, form.dataset.round, form.dataset.member].join(":")),
})"""


def _drive_commit_and_reveal(base: str, pid: int, cookie_name: str, cookie: str,
                             between: Callable[[], None]) -> dict[str, object]:
    """Commit in Chromium, run ``between`` (the other voters commit), reveal; what the page showed."""
    from playwright.sync_api import expect

    from tests.browser.support import chromium

    with chromium() as browser:
        context = browser.new_context()
        try:
            context.add_cookies([{"name": cookie_name, "value": cookie, "url": base}])
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/komite/{pid}/suara")
            form = page.locator("form[data-commit-form]")
            submit = form.locator("button[type=submit]")
            seen: dict[str, object] = {"label": submit.text_content()}
            scores = form.locator("input[data-pseudonym]")
            for i in range(scores.count()):
                scores.nth(i).fill(str(70 + i))
            form.locator("textarea[name=reason]").fill('Baris satu\ndengan "kutip" dan é')
            submit.click()
            expect(form.locator("[data-receipt-panel]")).to_be_visible()
            seen.update(form.evaluate(BALLOT_STATE_JS))
            with page.expect_navigation():
                submit.click()
            seen["afterCommit"] = page.locator(".flashes").inner_text()
            between()  # reveals open once every voter has committed
            page.reload()
            page.click("[data-use-stored]")
            with page.expect_navigation():
                page.click("form[data-reveal-form] button[type=submit]")
            seen["afterReveal"] = page.locator(".flashes").inner_text()
            seen["errors"] = errors
            return seen
        finally:
            context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_chromium_commits_in_the_browser_and_reveals_from_the_receipt(app: Flask, world: World) -> None:
    from tests.browser.support import require_chromium

    require_chromium()
    world.advance(Stage.SHORTLISTED)
    member = world.members[0]
    others = [u for u in world.committee if u.id != member.id]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with app.test_request_context():
            cookie = app.session_interface.get_signing_serializer(app).dumps(  # type: ignore[attr-defined]
                {"_user_id": SessionUser(member).get_id(), "_fresh": True})
        seen = _drive_commit_and_reveal(
            f"http://127.0.0.1:{server.server_port}", world.process_id, app.config["SESSION_COOKIE_NAME"], cookie,
            lambda: [commit_on_page(app, world, u, "alasan", ballot(world)) for u in others],
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert seen["errors"] == []
    assert seen["label"] == "Hitung komitmen dan buat tanda terima"
    assert seen["namedFields"] == 0  # the ballot's fields lose their names: only the digest is posted
    assert str(seen["download"]).startswith("blob:")
    receipt = json.loads(str(seen["receipt"]))
    assert receipt["nonce"] == seen["shownNonce"] and receipt["reason"] == 'Baris satu\ndengan "kutip" dan é'
    assert "Komitmen Anda sudah dicatat" in seen["afterCommit"]
    assert "sudah diungkap" in seen["afterReveal"]
    db.session.expire_all()
    commit = db.session.scalars(sa.select(m.VoteCommit).where(m.VoteCommit.seat_id == seat(world, member).id)).one()
    assert commit.digest == seen["commitment"] == receipt["commitment"]
    assert commit.digest == votes.commitment(views.q.member_person(db.session, world.process_id, member),
                                             receipt["scores"], receipt["reason"], receipt["nonce"])
    reveal = db.session.scalars(sa.select(m.VoteReveal)).one()  # the others have not revealed
    assert reveal.scores == receipt["scores"] and reveal.nonce == receipt["nonce"]
