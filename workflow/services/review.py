"""The committee review: commit–reveal votes (members) and closing the round (chair).

Votes are actions, not transitions: each is a signed statement of its own. A round has a commit
phase and a reveal phase (``workflow.lifecycle.votes``): reveals wait until every voter has
committed (derived from the commits, no statement) or the chair opens the reveal phase with a
quorum of commitments (:func:`open_reveal`, statement ``vote.open_reveal``); from then on commits
are refused. The chair's ``review`` tallies the valid votes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping

import sqlalchemy.orm as so

from workflow.errors import NotFoundError
from workflow.lifecycle import Context, Event, PersonId
from workflow.lifecycle import votes as ballots
from workflow.lifecycle.committee import quorum_required, voters
from workflow.lifecycle.roles import COMMIT_VOTE, OPEN_REVEAL, REVEAL_VOTE
from workflow.models import Employee, User
from workflow.models import process as m
from workflow.services._reasons import RefusedError, reason
from workflow.services._tx import ProcessState, begin, person_key, transaction

_HEX64 = re.compile(r"[0-9a-f]{64}")


def member_person(session: so.Session, process_id: int, user: User) -> PersonId:
    """The person id a member's ballot names (the ``member`` field of the commitment)."""
    process = session.get(m.Process, process_id)
    if process is None:
        raise NotFoundError(f"process {process_id}")
    nip = session.get(Employee, user.employee_id).nip if user.employee_id is not None else None
    return person_key(process.pseudonym_secret, user.id, nip)


def ballot_commitment(
    session: so.Session, process_id: int, *, member: User, scores: Mapping[str, int], reason_text: str, nonce: str
) -> str:
    """The commitment a member submits for this ballot (computed where the ballot is kept secret)."""
    return ballots.commitment(member_person(session, process_id, member), dict(scores), reason_text, nonce)


def _seat(state: ProcessState, user: User) -> m.CommitteeSeat:
    seat = state.seat_of(user)
    assert seat is not None  # authorize() checked the seat
    return seat


def commit_vote(
    session: so.Session,
    process_id: int,
    *,
    actor: User,
    commitment: str,
    now: dt.datetime,
    expected_basis: bytes | None = None,
) -> m.VoteCommit:
    """A seated, unrecused member commits to a ballot (stage ``shortlisted``; once per round).

    Statement ``vote.commit``: ``{"round", "member": person, "commitment"}``.

    Raises:
        NotPermittedError: not seated, recused, a conflict of duties, or no signing key.
        RefusedError: ``votes.stage_closed``, ``votes.commits_closed`` (the reveal phase is open),
            ``votes.already_committed``,
            or a commitment that is not 64 lowercase hex digits (``votes.malformed``).
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(COMMIT_VOTE, actor)
        signer = state.user_signer(COMMIT_VOTE, actor)
        problems = ballots.commit_blockers(state.view, Context(actor=who, now=now, rules=state.rules))
        if not isinstance(commitment, str) or _HEX64.fullmatch(commitment) is None:
            problems.append(reason("votes.malformed", person=who.person, detail="commitment must be 64 hex digits"))
        if problems:
            raise RefusedError(COMMIT_VOTE, problems)
        row = m.VoteCommit(
            process_id=state.process.id, seat_id=_seat(state, actor).id, round=state.process.round,
            digest=commitment, committed_at=now,
        )
        session.add(row)
        state.log(
            "vote.commit", now=now, user=actor, role=who.role, signer=signer,
            data={"round": state.process.round, "member": who.person, "commitment": commitment},
        )
    return row


def reveal_vote(
    session: so.Session,
    process_id: int,
    *,
    actor: User,
    scores: Mapping[str, int],
    reason_text: str,
    nonce: str,
    now: dt.datetime,
    expected_basis: bytes | None = None,
) -> m.VoteReveal:
    """Reveal the committed ballot: integer scores for exactly the shortlisted pseudonyms, reason, nonce.

    Statement ``vote.reveal``: ``{"round", "member", "scores", "reason", "nonce"}`` — enough for
    anyone to recompute the commitment.

    Raises:
        RefusedError: ``votes.reveal_not_open`` (still the commit phase), no commitment, mismatch,
            malformed or incomplete ballot, already revealed.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(REVEAL_VOTE, actor)
        signer = state.user_signer(REVEAL_VOTE, actor)
        ballot = dict(scores)
        problems = ballots.reveal_blockers(
            state.view, Context(actor=who, now=now, rules=state.rules), ballot, reason_text, nonce
        )
        if problems:
            raise RefusedError(REVEAL_VOTE, problems)
        row = m.VoteReveal(
            process_id=state.process.id, seat_id=_seat(state, actor).id, round=state.process.round,
            scores=ballot, reason=reason_text, nonce=nonce, revealed_at=now,
        )
        session.add(row)
        state.log(
            "vote.reveal", now=now, user=actor, role=who.role, signer=signer,
            data={"round": state.process.round, "member": who.person, "scores": ballot, "reason": reason_text,
                  "nonce": nonce},
        )
    return row


