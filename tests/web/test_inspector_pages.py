"""The inspector's pages: log status, verify-now (clean and tampered), bundles, process timelines."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from audit import verify_bundle
from audit.entry import parse_leaf_unverified
from tests.services.helpers import World, at, make_world
from tests.web.helpers import csrf_token, make_user, sign_in_directly
from workflow import keystore, ledger, services
from workflow.extensions import db
from workflow.keystore import get_keystore
from workflow.lifecycle import Stage
from workflow.models import Role
from workflow.models import process as m
from workflow.models.ledger import LogLeaf
from workflow.views import inspector_queries

ENTRY_RE = re.compile(r'<li class="panel entry entry--(ok|bad)" id="entri-(\d+)">')


@pytest.fixture(autouse=True)
def _cheap_key_sealing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seal the many test accounts' keys with scrypt 2**10, not 2**15: the same code, worlds 30× faster."""
    monkeypatch.setattr(keystore, "_SCRYPT_LOG2_N", 10)


@pytest.fixture
def world(app: Flask, tmp_path: Path) -> World:
    app.config["INSPECTOR_STATUS_FILE"] = str(tmp_path / "verification.json")
    app.config["CLOCK"] = lambda: at(20)
    built = make_world(db.session)
    built.advance(Stage.ANNOUNCED)
    return built


@pytest.fixture
def inspector(app: Flask, world: World) -> FlaskClient:
    client = app.test_client()
    sign_in_directly(client, make_user("inspektur", Role.INSPECTOR))
    return client


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def verify_now(client: FlaskClient) -> str:
    response = client.post("/inspektur/verifikasi", data={"csrf_token": csrf_token(client, "/inspektur")})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/inspektur#verifikasi")
    return client.get("/inspektur").get_data(as_text=True)


def test_status_page_shows_size_checkpoint_and_key(app: Flask, world: World, inspector: FlaskClient) -> None:
    body = text_of(inspector.get("/inspektur").get_data(as_text=True))
    assert "belum ada" in body  # no checkpoint signed yet
    assert "Log belum pernah diverifikasi" in body
    row = ledger.checkpoint(db.session, get_keystore().log_signer(), at(20))
    db.session.commit()
    page = inspector.get("/inspektur").get_data(as_text=True)
    assert html.escape(row.note) in page
    assert get_keystore().log_vkey() in page
    assert f"Jumlah entri {ledger.log_size(db.session)}" in text_of(page)


def test_verify_now_on_a_clean_log(app: Flask, world: World, inspector: FlaskClient) -> None:
    body = text_of(verify_now(inspector))
    assert "Log utuh" in body and "Utuh" in body and "Tidak utuh" not in body
    saved = json.loads(Path(app.config["INSPECTOR_STATUS_FILE"]).read_text())
    assert saved["ok"] is True and saved["size"] == ledger.log_size(db.session) and saved["problems"] == []
    assert saved["evidence"] == db.session.scalar(sa.select(sa.func.count()).select_from(m.Candidate))
    assert saved["time"] == at(20).isoformat()


def test_verify_now_finds_a_tampered_leaf_row(app: Flask, world: World, inspector: FlaskClient) -> None:
    verify_now(inspector)  # signs a checkpoint over the clean log first
    pkey = ledger.process_key(world.process_id)
    victim = db.session.scalars(
        sa.select(LogLeaf).where(LogLeaf.process_key == pkey).order_by(LogLeaf.seq).offset(3).limit(1)
    ).one()
    leaf = bytes(victim.leaf)
    # Change one character inside the leaf's time: the row still parses, but no longer hashes right.
    tampered = leaf.replace(b'"time":"2026', b'"time":"2025', 1)
    assert tampered != leaf
    db.session.execute(sa.update(LogLeaf).where(LogLeaf.seq == victim.seq).values(leaf=tampered))
    db.session.commit()
    page = verify_now(inspector)
    body = text_of(page)
    assert "Log TIDAK utuh" in body and "Tidak utuh" in body
    saved = json.loads(Path(app.config["INSPECTOR_STATUS_FILE"]).read_text())
    assert saved["ok"] is False and saved["problem_count"] >= 1
    assert any(p["index"] == victim.seq for p in saved["problems"]), saved["problems"]
    kinds = {p["kind"] for p in saved["problems"]}
    assert kinds & {"prev_mismatch", "checkpoint_root_mismatch", "leaf_modified", "basis_mismatch"}, kinds
    for kind in kinds:
        assert kind in body
    # The process's timeline marks the entry as not intact, and the next one's basis as broken.
    timeline = inspector.get(f"/inspektur/proses/{world.process_id}").get_data(as_text=True)
    marks = dict((int(seq), state) for state, seq in ENTRY_RE.findall(timeline))
    assert marks[victim.seq] == "bad"
    assert "Ada entri yang tidak lolos pemeriksaan." in text_of(timeline)


