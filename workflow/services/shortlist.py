"""``competency_verified → shortlisted``: the shortlist is computed, never edited (R10; system-signed)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy.orm as so

from workflow.lifecycle import Event
from workflow.models import User
from workflow.models import process as m
from workflow.services._tx import ProcessState, begin, requested_by, transaction


def computed_ranking(state: ProcessState) -> list[m.Candidate]:
    """The shortlist: confirmed pool candidates in merit-rank order, the rule set's top N for the route.

    The merit rank already orders the eligible candidates strictly (talent: box 9 first), so dropping
    the verifier's exclusions and taking the first N is the same as ranking the rest afresh.
    """
    size = state.ruleset.shortlist_size[str(state.process.route)]
    confirmed = [c for c in state.candidates if c.decision == m.Decision.CONFIRMED and c.merit_rank is not None]
    return sorted(confirmed, key=lambda c: (c.merit_rank, c.pseudonym))[:size]


def store_ranking(state: ProcessState, ranking: list[m.Candidate]) -> None:
    """Write the round's shortlist ranks; clear the recommendation (a new round is voted afresh)."""
    rnd = state.process.round
    for c in state.candidates:
        c.shortlist_rank, c.recommended_rank, c.round = None, None, rnd
    for position, c in enumerate(ranking, start=1):
        c.shortlist_rank = position


def shortlist(
    session: so.Session, process_id: int, *, actor: User, now: dt.datetime, expected_basis: bytes | None = None
) -> m.Process:
    """Compute the shortlist (admin triggers; the system key signs).

    Statement ``process.shortlist`` (actor ``system``): ``{"requested_by", "round", "size",
    "ranking": [pseudonyms], "excluded": [pseudonyms excluded by the verifier]}``.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(str(Event.SHORTLIST), actor)
        ranking = computed_ranking(state)
        pending = dataclasses.replace(state.view, ranking=[c.pseudonym for c in ranking])
        step, _ = state.apply(Event.SHORTLIST, who, now, view=pending)
        store_ranking(state, ranking)
        state.participate(actor, who.role)
        state.log_step(
            step, now=now, user=None,
            data={
                "requested_by": requested_by(actor, who.role),
                "round": state.process.round,
                "size": state.ruleset.shortlist_size[str(state.process.route)],
                "ranking": [c.pseudonym for c in ranking],
                "excluded": sorted(c.pseudonym for c in state.candidates if c.decision == m.Decision.EXCLUDED),
            },
        )
    return state.process
