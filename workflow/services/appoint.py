"""``objections_resolved → appointed``: the PPK appoints a recommended candidate by decree."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.lifecycle import Event, PilkadaWindow
from workflow.models import Position, User
from workflow.models import process as m
from workflow.services._reasons import RefusedError, reason
from workflow.services._tx import begin, transaction

_HEX64 = re.compile(r"[0-9a-f]{64}")


def parse_pilkada_windows(pairs: Iterable[tuple[dt.date | str, dt.date | str]] | None) -> tuple[PilkadaWindow, ...]:
    """Election-period windows from ``(start, end)`` pairs of dates or ISO date strings (the
    ``PILKADA_WINDOWS`` setting), for :func:`appoint`'s ``pilkada_windows``.

    Raises:
        ValueError: a pair that is not two dates; the message names the pair.
    """
    out = []
    for pair in pairs or ():
        try:
            start, end = pair
            out.append(PilkadaWindow(*(d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))
                                       for d in (start, end))))
        except (TypeError, ValueError):
            raise ValueError(f"PILKADA_WINDOWS: {pair!r} is not a pair of ISO dates (START, END)") from None
    return tuple(out)


def appoint(
    session: so.Session,
    process_id: int,
    *,
    actor: User,
    appointee: str,
    decree_number: str,
    decree_date: dt.date,
    now: dt.datetime,
    justification: str = "",
    approval_letter_digest: str | None = None,
    pilkada_windows: Sequence[PilkadaWindow] = (),
    expected_basis: bytes | None = None,
) -> m.Process:
    """Appoint ``appointee`` (a pseudonym from the recommendation) and mark the position filled.

    Guards (409): recommended; justification unless rank 1 (R7, flagged when used); decree number
    and date, not before the committee decision (R17); no open or upheld objection (R11); inside
    a Pilkada window (configured by the caller, recorded in the statement) only with the approval
    letter's SHA-256 (R6). Statement ``process.appoint``: ``{"appointee", "rank", "decree":
    {"number", "date"}, "justification", "approval_letter_digest", "pilkada_windows", "flags"}``.

    Raises:
        NotPermittedError: not a PPK, or another PPK is designated for this process.
        RefusedError: a guard above, or a malformed approval-letter digest.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(str(Event.APPOINT), actor)
        digest = approval_letter_digest.lower() if approval_letter_digest else None
        if digest is not None and _HEX64.fullmatch(digest) is None:
            raise RefusedError(str(Event.APPOINT), [reason("appoint.approval_digest_invalid")])
        state.rules = dataclasses.replace(state.rules, pilkada_windows=tuple(pilkada_windows))
        pending = dataclasses.replace(state.view, approval_letter_digest=digest or state.view.approval_letter_digest)
        inputs = {"appointee": appointee, "justification": justification, "decree_number": decree_number,
                  "decree_date": decree_date}
        step, flow = state.apply(Event.APPOINT, who, now, view=pending, **inputs)
        flags = [r.code for r in flow.flags(Event.APPOINT, **inputs)]
        process = state.process
        process.appointee_pseudonym = appointee
        process.decree_number, process.decree_date = decree_number.strip(), decree_date
        process.justification = justification.strip() or None
        process.approval_letter_digest = digest or process.approval_letter_digest
        position = session.scalars(
            sa.select(Position).where(Position.id == process.position_id).with_for_update()
        ).one()
        position.is_vacant = False
        state.participate(actor, who.role)
        state.log_step(
            step, now=now, user=actor,
            data={
                "appointee": appointee,
                "rank": list(pending.recommendation).index(appointee) + 1,
                "decree": {"number": process.decree_number, "date": decree_date.isoformat()},
                "justification": process.justification,
                "approval_letter_digest": process.approval_letter_digest,
                "pilkada_windows": [{"start": w.start.isoformat(), "end": w.end.isoformat()} for w in pilkada_windows],
                "flags": flags,
            },
        )
    return state.process
