"""nomination.py on SQLite and PostgreSQL: SQL filter + Python equals evaluating everyone in Python."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.merit.factories import DATES, RULESET
from workflow.extensions import db
from workflow.merit.evaluation import NOT_ELIGIBLE, Candidate, evaluate_candidates
from workflow.merit.evidence import pseudonym
from workflow.models.merit import (
    Assessment,
    AssessmentScore,
    CompetencyStandard,
    DisciplineRecord,
    Employee,
    OrgUnit,
    PerformanceRating,
    Position,
)
from workflow.nomination import (
    PositionNotFoundError,
    coarse_filter,
    evaluate_employee,
    load_facts,
    load_position,
    nominate,
)
from workflow.reference import COMPETENCIES, POTENTIAL_COMPONENTS

SECRET = b"nomination-test-secret-32-bytes!"
D = dt.date


def salts() -> object:
    counter = itertools.count()
    return lambda n: next(counter).to_bytes(n, "big")


def near(rnd: random.Random, day: dt.date, spread: int = 5) -> dt.date:
    """A day close to a rule boundary, so the SQL slack is exercised."""
    return day + dt.timedelta(days=rnd.randint(-spread, spread))


def seed(rnd: random.Random, n: int) -> int:
    unit = OrgUnit(code="DINKES", name="Dinas Kesehatan")
    db.session.add(unit)
    db.session.flush()
    pos = Position(code="JPT-1", title="Kepala Dinas Kesehatan", type="jpt_pratama", unit_id=unit.id,
                   min_golongan="IV/b", min_education="S2", min_experience_years=6, is_vacant=True)
    pos.standards = [CompetencyStandard(competency=c, level=4 if c != "teknis" else 3) for c in COMPETENCIES]
    db.session.add(pos)
    reg, app = DATES.registration, DATES.appointment
    for i in range(n):
        emp = Employee(
            nip=f"19700101199901{i:04d}", name=f"Pegawai {i}", sex="M",
            birth_date=rnd.choice([near(rnd, D(1970, 8, 2)), near(rnd, D(1970, 7, 1)), D(1975, 1, 1), D(1978, 5, 5)]),
            tmt_cpns=rnd.choice([near(rnd, D(2020, 3, 2)), D(2000, 1, 1), D(2003, 1, 1)]),
            golongan=rnd.choice(["IV/a", "IV/b", "IV/c", "IV/b", "III/d"]),
            tmt_golongan=rnd.choice([D(2020, 4, 1), D(2022, 10, 1)]),
            position_title="x", position_type=rnd.choice(["administrator", "fungsional", "pengawas"]),
            tmt_position=rnd.choice([near(rnd, D(2024, 3, 2)), D(2019, 1, 1), D(2020, 1, 1)]),
            unit_id=unit.id, education=rnd.choice(["S1", "S2", "S2", "S3", "D4"]),
            lhkpn_status=rnd.choice(["filed", "filed", "filed", "not_filed"]),
            lhkpn_year=rnd.choice([2024, 2025, 2025, 2025, None]),
        )
        grades = ["sangat_baik", "baik", "baik", "butuh_perbaikan"]
        emp.ratings = [PerformanceRating(year=y, predikat=rnd.choice(grades))
                       for y in (2023, 2024, 2025) if rnd.random() < 0.95]
        if rnd.random() < 0.2:
            emp.discipline = [DisciplineRecord(level=rnd.choice(["ringan", "sedang", "berat"]),
                                               imposed_on=near(rnd, D(2020, 3, 2), 400),
                                               ends_on=rnd.choice([None, near(rnd, D(2021, 3, 2), 10)]))]
        if rnd.random() < 0.9:
            taken = near(rnd, D(2024, 6, 1), 500)
            a = Assessment(assessed_on=taken, valid_until=taken + dt.timedelta(days=rnd.choice([700, 1100])),
                           provider=rnd.choice(["UPTD Lampung", "Biro X"]), provider_accredited=rnd.random() < 0.9)
            a.scores = [AssessmentScore(kind="competency", name=c, level=rnd.randint(3, 5)) for c in COMPETENCIES]
            a.scores += [AssessmentScore(kind="potential", name=p, level=rnd.randint(3, 5))
                         for p in POTENTIAL_COMPONENTS]
            emp.assessments = [a]
        db.session.add(emp)
    db.session.commit()
    assert reg < app
    return pos.id


@pytest.fixture
def seeded(db_app: Flask) -> Iterator[int]:
    yield seed(random.Random(20260302), 300)


@pytest.mark.parametrize("route", ["talent", "open"])
def test_sql_filter_then_python_equals_python_over_everyone(seeded: int, route: str) -> None:
    nomination = nominate(db.session, seeded, RULESET, DATES, route=route, secret=SECRET, salt_source=salts())
    position = load_position(db.session, seeded)
    everyone = load_facts(db.session, [sa.true()], RULESET, DATES)
    assert len(everyone) == 300
    full = evaluate_candidates([Candidate(pseudonym(SECRET, f.nip), f) for f in everyone], position, RULESET, DATES,
                               route=route)
    pool = nomination.evaluation
    assert 0 < len(pool.candidates) < len(full.candidates)
    assert pool.ranked > RULESET.shortlist_size[route]  # a cut-off that actually cuts
    assert (pool.shortlist, pool.cutoff, pool.ranked, pool.flags) == (full.shortlist, full.cutoff, full.ranked,
                                                                      full.flags)
    in_pool = {c.pseudonym for c in pool.candidates}
    for c in full.candidates:
        if c.pseudonym in in_pool:
            assert pool.candidate(c.pseudonym).to_dict() == c.to_dict()
        else:
            assert c.outcome == NOT_ELIGIBLE, c.pseudonym  # the SQL filter only drops the ineligible


def test_nomination_uses_a_fixed_number_of_queries(seeded: int) -> None:
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        nominate(db.session, seeded, RULESET, DATES, route="talent", secret=SECRET)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 7, statements


def test_excluded_employee_gets_specific_failed_rules(seeded: int) -> None:
    position = load_position(db.session, seeded)
    conditions = coarse_filter(position, RULESET, DATES)
    excluded = db.session.execute(sa.select(Employee.id).where(sa.not_(sa.and_(*conditions)))).scalars().first()
    assert excluded is not None
    result = evaluate_employee(db.session, excluded, position, RULESET, DATES, route="open", secret=SECRET)
    assert result is not None and result.outcome == NOT_ELIGIBLE and result.failed
    assert evaluate_employee(db.session, 10**9, position, RULESET, DATES, route="open", secret=SECRET) is None


def test_position_overrides_are_loaded_and_missing_position_raises(seeded: int) -> None:
    position = load_position(db.session, seeded)
    assert (position.min_education, position.min_golongan, position.min_experience_years) == ("S2", "IV/b", 6)
    assert dict(position.standards)["teknis"] == 3
    with pytest.raises(PositionNotFoundError):
        load_position(db.session, 10**9)


def test_an_acting_official_is_sealed_with_the_post_they_act_in(seeded: int) -> None:
    """R12 needs to know, from the evidence alone, that a candidate is the acting holder (Plt)."""
    acting, plain = db.session.scalars(sa.select(Employee).order_by(Employee.id).limit(2)).all()
    acting.position_id, acting.is_acting = seeded, True
    plain.position_id, plain.is_acting = seeded, False  # the definitive holder is not "acting"
    db.session.flush()
    facts = {f.nip: f for f in load_facts(db.session, [Employee.id.in_([acting.id, plain.id])], RULESET, DATES)}
    assert facts[acting.nip].acting_position == "JPT-1"
    assert facts[plain.nip].acting_position is None
    from workflow.merit.evidence import build_records, verify_record

    [record] = build_records([facts[acting.nip]], secret=SECRET)
    assert record.record["employee"]["acting_position"] == "JPT-1"
    assert verify_record(record).acting_position == "JPT-1"
