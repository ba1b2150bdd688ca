"""The process pages (/proses) driven through HTTP: list, detail, the admin's, verifier's and PPK's actions.

The middle stages that belong to other pages (pledges, votes, objections) are set up with the
service helpers of ``tests/services``; every action of this blueprint goes through its page:
a GET renders the form with the process's basis, the POST carries it back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html as html_lib
import io
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.services.helpers import T0, World, at, make_world
from tests.web.helpers import CSRF_RE, csrf_token, sign_in_directly
from workflow import ledger, services
from workflow.extensions import db
from workflow.lifecycle import Seat, Stage
from workflow.models import Employee, User
from workflow.models import process as m
from workflow.models.ledger import LogCheckpoint
from workflow.views import processes as views

BASIS_RE = re.compile(r'name="expected_basis" value="([0-9a-f]{64})"')


class Clock:
    """The views' clock (``processes.utcnow``), moved by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(views, "utcnow", c)
    return c


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    yield make_world(db.session)


def client_for(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in_directly(client, user)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def form_tokens(client: FlaskClient, page: str) -> tuple[str, str]:
    """The CSRF token and the ``expected_basis`` of a page's forms."""
    html = text(client.get(page))
    token, basis = CSRF_RE.search(html), BASIS_RE.search(html)
    assert token and basis, f"no form with a basis on {page}"
    return token.group(1), basis.group(1)


def submit(client: FlaskClient, page: str, action: str, data: dict[str, object] | None = None, **kw):  # type: ignore[no-untyped-def]
    """Open ``page`` like a browser, then POST ``data`` to ``action`` with its token and basis."""
    token, basis = form_tokens(client, page)
    return client.post(action, data={"csrf_token": token, "expected_basis": basis, **(data or {})}, **kw)


def status_of(world: World) -> Stage:
    return world.process().status


# --- list and detail -----------------------------------------------------------------------------


def test_list_shows_processes_with_stage_filter_and_pages(app: Flask, world: World) -> None:
    world.advance(Stage.COMMITTEE_FORMED)
    admin = client_for(app, world.admin)
    html = text(admin.get("/proses"))
    assert "Jabatan BKD-KABID" in html and "Badan Kepegawaian Daerah" in html
    assert "Panitia seleksi dibentuk" in html and "Seleksi terbuka" in html
    assert "Buat proses baru" in html
    assert "Jabatan BKD-KABID" not in text(admin.get("/proses?tahap=draft"))
    assert "Jabatan BKD-KABID" in text(admin.get("/proses?tahap=committee_formed"))
    assert admin.get("/proses?tahap=bogus").status_code == 400
    # A page number past the end shows the last page rather than an error.
    assert admin.get("/proses?halaman=99").status_code == 200
    assert admin.get("/proses?halaman=x").status_code == 200


def test_list_paginates_in_a_stable_order(app: Flask, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views.q, "list_processes", _with_page_size(views.q.list_processes, 1))
    world.create()
    services.create_process(db.session, actor=world.admin, position_id=world.other_position_id, route="talent",
                            now=at(30))
    admin = client_for(app, world.admin)
    first, second = text(admin.get("/proses")), text(admin.get("/proses?halaman=2"))
    assert "Jabatan BKD-SEKRETARIS" in first and "Jabatan BKD-KABID" not in first  # newest activity first
    assert "Jabatan BKD-KABID" in second and "Halaman 2 dari 2" in second


def _with_page_size(func, size):  # type: ignore[no-untyped-def]
    def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["per_page"] = size
        return func(*args, **kwargs)

    return wrapped


def test_committee_member_sees_only_processes_with_a_seat(app: Flask, world: World) -> None:
    world.advance(Stage.DRAFT)  # the committee is seated on the first process
    other = services.create_process(db.session, actor=world.admin, position_id=world.other_position_id,
                                    route="open", now=at(20)).id
    member = client_for(app, world.members[0])
    listing = text(member.get("/proses"))
    assert "Jabatan BKD-KABID" in listing and "Jabatan BKD-SEKRETARIS" not in listing
    seated = member.get(f"/proses/{world.process_id}")
    assert seated.status_code == 200
    assert "expected_basis" not in text(seated)  # no admin, verifier or PPK action for a member
    if "committee" in app.blueprints:  # the committee's own pages, when installed
        assert f'href="/komite/{world.process_id}"' in text(seated)
        assert 'href="/komite"' in listing
    assert member.get(f"/proses/{other}").status_code == 404
    assert member.get(f"/proses/{other}/pernyataan/1").status_code == 404


def test_detail_explains_blockers_and_shows_no_candidate_names(app: Flask, world: World, clock: Clock) -> None:
    world.advance(Stage.POOL_NOMINATED)
    clock.now = at(5)
    admin = client_for(app, world.admin)
    html = text(admin.get(f"/proses/{world.process_id}"))
    assert "Kandidat dinominasikan" in html
    assert 'aria-current="step"' in html
    # The next step is the verifier's; the admin sees what it waits for and who does it.
    assert "Verifikasi kompetensi" in html and "Verifikator kompetensi" in html
    assert "belum diverifikasi" in html  # lifecycle's blocker text, in Indonesian
    # Committee members by name (staff may see them), candidates only as counts.
    assert "Ketua" in html and "Anggota1" in html
    for employee in world.employees:
        assert employee.name not in html
        assert employee.nip not in html
    assert "Memenuhi syarat (kumpulan kandidat)" in html
    # The timeline lists every statement, each linking to its page.
    assert html.count('class="timeline-entry') >= 12
    assert "Proses dibuat" in html and "Anggota panitia ditetapkan" in html
    seq = int(re.search(r"/proses/\d+/pernyataan/(\d+)", html).group(1))  # type: ignore[union-attr]
    statement = text(admin.get(f"/proses/{world.process_id}/pernyataan/{seq}"))
    assert '"action": "process.create"' in html_lib.unescape(statement)
    assert admin.get(f"/proses/{world.process_id}/pernyataan/1").status_code == 404  # a key statement, not this process
    assert admin.get("/proses/99999").status_code == 404
    assert admin.get("/proses/99999999999999999999").status_code == 404


def test_inspector_reads_but_gets_no_actions(app: Flask, world: World) -> None:
    world.advance(Stage.DRAFT)
    inspector_user = services.create_user(db.session, actor=None, username="inspektur", display_name="Inspektur",
                                          password_hash="x", roles=["inspector"], now=T0)
    html = text(client_for(app, inspector_user).get(f"/proses/{world.process_id}"))
    assert "Tidak ada tindakan untuk akun Anda pada tahap ini." in html
    assert "expected_basis" not in html


# --- admin: draft to committee and the pool --------------------------------------------------------


def test_admin_drives_a_process_from_new_to_pool_nominated(app: Flask, world: World, clock: Clock) -> None:
    admin = client_for(app, world.admin)
    new_page = text(admin.get("/proses/baru"))
    assert "Jabatan BKD-KABID" in new_page and "Ppk" in new_page
    token = CSRF_RE.search(new_page).group(1)  # type: ignore[union-attr]
    created = admin.post("/proses/baru", data={
        "csrf_token": token, "position_id": str(world.position_id), "route": "open", "ppk_id": str(world.ppk.id),
        "planned_appointment_on": "2026-06-01",
    })
    assert created.status_code == 303
    pid = int(created.headers["Location"].rsplit("/", 1)[1])
    world.process_id = pid
    detail = f"/proses/{pid}"
    assert "Proses dibuat sebagai draf" in text(admin.get(detail))
    assert world.process().planned_appointment_on == dt.date(2026, 6, 1)

    # A thin committee: the refusal page lists the blockers in Indonesian and nothing changes.
    refused = submit(admin, detail, f"{detail}/bentuk-panitia")
    assert refused.status_code == 409
    page = text(refused)
    assert "Tindakan belum bisa dijalankan" in page
    assert "Panitia beranggotakan 0 orang; harus 5–9." in page
    assert "Panitia belum memiliki ketua." in page
    assert status_of(world) == Stage.DRAFT

    for minute, user in enumerate(world.committee, start=1):
        clock.now = at(minute)
        seat = "chair" if user is world.chair else "member"
        response = submit(admin, detail, f"{detail}/panitia", {"user_id": str(user.id), "seat": seat,
                                                              "internal": "auto"})
        assert response.status_code == 303, text(response)
    rows = db.session.scalars(sa.select(m.CommitteeSeat).where(m.CommitteeSeat.process_id == pid)).all()
    assert sorted((str(r.seat), r.internal) for r in rows) == [("chair", False)] + [("member", False)] * 3 + [
        ("member", True)]

    # Seated but not pledged: the blockers now name the members, not their account keys.
    refused = submit(admin, detail, f"{detail}/bentuk-panitia")
    assert refused.status_code == 409
    assert "Ketua" in text(refused) and "belum menandatangani pakta integritas" in text(refused)

    for user in world.committee:
        services.sign_pledge(db.session, pid, actor=user, now=at(7))  # the members' own pages do this
    clock.now = at(8)
    assert submit(admin, detail, f"{detail}/bentuk-panitia").status_code == 303
    assert status_of(world) == Stage.COMMITTEE_FORMED
    clock.now = at(9)
    nominated = submit(admin, detail, f"{detail}/nominasi")
    assert nominated.status_code == 303
    assert status_of(world) == Stage.POOL_NOMINATED
    html = text(admin.get(detail))
    assert "Kandidat dinominasikan dari data merit yang dikunci" in html
    # Every action signed a checkpoint soon after (maybe_checkpoint after the commit).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LogCheckpoint)) >= 1


def test_new_process_form_errors_are_next_to_their_fields(app: Flask, world: World, clock: Clock) -> None:
    admin = client_for(app, world.admin)
    token = CSRF_RE.search(text(admin.get("/proses/baru"))).group(1)  # type: ignore[union-attr]
    response = admin.post("/proses/baru", data={"csrf_token": token, "position_id": "abc", "route": "lottery",
                                                "planned_appointment_on": "31/12/2026"})
    assert response.status_code == 422
    html = text(response)
    assert 'id="f-position_id-error"' in html and "Pilih jabatan yang lowong." in html
    assert 'id="f-route-error"' in html and 'id="f-planned_appointment_on-error"' in html
    # The service's refusal lands on its field too: the position already has an open process.
    world.create()
    busy = admin.post("/proses/baru", data={"csrf_token": token, "position_id": str(world.position_id),
                                            "route": "open"})
    assert busy.status_code == 409
    assert 'id="f-position_id-error"' in text(busy) and "sudah memiliki proses yang berjalan" in text(busy)
    assert admin.post("/proses/baru", data={"csrf_token": token, "position_id": "424242",
                                            "route": "open"}).status_code == 422


def test_seat_refusals_and_input_errors(app: Flask, world: World, clock: Clock) -> None:
    pid = world.create()
    admin = client_for(app, world.admin)
    detail = f"/proses/{pid}"
    not_committee = submit(admin, detail, f"{detail}/panitia", {"user_id": str(world.asn.id)})
    assert not_committee.status_code == 409
    assert 'id="f-user_id-error"' in text(not_committee)
    assert "tidak memiliki peran anggota atau ketua panitia" in text(not_committee)
    assert submit(admin, detail, f"{detail}/panitia", {"user_id": "x"}).status_code == 422
    assert submit(admin, detail, f"{detail}/panitia", {"user_id": "777777"}).status_code == 422
    assert submit(admin, detail, f"{detail}/panitia", {"user_id": str(world.chair.id),
                                                      "seat": "king"}).status_code == 422


def test_stale_basis_gets_the_reload_page(app: Flask, world: World, clock: Clock) -> None:
    pid = world.create()
    admin = client_for(app, world.admin)
    detail = f"/proses/{pid}"
    token, basis = form_tokens(admin, detail)
    # Someone else acts on the process after the page was rendered.
    services.seat_member(db.session, pid, actor=world.admin2, user_id=world.chair.id, now=at(1), seat=Seat.CHAIR)
    response = admin.post(f"{detail}/panitia", data={"csrf_token": token, "expected_basis": basis,
                                                     "user_id": str(world.members[0].id)})
    assert response.status_code == 409
    assert "Proses sudah berubah" in text(response) and f'href="/proses/{pid}"' in text(response)
    assert len(db.session.scalars(sa.select(m.CommitteeSeat).where(m.CommitteeSeat.process_id == pid)).all()) == 1
    # A form without a basis cannot be acted on either.
    missing = admin.post(f"{detail}/bentuk-panitia", data={"csrf_token": token})
    assert missing.status_code == 422
    assert admin.post(f"{detail}/bentuk-panitia", data={"csrf_token": token,
                                                        "expected_basis": "zz"}).status_code == 422


def test_cancel_needs_a_reason(app: Flask, world: World, clock: Clock) -> None:
    pid = world.create()
    admin = client_for(app, world.admin)
    detail = f"/proses/{pid}"
    empty = submit(admin, detail, f"{detail}/batal", {"cancel_reason": "   "})
    assert empty.status_code == 422
    assert 'id="f-cancel_reason-error"' in text(empty) and "Tuliskan alasan pembatalan." in text(empty)
    assert status_of(world) == Stage.DRAFT
    clock.now = at(3)
    done = submit(admin, detail, f"{detail}/batal", {"cancel_reason": "Jabatan dihapus dalam penataan organisasi."})
    assert done.status_code == 303
    assert status_of(world) == Stage.CANCELLED
    html = text(admin.get(detail))
    assert "Jabatan dihapus dalam penataan organisasi." in html and "Dibatalkan pada tahap ini" in html
    assert "Tidak ada tindakan" in html


def test_ppk_of_the_process_may_cancel_another_ppk_may_not(app: Flask, world: World, clock: Clock) -> None:
    pid = world.create()
    detail = f"/proses/{pid}"
    other = submit(client_for(app, world.ppk2), detail, f"{detail}/batal", {"cancel_reason": "Tidak jadi."})
    assert other.status_code == 403
    assert "bukan PPK yang ditetapkan" in text(other)
    assert submit(client_for(app, world.ppk), detail, f"{detail}/batal",
                  {"cancel_reason": "Anggaran ditunda."}).status_code == 303


# --- verifier and PPK: competency verification through appointment --------------------------------


def test_verification_through_appointment(app: Flask, world: World, clock: Clock) -> None:
    world.advance(Stage.POOL_NOMINATED)
    pid = world.process_id
    pool = world.pool()
    verifier = client_for(app, world.verifier)
    page = f"/proses/{pid}/verifikasi"
    html = text(verifier.get(page))
    # The verifier checks identity and the assessment facts of each pool candidate.
    for c in pool:
        assert c.pseudonym in html
    assert "Pegawai 0" in html and "198001012005011000" in html
    assert "UPTD Lampung" in html and "15 Jan 2025" in html and "Terakreditasi" in html

    decisions: dict[str, object] = {f"decision-{c.pseudonym}": "confirmed" for c in pool}
    excluded = pool[1].pseudonym
    decisions[f"decision-{excluded}"] = "excluded"
    decisions[f"reason-{excluded}"] = "other_documented"
    clock.now = at(5)
    # "Other" without a note: refused by the service, the message sits next to the note.
    refused = submit(verifier, page, page, decisions)
    assert refused.status_code == 409
    assert f'id="f-note-{excluded}-error"' in text(refused)
    # The verifier sees candidates by name, so the message names the person, not the pseudonym.
    name = db.session.get(Employee, pool[1].employee_id).name  # type: ignore[union-attr]
    assert f"Pengecualian {name} dengan alasan lain harus disertai catatan." in text(refused)
    missing = submit(verifier, page, page, {k: v for k, v in decisions.items() if not k.startswith("decision-p")})
    assert missing.status_code == 422
    decisions[f"note-{excluded}"] = "Sertifikat asesmen tidak dapat diverifikasi ke lembaga."
    assert submit(verifier, page, page, decisions).status_code == 303
    assert status_of(world) == Stage.COMPETENCY_VERIFIED
    assert db.session.get(m.Candidate, pool[1].id).exclusion_reason == "other_documented"  # type: ignore[union-attr]
    # The page now shows the recorded decisions and no form.
    after = text(verifier.get(page))
    assert "Kirim semua keputusan" not in after and "Alasan lain" in after

    admin = client_for(app, world.admin)
    detail = f"/proses/{pid}"
    clock.now = at(6)
    assert submit(admin, detail, f"{detail}/daftar-pendek").status_code == 303
    assert status_of(world) == Stage.SHORTLISTED
    world.vote(world.committee, 7)  # the committee's own pages
    services.close_review(db.session, pid, actor=world.chair, now=at(9))
    clock.now = at(10)
    assert submit(admin, detail, f"{detail}/umumkan").status_code == 303
    assert status_of(world) == Stage.ANNOUNCED
    services.resolve_objections(db.session, pid, actor=world.chair, now=at(10) + dt.timedelta(days=6))

    ppk = client_for(app, world.ppk)
    clock.now = at(10) + dt.timedelta(days=7)
    appoint_page = f"/proses/{pid}/penetapan"
    html = text(ppk.get(appoint_page))
    ranking = world.ranking()
    assert "Rekomendasi panitia" in html and "Pegawai 0" in html
    assert html.index(ranking[0]) < html.index(ranking[1]) < html.index(ranking[2])
    assert ">25<" in html  # rank 1's committee total: five ballots of 5 points

    decree = {"decree_number": "821/123/BKD/2026", "decree_date": "2026-03-10"}
    # Rank 2 without a justification: the service refuses, the message is next to the field.
    refused = submit(ppk, appoint_page, appoint_page, {"appointee": ranking[1], **decree})
    assert refused.status_code == 409
    page_text = text(refused)
    assert 'id="f-justification-error"' in page_text
    second = db.session.scalars(sa.select(m.Candidate).where(m.Candidate.process_id == pid,
                                                             m.Candidate.pseudonym == ranking[1])).one()
    name = db.session.get(Employee, second.employee_id).name  # type: ignore[union-attr]
    assert f"{name} berperingkat 2; mengangkat selain peringkat 1 memerlukan justifikasi tertulis." in page_text
    assert status_of(world) == Stage.OBJECTIONS_RESOLVED
    # Bad input is caught before the service: a missing decree number, a malformed date or digest.
    bad = submit(ppk, appoint_page, appoint_page, {"appointee": ranking[0], "decree_date": "kemarin",
                                                   "approval_letter_digest": "abc"})
    assert bad.status_code == 422
    for name in ("decree_number", "decree_date", "approval_letter_digest"):
        assert f'id="f-{name}-error"' in text(bad)

    letter = b"%PDF-1.4 surat persetujuan Mendagri"
    done = submit(ppk, appoint_page, appoint_page, {
        "appointee": ranking[1], **decree, "justification": "Pengalaman lapangan lebih sesuai kebutuhan unit.",
        "approval_letter": (io.BytesIO(letter), "surat.pdf"),
    }, content_type="multipart/form-data")
    assert done.status_code == 303, text(done)
    process = world.process()
    assert process.status == Stage.APPOINTED
    assert process.appointee_pseudonym == ranking[1]
    assert process.approval_letter_digest == hashlib.sha256(letter).hexdigest()
    detail_html = text(admin.get(detail))
    assert "Diangkat" in detail_html and "821/123/BKD/2026" in detail_html
    assert "Peringkat 2 dalam rekomendasi panitia" in detail_html
    assert "Pengangkatan dicatat" in text(ppk.get(detail))


def test_pilkada_window_needs_the_approval_digest(app: Flask, world: World, clock: Clock) -> None:
    world.advance(Stage.OBJECTIONS_RESOLVED)
    app.config["PILKADA_WINDOWS"] = [("2026-01-01", "2026-12-31")]
    ppk = client_for(app, world.ppk)
    page = f"/proses/{world.process_id}/penetapan"
    clock.now = at(10) + dt.timedelta(days=7)
    html = text(ppk.get(page))
    assert "Masa Pilkada yang berlaku" in html and "<details class=\"pilkada\" open>" in html
    data = {"appointee": world.ranking()[0], "decree_number": "1/2026", "decree_date": "2026-03-10"}
    refused = submit(ppk, page, page, data)
    assert refused.status_code == 409
    assert 'id="f-approval_letter_digest-error"' in text(refused)
    digest = hashlib.sha256(b"surat").hexdigest()
    mismatch = submit(ppk, page, page, {**data, "approval_letter_digest": digest,
                                        "approval_letter": (io.BytesIO(b"lain"), "x.pdf")},
                      content_type="multipart/form-data")
    assert mismatch.status_code == 422
    assert submit(ppk, page, page, {**data, "approval_letter_digest": digest.upper()}).status_code == 303
    assert world.process().approval_letter_digest == digest


def test_another_ppk_cannot_open_the_decision(app: Flask, world: World) -> None:
    world.advance(Stage.OBJECTIONS_RESOLVED)
    response = client_for(app, world.ppk2).get(f"/proses/{world.process_id}/penetapan")
    assert response.status_code == 403
    assert "Pegawai 0" not in text(response)


def test_action_pages_outside_their_stage(app: Flask, world: World, clock: Clock) -> None:
    pid = world.create()
    verifier = client_for(app, world.verifier)
    page = text(verifier.get(f"/proses/{pid}/verifikasi"))
    assert "Verifikasi hanya dapat dilakukan pada tahap" in page
    basis = ledger.process_basis(db.session, pid).hex()
    refused = verifier.post(f"/proses/{pid}/verifikasi", data={"csrf_token": csrf_token(verifier, "/beranda"),
                                                                "expected_basis": basis})
    assert refused.status_code == 409 and "tidak tersedia pada tahap draft" in text(refused)
    ppk = client_for(app, world.ppk)
    assert "Penetapan hanya dapat dilakukan pada tahap" in text(ppk.get(f"/proses/{pid}/penetapan"))
    admin = client_for(app, world.admin)
    assert submit(admin, f"/proses/{pid}", f"/proses/{pid}/umumkan").status_code == 409


def test_english_labels(app: Flask, world: World) -> None:
    world.advance(Stage.DRAFT)
    admin = client_for(app, world.admin)
    admin.set_cookie("jejak_lang", "en")
    html = text(admin.get(f"/proses/{world.process_id}"))
    assert "Draft" in html and "Form the committee" in html
