"""The process rulebook: the transition table as data, and one named blocker function per event.

A blocker function returns the machine-readable reasons an event is refused (empty = allowed).
The machine's guard and the "why not?" answer call the same function (STYLE.md §5.7), so the UI,
the 409 body and the compliance replay cannot disagree.

Every blocker has the signature ``(view, ctx, payload)``. ``payload`` holds the event's inputs
(the keyword arguments of the trigger, e.g. a cancellation reason); ``None`` means "inputs not
supplied yet": input checks are skipped so a UI can offer the action before its form is filled.

Import rule: standard library, ``transitions`` (types only) and ``workflow.lifecycle``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from workflow.lifecycle import votes
from workflow.lifecycle.committee import composition_blockers
from workflow.lifecycle.reasons import Reason, reason
from workflow.lifecycle.roles import role_blockers, segregation_blockers
from workflow.lifecycle.snapshot import (
    Context,
    ExclusionReason,
    ObjectionOutcome,
    ProcessRules,
    ProcessView,
)
from workflow.lifecycle.stages import TERMINAL_STAGES, Event, Stage

if TYPE_CHECKING:
    from transitions.core import TransitionConfigDict

Payload = Mapping[str, object]
Guard = Callable[[ProcessView, Context, Payload | None], list[Reason]]


def utc_text(moment: dt.datetime) -> str:
    """Render a timestamp as the log does: ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (STYLE.md C9)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(payload: Payload, key: str) -> str:
    value = payload.get(key)
    return value.strip() if isinstance(value, str) else ""


def _date(payload: Payload, key: str) -> dt.date | None:
    value = payload.get(key)
    # A datetime is a date subclass, but a decree carries a calendar date only.
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else None


# --- one blocker function per event -------------------------------------------------------------


def form_committee_blockers(view: ProcessView, ctx: Context, payload: Payload | None) -> list[Reason]:
    """Committee properly composed (R16) and every member signed the pact and COI declaration."""
    return composition_blockers(view.members, ctx.rules, view.candidates)


def nominate_pool_blockers(view: ProcessView, ctx: Context, payload: Payload | None) -> list[Reason]:
    """Locked snapshot recorded, enough candidates (hard minimum), and no candidate on the panel."""
    out: list[Reason] = []
    if not view.pool_snapshot_digest:
        out.append(reason("pool.snapshot_missing"))
    count = len(view.candidates)
    if count < ctx.rules.min_candidates:
        out.append(reason("pool.too_few_candidates", count=count, minimum=ctx.rules.min_candidates))
    # The pool is known only now, so the candidate and conflict checks of the committee run here.
    return out + composition_blockers(view.members, ctx.rules, view.candidates)


def verify_competency_blockers(view: ProcessView, ctx: Context, payload: Payload | None) -> list[Reason]:
    """Every candidate verified once, and every exclusion carries a code from the fixed list."""
    out: list[Reason] = []
    pool = frozenset(view.candidates)
    seen = Counter(v.candidate for v in view.verifications)
    for candidate in sorted(seen.keys() - pool):
        out.append(reason("verification.unknown_candidate", candidate=candidate))
    for candidate in sorted(c for c, n in seen.items() if n > 1):
        out.append(reason("verification.duplicate", candidate=candidate))
    for candidate in sorted(pool - seen.keys()):
        out.append(reason("verification.missing", candidate=candidate))
    known = {str(code) for code in ExclusionReason}
    for v in view.verifications:
        if v.eligible:
            continue
        if not v.reason:
            out.append(reason("verification.reason_missing", candidate=v.candidate))
        elif v.reason not in known:
            out.append(reason("verification.reason_unknown", candidate=v.candidate, reason=v.reason))
        elif v.reason == ExclusionReason.OTHER_DOCUMENTED and not v.note.strip():
            out.append(reason("verification.note_missing", candidate=v.candidate))
    return out


