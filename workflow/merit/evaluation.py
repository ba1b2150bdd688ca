"""Evaluate every candidate of one vacancy: eligibility, 9-box, JPM, composite, rank, outcome.

Pure (stdlib and ``audit.canonical``). ``evaluate_candidates`` is the one function the nomination step, the ASN
explanation page, the committee view and the compliance replay all call; its result serialises
to canonical JSON (RFC 8785) so a replay can be compared byte for byte.

Outcomes: ``not_eligible`` (a rule failed), ``not_in_talent_pool`` (talent route, eligible but the
box is not a succession-group box), ``shortlisted`` (within the route's shortlist size) and
``eligible_not_shortlisted``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from audit.canonical import dumps as rfc8785_dumps
from workflow.merit.eligibility import check_eligibility, pick_assessment, skp_years
from workflow.merit.facts import EmployeeFacts, PositionFacts, ProcessDates
from workflow.merit.gcpause import paused_gc
from workflow.merit.jpm import JpmResult, compute_jpm
from workflow.merit.ninebox import Placement, place
from workflow.merit.numbers import text
from workflow.merit.ranking import Composite, Rankable, composite_score, rank
from workflow.merit.results import RuleResult
from workflow.merit.ruleset import ROUTES, RuleSet

SHORTLISTED = "shortlisted"
ELIGIBLE_NOT_SHORTLISTED = "eligible_not_shortlisted"
NOT_ELIGIBLE = "not_eligible"
NOT_IN_TALENT_POOL = "not_in_talent_pool"

# Process-level findings for the red-flag checks (domain.md §5): R15 thin field; and on the talent
# route a first-ranked candidate outside box 9, where KASN expects "rank 1 of box 9".
FLAG_THIN_FIELD = "thin_field"
FLAG_NO_BOX9 = "talent_rank1_not_box9"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One candidate as the evaluation sees them: the per-process pseudonym and the facts."""

    pseudonym: str
    facts: EmployeeFacts


@dataclass(frozen=True, slots=True)
class CandidateResult:
    """Everything decided about one candidate."""

    pseudonym: str
    rules: tuple[RuleResult, ...]
    eligible: bool
    placement: Placement
    jpm: JpmResult | None
    composite: Composite
    rank: int | None
    outcome: str

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.rules if not r.passed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pseudonym": self.pseudonym,
            "eligible": self.eligible,
            "outcome": self.outcome,
            "rank": self.rank,
            "rules": [r.to_dict() for r in self.rules],
            "placement": self.placement.to_dict(),
            "jpm": self.jpm.to_dict() if self.jpm else None,
            "composite": self.composite.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Cutoff:
    """The last shortlisted candidate's ranking values (never their identity)."""

    rank: int
    box: int | None
    jpm: str
    composite: str

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "box": self.box, "jpm": self.jpm, "composite": self.composite}


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The result for one vacancy: candidates ranked first (rank order), then the rest by pseudonym."""

    ruleset_id: str
    ruleset_digest: str
    route: str
    position: str
    dates: ProcessDates
    candidates: tuple[CandidateResult, ...]
    shortlist: tuple[str, ...]
    ranked: int
    cutoff: Cutoff | None
    flags: tuple[str, ...]

    def candidate(self, pseudonym: str) -> CandidateResult:
        """One candidate's result; KeyError when the pseudonym is not in this evaluation."""
        for c in self.candidates:
            if c.pseudonym == pseudonym:
                return c
        raise KeyError(pseudonym)

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": 1,
            "ruleset": {"id": self.ruleset_id, "digest": self.ruleset_digest},
            "route": self.route,
            "position": self.position,
            "dates": {"registration": self.dates.registration.isoformat(),
                      "appointment": self.dates.appointment.isoformat()},
            "shortlist": list(self.shortlist),
            "ranked": self.ranked,
            "cutoff": self.cutoff.to_dict() if self.cutoff else None,
            "flags": list(self.flags),
            "candidates": [c.to_dict() for c in self.candidates],
        }

    def canonical_bytes(self) -> bytes:
        """RFC 8785 bytes of ``to_dict()``: what a replay compares and a log entry digests.

        ``audit.canonical.dumps`` returns exactly ``rfc8785.dumps`` (C encoder where that is
        provably the same bytes, ``rfc8785`` otherwise): the snapshot of ten thousand candidates
        is tens of megabytes, which the pure-Python encoder took seconds to write.
        """
        with paused_gc():
            return rfc8785_dumps(self.to_dict())


