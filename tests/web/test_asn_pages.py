"""The ASN's own pages: my processes, the explanation, objections, and the receipt.

The process is built through the services (tests/services/helpers.py ``World``); the clock of the
pages is injected through ``app.config["CLOCK"]``.
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import rfc8785
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.services.helpers import T0, World, at, employee, make_world
from tests.web.helpers import make_user, sign_in_directly
from workflow import keystore, services
from workflow.extensions import db
from workflow.lifecycle import Stage
from workflow.merit.messages import render
from workflow.models import Employee, Role, User
from workflow.models import process as m
from workflow.models.ledger import LogLeaf
from workflow.models.merit import PerformanceRating
from workflow.services import evaluations
from workflow.views import asn_queries

ROOT = Path(__file__).resolve().parents[2]
CHECKER_PATH = ROOT / "docs" / "check_receipt.py"
BASIS_RE = re.compile(r'name="basis" value="([0-9a-f]{64})"')
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def load_checker() -> ModuleType:
    """docs/check_receipt.py, the documented checker (audit functions only)."""
    spec = importlib.util.spec_from_file_location("check_receipt", CHECKER_PATH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _cheap_key_sealing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seal the many test accounts' keys with scrypt 2**10, not 2**15: the same code, worlds 30× faster."""
    monkeypatch.setattr(keystore, "_SCRYPT_LOG2_N", 10)


class Asn:
    """The world plus a candidate who fails a rule (SKP 2025 'butuh perbaikan') but passes the SQL filter."""

    def __init__(self, world: World, weak: User) -> None:
        self.world, self.weak = world, weak

    @property
    def pid(self) -> int:
        return self.world.process_id


def build(app: Flask, stage: Stage) -> Asn:
    world = make_world(db.session)
    weak_employee = employee(world.employees[0].unit_id, 7)
    weak_employee.ratings = [PerformanceRating(year=2024, predikat="baik"),
                             PerformanceRating(year=2025, predikat="butuh_perbaikan")]
    db.session.add(weak_employee)
    db.session.commit()
    weak = services.create_user(db.session, actor=None, username="asn7", display_name="Asn Tujuh", password_hash="x",
                                roles=[Role.ASN], now=T0, employee_id=weak_employee.id, affiliation="internal")
    world.advance(stage)
    app.config["CLOCK"] = lambda: at(11)  # inside the window: announced at minute 10, five days long
    return Asn(world, weak)


@pytest.fixture
def asn(app: Flask) -> Asn:
    return build(app, Stage.ANNOUNCED)


def client_for(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in_directly(client, user)
    return client


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def candidate(user: User, pid: int) -> m.Candidate:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(m.Candidate).where(m.Candidate.process_id == pid, m.Candidate.employee_id == user.employee_id)
    ).one()


# --- the list ----------------------------------------------------------------------------------


def test_list_shows_the_processes_that_considered_me(app: Flask, asn: Asn) -> None:
    page = client_for(app, asn.world.asn).get("/saya")
    assert page.status_code == 200
    body = text_of(page.get_data(as_text=True))
    assert "Jabatan BKD-KABID" in body
    assert "Hasil diumumkan (masa sanggah)" in body
    assert "Direkomendasikan panitia seleksi, urutan 1." in body
    weak = text_of(client_for(app, asn.weak).get("/saya").get_data(as_text=True))
    assert "Tidak memenuhi syarat jabatan ini." in weak


def test_list_is_empty_for_someone_the_sql_filter_dropped(app: Flask, asn: Asn) -> None:
    # The stranger (III/a) never got a candidate row: the process does not appear at all.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Candidate).where(
        m.Candidate.employee_id == asn.world.stranger.employee_id)) == 0
    body = text_of(client_for(app, asn.world.stranger).get("/saya").get_data(as_text=True))
    assert "Belum ada proses" in body and "BKD-KABID" not in body


def test_an_account_without_employee_record_is_told_so(app: Flask, asn: Asn) -> None:
    lone = make_user("asn-lone", Role.ASN)
    body = text_of(client_for(app, lone).get("/saya").get_data(as_text=True))
    assert "Akun belum tertaut" in body


# --- the explanation -----------------------------------------------------------------------------


