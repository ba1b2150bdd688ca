"""The demo province: deterministic per seed, valid NIPs, refused in production."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import make_app
from tests.dbs import database_url
from workflow.demo import DEFAULT_REFERENCE, build_province, seed_demo
from workflow.digest import database_digest
from workflow.errors import ConflictError, ForbiddenError
from workflow.extensions import db
from workflow.models import Employee, Position, Role, User
from workflow.nip import nip_problems
from workflow.reference import PositionType

EMPLOYEES = 150  # enough for every head post and some staff; keeps the suite fast
FAST = {"hash_method": "pbkdf2:sha256:1"}  # scrypt would dominate these tests; hashes are not digested


def seeded_digest(url: str, tmp_path: Path, seed: int) -> str:
    app = make_app(url, KEY_DIR=str(tmp_path / "keys"))
    with app.app_context():
        db.create_all()
        seed_demo(db.session, allowed=True, seed=seed, employees=EMPLOYEES, **FAST)
        digest = database_digest(db.session)
        db.session.remove()
        db.engine.dispose()
    return digest


def test_same_seed_same_database_different_seed_different(db_kind: str, tmp_path: Path) -> None:
    urls = [database_url(db_kind, tmp_path / str(i)) for i in range(3)] if db_kind == "sqlite" else None
    digests = []
    for i, seed in enumerate((7, 7, 8)):
        (tmp_path / str(i)).mkdir()
        url = urls[i] if urls else database_url(db_kind, tmp_path)  # PostgreSQL: reset between runs
        digests.append(seeded_digest(url, tmp_path / str(i), seed))
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_generator_is_pure() -> None:
    first = build_province(11, EMPLOYEES, DEFAULT_REFERENCE)
    second = build_province(11, EMPLOYEES, DEFAULT_REFERENCE)
    assert first == second


def test_demo_content_is_valid_and_complete(db_app: Flask) -> None:
    result = seed_demo(db.session, allowed=True, seed=3, employees=EMPLOYEES, **FAST)
    assert result.created and result.employees == EMPLOYEES
    employees = db.session.scalars(sa.select(Employee)).all()
    assert len(employees) == EMPLOYEES
    for e in employees:
        assert (
            nip_problems(e.nip, today=DEFAULT_REFERENCE, birth_date=e.birth_date, tmt_cpns=e.tmt_cpns, sex=e.sex) == []
        )
        assert e.tmt_cpns <= e.tmt_golongan <= DEFAULT_REFERENCE
    vacancies = db.session.scalars(sa.select(Position).where(Position.is_vacant)).all()
    assert {p.type for p in vacancies} == set(PositionType)
    assert all(len(p.standards) == 10 for p in vacancies)
    users = db.session.scalars(sa.select(User)).all()
    roles = {r.role for u in users for r in u.roles}
    assert roles == set(Role)
    members = [u for u in users if u.has_role(Role.COMMITTEE_MEMBER)]
    assert len(members) >= 5
    assert {u.affiliation == "internal" for u in members} == {True, False}
    assert all(u.employee_id for u in users if u.has_role(Role.ASN))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employee).where(Employee.is_acting)) == 1


def test_demo_refuses_production_and_non_empty_databases(app: Flask) -> None:
    with pytest.raises(ForbiddenError, match="DEMO_ALLOWED"):
        seed_demo(db.session, allowed=False, employees=EMPLOYEES)
    seed_demo(db.session, allowed=True, seed=1, employees=EMPLOYEES, **FAST)
    assert not seed_demo(db.session, allowed=True, employees=EMPLOYEES, if_empty=True).created
    with pytest.raises(ConflictError):
        seed_demo(db.session, allowed=True, employees=EMPLOYEES)


def test_cli(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--seed", "5", "--employees", str(EMPLOYEES)])
    assert result.exit_code == 0, result.output
    assert "jejak-demo" in result.output and "ketua" in result.output
    assert runner.invoke(args=["demo", "--if-empty"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 1
    assert runner.invoke(args=["demo", "--employees", "10"]).exit_code == 1


def test_cli_refuses_in_production_config(tmp_path: Path) -> None:
    app = make_app("sqlite://", KEY_DIR=str(tmp_path / "keys"), DEMO_ALLOWED=False)
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["demo"])
        db.session.remove()
    assert result.exit_code == 1
    assert "disabled" in result.output
    assert "DEMO_ALLOWED" in result.output
