"""Composite score and the strict, total ranking of eligible candidates.

Pure (stdlib only).

Composite (0–100, two decimals) = Σ weight × part / 100 over five parts, each 0–100 and rounded
to two decimals first (weights from the rule set; 2026.1 follows the Kepka BKN 411/2025 split
[P]: performance 50, competency 20, potential 12.5, qualification 10, integrity 7.5):

- performance: mean over the SKP years of the predikat score × 20 (Sangat Baik 100 … Sangat
  Kurang 20; a missing year counts 0);
- competency: the JPM %, capped at 100;
- potential: the potential score of the 9-box;
- qualification: the rule set's score of the education level;
- integrity: the rule set's score of the heaviest discipline penalty (any level) imposed or
  running in the look-back window ("none" when there is none).

Order (descending merit; the first difference decides):

- ``talent`` route: box (9 first), JPM %, composite;
- ``open`` route: composite, JPM %;
- then, on both routes, rank (golongan, higher first) and time in rank (earlier TMT golongan
  first) — the seniority order of the DUK, which ASN already know;
- then the per-process pseudonym (ascending) and finally the NIP.

The pseudonym is an HMAC of the NIP under a per-process secret (``evidence.py``), so the last
meaningful tie-break is a lottery fixed when the process was created: unlike the NIP, which
begins with the birth date, it favours no age group, and it is reproducible from the evidence.
The NIP is unique, so the order is strict and total even if two pseudonyms ever collided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workflow.merit.dates import add_years
from workflow.merit.facts import EmployeeFacts
from workflow.merit.jpm import JpmResult
from workflow.merit.ninebox import Placement
from workflow.merit.numbers import ratio_cents, text, to_cents
from workflow.merit.ruleset import COMPOSITE_PARTS, RuleSet
from workflow.reference import PREDIKAT_SCORE, DisciplineLevel, Predikat, golongan_rank

_LEVEL_ORDER = {DisciplineLevel.RINGAN.value: 1, DisciplineLevel.SEDANG.value: 2, DisciplineLevel.BERAT.value: 3}
_PREDIKAT_TO_PERCENT = 20  # predikat score 1–5 → 20–100


@dataclass(frozen=True, slots=True)
class Composite:
    """The composite score and its parts (each 0–100, two decimals)."""

    parts: tuple[tuple[str, Decimal], ...]
    total: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {"parts": {name: text(value) for name, value in self.parts}, "total": text(self.total)}


def worst_discipline(facts: EmployeeFacts, on: dt.date, ruleset: RuleSet) -> str:
    """Heaviest penalty level imposed or running in the look-back window, or "none"."""
    start = add_years(on, -ruleset.discipline_lookback_years)
    levels = [
        d.level for d in facts.discipline
        if d.imposed_on <= on and (d.ends_on or d.imposed_on) >= start
    ]
    return max(levels, key=_LEVEL_ORDER.__getitem__) if levels else "none"


def composite_score(
    facts: EmployeeFacts,
    placement: Placement,
    jpm: JpmResult | None,
    skp_years: Sequence[int],
    on: dt.date,
    ruleset: RuleSet,
) -> Composite:
    """The composite score of one employee (see the module docstring for the parts)."""
    by_year = {r.year: r.predikat for r in facts.ratings}
    perf_points = sum(PREDIKAT_SCORE[Predikat(by_year[y])] for y in skp_years if y in by_year)
    parts = {
        "performance": ratio_cents(perf_points * _PREDIKAT_TO_PERCENT, len(skp_years)),
        "competency": min(jpm.percent, Decimal(100)) if jpm else Decimal("0.00"),
        "potential": placement.potential_score if placement.potential_score is not None else Decimal("0.00"),
        "qualification": to_cents(ruleset.qualification_scores[facts.education]),
        "integrity": to_cents(ruleset.integrity_scores[worst_discipline(facts, on, ruleset)]),
    }
    # Weights and parts are short decimals, so Decimal products and sums are exact here.
    total = to_cents(sum(ruleset.composite_weights[n] * parts[n] for n in COMPOSITE_PARTS) / 100)
    return Composite(parts=tuple((n, to_cents(parts[n])) for n in COMPOSITE_PARTS), total=total)


@dataclass(frozen=True, slots=True)
class Rankable:
    """What the ranking reads about one eligible candidate."""

    pseudonym: str
    nip: str
    box: int | None
    jpm: Decimal
    composite: Decimal
    golongan: str
    tmt_golongan: dt.date


def rank_key(route: str, c: Rankable) -> tuple[Any, ...]:
    """Sort key, ascending = better. Raises ValueError for an unknown route."""
    tail = (-golongan_rank(c.golongan), c.tmt_golongan, c.pseudonym, c.nip)
    if route == "talent":
        return (-(c.box or 0), -c.jpm, -c.composite, *tail)
    if route == "open":
        return (-c.composite, -c.jpm, *tail)
    raise ValueError(f"unknown route {route!r}; use 'talent' or 'open'")


def rank(candidates: Sequence[Rankable], route: str) -> list[Rankable]:
    """Candidates best first; strict and total, and independent of input order."""
    return sorted(candidates, key=lambda c: rank_key(route, c))