def _check_numbers(app: Flask, asn: Asn, user: User) -> tuple[str, dict]:  # type: ignore[type-arg]
    """The page's explanation is the stored result, and the page shows its numbers."""
    row = candidate(user, asn.pid)
    stored = json.loads(row.result)
    with app.test_request_context():
        page = asn_queries.explanation_page(db.session, asn.pid, user.employee_id, lang="id", moment=at(11))
        evaluation = asn_queries.stored_evaluation(db.session, page.process,
                                                   asn_queries.nomination_entry(db.session, asn.pid))
    # The re-evaluation from the sealed records reproduces the stored result byte for byte.
    assert rfc8785.dumps(evaluation.candidate(row.pseudonym).to_dict()) == bytes(row.result)
    e = page.explanation
    assert e is not None and page.problem is None
    assert e.outcome == stored["outcome"] == row.outcome
    assert e.rank == stored["rank"] == row.merit_rank
    assert e.box == stored["placement"]["box"] == row.box
    assert e.composite == stored["composite"]
    assert (e.jpm or {}).get("percent") == (stored["jpm"] or {}).get("percent") == row.jpm
    assert [(r.rule, r.passed, r.value, r.requirement) for r in e.rules] == [
        (r["rule"], r["passed"], r["value"], r["requirement"]) for r in stored["rules"]
    ]
    response = client_for(app, user).get(f"/saya/proses/{asn.pid}")
    assert response.status_code == 200
    body = text_of(response.get_data(as_text=True))
    for r in stored["rules"]:
        assert render(r["message"], r["params"], "id") in body
        if r["hint"]:
            assert render(r["hint"], r["hint_params"], "id") in body
        assert r["basis"] in body
    assert e.cutoff_text in body and e.outcome_text in body
    return body, stored


def test_explanation_of_a_shortlisted_candidate_equals_the_stored_evaluation(app: Flask, asn: Asn) -> None:
    body, stored = _check_numbers(app, asn, asn.world.asn)
    assert stored["outcome"] == "shortlisted" and stored["rank"] == 1
    assert f"Peringkat 1 dari {asn_queries_ranked(asn)}" in body
    box = stored["placement"]["box"]
    assert f"Kotak {box}:" in body and render(f"box.{box}.label", None, "id") in body
    assert render(f"box.{box}.follow_up", None, "id") in body
    assert "Semua syarat terpenuhi." in body
    for gap in stored["jpm"]["competencies"]:
        assert str(asn_queries.COMPETENCY_LABELS[gap["competency"]]) in body
    assert "Kategori: Memenuhi Syarat (MS)." in body
    assert "Kirim keberatan" in body  # inside the window: the form


def asn_queries_ranked(asn: Asn) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(m.Candidate).where(
        m.Candidate.process_id == asn.pid, m.Candidate.merit_rank.is_not(None))) or 0


def test_explanation_of_a_not_eligible_candidate_equals_the_stored_evaluation(app: Flask, asn: Asn) -> None:
    body, stored = _check_numbers(app, asn, asn.weak)
    assert stored["outcome"] == "not_eligible" and stored["rank"] is None
    assert [r["rule"] for r in stored["rules"] if not r["passed"]] == ["skp"]
    assert "1 syarat belum terpenuhi." in body
    assert "Cara memenuhi: Diperlukan predikat SKP 'Baik' atau lebih baik untuk tahun 2025." in body
    assert "Anda tidak diberi peringkat" in body
    assert "Tahun SKP yang dipakai 2025: Butuh Perbaikan" in body
    assert "Kinerja di bawah ekspektasi" in body  # box 6: below expectations, high potential


def test_the_explanation_follows_the_language(app: Flask, asn: Asn) -> None:
    client = client_for(app, asn.weak)
    client.set_cookie("jejak_lang", "en")
    body = text_of(client.get(f"/saya/proses/{asn.pid}").get_data(as_text=True))
    assert "SKP 2025 predikat: Butuh Perbaikan, below the minimum Baik." in body
    assert "Needs SKP 'Baik' or better in 2025." in body


def test_no_other_candidate_data_in_my_pages(app: Flask, asn: Asn) -> None:
    others = db.session.execute(
        sa.select(Employee.name, Employee.nip, m.Candidate.pseudonym, m.Candidate.evidence_digest)
        .join(m.Candidate, m.Candidate.employee_id == Employee.id)
        .where(m.Candidate.process_id == asn.pid, Employee.id != asn.world.asn.employee_id)
    ).all()
    assert len(others) >= 5
    client = client_for(app, asn.world.asn)
    pages = {
        "list": client.get("/saya").get_data(as_text=True),
        "explanation": client.get(f"/saya/proses/{asn.pid}").get_data(as_text=True),
    }
    receipt = client.get(f"/saya/proses/{asn.pid}/tanda-terima").get_data(as_text=True)
    for name, nip, pseudonym, digest in others:
        for label, page in pages.items():
            assert name not in page, (label, name)
            assert nip not in page, (label, nip)
            assert pseudonym not in page and digest not in page, label
        assert name not in receipt and nip not in receipt  # the leaf names others by pseudonym only
    mine = db.session.get(Employee, asn.world.asn.employee_id)
    assert mine is not None and mine.nip in receipt  # my own record, as stored


