"""``pool_nominated → competency_verified``: the verifier confirms or excludes every candidate."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy.orm as so

from workflow.lifecycle import Event, ExclusionReason, Verification
from workflow.models import User
from workflow.models import process as m
from workflow.services._tx import begin, transaction


@dataclass(frozen=True, slots=True)
class CompetencyDecision:
    """The verifier's decision on one candidate: confirm, or exclude with a reason code (+ note)."""

    confirmed: bool
    reason: str | None = None
    note: str = ""


def verify_competency(
    session: so.Session,
    process_id: int,
    *,
    actor: User,
    decisions: Mapping[str, CompetencyDecision],
    now: dt.datetime,
    expected_basis: bytes | None = None,
) -> m.Process:
    """Record a decision for each candidate of the pool, by pseudonym (verifier).

    Every candidate needs one decision; an exclusion needs a code of ``ExclusionReason`` and
    ``other_documented`` a note. Statement ``process.verify_competency``: ``{"decisions":
    [{"candidate", "confirmed", "reason", "note"}]}``.

    Raises:
        NotPermittedError: not a verifier, or the verifier holds another duty here (e.g. candidate).
        RefusedError: wrong stage, a candidate missing or unknown, a missing or unknown code.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(str(Event.VERIFY_COMPETENCY), actor)
        entered = [
            Verification(p, eligible=d.confirmed, reason=None if d.confirmed else d.reason, note=d.note.strip())
            for p, d in sorted(decisions.items())
        ]
        step, _ = state.apply(
            Event.VERIFY_COMPETENCY, who, now, view=dataclasses.replace(state.view, verifications=entered)
        )
        by_pseudonym = {c.pseudonym: c for c in state.candidates}
        for v in entered:
            row = by_pseudonym[v.candidate]
            row.decision = m.Decision.CONFIRMED if v.eligible else m.Decision.EXCLUDED
            row.exclusion_reason = None if v.eligible else ExclusionReason(v.reason)
            row.verification_note = v.note or None
            row.verified_at = now
        state.participate(actor, who.role)
        state.log_step(
            step, now=now, user=actor,
            data={"decisions": [
                {"candidate": v.candidate, "confirmed": v.eligible, "reason": v.reason, "note": v.note}
                for v in entered
            ]},
        )
    return state.process
