"""Job–person match (JPM): achieved competency levels against the position's standard.

Pure (stdlib only). JPM % = Σ achieved / Σ standard × 100 over the position's standard
competencies (domain.md §3). With ``cap_at_standard`` (default) a level above the standard
counts as the standard, so strength in one competency cannot hide a gap in another; a
competency the assessment did not score counts as level 0. The band comes from the rule
set's chosen band set (MS/MMS/KMS 80/68 or O/CO/KO 90/78).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workflow.merit.facts import AssessmentFact, PositionFacts
from workflow.merit.numbers import ratio_cents, text
from workflow.merit.ruleset import Band, RuleSet


@dataclass(frozen=True, slots=True)
class CompetencyGap:
    """One competency: the standard, the achieved level (None = not assessed) and achieved − standard."""

    competency: str
    standard: int
    achieved: int | None

    @property
    def gap(self) -> int:
        return (self.achieved or 0) - self.standard

    def to_dict(self) -> dict[str, Any]:
        return {"competency": self.competency, "standard": self.standard, "achieved": self.achieved,
                "gap": self.gap}


@dataclass(frozen=True, slots=True)
class JpmResult:
    """JPM of one assessment against one position's standard."""

    percent: Decimal
    band: str
    band_set: str
    competencies: tuple[CompetencyGap, ...]
    counted: int
    required: int

    @property
    def shortfall(self) -> int:
        """Competency levels still missing (Σ max(0, standard − achieved))."""
        return sum(max(0, -c.gap) for c in self.competencies)

    def to_dict(self) -> dict[str, Any]:
        return {
            "percent": text(self.percent),
            "band": self.band,
            "band_set": self.band_set,
            "counted": self.counted,
            "required": self.required,
            "competencies": [c.to_dict() for c in self.competencies],
        }


def band_for(percent: Decimal, bands: tuple[Band, ...]) -> str:
    """The code of the highest band whose lower bound ``percent`` reaches."""
    for band in bands:
        if percent >= band.lower:
            return band.code
    return bands[-1].code


def compute_jpm(assessment: AssessmentFact, position: PositionFacts, ruleset: RuleSet) -> JpmResult | None:
    """JPM of ``assessment`` for ``position``; None when the position has no standard."""
    if not position.standards:
        return None
    achieved: Mapping[str, int] = dict(assessment.competencies)
    gaps = tuple(
        CompetencyGap(name, level, achieved.get(name)) for name, level in sorted(position.standards)
    )
    required = sum(g.standard for g in gaps)
    if ruleset.jpm_cap_at_standard:
        counted = sum(min(g.achieved or 0, g.standard) for g in gaps)
    else:
        counted = sum(g.achieved or 0 for g in gaps)
    percent = ratio_cents(counted * 100, required)
    return JpmResult(
        percent=percent,
        band=band_for(percent, ruleset.jpm_bands),
        band_set=ruleset.jpm_band_set,
        competencies=gaps,
        counted=counted,
        required=required,
    )
