"""The public front page: the signed log head and key, and per-unit aggregates without personal data."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.services.helpers import World, at, make_world
from workflow import keystore, ledger, services
from workflow.extensions import db
from workflow.keystore import get_keystore
from workflow.lifecycle import Stage
from workflow.models import CompetencyStandard, Employee, OrgUnit, Position
from workflow.models import process as m
from workflow.reference import COMPETENCIES
from workflow.views import public_queries

LATER = at(10) + dt.timedelta(days=6)


@pytest.fixture(autouse=True)
def _cheap_key_sealing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seal the many test accounts' keys with scrypt 2**10, not 2**15: the same code, worlds 30× faster."""
    monkeypatch.setattr(keystore, "_SCRYPT_LOG2_N", 10)


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _position(unit: OrgUnit, code: str) -> Position:
    pos = Position(code=code, title=f"Jabatan {code}", type="administrator", unit_id=unit.id,
                   min_experience_years=0, is_vacant=True)
    pos.standards = [CompetencyStandard(competency=c, level=3) for c in COMPETENCIES]
    db.session.add(pos)
    db.session.commit()
    return pos


def _object(world: World, *, upheld: bool) -> None:
    who = world.asn if not upheld else world.asn_other
    row = services.file_objection(db.session, world.process_id, actor=who, text="Mohon ditinjau ulang.", now=at(11))
    services.answer_objection(db.session, world.process_id, row.id, actor=world.chair, upheld=upheld, now=at(12),
                              answer="Sudah diperiksa.")


def _appoint(world: World, rank: int) -> None:
    services.resolve_objections(db.session, world.process_id, actor=world.chair, now=LATER)
    recommended = sorted((c for c in world.pool() if c.recommended_rank), key=lambda c: c.recommended_rank or 0)
    services.appoint(
        db.session, world.process_id, actor=world.ppk, appointee=recommended[rank - 1].pseudonym,
        decree_number=f"821.2/{world.process_id:03d}/BKD/2026", decree_date=(LATER + dt.timedelta(days=1)).date(),
        now=LATER + dt.timedelta(days=1), justification="" if rank == 1 else "Kebutuhan organisasi mendesak.",
    )


@pytest.fixture
def province(app: Flask) -> World:
    """Two units. BKD: one appointment at rank 1 (one objection, rejected) and one cancelled draft.
    Biro Organisasi: one appointment of rank 2 (an override) and one announced process with an
    upheld objection."""
    world = make_world(db.session)
    world.advance(Stage.ANNOUNCED)
    _object(world, upheld=False)
    _appoint(world, 1)
    world.position_id = world.other_position_id
    world.create()
    services.cancel_process(db.session, world.process_id, actor=world.admin, now=at(1), reason_text="Formasi ditinjau.")
    biro = OrgUnit(code="BIRO-ORG", name="Biro Organisasi")
    db.session.add(biro)
    db.session.commit()
    world.position_id = _position(biro, "ORG-KABAG").id
    world.advance(Stage.ANNOUNCED)
    _appoint(world, 2)
    world.position_id = _position(biro, "ORG-KASUBAG").id
    world.advance(Stage.ANNOUNCED)
    _object(world, upheld=True)
    return world


def test_aggregates_per_unit(app: Flask, province: World) -> None:
    with app.test_request_context():
        units = {u.code: u for u in public_queries.unit_stats(db.session)}
    bkd, biro = units["BKD"], units["BIRO-ORG"]
    assert dict(bkd.by_stage) == {Stage.APPOINTED: 1, Stage.CANCELLED: 1}
    assert (bkd.appointed, bkd.appointed_rank1, bkd.overrides, bkd.rank1_percent) == (1, 1, 0, 100)
    assert (bkd.objections, bkd.objections_upheld) == (1, 0)
    assert dict(biro.by_stage) == {Stage.APPOINTED: 1, Stage.ANNOUNCED: 1}
    assert (biro.appointed, biro.appointed_rank1, biro.overrides, biro.rank1_percent) == (1, 0, 1, 0)
    assert (biro.objections, biro.objections_upheld) == (1, 1)
    total = public_queries.totals(tuple(units.values()))
    assert total.processes == 4 and total.appointed == 2 and total.overrides == 1 and total.rank1_percent == 50
    assert (total.objections, total.objections_upheld) == (2, 1)
    # The same numbers straight from the log's appointment statements (rank in the recommendation).
    ranks = [d["rank"] for d in _appointments()]
    assert sorted(ranks) == [1, 2]


def _appointments() -> list[dict]:  # type: ignore[type-arg]
    from audit.entry import parse_leaf_unverified
    from workflow.models.ledger import LogLeaf

    out = []
    for leaf in db.session.scalars(sa.select(LogLeaf.leaf).where(LogLeaf.process_key.is_not(None))):
        statement = parse_leaf_unverified(bytes(leaf)).statement_unverified()
        if statement.action == "process.appoint":
            out.append(dict(statement.data))
    return out


def test_the_page_works_anonymously_and_shows_the_numbers(app: Flask, province: World) -> None:
    response = app.test_client().get("/")
    assert response.status_code == 200
    body = text_of(response.get_data(as_text=True))
    assert "Badan Kepegawaian Daerah" in body and "Biro Organisasi" in body and "Seluruh provinsi" in body
    assert "1 dari 2 pengangkatan (50 %)" in body
    assert "1 dari 1 pengangkatan (100 %)" in body
    assert "0 dari 1 pengangkatan (0 %)" in body
    assert "Sanggahan diajukan / diterima 2 / 1" in body
    assert "Dibatalkan: 1" in body and "Diangkat: 2" in body


def test_the_page_shows_no_personal_data(app: Flask, province: World) -> None:
    page = app.test_client().get("/").get_data(as_text=True)
    for name, nip in db.session.execute(sa.select(Employee.name, Employee.nip)):
        assert name not in page and nip not in page
    for pseudonym, digest in db.session.execute(sa.select(m.Candidate.pseudonym, m.Candidate.evidence_digest)):
        assert pseudonym not in page and digest not in page
    assert "Kebutuhan organisasi mendesak." not in page  # the PPK's justification stays in its process


def test_the_page_shows_the_signed_checkpoint_and_the_key(app: Flask, province: World) -> None:
    client = app.test_client()
    assert "belum ada" in text_of(client.get("/").get_data(as_text=True))  # nothing signed yet
    row = ledger.checkpoint(db.session, get_keystore().log_signer(), LATER)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert html.escape(row.note) in page
    assert get_keystore().log_vkey() in page
    assert 'href="/log/checkpoint"' in page and 'href="/log/key"' in page
    assert f"Jumlah entri {ledger.log_size(db.session)}" in text_of(page)


def test_aggregates_follow_the_log(app: Flask, province: World) -> None:
    client = app.test_client()
    assert "Hasil diumumkan (masa sanggah): 1" in text_of(client.get("/").get_data(as_text=True))
    services.cancel_process(db.session, province.process_id, actor=province.admin, now=LATER, reason_text="Batal.")
    body = text_of(client.get("/").get_data(as_text=True))
    assert "Hasil diumumkan (masa sanggah): 1" not in body and "Dibatalkan: 2" in body


def test_an_empty_province(app: Flask) -> None:
    body = text_of(app.test_client().get("/").get_data(as_text=True))
    assert "Belum ada proses pengisian jabatan." in body
    assert "Jumlah entri 0" in body
