"""Store validated merit records: upsert units and employees by natural key, replace changed histories.

Bulk statements only (executemany in chunks; a fixed number of queries per chunk, never one per
row), so 100,000 records stay practical. Idempotent: a record whose row and histories already
match the database is not written at all, so importing the same file twice leaves every row,
id and ``updated_at`` as they were. The caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.importing.progress import Progress, no_progress
from workflow.importing.records import AssessmentData, DisciplineData, MeritRecord, RatingData
from workflow.models import Assessment, AssessmentScore, DisciplineRecord, Employee, OrgUnit, PerformanceRating

CHUNK = 2000  # rows per executemany / keys per IN list: well under SQLite's 32,766 bound parameters

T = TypeVar("T")

_EMPLOYEE_COLUMNS = (
    "name",
    "sex",
    "birth_date",
    "tmt_cpns",
    "golongan",
    "tmt_golongan",
    "position_title",
    "position_type",
    "tmt_position",
    "unit_id",
    "education",
    "lhkpn_status",
    "lhkpn_year",
)


@dataclass(frozen=True, slots=True)
class WriteSummary:
    units_created: int
    units_renamed: int
    employees_created: int
    employees_updated: int
    employees_unchanged: int


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_records(
    session: so.Session, records: Sequence[MeritRecord], *, now: dt.datetime, progress: Progress = no_progress
) -> WriteSummary:
    """Upsert ``records`` (already validated, NIPs unique) into the session's open transaction."""
    records = sorted(records, key=lambda r: r.nip)  # one insertion order, whatever the file's order
    unit_ids, units_created, units_renamed = _upsert_units(session, records)
    existing = _existing_employees(session, [r.nip for r in records])
    current_children = _current_children(session, [emp_id for emp_id, _ in existing.values()])

    new_rows: list[dict[str, object]] = []
    changed_rows: list[dict[str, object]] = []
    rewrite: list[tuple[int | None, MeritRecord]] = []  # (employee id or None for new, record)
    for record in records:
        row = {**record.employee, "unit_id": unit_ids[record.unit_code]}
        found = existing.get(record.nip)
        if found is None:
            new_rows.append({**row, "updated_at": now})
            rewrite.append((None, record))
            continue
        emp_id, stored = found
        children_differ = current_children.get(emp_id, _EMPTY) != record.children_key()
        if children_differ:
            rewrite.append((emp_id, record))
        if children_differ or stored != tuple(row[c] for c in _EMPLOYEE_COLUMNS):
            changed_rows.append({**row, "id": emp_id, "updated_at": now})

    with progress("Writing", len(records)) as bar:
        new_ids = _insert_employees(session, new_rows)
        for chunk in chunks(changed_rows):
            session.execute(sa.update(Employee), list(chunk))  # ORM bulk UPDATE by primary key
        _delete_children(session, [emp_id for emp_id, _ in rewrite if emp_id is not None])
        targets = [(emp_id if emp_id is not None else new_ids[r.nip], r) for emp_id, r in rewrite]
        for chunk in chunks(targets):
            _insert_children(session, chunk)
            bar.update(len(chunk))
        bar.update(len(records) - len(targets))
    return WriteSummary(
        units_created=units_created,
        units_renamed=units_renamed,
        employees_created=len(new_rows),
        employees_updated=len(changed_rows),
        employees_unchanged=len(records) - len(new_rows) - len(changed_rows),
    )


_EMPTY: tuple[object, ...] = ((), (), ())


def _upsert_units(session: so.Session, records: Sequence[MeritRecord]) -> tuple[dict[str, int], int, int]:
    wanted = {r.unit_code: r.unit_name for r in records}
    codes = sorted(wanted)
    stored: dict[str, tuple[int, str]] = {}
    for chunk in chunks(codes):
        query = sa.select(OrgUnit.code, OrgUnit.id, OrgUnit.name).where(OrgUnit.code.in_(chunk))
        stored.update({code: (unit_id, name) for code, unit_id, name in session.execute(query)})
    new = [{"code": code, "name": wanted[code]} for code in codes if code not in stored]
    renamed = [{"id": stored[c][0], "name": wanted[c]} for c in codes if c in stored and stored[c][1] != wanted[c]]
    if new:
        session.execute(sa.insert(OrgUnit), new)
        for chunk in chunks([row["code"] for row in new]):
            query = sa.select(OrgUnit.code, OrgUnit.id, OrgUnit.name).where(OrgUnit.code.in_(chunk))
            stored.update({code: (unit_id, name) for code, unit_id, name in session.execute(query)})
    if renamed:
        session.execute(sa.update(OrgUnit), renamed)
    return {code: unit_id for code, (unit_id, _name) in stored.items()}, len(new), len(renamed)


def _existing_employees(session: so.Session, nips: Sequence[str]) -> dict[str, tuple[int, tuple[object, ...]]]:
    columns = [getattr(Employee, c) for c in _EMPLOYEE_COLUMNS]
    found: dict[str, tuple[int, tuple[object, ...]]] = {}
    for chunk in chunks(sorted(nips)):
        query = sa.select(Employee.nip, Employee.id, *columns).where(Employee.nip.in_(chunk))
        found.update({nip: (emp_id, tuple(rest)) for nip, emp_id, *rest in session.execute(query)})
    return found