def shortlist_blockers(view: ProcessView, ctx: Context, payload: Payload | None) -> list[Reason]:
    """A computed ranking is present and lists only verified eligible candidates, once each (R10)."""
    if not view.ranking:
        return [reason("shortlist.ranking_missing")]
    pool = frozenset(view.candidates)
    eligible = {v.candidate for v in view.verifications if v.eligible and v.candidate in pool}
    out: list[Reason] = []
    for candidate in sorted(c for c, n in Counter(view.ranking).items() if n > 1):
        out.append(reason("shortlist.duplicate", candidate=candidate))
    for candidate in sorted(set(view.ranking) - eligible):
        out.append(reason("shortlist.not_eligible", candidate=candidate))
    return out


def review_blockers(view: ProcessView, ctx: Context, payload: Payload | None) -> list[Reason]:
    """Panel still valid, every vote verifies against its commitment, quorum met, result present."""
    out = composition_blockers(view.members, ctx.rules, view.candidates)
    out += votes.review_blockers(view, ctx.rules)
    if not view.recommendation:
        out.append(reason("review.recommendation_missing"))
    ranked = frozenset(view.ranking)
    for candidate in sorted(set(view.recommendation) - ranked):
        out.append(reason("review.recommendation_not_ranked", candidate=candidate))
    return out


def announce_blockers(view: ProcessView, ctx: Context, payload: Payload | None) -> list[Reason]:
    """Nothing beyond role and duties: the content was fixed by ``review`` (DESIGN.md §2)."""
    return []


def resolve_objections_blockers(view: ProcessView, ctx: Context, payload: Payload | None) -> list[Reason]:
    """The window has closed (``now`` ≥ its end) and every objection has an answer.

    Upheld objections do not block closing; they block ``appoint`` until ``reopen_shortlist``.
    """
    out: list[Reason] = []
    ends_at = view.objection_window_ends_at
    if ends_at is None:
        out.append(reason("objections.window_unknown"))
    elif ctx.now < ends_at:
        out.append(reason("objections.window_open", ends_at=utc_text(ends_at)))
    for objection in view.objections:
        if objection.outcome is None:
            out.append(reason("objections.unanswered", objection=objection.objection_id))
    return out


def reopen_shortlist_blockers(view: ProcessView, ctx: Context, payload: Payload | None) -> list[Reason]:
    """At least one objection was upheld; the service recomputes the ranking in the same action."""
    if any(o.outcome == ObjectionOutcome.UPHELD for o in view.objections):
        return []
    return [reason("objections.none_upheld")]


def _pilkada_blockers(dates: list[dt.date], view: ProcessView, rules: ProcessRules) -> list[Reason]:
    if view.approval_letter_digest:
        return []
    out: list[Reason] = []
    for window in rules.pilkada_windows:
        on = next((d for d in sorted(set(dates)) if window.start <= d <= window.end), None)
        if on is not None:
            out.append(
                reason(
                    "appoint.pilkada_approval_missing",
                    on=on.isoformat(),
                    start=window.start.isoformat(),
                    end=window.end.isoformat(),
                )
            )
    return out


