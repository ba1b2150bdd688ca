"""``committee_reviewed → announced``: publish the result and open the objection window (admin)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy.orm as so

from workflow.lifecycle import Event
from workflow.lifecycle.rules import objection_window_end
from workflow.models import User
from workflow.models import process as m
from workflow.services._tx import begin, iso_time, transaction


def announce(
    session: so.Session, process_id: int, *, actor: User, now: dt.datetime, expected_basis: bytes | None = None
) -> m.Process:
    """Announce the recommendation; the window's length comes from the pinned rule set.

    Statement ``process.announce``: ``{"round", "recommendation": [pseudonyms],
    "objection_window_ends_at"}``.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(str(Event.ANNOUNCE), actor)
        step, _ = state.apply(Event.ANNOUNCE, who, now)
        ends_at = objection_window_end(now, state.rules)
        state.process.objection_window_ends_at = ends_at
        state.participate(actor, who.role)
        state.log_step(
            step, now=now, user=actor,
            data={"round": state.process.round, "recommendation": list(state.view.recommendation),
                  "objection_window_ends_at": iso_time(ends_at)},
        )
    return state.process