def open_reveal(
    session: so.Session, process_id: int, *, actor: User, now: dt.datetime, expected_basis: bytes | None = None
) -> m.RevealOpening:
    """The chair ends the commit phase of the current round before every member has committed.

    Needs at least a quorum of commitments from voters, so the round can still be decided. Once
    every voter has committed the phase is open without this call (nothing is recorded then).
    Statement ``vote.open_reveal``: ``{"round", "committed": [persons], "quorum": {"seated",
    "required"}}``.

    Raises:
        NotPermittedError: not the chair of this process, recused, a conflict of duties, no key.
        RefusedError: ``votes.stage_closed``, ``votes.reveal_already_open``,
            ``votes.open_reveal_too_few``.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(OPEN_REVEAL, actor)
        signer = state.user_signer(OPEN_REVEAL, actor)
        view = state.view
        problems = ballots.open_reveal_blockers(view, Context(actor=who, now=now, rules=state.rules))
        if problems:
            raise RefusedError(OPEN_REVEAL, problems)
        row = m.RevealOpening(
            process_id=state.process.id, round=state.process.round, seat_id=_seat(state, actor).id, opened_at=now,
        )
        session.add(row)
        eligible = voters(view.members)
        seated = len(view.members)
        state.log(
            "vote.open_reveal", now=now, user=actor, role=who.role, signer=signer,
            data={
                "round": state.process.round,
                "committed": sorted({c.member for c in view.commits if c.member in eligible}),
                "quorum": {"seated": seated, "required": quorum_required(seated, state.rules)},
            },
        )
    return row


def close_review(
    session: so.Session, process_id: int, *, actor: User, now: dt.datetime, expected_basis: bytes | None = None
) -> m.Process:
    """``shortlisted → committee_reviewed`` (chair): tally valid votes, record the recommendation.

    The recommendation orders the shortlist by the valid ballots' total score, ties by shortlist
    rank. Statement ``process.review``: ``{"round", "valid_votes": [persons], "totals":
    {pseudonym: int}, "recommendation": [pseudonyms], "quorum": {"seated", "required"}}``.

    Raises:
        RefusedError: quorum not met, invalid votes, composition no longer valid.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(str(Event.REVIEW), actor)
        view = state.view
        valid, _ = ballots.tally(view)
        totals = {p: sum(r.scores.get(p, 0) for r in view.reveals if r.member in valid) for p in view.ranking}
        order = {p: i for i, p in enumerate(view.ranking)}
        recommendation = sorted(view.ranking, key=lambda p: (-totals[p], order[p]))
        pending = dataclasses.replace(view, recommendation=recommendation, committee_decided_at=now)
        step, _ = state.apply(Event.REVIEW, who, now, view=pending)
        ranks = {p: i for i, p in enumerate(recommendation, start=1)}
        for c in state.candidates:
            c.recommended_rank = ranks.get(c.pseudonym)
        state.process.committee_decided_at = now
        state.participate(actor, who.role)
        seated = len(view.members)
        state.log_step(
            step, now=now, user=actor,
            data={
                "round": state.process.round,
                "valid_votes": sorted(valid),
                "totals": totals,
                "recommendation": recommendation,
                "quorum": {"seated": seated, "required": quorum_required(seated, state.rules)},
            },
        )
    return state.process