def appoint_blockers(view: ProcessView, ctx: Context, payload: Payload | None) -> list[Reason]:
    """Appointee recommended; non-rank-1 justified; decree not backdated; no open objection; R6.

    Inputs: ``appointee`` (person id), ``justification`` (text, required unless rank 1),
    ``decree_number`` (text) and ``decree_date`` (a ``datetime.date``, local calendar).
    """
    out: list[Reason] = []
    for objection in view.objections:
        if objection.outcome is None:
            out.append(reason("appoint.open_objection", objection=objection.objection_id))
        elif objection.outcome == ObjectionOutcome.UPHELD:
            out.append(reason("objections.upheld", objection=objection.objection_id))
    if view.committee_decided_at is None:
        out.append(reason("appoint.decision_missing"))
    today = ctx.now.astimezone(ctx.rules.local_tz).date()
    if payload is None:
        return out + _pilkada_blockers([today], view, ctx.rules)
    appointee = _text(payload, "appointee")
    if not appointee:
        out.append(reason("appoint.appointee_missing"))
    elif appointee not in view.recommendation:
        out.append(reason("appoint.not_recommended", candidate=appointee))
    else:
        rank = list(view.recommendation).index(appointee) + 1
        if rank > 1 and not _text(payload, "justification"):
            out.append(reason("appoint.justification_required", candidate=appointee, rank=rank))
    decree_date = _date(payload, "decree_date")
    if decree_date is None or not _text(payload, "decree_number"):
        out.append(reason("appoint.decree_missing"))
    if decree_date is not None and view.committee_decided_at is not None:
        decided_on = view.committee_decided_at.astimezone(ctx.rules.local_tz).date()
        if decree_date < decided_on:  # R17 backdating
            out.append(
                reason(
                    "appoint.decree_backdated", decree_date=decree_date.isoformat(), decided_on=decided_on.isoformat()
                )
            )
    dates = [today] if decree_date is None else [today, decree_date]
    return out + _pilkada_blockers(dates, view, ctx.rules)


def cancel_blockers(view: ProcessView, ctx: Context, payload: Payload | None) -> list[Reason]:
    """A cancellation states its reason (input ``reason``)."""
    if payload is not None and not _text(payload, "reason"):
        return [reason("cancel.reason_required")]
    return []


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransitionSpec:
    """One event: where it may start, where it leads, its blocker function and accepted inputs."""

    event: Event
    sources: tuple[Stage, ...]
    dest: Stage
    guard: Guard
    inputs: frozenset[str] = frozenset()


NON_TERMINAL: Final[tuple[Stage, ...]] = tuple(s for s in Stage if s not in TERMINAL_STAGES)

TRANSITIONS: Final[tuple[TransitionSpec, ...]] = (
    TransitionSpec(Event.FORM_COMMITTEE, (Stage.DRAFT,), Stage.COMMITTEE_FORMED, form_committee_blockers),
    TransitionSpec(Event.NOMINATE_POOL, (Stage.COMMITTEE_FORMED,), Stage.POOL_NOMINATED, nominate_pool_blockers),
    TransitionSpec(
        Event.VERIFY_COMPETENCY, (Stage.POOL_NOMINATED,), Stage.COMPETENCY_VERIFIED, verify_competency_blockers
    ),
    TransitionSpec(Event.SHORTLIST, (Stage.COMPETENCY_VERIFIED,), Stage.SHORTLISTED, shortlist_blockers),
    TransitionSpec(Event.REVIEW, (Stage.SHORTLISTED,), Stage.COMMITTEE_REVIEWED, review_blockers),
    TransitionSpec(Event.ANNOUNCE, (Stage.COMMITTEE_REVIEWED,), Stage.ANNOUNCED, announce_blockers),
    TransitionSpec(
        Event.RESOLVE_OBJECTIONS, (Stage.ANNOUNCED,), Stage.OBJECTIONS_RESOLVED, resolve_objections_blockers
    ),
    # An upheld objection sends the process back with a new ranking (DESIGN.md §2), either as soon
    # as it is upheld or after the window has been closed.
    TransitionSpec(
        Event.REOPEN_SHORTLIST,
        (Stage.ANNOUNCED, Stage.OBJECTIONS_RESOLVED),
        Stage.SHORTLISTED,
        reopen_shortlist_blockers,
    ),
    TransitionSpec(
        Event.APPOINT,
        (Stage.OBJECTIONS_RESOLVED,),
        Stage.APPOINTED,
        appoint_blockers,
        frozenset({"appointee", "justification", "decree_number", "decree_date"}),
    ),
    TransitionSpec(Event.CANCEL, NON_TERMINAL, Stage.CANCELLED, cancel_blockers, frozenset({"reason"})),
)

SPECS: Final[Mapping[Event, TransitionSpec]] = MappingProxyType({spec.event: spec for spec in TRANSITIONS})