def test_a_damaged_record_gives_a_warning_not_a_wrong_explanation(app: Flask, asn: Asn) -> None:
    evaluations._EVALUATIONS.clear()
    row = candidate(asn.weak, asn.pid)
    record = json.loads(row.evidence)
    record["employee"]["ratings"][-1]["predikat"] = "sangat_baik"
    row.evidence = rfc8785.dumps(record)
    db.session.commit()
    body = text_of(client_for(app, asn.weak).get(f"/saya/proses/{asn.pid}").get_data(as_text=True))
    assert "Penjelasan belum dapat ditampilkan" in body
    assert "Syarat jabatan, satu per satu" not in body
    evaluations._EVALUATIONS.clear()


# --- other people's pages ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/saya/proses/{pid}", "/saya/proses/{pid}/tanda-terima"])
def test_a_process_that_did_not_consider_me_is_404(app: Flask, asn: Asn, path: str) -> None:
    stranger = client_for(app, asn.world.stranger)
    assert stranger.get(path.format(pid=asn.pid)).status_code == 404
    assert stranger.get(path.format(pid=asn.pid + 100)).status_code == 404  # does not exist: same answer
    assert stranger.get(path.format(pid=2**40)).status_code == 404  # beyond any id: no database error


def test_a_stranger_cannot_object_in_someone_elses_process(app: Flask, asn: Asn) -> None:
    stranger = client_for(app, asn.world.stranger)
    page = client_for(app, asn.world.asn).get(f"/saya/proses/{asn.pid}").get_data(as_text=True)
    basis = BASIS_RE.search(page)
    assert basis
    token = CSRF_RE.search(stranger.get("/saya").get_data(as_text=True))
    assert token
    response = stranger.post(f"/saya/proses/{asn.pid}/keberatan",
                             data={"csrf_token": token.group(1), "text": "x" * 40, "basis": basis.group(1)})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Objection)) == 0


# --- objections --------------------------------------------------------------------------------


def _form(client: FlaskClient, pid: int) -> dict[str, str]:
    page = client.get(f"/saya/proses/{pid}").get_data(as_text=True)
    csrf, basis = CSRF_RE.search(page), BASIS_RE.search(page)
    assert csrf and basis, "no objection form on the page"
    return {"csrf_token": csrf.group(1), "basis": basis.group(1)}


def test_filing_an_objection_inside_the_window(app: Flask, asn: Asn) -> None:
    client = client_for(app, asn.weak)
    text = "Predikat SKP 2025 saya seharusnya Baik; SK penilaian sudah direvisi pada Januari."
    response = client.post(f"/saya/proses/{asn.pid}/keberatan", data={**_form(client, asn.pid), "text": text})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/saya/proses/{asn.pid}#keberatan")
    row = db.session.scalars(sa.select(m.Objection)).one()
    assert row.text == text and row.candidate_id == candidate(asn.weak, asn.pid).id and row.filed_by_id == asn.weak.id
    body = text_of(client.get(f"/saya/proses/{asn.pid}").get_data(as_text=True))
    assert "Keberatan Anda sudah tercatat" in body and text in body and "Menunggu jawaban panitia" in body
    # The chair answers; the answer shows on my page.
    services.answer_objection(db.session, asn.pid, row.id, actor=asn.world.chair, upheld=False, now=at(12),
                              answer="Data SIASN per tanggal snapshot mencatat Butuh Perbaikan.")
    body = text_of(client.get(f"/saya/proses/{asn.pid}").get_data(as_text=True))
    assert "Ditolak" in body and "Data SIASN per tanggal snapshot mencatat Butuh Perbaikan." in body