def test_timeline_shows_every_entry_of_the_process(app: Flask, world: World, inspector: FlaskClient) -> None:
    rows = db.session.scalars(
        sa.select(LogLeaf).where(LogLeaf.process_key == ledger.process_key(world.process_id)).order_by(LogLeaf.seq)
    ).all()
    page = inspector.get(f"/inspektur/proses/{world.process_id}").get_data(as_text=True)
    marks = ENTRY_RE.findall(page)
    assert [int(seq) for _, seq in marks] == [r.seq for r in rows]
    assert {state for state, _ in marks} == {"ok"}
    body = text_of(page)
    assert "Setiap entri proses ini lolos pemeriksaan." in body
    for row in rows:
        statement = parse_leaf_unverified(bytes(row.leaf)).statement_unverified()
        assert statement.action in body
        assert statement.actor.key_id in body
    assert "process.nominate_pool" in body and "system" in body
    assert "Kandidat dinominasikan" in body  # from → to, in words
    assert "BEGIN compliance findings" not in page  # the reserved block is a template comment


def test_keys_are_judged_at_the_entry_they_signed(app: Flask, world: World, inspector: FlaskClient) -> None:
    # The chair's key is revoked after the chair signed: those entries stay valid (the key was valid
    # at their index), which is what the log's key history says.
    services.revoke_user_key(db.session, actor=None, user_id=world.chair.id, reason_text="lost phone", now=at(30))
    with app.test_request_context():
        timeline = inspector_queries.timeline(db.session, world.process_id)
    by_chair = [e for e in timeline.entries if e.actor_id == str(world.chair.id)]
    assert by_chair and all(e.key_valid.ok and e.signature.ok for e in by_chair)
    assert timeline.ok and all(e.basis.ok and e.leaf_intact.ok for e in timeline.entries)
    assert all(e.signed_by == (e.key_id,) for e in timeline.entries)


def test_process_list(app: Flask, world: World, inspector: FlaskClient) -> None:
    body = text_of(inspector.get("/inspektur/proses").get_data(as_text=True))
    pkey = ledger.process_key(world.process_id)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(LogLeaf).where(LogLeaf.process_key == pkey))
    assert f"Proses {world.process_id}: Jabatan BKD-KABID" in body
    assert f"Entri log {count}" in body
    assert "Hasil diumumkan (masa sanggah)" in body


def test_unknown_process_is_404(app: Flask, world: World, inspector: FlaskClient) -> None:
    assert inspector.get("/inspektur/proses/9999").status_code == 404
    assert inspector.get(f"/inspektur/proses/{2**40}").status_code == 404


def test_bundle_of_the_whole_log(app: Flask, world: World, inspector: FlaskClient) -> None:
    response = inspector.get("/inspektur/bundle")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="jejak-bundle.json"'
    report = verify_bundle(response.get_data(), vkey=get_keystore().log_vkey())
    assert report.ok and report.size == ledger.log_size(db.session)
    assert len(json.loads(response.get_data())["evidence"]) == db.session.scalar(
        sa.select(sa.func.count()).select_from(m.Candidate))


def test_bundle_of_one_process_carries_its_evidence(app: Flask, world: World, inspector: FlaskClient) -> None:
    response = inspector.get(f"/inspektur/bundle?proses={world.process_id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="jejak-bundle-proses-{world.process_id}.json"')
    bundle = json.loads(response.get_data())
    assert bundle["process"] == {"id": world.process_id}
    digests = set(db.session.scalars(sa.select(m.Candidate.evidence_digest).where(
        m.Candidate.process_id == world.process_id)))
    assert set(bundle["evidence"]) == digests
    assert verify_bundle(response.get_data(), vkey=get_keystore().log_vkey()).ok


@pytest.mark.parametrize(("query", "status"), [("abc", 400), ("0", 400), ("-1", 400), ("1" * 30, 400),
                                               ("9999", 404), ("", 400)])
def test_bad_bundle_queries(app: Flask, world: World, inspector: FlaskClient, query: str, status: int) -> None:
    assert inspector.get(f"/inspektur/bundle?proses={query}").status_code == status
