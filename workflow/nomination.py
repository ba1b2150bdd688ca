"""Nomination for one vacancy: coarse eligibility filters in SQL, then the pure merit rules in Python.

The SQL filters are each *implied* by a rule of ``workflow.merit`` (golongan and education at
least the minimum, position type among the feeders, enough years in post and in service, the age
caps, LHKPN filed), widened by a few days where calendar arithmetic differs, so they only drop
employees the Python rules would reject anyway. ``tests/merit/test_nomination.py`` checks this
against evaluating everyone in Python.

The survivors' facts load with a fixed number of queries (employees, then ratings, discipline,
assessments and assessment scores, each selecting by the ids already read as *one* array
parameter: ``= ANY(:ids)`` on PostgreSQL, ``IN (SELECT value FROM json_each(:ids))`` on SQLite),
whatever the number of survivors: no N+1, no parameter-list limits, and the coarse filter runs
once rather than once per child table. Only the rows
the rules read are loaded (SKP years in the window, discipline in the look-back, assessments taken
by the registration date), which also keeps the evidence records free of unneeded personal data.

The golongan/education/birth-date filters use ``ix_employee_eligibility``; golongan and education
are code strings, so they are filtered with ``IN (allowed codes)``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql

from workflow.merit.dates import add_months, add_years
from workflow.merit.eligibility import (
    discipline_window_start,
    required_education,
    required_experience_years,
    required_golongan,
    skp_years,
)
from workflow.merit.evaluation import Candidate, CandidateResult, Evaluation, evaluate_candidates
from workflow.merit.evidence import EvidenceRecord, SaltSource, build_records, evaluate, pseudonym
from workflow.merit.facts import (
    AssessmentFact,
    DisciplineFact,
    EmployeeFacts,
    PositionFacts,
    ProcessDates,
    RatingFact,
)
from workflow.merit.gcpause import paused_gc
from workflow.merit.ruleset import RuleSet
from workflow.models.merit import (
    Assessment,
    AssessmentScore,
    DisciplineRecord,
    Employee,
    PerformanceRating,
    Position,
)
from workflow.reference import EDUCATION_LEVEL, Education, Golongan, LhkpnStatus, golongan_rank

# Calendar slack for the SQL date bounds: month-end and 29-February anniversaries move by at most
# three days (dates.add_months), so a bound widened by this much never drops an eligible employee.
_SLACK = dt.timedelta(days=3)


class PositionNotFoundError(LookupError):
    """No position with that id."""


@dataclass(frozen=True, slots=True)
class Nomination:
    """The pool of one vacancy: the evaluation, computed from the sealed evidence records."""

    position: PositionFacts
    evaluation: Evaluation
    records: tuple[EvidenceRecord, ...]


def load_position(session: so.Session, position_id: int) -> PositionFacts:
    """The vacancy's facts (with its competency standard). Raises PositionNotFoundError."""
    row = session.get(Position, position_id, options=[so.selectinload(Position.standards)])
    if row is None:
        raise PositionNotFoundError(f"position {position_id}")
    return PositionFacts(
        code=row.code,
        type=str(row.type),
        min_golongan=str(row.min_golongan) if row.min_golongan else None,
        min_education=str(row.min_education) if row.min_education else None,
        min_experience_years=row.min_experience_years,
        standards=tuple(sorted((s.competency, s.level) for s in row.standards)),
    )