@dataclass(frozen=True, slots=True)
class _Scored:
    candidate: Candidate
    rules: tuple[RuleResult, ...]
    placement: Placement
    jpm: JpmResult | None
    composite: Composite

    @property
    def eligible(self) -> bool:
        return all(r.passed for r in self.rules)


def _score(candidate: Candidate, position: PositionFacts, ruleset: RuleSet, dates: ProcessDates) -> _Scored:
    facts, on = candidate.facts, dates.registration
    assessment = pick_assessment(facts, on, ruleset)
    jpm = compute_jpm(assessment, position, ruleset) if assessment else None
    placement = place(facts, assessment, on, ruleset)
    rules = check_eligibility(facts, position, ruleset, dates, assessment=assessment, jpm=jpm)
    composite = composite_score(facts, placement, jpm, skp_years(on, ruleset), on, ruleset)
    return _Scored(candidate, rules, placement, jpm, composite)


def evaluate_candidates(
    candidates: Sequence[Candidate],
    position: PositionFacts,
    ruleset: RuleSet,
    dates: ProcessDates,
    *,
    route: str,
) -> Evaluation:
    """Evaluate and rank ``candidates`` for ``position``.

    Raises:
        ValueError: unknown route, or two candidates share a pseudonym or NIP.
        RuleSetError: the rule set has no eligibility rules for the position's type.
    """
    if route not in ROUTES:
        raise ValueError(f"unknown route {route!r}; use 'talent' or 'open'")
    if len({c.pseudonym for c in candidates}) != len(candidates) or len({c.facts.nip for c in candidates}) != len(
        candidates
    ):
        raise ValueError("each candidate needs a unique pseudonym and NIP")
    scored = [_score(c, position, ruleset, dates) for c in candidates]
    rankable = {
        s.candidate.pseudonym: s for s in scored
        if s.eligible and (route == "open" or s.placement.in_talent_pool)
    }
    order = rank(
        [
            Rankable(
                pseudonym=s.candidate.pseudonym, nip=s.candidate.facts.nip, box=s.placement.box,
                jpm=s.jpm.percent if s.jpm else Decimal("0.00"), composite=s.composite.total,
                golongan=s.candidate.facts.golongan, tmt_golongan=s.candidate.facts.tmt_golongan,
            )
            for s in rankable.values()
        ],
        route,
    )
    size = ruleset.shortlist_size[route]
    ranks = {r.pseudonym: i for i, r in enumerate(order, start=1)}
    shortlist = tuple(r.pseudonym for r in order[:size])
    cutoff = None
    if order:
        last = order[min(size, len(order)) - 1]
        cutoff = Cutoff(rank=ranks[last.pseudonym], box=last.box, jpm=text(last.jpm), composite=text(last.composite))

    def outcome(s: _Scored) -> str:
        if not s.eligible:
            return NOT_ELIGIBLE
        if s.candidate.pseudonym not in rankable:
            return NOT_IN_TALENT_POOL
        return SHORTLISTED if ranks[s.candidate.pseudonym] <= size else ELIGIBLE_NOT_SHORTLISTED

    results = [
        CandidateResult(
            pseudonym=s.candidate.pseudonym, rules=s.rules, eligible=s.eligible, placement=s.placement,
            jpm=s.jpm, composite=s.composite, rank=ranks.get(s.candidate.pseudonym), outcome=outcome(s),
        )
        for s in scored
    ]
    results.sort(key=lambda r: (r.rank is None, r.rank or 0, r.pseudonym))
    flags = []
    if len(order) < ruleset.min_candidates_per_post:
        flags.append(FLAG_THIN_FIELD)
    if route == "talent" and (not order or order[0].box != 9):
        flags.append(FLAG_NO_BOX9)
    return Evaluation(
        ruleset_id=ruleset.id, ruleset_digest=ruleset.digest, route=route, position=position.code, dates=dates,
        candidates=tuple(results), shortlist=shortlist, ranked=len(order), cutoff=cutoff, flags=tuple(flags),
    )
