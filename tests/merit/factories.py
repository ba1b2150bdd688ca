"""Plain-data factories for the merit tests: an eligible JPT pratama candidate by default."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from workflow.merit.facts import AssessmentFact, EmployeeFacts, PositionFacts, ProcessDates, RatingFact
from workflow.merit.ruleset import RuleSet, load_published
from workflow.reference import COMPETENCIES, POTENTIAL_COMPONENTS

D = dt.date
DATES = ProcessDates(registration=D(2026, 3, 2), appointment=D(2026, 6, 1))
RULESET: RuleSet = load_published("2026.1")


def assessment(level: int = 4, potential_level: int = 4, **overrides: Any) -> AssessmentFact:
    base = AssessmentFact(
        assessed_on=D(2025, 1, 15),
        valid_until=D(2028, 1, 14),
        provider="UPTD Penilaian Kompetensi Lampung",
        provider_accredited=True,
        competencies=tuple(sorted((c, level) for c in COMPETENCIES)),
        potential=tuple(sorted((p, potential_level) for p in POTENTIAL_COMPONENTS)),
    )
    return dataclasses.replace(base, **overrides)


def facts(**overrides: Any) -> EmployeeFacts:
    base = EmployeeFacts(
        nip="197505102000031001",
        birth_date=D(1975, 5, 10),
        tmt_cpns=D(2000, 3, 1),
        golongan="IV/b",
        tmt_golongan=D(2022, 4, 1),
        position_type="administrator",
        tmt_position=D(2021, 1, 4),
        education="S1",
        lhkpn_status="filed",
        lhkpn_year=2025,
        ratings=(RatingFact(2024, "baik"), RatingFact(2025, "sangat_baik")),
        discipline=(),
        assessments=(assessment(),),
    )
    return dataclasses.replace(base, **overrides)


def position(**overrides: Any) -> PositionFacts:
    base = PositionFacts(
        code="JPT-DINKES",
        type="jpt_pratama",
        min_golongan=None,
        min_education=None,
        min_experience_years=0,
        standards=tuple(sorted((c, 4) for c in COMPETENCIES)),
    )
    return dataclasses.replace(base, **overrides)
