"""Validated merit records, in the model's own vocabulary (what the schemas produce, what the writer stores).

Pure data: no Flask, no database. Every tuple is sorted by the natural key of its rows, so two
equal files give equal records and the writer inserts rows in one deterministic order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from workflow.reference import DisciplineLevel, Predikat

COMPETENCY = "competency"
POTENTIAL = "potential"


@dataclass(frozen=True, slots=True)
class RatingData:
    year: int
    predikat: Predikat


@dataclass(frozen=True, slots=True)
class DisciplineData:
    imposed_on: dt.date
    level: DisciplineLevel
    ends_on: dt.date | None
    description: str


@dataclass(frozen=True, slots=True)
class AssessmentData:
    assessed_on: dt.date
    provider: str
    valid_until: dt.date
    provider_accredited: bool
    scores: tuple[tuple[str, str, int], ...]  # (kind, name, level), sorted


@dataclass(frozen=True, slots=True)
class MeritRecord:
    """One employee as the file states them."""

    nip: str
    unit_code: str
    unit_name: str
    employee: dict[str, Any]  # Employee column -> value, without ids and updated_at
    ratings: tuple[RatingData, ...]
    discipline: tuple[DisciplineData, ...]
    assessments: tuple[AssessmentData, ...]

    def children_key(self) -> tuple[object, ...]:
        """Everything stored below the employee row, comparable with what the database holds."""
        return (self.ratings, self.discipline, self.assessments)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One reason a record was refused: where (line or record index), which field, and why."""

    location: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.field}: {self.message}" if self.field else f"{self.location}: {self.message}"
