"""A content digest of the merit and account tables, independent of ids, insertion order and database engine.

Each row is written with its foreign keys replaced by the natural keys they point at (NIP, unit
code, position code, username), so two databases that hold the same facts give the same digest
even when their autoincrement ids differ. Password hashes are left out: they are salted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from enum import Enum

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.models import (
    Assessment,
    AssessmentScore,
    CompetencyStandard,
    DisciplineRecord,
    Employee,
    OrgUnit,
    PerformanceRating,
    Position,
    User,
    UserRole,
)


def _tables() -> dict[str, sa.Select[tuple[object, ...]]]:
    parent = so.aliased(OrgUnit)
    unit = so.aliased(OrgUnit)
    position = so.aliased(Position)
    e = Employee
    a = Assessment
    return {
        "org_unit": sa.select(OrgUnit.code, OrgUnit.name, parent.code).outerjoin(
            parent, OrgUnit.parent_id == parent.id
        ),
        "position": sa.select(
            Position.code,
            Position.title,
            Position.type,
            unit.code,
            Position.min_golongan,
            Position.min_education,
            Position.min_experience_years,
            Position.is_vacant,
            Position.vacant_since,
        ).join(unit, Position.unit_id == unit.id),
        "competency_standard": sa.select(Position.code, CompetencyStandard.competency, CompetencyStandard.level).join(
            Position
        ),
        "employee": sa.select(
            e.nip,
            e.name,
            e.sex,
            e.birth_date,
            e.tmt_cpns,
            e.golongan,
            e.tmt_golongan,
            e.position_title,
            e.position_type,
            e.tmt_position,
            position.code,
            e.is_acting,
            unit.code,
            e.education,
            e.lhkpn_status,
            e.lhkpn_year,
            e.updated_at,
        )
        .join(unit, e.unit_id == unit.id)
        .outerjoin(position, e.position_id == position.id),
        "discipline_record": sa.select(
            e.nip,
            DisciplineRecord.imposed_on,
            DisciplineRecord.level,
            DisciplineRecord.ends_on,
            DisciplineRecord.description,
        ).join(e),
        "assessment": sa.select(e.nip, a.assessed_on, a.provider, a.valid_until, a.provider_accredited).join(e),
        "assessment_score": sa.select(
            e.nip, a.assessed_on, a.provider, AssessmentScore.kind, AssessmentScore.name, AssessmentScore.level
        )
        .join(a, AssessmentScore.assessment_id == a.id)
        .join(e, a.employee_id == e.id),
        "performance_rating": sa.select(e.nip, PerformanceRating.year, PerformanceRating.predikat).join(e),
        "user_account": sa.select(
            User.username, User.display_name, e.nip, User.is_active, User.affiliation, User.created_at
        ).outerjoin(e, User.employee_id == e.id),
        "user_role": sa.select(User.username, UserRole.role).join(User, UserRole.user_id == User.id),
    }


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def database_digest(session: so.Session) -> str:
    """SHA-256 (hex) over every merit and account row, table by table, rows in sorted order.

    Rows are sorted in Python, not by ``ORDER BY``, because SQLite and PostgreSQL collate text
    differently and the digest must not depend on the engine.
    """
    digest = hashlib.sha256()
    for name, query in _tables().items():
        rows = sorted(
            json.dumps([_plain(v) for v in row], ensure_ascii=False, separators=(",", ":"))
            for row in session.execute(query)
        )
        digest.update(f"{name} {len(rows)}\n".encode())
        for row in rows:
            digest.update(row.encode() + b"\n")
    return digest.hexdigest()