def coarse_filter(position: PositionFacts, ruleset: RuleSet, dates: ProcessDates) -> list[sa.ColumnElement[bool]]:
    """SQL conditions on ``employee`` implied by the merit rules (see the module docstring)."""
    rules = ruleset.type_rules(position.type)
    on = dates.registration
    min_gol = golongan_rank(required_golongan(position, rules))
    min_edu = EDUCATION_LEVEL[Education(required_education(position, rules))]
    conditions: list[sa.ColumnElement[bool]] = [
        Employee.golongan.in_([g for g in Golongan if golongan_rank(g) >= min_gol]),
        Employee.education.in_([e for e in Education if EDUCATION_LEVEL[e] >= min_edu]),
        Employee.position_type.in_(list(rules.feeder_types)),
        Employee.tmt_position <= add_years(on, -rules.feeder_years) + _SLACK,
        Employee.tmt_cpns <= add_years(on, -required_experience_years(position, rules)) + _SLACK,
    ]
    # Completed age <= cap on day D  <=>  D < birth + (cap + 1) months  =>  birth > D - (cap + 1) months.
    lowest_birth = [
        add_months(day, -(cap.total_months + 1)) - _SLACK
        for cap, day in ((rules.max_age_at_registration, on), (rules.max_age_at_appointment, dates.appointment))
        if cap is not None
    ]
    if lowest_birth:
        conditions.append(Employee.birth_date >= max(lowest_birth))
    if rules.lhkpn_required:
        conditions.append(Employee.lhkpn_status == LhkpnStatus.FILED)
        conditions.append(Employee.lhkpn_year >= on.year - ruleset.lhkpn_max_age_years)
    return conditions


def count_survivors(session: so.Session, conditions: Sequence[sa.ColumnElement[bool]]) -> int:
    """``count(*)`` of the employees passing ``conditions`` (the benchmark's baseline)."""
    return session.execute(sa.select(sa.func.count()).select_from(Employee).where(*conditions)).scalar_one()


def _among(column: sa.ColumnElement[int], ids: list[int], dialect: str) -> sa.ColumnElement[bool]:
    """``column`` is one of ``ids``, as one bound parameter whatever their number.

    PostgreSQL takes an integer array (``= ANY(:ids)``), SQLite a JSON array read by ``json_each``;
    either way the planner sees a fixed list instead of re-running the coarse filter per query.
    """
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(None, ids, type_=postgresql.ARRAY(sa.Integer)))
    if dialect == "sqlite":
        listed = sa.func.json_each(json.dumps(ids)).table_valued("value")
        return column.in_(sa.select(listed.c.value))
    return column.in_(ids)  # other engines: an expanding IN (no parameter-count limit is known here)


def load_facts(
    session: so.Session, conditions: Sequence[sa.ColumnElement[bool]], ruleset: RuleSet, dates: ProcessDates
) -> list[EmployeeFacts]:
    """Facts of every employee passing ``conditions``, in five queries whatever their number.

    The employees are read first; the child queries then select by those ids (one array
    parameter, ``_among``), so the coarse filter runs once instead of once per child table, and
    assessment scores are read by assessment id without a join.
    """
    on = dates.registration
    years = sorted(set(skp_years(on, ruleset)) | set(range(on.year - ruleset.performance_years, on.year)))
    window_start = discipline_window_start(on, ruleset)
    dialect = session.get_bind().dialect.name

    t = Employee
    acting = sa.case((t.is_acting.is_(True), Position.code), else_=None)
    employees = session.execute(
        sa.select(t.id, t.nip, t.birth_date, t.tmt_cpns, t.golongan, t.tmt_golongan, t.position_type,
                  t.tmt_position, t.education, t.lhkpn_status, t.lhkpn_year, acting)
        .outerjoin(Position, Position.id == t.position_id).where(*conditions)
    ).all()
    if not employees:
        return []
    ids = [row[0] for row in employees]

    ratings: dict[int, list[RatingFact]] = defaultdict(list)
    for emp, year, predikat in session.execute(
        sa.select(PerformanceRating.employee_id, PerformanceRating.year, PerformanceRating.predikat)
        .where(_among(PerformanceRating.employee_id, ids, dialect), PerformanceRating.year.in_(years))
    ):
        ratings[emp].append(RatingFact(year, str(predikat)))

    discipline: dict[int, list[DisciplineFact]] = defaultdict(list)
    for emp, level, imposed, ends in session.execute(
        sa.select(DisciplineRecord.employee_id, DisciplineRecord.level, DisciplineRecord.imposed_on,
                  DisciplineRecord.ends_on)
        .where(_among(DisciplineRecord.employee_id, ids, dialect), DisciplineRecord.imposed_on <= on,
               sa.func.coalesce(DisciplineRecord.ends_on, DisciplineRecord.imposed_on) >= window_start)
    ):
        discipline[emp].append(DisciplineFact(str(level), imposed, ends))

    assessment_rows = session.execute(
        sa.select(Assessment.id, Assessment.employee_id, Assessment.assessed_on, Assessment.valid_until,
                  Assessment.provider, Assessment.provider_accredited)
        .where(_among(Assessment.employee_id, ids, dialect), Assessment.assessed_on <= on)
    ).all()

    # (competencies, potential) per assessment; about 18 rows per assessed survivor, the largest read.
    scores: dict[int, tuple[list[tuple[str, int]], list[tuple[str, int]]]] = {
        row[0]: ([], []) for row in assessment_rows
    }
    if scores:
        for assessment_id, kind, name, level in session.execute(
            sa.select(AssessmentScore.assessment_id, AssessmentScore.kind, AssessmentScore.name,
                      AssessmentScore.level)
            .where(_among(AssessmentScore.assessment_id, list(scores), dialect))
        ):
            scores[assessment_id][0 if kind == "competency" else 1].append((name, level))

    assessments: dict[int, list[AssessmentFact]] = defaultdict(list)
    for aid, emp, assessed, valid_until, provider, accredited in assessment_rows:
        competencies, potential = scores[aid]
        assessments[emp].append(AssessmentFact(assessed, valid_until, provider, bool(accredited),
                                               tuple(sorted(competencies)), tuple(sorted(potential))))

    return [
        EmployeeFacts(
            nip=nip, birth_date=birth, tmt_cpns=tmt_cpns, golongan=str(gol), tmt_golongan=tmt_gol,
            position_type=str(ptype), tmt_position=tmt_pos, education=str(edu), lhkpn_status=str(lhkpn),
            lhkpn_year=lhkpn_year, acting_position=acting_code,
            ratings=tuple(sorted(ratings.get(emp_id, ()), key=lambda r: r.year)),
            discipline=tuple(sorted(discipline.get(emp_id, ()), key=lambda d: (d.imposed_on, d.level))),
            assessments=tuple(sorted(assessments.get(emp_id, ()), key=lambda a: (a.assessed_on, a.provider))),
        )
        for emp_id, nip, birth, tmt_cpns, gol, tmt_gol, ptype, tmt_pos, edu, lhkpn, lhkpn_year, acting_code in employees
    ]