def test_the_objection_statement_is_signed_by_the_asn(app: Flask, asn: Asn) -> None:
    client = client_for(app, asn.world.asn)
    client.post(f"/saya/proses/{asn.pid}/keberatan", data={**_form(client, asn.pid), "text": "z" * 30})
    from audit.entry import parse_leaf_unverified

    last = db.session.scalars(sa.select(LogLeaf).order_by(LogLeaf.seq.desc()).limit(1)).one()
    statement = parse_leaf_unverified(bytes(last.leaf)).statement_unverified()
    assert statement.action == "objection.file"
    assert statement.actor.id == str(asn.world.asn.id) and statement.actor.role == "asn"
    assert "z" * 30 not in json.dumps(statement.data)  # only the text's digest is public


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Tulis keberatan Anda dalam 20 sampai 4000 karakter."),
     ("terlalu pendek", "Tulis keberatan Anda dalam 20 sampai 4000 karakter."),
     ("x" * 4001, "Tulis keberatan Anda dalam 20 sampai 4000 karakter.")],
    ids=["empty", "short", "long"],
)
def test_objection_text_is_checked_next_to_the_field(app: Flask, asn: Asn, text: str, message: str) -> None:
    client = client_for(app, asn.weak)
    response = client.post(f"/saya/proses/{asn.pid}/keberatan", data={**_form(client, asn.pid), "text": text})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = re.search(r'<ul class="field-errors" id="f-text-error">(.*?)</ul>', page, re.DOTALL)
    assert errors and message in html.unescape(errors.group(1))
    assert 'aria-invalid="true"' in page
    if text:
        assert html.escape(text[:50]) in page  # what they typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Objection)) == 0


def test_a_missing_text_field_and_a_forged_basis_are_422(app: Flask, asn: Asn) -> None:
    client = client_for(app, asn.weak)
    form = _form(client, asn.pid)
    assert client.post(f"/saya/proses/{asn.pid}/keberatan", data={"csrf_token": form["csrf_token"]}).status_code == 422
    bad = client.post(f"/saya/proses/{asn.pid}/keberatan", data={**form, "basis": "zz", "text": "x" * 30})
    assert bad.status_code == 422


def test_a_stale_page_is_refused_and_keeps_the_text(app: Flask, asn: Asn) -> None:
    client = client_for(app, asn.weak)
    form = _form(client, asn.pid)
    # Someone else objects meanwhile: the process's latest entry moves on.
    services.file_objection(db.session, asn.pid, actor=asn.world.asn, text="y" * 30, now=at(11))
    text = "Predikat SKP saya keliru dicatat, mohon diperiksa ulang."
    response = client.post(f"/saya/proses/{asn.pid}/keberatan", data={**form, "text": text})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Proses ini berubah sejak halaman dibuka" in page and html.escape(text) in page
    assert BASIS_RE.search(page) and BASIS_RE.search(page).group(1) != form["basis"]  # type: ignore[union-attr]


def test_outside_the_window_the_form_is_replaced_by_the_dates(app: Flask, asn: Asn) -> None:
    client = client_for(app, asn.weak)
    form = _form(client, asn.pid)
    app.config["CLOCK"] = lambda: at(10) + dt.timedelta(days=5, minutes=1)
    page = client.get(f"/saya/proses/{asn.pid}").get_data(as_text=True)
    assert 'name="text"' not in page
    assert "Masa keberatan sudah berakhir pada" in text_of(page)
    # A form kept open in a tab is refused by the service, with the reason shown.
    response = client.post(f"/saya/proses/{asn.pid}/keberatan", data={**form, "text": "x" * 30})
    assert response.status_code == 409
    assert "Masa sanggah berakhir pada" in text_of(response.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Objection)) == 0


def test_before_the_announcement_there_is_no_form(app: Flask) -> None:
    before = build(app, Stage.SHORTLISTED)
    client = client_for(app, before.world.asn)
    page = client.get(f"/saya/proses/{before.pid}").get_data(as_text=True)
    assert 'name="text"' not in page
    assert "Keberatan dapat diajukan setelah hasil diumumkan" in text_of(page)
    assert "Masuk daftar pendek, urutan 1." in text_of(page)
    token = CSRF_RE.search(page)
    assert token
    response = client.post(f"/saya/proses/{before.pid}/keberatan", data={
        "csrf_token": token.group(1), "basis": "0" * 64, "text": "x" * 30})
    assert response.status_code == 409


def test_without_a_signing_key_the_refusal_says_so(app: Flask, asn: Asn) -> None:
    services.revoke_user_key(db.session, actor=None, user_id=asn.weak.id, reason_text="test", now=at(11))
    client = client_for(app, asn.weak)
    response = client.post(f"/saya/proses/{asn.pid}/keberatan", data={**_form(client, asn.pid), "text": "x" * 30})
    assert response.status_code == 403
    assert "belum memiliki kunci tanda tangan" in text_of(response.get_data(as_text=True))


# --- the receipt ---------------------------------------------------------------------------------


