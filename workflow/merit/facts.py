"""Plain input data of the merit rules: an employee's facts, a position, the process dates.

Pure data (stdlib only): the nomination step builds these from the database, the compliance
replay builds them from evidence records (``evidence.py``). Enum-like fields hold the codes of
``workflow.reference`` as strings so that a record read back from JSON is the same value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RatingFact:
    """One year's SKP predikat (``workflow.reference.Predikat`` value)."""

    year: int
    predikat: str


@dataclass(frozen=True, slots=True)
class DisciplineFact:
    """A discipline penalty; ``ends_on`` is None when no running period was recorded."""

    level: str
    imposed_on: dt.date
    ends_on: dt.date | None


@dataclass(frozen=True, slots=True)
class AssessmentFact:
    """An assessment-centre result; levels are (name, 1–5) pairs sorted by name."""

    assessed_on: dt.date
    valid_until: dt.date
    provider: str
    provider_accredited: bool
    competencies: tuple[tuple[str, int], ...]
    potential: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class EmployeeFacts:
    """Everything the merit rules read about one civil servant (SIASN data utama subset)."""

    nip: str
    birth_date: dt.date
    tmt_cpns: dt.date
    golongan: str
    tmt_golongan: dt.date
    position_type: str
    tmt_position: dt.date
    education: str
    lhkpn_status: str
    lhkpn_year: int | None
    ratings: tuple[RatingFact, ...] = ()
    discipline: tuple[DisciplineFact, ...] = ()
    assessments: tuple[AssessmentFact, ...] = ()
    # Code of the post this employee holds as acting official (Plt), if any. No rule reads it; the
    # compliance replay does (R12: an acting official made definitive in the same post).
    acting_position: str | None = None


@dataclass(frozen=True, slots=True)
class PositionFacts:
    """The vacancy: its type, its own stricter minimums and its competency standard."""

    code: str
    type: str
    min_golongan: str | None
    min_education: str | None
    min_experience_years: int
    standards: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class ProcessDates:
    """Reference dates of a process: snapshot/registration date and planned appointment date.

    Every "as of" check (SKP years, look-back, assessment validity, years of service) uses
    ``registration``; only the second age cap uses ``appointment``.
    """

    registration: dt.date
    appointment: dt.date

    def __post_init__(self) -> None:
        if self.appointment < self.registration:
            raise ValueError("the appointment date cannot be before the registration date")
