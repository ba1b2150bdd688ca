"""Merit data: units, positions and their competency standards, employees and their records.

Field names follow SIASN where one exists (domain.md §6); the import maps SIASN names onto them.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.extensions import db
from workflow.models._types import enum_column
from workflow.reference import (
    DisciplineLevel,
    Education,
    Golongan,
    LhkpnStatus,
    PositionType,
    Predikat,
    Sex,
)


class OrgUnit(db.Model):
    """An organisational unit (OPD / unor), e.g. Dinas Kesehatan."""

    __tablename__ = "org_unit"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("org_unit.id"), index=True)

    positions: so.WriteOnlyMapped[Position] = so.relationship(back_populates="unit")


class Position(db.Model):
    """A post in a unit, with its requirements; ``is_vacant`` marks a vacancy to be filled."""

    __tablename__ = "position"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    type: so.Mapped[PositionType] = so.mapped_column(enum_column(PositionType), index=True)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    min_golongan: so.Mapped[Golongan | None] = so.mapped_column(enum_column(Golongan, 8))
    min_education: so.Mapped[Education | None] = so.mapped_column(enum_column(Education, 8))
    min_experience_years: so.Mapped[int] = so.mapped_column(default=0)
    is_vacant: so.Mapped[bool] = so.mapped_column(default=False, index=True)
    vacant_since: so.Mapped[dt.date | None]

    unit: so.Mapped[OrgUnit] = so.relationship(back_populates="positions")
    standards: so.Mapped[list[CompetencyStandard]] = so.relationship(
        back_populates="position", cascade="all, delete-orphan", order_by="CompetencyStandard.competency"
    )


class CompetencyStandard(db.Model):
    """The level (1–5) a position requires in one competency (PermenPANRB 38/2017)."""

    __tablename__ = "competency_standard"
    __table_args__ = (
        sa.UniqueConstraint("position_id", "competency"),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="level_1_5"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    position_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("position.id", ondelete="CASCADE"))
    competency: so.Mapped[str] = so.mapped_column(sa.String(40))
    level: so.Mapped[int]

    position: so.Mapped[Position] = so.relationship(back_populates="standards")


class Employee(db.Model):
    """A civil servant (PNS) as SIASN's data utama describes them."""

    __tablename__ = "employee"
    __table_args__ = (
        # The coarse eligibility filters of a nomination run in SQL over these columns.
        sa.Index("ix_employee_eligibility", "golongan", "education", "birth_date"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    nip: so.Mapped[str] = so.mapped_column(sa.String(18), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    sex: so.Mapped[Sex] = so.mapped_column(enum_column(Sex, 1))
    birth_date: so.Mapped[dt.date]
    tmt_cpns: so.Mapped[dt.date]
    golongan: so.Mapped[Golongan] = so.mapped_column(enum_column(Golongan, 8))
    tmt_golongan: so.Mapped[dt.date]
    position_title: so.Mapped[str] = so.mapped_column(sa.String(200))
    position_type: so.Mapped[PositionType] = so.mapped_column(enum_column(PositionType))
    tmt_position: so.Mapped[dt.date]
    # Set when the employee holds a post Jejak tracks; an acting (Plt) holder has is_acting set.
    position_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("position.id"), index=True)
    is_acting: so.Mapped[bool] = so.mapped_column(default=False)
    unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    education: so.Mapped[Education] = so.mapped_column(enum_column(Education, 8))
    lhkpn_status: so.Mapped[LhkpnStatus] = so.mapped_column(enum_column(LhkpnStatus))
    lhkpn_year: so.Mapped[int | None]
    updated_at: so.Mapped[dt.datetime | None]

    unit: so.Mapped[OrgUnit] = so.relationship()
    position: so.Mapped[Position | None] = so.relationship()
    discipline: so.Mapped[list[DisciplineRecord]] = so.relationship(
        back_populates="employee", cascade="all, delete-orphan", order_by="DisciplineRecord.imposed_on"
    )
    assessments: so.Mapped[list[Assessment]] = so.relationship(
        back_populates="employee", cascade="all, delete-orphan", order_by="Assessment.assessed_on"
    )
    ratings: so.Mapped[list[PerformanceRating]] = so.relationship(
        back_populates="employee", cascade="all, delete-orphan", order_by="PerformanceRating.year"
    )


class DisciplineRecord(db.Model):
    """A discipline penalty (hukuman disiplin, PP 94/2021)."""

    __tablename__ = "discipline_record"
    __table_args__ = (sa.UniqueConstraint("employee_id", "imposed_on", "level"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    employee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("employee.id", ondelete="CASCADE"), index=True)
    level: so.Mapped[DisciplineLevel] = so.mapped_column(enum_column(DisciplineLevel))
    imposed_on: so.Mapped[dt.date]
    ends_on: so.Mapped[dt.date | None]
    description: so.Mapped[str] = so.mapped_column(sa.String(500), default="")

    employee: so.Mapped[Employee] = so.relationship(back_populates="discipline")


class Assessment(db.Model):
    """A competency and potential assessment by an assessment centre (e.g. CACT, UPTD Penilaian Kompetensi)."""

    __tablename__ = "assessment"
    __table_args__ = (sa.UniqueConstraint("employee_id", "assessed_on", "provider"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    employee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("employee.id", ondelete="CASCADE"), index=True)
    assessed_on: so.Mapped[dt.date]
    valid_until: so.Mapped[dt.date]
    provider: so.Mapped[str] = so.mapped_column(sa.String(200))
    provider_accredited: so.Mapped[bool]

    employee: so.Mapped[Employee] = so.relationship(back_populates="assessments")
    scores: so.Mapped[list[AssessmentScore]] = so.relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="AssessmentScore.name"
    )


class AssessmentScore(db.Model):
    """One level (1–5) in an assessment: a competency (``kind='competency'``) or a potential component."""

    __tablename__ = "assessment_score"
    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "kind", "name"),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="level_1_5"),
        sa.CheckConstraint("kind IN ('competency', 'potential')", name="kind_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assessment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    name: so.Mapped[str] = so.mapped_column(sa.String(40))
    level: so.Mapped[int]

    assessment: so.Mapped[Assessment] = so.relationship(back_populates="scores")


class PerformanceRating(db.Model):
    """The yearly performance predikat (SKP, PermenPANRB 6/2022)."""

    __tablename__ = "performance_rating"
    __table_args__ = (sa.UniqueConstraint("employee_id", "year"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    employee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("employee.id", ondelete="CASCADE"), index=True)
    year: so.Mapped[int]
    predikat: so.Mapped[Predikat] = so.mapped_column(enum_column(Predikat))

    employee: so.Mapped[Employee] = so.relationship(back_populates="ratings")
