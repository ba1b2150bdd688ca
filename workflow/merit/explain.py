"""The ASN's "why": one candidate's evaluation rendered for the explanation page (domain.md §7.7).

Pure (stdlib only). ``explain(evaluation, pseudonym, lang)`` shows the candidate's own values,
each rule with pass/fail, the field it used and the nearest way to pass, the 9-box with its
label and recommended follow-up, the JPM with per-competency gaps, the rank and the cut-off.
It never shows another candidate's data: only the cut-off's ranking values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from workflow.merit.evaluation import (
    ELIGIBLE_NOT_SHORTLISTED,
    NOT_ELIGIBLE,
    NOT_IN_TALENT_POOL,
    SHORTLISTED,
    CandidateResult,
    Evaluation,
)
from workflow.merit.messages import render
from workflow.merit.numbers import text
from workflow.merit.ruleset import RuleSet


@dataclass(frozen=True, slots=True)
class RuleLine:
    """One rule as the ASN reads it."""

    rule: str
    basis: str
    field: str
    value: str
    requirement: str
    passed: bool
    text: str
    hint: str | None


@dataclass(frozen=True, slots=True)
class Explanation:
    """The explanation page's content for one candidate, in one language."""

    pseudonym: str
    lang: str
    ruleset_id: str
    ruleset_digest: str
    outcome: str
    outcome_text: str
    rules: tuple[RuleLine, ...]
    performance_level: str | None
    performance_years: tuple[tuple[int, str | None], ...]
    potential_level: str | None
    potential_score: str | None
    potential_components: tuple[tuple[str, int], ...]
    box: int | None
    box_text: str
    box_follow_up: str | None
    jpm: dict[str, Any] | None
    composite: dict[str, Any]
    rank: int | None
    ranked: int
    cutoff_text: str
    objection_until: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "pseudonym": self.pseudonym,
            "lang": self.lang,
            "ruleset": {"id": self.ruleset_id, "digest": self.ruleset_digest},
            "outcome": self.outcome,
            "outcome_text": self.outcome_text,
            "rules": [
                {"rule": r.rule, "basis": r.basis, "field": r.field, "value": r.value, "requirement": r.requirement,
                 "passed": r.passed, "text": r.text, "hint": r.hint}
                for r in self.rules
            ],
            "performance_level": self.performance_level,
            "performance_years": [[y, p] for y, p in self.performance_years],
            "potential_level": self.potential_level,
            "potential_score": self.potential_score,
            "potential_components": [[n, lv] for n, lv in self.potential_components],
            "box": self.box,
            "box_text": self.box_text,
            "box_follow_up": self.box_follow_up,
            "jpm": self.jpm,
            "composite": self.composite,
            "rank": self.rank,
            "ranked": self.ranked,
            "cutoff_text": self.cutoff_text,
            "objection_until": self.objection_until.isoformat() if self.objection_until else None,
        }


def _outcome_text(evaluation: Evaluation, c: CandidateResult, ruleset: RuleSet, lang: str) -> str:
    if c.outcome == NOT_ELIGIBLE:
        return render("outcome.not_eligible", {"failed": len(c.failed)}, lang)
    if c.outcome == NOT_IN_TALENT_POOL:
        if c.placement.box is None:
            return render("outcome.not_in_talent_pool_unplaced", None, lang)
        pool = ", ".join(str(b) for b in sorted(ruleset.talent_pool_boxes))
        return render("outcome.not_in_talent_pool", {"box": c.placement.box, "pool": pool}, lang)
    params: dict[str, str | int] = {"rank": c.rank or 0, "eligible": evaluation.ranked}
    if c.outcome == SHORTLISTED:
        return render("outcome.shortlisted", params, lang)
    assert c.outcome == ELIGIBLE_NOT_SHORTLISTED
    cutoff_rank = evaluation.cutoff.rank if evaluation.cutoff else 0
    return render("outcome.eligible_not_shortlisted", {**params, "cutoff_rank": cutoff_rank}, lang)


def _cutoff_text(evaluation: Evaluation, lang: str) -> str:
    cut = evaluation.cutoff
    if cut is None:
        return render("cutoff.none", None, lang)
    key = "cutoff.talent" if evaluation.route == "talent" else "cutoff.open"
    return render(key, {"rank": cut.rank, "box": cut.box or "-", "jpm": cut.jpm, "composite": cut.composite}, lang)


def explain(
    evaluation: Evaluation,
    pseudonym: str,
    ruleset: RuleSet,
    *,
    lang: str = "id",
    announced_on: dt.date | None = None,
) -> Explanation:
    """Explain ``pseudonym``'s result in ``lang``.

    Args:
        ruleset: the pinned rule set (its digest must match the evaluation's).
        announced_on: when results were announced; gives the last day to object.

    Raises:
        KeyError: the pseudonym is not in the evaluation.
        ValueError: the rule set is not the one the evaluation pinned.
    """
    if ruleset.digest != evaluation.ruleset_digest:
        raise ValueError("explain with the rule set the evaluation pinned")
    c = evaluation.candidate(pseudonym)
    rules = tuple(
        RuleLine(
            rule=r.rule, basis=r.basis, field=r.field, value=r.value, requirement=r.requirement, passed=r.passed,
            text=render(r.message, r.params, lang),
            hint=render(r.hint, r.hint_params, lang) if r.hint else None,
        )
        for r in c.rules
    )
    p = c.placement
    if p.box is not None:
        box_text = render(f"box.{p.box}.label", None, lang)
        follow_up: str | None = render(f"box.{p.box}.follow_up", None, lang)
    else:
        reason = render(p.reason or "reason.no_assessment", dict(p.reason_params), lang)
        box_text, follow_up = render("box.none", {"reason": reason}, lang), None
    return Explanation(
        pseudonym=c.pseudonym,
        lang=lang,
        ruleset_id=evaluation.ruleset_id,
        ruleset_digest=evaluation.ruleset_digest,
        outcome=c.outcome,
        outcome_text=_outcome_text(evaluation, c, ruleset, lang),
        rules=rules,
        performance_level=p.performance_level,
        performance_years=p.performance_years,
        potential_level=p.potential_level,
        potential_score=None if p.potential_score is None else text(p.potential_score),
        potential_components=p.potential_components,
        box=p.box,
        box_text=box_text,
        box_follow_up=follow_up,
        jpm=c.jpm.to_dict() if c.jpm else None,
        composite=c.composite.to_dict(),
        rank=c.rank,
        ranked=evaluation.ranked,
        cutoff_text=_cutoff_text(evaluation, lang),
        objection_until=(
            announced_on + dt.timedelta(days=ruleset.objection_window_days) if announced_on else None
        ),
    )


def explain_all(evaluation: Evaluation, ruleset: RuleSet, *, lang: str = "id") -> list[Explanation]:
    """An explanation for every candidate considered, in the evaluation's order."""
    return [explain(evaluation, c.pseudonym, ruleset, lang=lang) for c in evaluation.candidates]