def nominate(
    session: so.Session,
    position_id: int,
    ruleset: RuleSet,
    dates: ProcessDates,
    *,
    route: str,
    secret: bytes,
    salt_source: SaltSource = os.urandom,
) -> Nomination:
    """Build the pool of ``position_id``: filter in SQL, seal evidence, evaluate from the evidence.

    Args:
        secret: the process's pseudonym secret (``merit.evidence.new_process_secret``), committed
            before this call.
        salt_source: ``n -> n random bytes`` for the evidence salts (tests pass a fixed source).

    Raises:
        PositionNotFoundError: no such position.
        RuleSetError: the rule set has no rules for the position's type.
    """
    position = load_position(session, position_id)
    with paused_gc():  # millions of acyclic objects: see workflow.merit.gcpause
        facts = load_facts(session, coarse_filter(position, ruleset, dates), ruleset, dates)
        records = tuple(build_records(facts, secret=secret, salt_source=salt_source))
        del facts
        # Evaluate from the sealed records, not the loaded facts: the nomination *is* a replay.
        # The digests were computed just above from these very dicts; the replay re-verifies them.
        evaluation = evaluate(records, position, ruleset, dates, route=route, verify=False)
    return Nomination(position, evaluation, records)


def evaluate_employee(
    session: so.Session,
    employee_id: int,
    position: PositionFacts,
    ruleset: RuleSet,
    dates: ProcessDates,
    *,
    route: str,
    secret: bytes,
) -> CandidateResult | None:
    """One employee's rule results for a vacancy, for an ASN whom the SQL filter left out of the pool.

    Such an employee always fails at least one rule (the filters are implied by the rules); this
    gives the ASN page the specific failed rules. None when the employee does not exist.
    """
    found = load_facts(session, [Employee.id == employee_id], ruleset, dates)
    if not found:
        return None
    alone = evaluate_candidates([Candidate(pseudonym(secret, found[0].nip), found[0])], position, ruleset, dates,
                                route=route)
    return alone.candidates[0]
