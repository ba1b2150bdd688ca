"""The 9-box talent matrix: performance level × potential level → box 1–9 (PermenPANRB 3/2020).

Pure (stdlib only). Rows top to bottom are performance di atas / sesuai / di bawah ekspektasi;
columns are potential rendah / menengah / tinggi:

    di atas   4 7 9
    sesuai    2 5 8
    di bawah  1 3 6

Performance comes from the SKP predikat of the last ``performance.years`` completed years,
each mapped through the rule set; with more than one year the *lowest* level counts, so one
good year does not lift a weak record. Potential is the weighted mean of the assessment's
potential components (levels 1–5) scaled to 0–100 (level 5 = 100) and cut at the rule set's
``menengah_from`` / ``tinggi_from``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from workflow.merit.facts import AssessmentFact, EmployeeFacts
from workflow.merit.numbers import ratio_cents, text
from workflow.merit.ruleset import PERFORMANCE_LEVELS, RuleSet
from workflow.reference import COMPETENCY_LEVEL_MAX

BOX: Final[dict[tuple[str, str], int]] = {
    ("di_atas", "rendah"): 4,
    ("di_atas", "menengah"): 7,
    ("di_atas", "tinggi"): 9,
    ("sesuai", "rendah"): 2,
    ("sesuai", "menengah"): 5,
    ("sesuai", "tinggi"): 8,
    ("di_bawah", "rendah"): 1,
    ("di_bawah", "menengah"): 3,
    ("di_bawah", "tinggi"): 6,
}


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one employee sits in the matrix, with the inputs that put them there.

    ``box`` is None when a level cannot be determined; ``reason`` / ``reason_params`` then say why.
    """

    performance_level: str | None
    performance_years: tuple[tuple[int, str | None], ...]
    potential_score: Decimal | None
    potential_level: str | None
    potential_components: tuple[tuple[str, int], ...]
    box: int | None
    in_talent_pool: bool
    in_national_pool: bool
    reason: str | None = None
    reason_params: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "performance_level": self.performance_level,
            "performance_years": [[year, predikat] for year, predikat in self.performance_years],
            "potential_score": None if self.potential_score is None else text(self.potential_score),
            "potential_level": self.potential_level,
            "potential_components": [[name, level] for name, level in self.potential_components],
            "box": self.box,
            "in_talent_pool": self.in_talent_pool,
            "in_national_pool": self.in_national_pool,
            "reason": self.reason,
            "reason_params": dict(self.reason_params),
        }


def performance_level(facts: EmployeeFacts, on: dt.date, ruleset: RuleSet) -> tuple[
    str | None, tuple[tuple[int, str | None], ...]
]:
    """The performance level and the (year, predikat) pairs it rests on (None when a year is missing)."""
    by_year = {r.year: r.predikat for r in facts.ratings}
    years = tuple(range(on.year - 1, on.year - 1 - ruleset.performance_years, -1))
    used = tuple((year, by_year.get(year)) for year in years)
    if any(predikat is None for _, predikat in used):
        return None, used
    levels = [ruleset.predikat_levels[predikat] for _, predikat in used if predikat is not None]
    return min(levels, key=PERFORMANCE_LEVELS.index), used


def potential_score(assessment: AssessmentFact, ruleset: RuleSet) -> tuple[Decimal | None, tuple[str, ...]]:
    """The 0–100 potential score, or None with the names of the weighted components missing."""
    levels = dict(assessment.potential)
    weighted = {name: w for name, w in ruleset.potential_weights.items() if w > 0}
    missing = tuple(sorted(name for name in weighted if name not in levels))
    if missing:
        return None, missing
    total = sum(w * levels[name] for name, w in weighted.items())
    return ratio_cents(total * 100, COMPETENCY_LEVEL_MAX * sum(weighted.values())), ()


def potential_level(score: Decimal, ruleset: RuleSet) -> str:
    """rendah / menengah / tinggi for a potential score."""
    if score >= ruleset.potential_tinggi_from:
        return "tinggi"
    if score >= ruleset.potential_menengah_from:
        return "menengah"
    return "rendah"


def place(facts: EmployeeFacts, assessment: AssessmentFact | None, on: dt.date, ruleset: RuleSet) -> Placement:
    """Place an employee in the 9-box as of ``on`` using ``assessment`` for potential."""
    perf, perf_years = performance_level(facts, on, ruleset)
    score: Decimal | None = None
    pot: str | None = None
    components: tuple[tuple[str, int], ...] = ()
    reason: str | None = None
    reason_params: tuple[tuple[str, str], ...] = ()
    if assessment is None:
        reason = "reason.no_assessment"
    else:
        components = tuple(sorted(assessment.potential))
        score, missing = potential_score(assessment, ruleset)
        if score is None:
            reason, reason_params = "reason.incomplete_potential", (("missing", ", ".join(missing)),)
        else:
            pot = potential_level(score, ruleset)
    if perf is None:
        missing_years = ", ".join(str(year) for year, predikat in perf_years if predikat is None)
        reason, reason_params = "reason.no_performance", (("years", missing_years),)
    box = BOX[(perf, pot)] if perf is not None and pot is not None else None
    return Placement(
        performance_level=perf,
        performance_years=perf_years,
        potential_score=score,
        potential_level=pot,
        potential_components=components,
        box=box,
        in_talent_pool=box in ruleset.talent_pool_boxes,
        in_national_pool=box in ruleset.national_pool_boxes,
        reason=reason,
        reason_params=reason_params,
    )