def _current_children(session: so.Session, employee_ids: Sequence[int]) -> dict[int, tuple[object, ...]]:
    """What the database holds below each employee, in the shape of :meth:`MeritRecord.children_key`."""
    ratings: dict[int, list[RatingData]] = {}
    discipline: dict[int, list[DisciplineData]] = {}
    assessments: dict[int, list[AssessmentData]] = {}
    for chunk in chunks(sorted(employee_ids)):
        for emp_id, year, predikat in session.execute(
            sa.select(PerformanceRating.employee_id, PerformanceRating.year, PerformanceRating.predikat).where(
                PerformanceRating.employee_id.in_(chunk)
            )
        ):
            ratings.setdefault(emp_id, []).append(RatingData(year, predikat))
        d = DisciplineRecord
        for emp_id, imposed_on, level, ends_on, description in session.execute(
            sa.select(d.employee_id, d.imposed_on, d.level, d.ends_on, d.description).where(d.employee_id.in_(chunk))
        ):
            discipline.setdefault(emp_id, []).append(DisciplineData(imposed_on, level, ends_on, description))
        scores: dict[int, list[tuple[str, str, int]]] = {}
        for assessment_id, kind, name, level in session.execute(
            sa.select(AssessmentScore.assessment_id, AssessmentScore.kind, AssessmentScore.name, AssessmentScore.level)
            .join(Assessment)
            .where(Assessment.employee_id.in_(chunk))
        ):
            scores.setdefault(assessment_id, []).append((kind, name, level))
        a = Assessment
        for assessment_id, emp_id, assessed_on, provider, valid_until, accredited in session.execute(
            sa.select(a.id, a.employee_id, a.assessed_on, a.provider, a.valid_until, a.provider_accredited).where(
                a.employee_id.in_(chunk)
            )
        ):
            assessments.setdefault(emp_id, []).append(
                AssessmentData(
                    assessed_on, provider, valid_until, accredited, tuple(sorted(scores.get(assessment_id, [])))
                )
            )
    return {
        emp_id: (
            tuple(sorted(ratings.get(emp_id, []), key=lambda x: x.year)),
            tuple(sorted(discipline.get(emp_id, []), key=lambda x: (x.imposed_on, x.level))),
            tuple(sorted(assessments.get(emp_id, []), key=lambda x: (x.assessed_on, x.provider))),
        )
        for emp_id in set(ratings) | set(discipline) | set(assessments)
    }


def _insert_employees(session: so.Session, rows: Sequence[dict[str, object]]) -> dict[str, int]:
    # Plain executemany, then the ids read back by NIP: on psycopg, INSERT ... RETURNING over many
    # rows becomes one huge multi-VALUES statement whose parsing cost three times the insert itself.
    ids: dict[str, int] = {}
    for chunk in chunks(rows):
        session.execute(sa.insert(Employee.__table__), list(chunk))
        query = sa.select(Employee.nip, Employee.id).where(Employee.nip.in_([row["nip"] for row in chunk]))
        ids.update({nip: emp_id for nip, emp_id in session.execute(query)})
    return ids


def _delete_children(session: so.Session, employee_ids: Sequence[int]) -> None:
    for chunk in chunks(sorted(employee_ids)):
        assessment_ids = sa.select(Assessment.id).where(Assessment.employee_id.in_(chunk)).scalar_subquery()
        session.execute(sa.delete(AssessmentScore).where(AssessmentScore.assessment_id.in_(assessment_ids)))
        for model in (Assessment, PerformanceRating, DisciplineRecord):
            session.execute(sa.delete(model).where(model.employee_id.in_(chunk)))


def _insert_children(session: so.Session, targets: Sequence[tuple[int, MeritRecord]]) -> None:
    ratings = [
        {"employee_id": emp_id, "year": r.year, "predikat": r.predikat} for emp_id, rec in targets for r in rec.ratings
    ]
    discipline = [
        {
            "employee_id": emp_id,
            "imposed_on": d.imposed_on,
            "level": d.level,
            "ends_on": d.ends_on,
            "description": d.description,
        }
        for emp_id, rec in targets
        for d in rec.discipline
    ]
    assessments = [(emp_id, a) for emp_id, rec in targets for a in rec.assessments]
    if ratings:
        session.execute(sa.insert(PerformanceRating.__table__), ratings)
    if discipline:
        session.execute(sa.insert(DisciplineRecord.__table__), discipline)
    if not assessments:
        return
    session.execute(
        sa.insert(Assessment.__table__),
        [
            {
                "employee_id": emp_id,
                "assessed_on": a.assessed_on,
                "valid_until": a.valid_until,
                "provider": a.provider,
                "provider_accredited": a.provider_accredited,
            }
            for emp_id, a in assessments
        ],
    )
    # (employee, date, provider) is unique, so it finds each new assessment's id (see _insert_employees).
    query = sa.select(Assessment.employee_id, Assessment.assessed_on, Assessment.provider, Assessment.id).where(
        Assessment.employee_id.in_(sorted({emp_id for emp_id, _a in assessments}))
    )
    id_of = {(emp_id, day, provider): a_id for emp_id, day, provider, a_id in session.execute(query)}
    assessment_ids = [id_of[(emp_id, a.assessed_on, a.provider)] for emp_id, a in assessments]
    scores = [
        {"assessment_id": assessment_id, "kind": kind, "name": name, "level": level}
        for assessment_id, (_emp_id, a) in zip(assessment_ids, assessments, strict=True)
        for kind, name, level in a.scores
    ]
    if scores:
        session.execute(sa.insert(AssessmentScore.__table__), scores)