def _receipt(app: Flask, asn: Asn, user: User) -> bytes:
    response = client_for(app, user).get(f"/saya/proses/{asn.pid}/tanda-terima")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="tanda-terima-proses-')
    return response.get_data()


def test_the_receipt_holds_my_record_exactly_as_stored(app: Flask, asn: Asn) -> None:
    data = _receipt(app, asn, asn.world.asn)
    receipt = json.loads(data)
    row = candidate(asn.world.asn, asn.pid)
    assert rfc8785.dumps(receipt["evidence"]["record"]) == bytes(row.evidence)
    assert receipt["evidence"]["digest"] == row.evidence_digest
    assert receipt["pseudonym"] == row.pseudonym and receipt["process"] == asn.pid
    leaf = db.session.scalars(sa.select(LogLeaf).where(LogLeaf.seq == receipt["entry"]["index"])).one()
    assert json.loads(bytes(leaf.leaf))["statement"] == json.loads(
        __import__("base64").b64decode(receipt["entry"]["leaf"]))["statement"]


def test_the_receipt_verifies_with_audit_alone(app: Flask, asn: Asn) -> None:
    checker = load_checker()
    for user in (asn.world.asn, asn.weak):
        data = _receipt(app, asn, user)
        proved = checker.check_receipt(data)
        row = candidate(user, asn.pid)
        assert proved["digest"] == row.evidence_digest and proved["process"] == asn.pid
        # Pinning the real log key works; another key fails.
        vkey = json.loads(data)["log_vkey"]
        checker.check_receipt(data, vkey=vkey)
        with pytest.raises(checker.ReceiptError):
            checker.check_receipt(data, vkey=vkey[:-4] + "AAA=")


def test_every_changed_byte_of_the_receipt_fails_the_check(app: Flask, asn: Asn) -> None:
    checker = load_checker()
    data = _receipt(app, asn, asn.weak)
    checker.check_receipt(data)
    passed = []
    for i in range(len(data)):
        changed = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]
        try:
            checker.check_receipt(changed)
        except checker.ReceiptError:
            continue
        passed.append(i)
    assert passed == [], [data[i - 10:i + 10] for i in passed[:5]]


def test_the_documented_checker_runs_in_a_fresh_interpreter_with_audit_only(app: Flask, asn: Asn,
                                                                            tmp_path: Path) -> None:
    path = tmp_path / "tanda-terima.json"
    path.write_bytes(_receipt(app, asn, asn.world.asn))
    probe = (
        "import runpy, sys; sys.argv = ['check_receipt', sys.argv[1]];"
        f"code = 0\ntry:\n    runpy.run_path({str(CHECKER_PATH)!r}, run_name='__main__')\n"
        "except SystemExit as exc:\n    code = exc.code\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'sqlalchemy', 'workflow', 'marshmallow'}))\n"
        "sys.exit(code)"
    )
    run = subprocess.run([sys.executable, "-c", probe, str(path)], cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT)}, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("OK: process")
    assert run.stdout.strip().endswith("[]")
    path.write_bytes(path.read_bytes().replace(b'"nip":"', b'"nip":"9', 1))
    run = subprocess.run([sys.executable, str(CHECKER_PATH), str(path)], cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT)}, check=False)
    assert run.returncode == 1 and run.stdout.startswith("FAIL:")


def test_the_checker_imports_only_the_standard_library_and_audit() -> None:
    tree = ast.parse(CHECKER_PATH.read_text(encoding="utf-8"))
    roots = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name.split(".")[0]
        for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert roots <= {"__future__", "argparse", "sys", "collections", "pathlib", "typing", "audit"}, roots


def test_the_receipt_help_page(app: Flask, asn: Asn) -> None:
    body = text_of(client_for(app, asn.world.asn).get("/saya/tanda-terima/cara-memeriksa").get_data(as_text=True))
    assert "Cara memeriksa tanda terima" in body and "docs/check_receipt.py" in body


def test_a_cancelled_process_says_so(app: Flask) -> None:
    before = build(app, Stage.SHORTLISTED)
    services.cancel_process(db.session, before.pid, actor=before.world.admin, now=at(8), reason_text="Ditinjau.")
    client = client_for(app, before.world.asn)
    body = text_of(client.get(f"/saya/proses/{before.pid}").get_data(as_text=True))
    assert "Proses ini dibatalkan." in body and "tidak ada masa keberatan" in body
    assert "Proses ini dibatalkan." in text_of(client.get("/saya").get_data(as_text=True))