def next_stage(stage: Stage, event: Event | str) -> Stage | None:
    """Return where ``event`` leads from ``stage`` according to the table, or ``None`` if illegal."""
    try:
        spec = SPECS[Event(event)]
    except ValueError:
        return None
    return spec.dest if stage in spec.sources else None


def events_from(stage: Stage) -> tuple[Event, ...]:
    """Return the events the table allows from ``stage``, in table order."""
    return tuple(spec.event for spec in TRANSITIONS if stage in spec.sources)


def machine_transitions(condition: str | None) -> list[TransitionConfigDict]:
    """Return the table in ``transitions.Machine`` form, every entry guarded by ``condition``.

    Args:
        condition: the model method that runs the blockers, or ``None`` for an unguarded
            machine (used by ``replay``, which re-checks only the path, not the guards).
    """
    out: list[TransitionConfigDict] = []
    for spec in TRANSITIONS:
        entry: TransitionConfigDict = {"trigger": str(spec.event), "source": list(spec.sources), "dest": spec.dest}
        if condition is not None:
            entry["conditions"] = condition
        out.append(entry)
    return out


# --- the single entry point ----------------------------------------------------------------------


def _payload_blockers(spec: TransitionSpec, payload: Payload | None) -> list[Reason]:
    if payload is None:
        return []
    return [
        reason("payload.unexpected_field", field=key, action=str(spec.event))
        for key in sorted(set(payload) - spec.inputs)
    ]


def blockers(event: Event | str, view: ProcessView, ctx: Context, payload: Payload | None = None) -> list[Reason]:
    """Return every reason ``event`` is refused for ``ctx.actor`` on ``view``; empty means allowed.

    Checks, in order: the actor's role, segregation of duties (for ``cancel`` only the actor's
    own conflicts, so a tainted process can always be stopped), unexpected inputs, then the
    event's blocker function. Whether the event is legal from the current stage is the machine's
    business (``ProcessFlow``), not a blocker.

    Raises:
        ValueError: ``event`` is not an :class:`Event`.
    """
    spec = SPECS[Event(event)]
    out = role_blockers(str(spec.event), ctx.actor, view)
    out += segregation_blockers(view, ctx.actor, only_actor=spec.event == Event.CANCEL)
    out += _payload_blockers(spec, payload)
    out += spec.guard(view, ctx, payload)
    return out


def flags(event: Event | str, view: ProcessView, ctx: Context, payload: Payload | None = None) -> list[Reason]:
    """Return soft flags for ``event``: they never block, they go into the statement for inspectors.

    ``pool.thin_field`` (R15) on ``nominate_pool``; ``appoint.deviation_from_rank1`` (R7) on
    ``appoint`` when a justified non-rank-1 candidate is appointed.
    """
    kind = Event(event)
    out: list[Reason] = []
    if kind == Event.NOMINATE_POOL and len(view.candidates) < ctx.rules.thin_field_candidates:
        out.append(reason("pool.thin_field", count=len(view.candidates), minimum=ctx.rules.thin_field_candidates))
    if kind == Event.APPOINT and payload is not None:
        appointee = _text(payload, "appointee")
        if appointee in view.recommendation and view.recommendation[0] != appointee:
            rank = list(view.recommendation).index(appointee) + 1
            out.append(reason("appoint.deviation_from_rank1", candidate=appointee, rank=rank))
    return out


def objection_window_end(announced_at: dt.datetime, rules: ProcessRules) -> dt.datetime:
    """Return when the objection window opened at ``announced_at`` closes (store it at ``announce``)."""
    return announced_at + rules.objection_window


def mermaid() -> str:
    """Return the state diagram as a Mermaid ``stateDiagram-v2`` block body (docs/process.md)."""
    lines = ["stateDiagram-v2", f"    [*] --> {Stage.DRAFT}"]
    for spec in TRANSITIONS:
        for source in spec.sources:
            lines.append(f"    {source} --> {spec.dest}: {spec.event}")
    lines += [f"    {stage} --> [*]" for stage in Stage if stage in TERMINAL_STAGES]
    return "\n".join(lines)
