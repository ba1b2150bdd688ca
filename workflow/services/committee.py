"""The committee: seating members (admin), pledges and recusals (the member), forming it (admin)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.errors import NotFoundError
from workflow.lifecycle import TERMINAL_STAGES, Event, Role, Seat, Stage
from workflow.models import Employee, User
from workflow.models import process as m
from workflow.services._reasons import NotPermittedError, RefusedError, reason
from workflow.services._tx import ProcessState, begin, text_digest, transaction

SEAT = "seat_member"
PLEDGE = "sign_pledge"
RECUSE = "recuse"
_COMMITTEE_ACCOUNT_ROLES = (Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR)


def _draft_only(state: ProcessState, action: str) -> None:
    if state.process.status != Stage.DRAFT:
        raise RefusedError(action, [reason("committee.closed", stage=str(state.process.status))])


def _own_seat(state: ProcessState, action: str, user: User) -> m.CommitteeSeat:
    seat = state.seat_of(user)
    if seat is None or not user.is_active:
        raise NotPermittedError(action, [reason("role.not_seated", person=state.person(user), seat=str(Seat.MEMBER))])
    return seat


def seat_member(
    session: so.Session,
    process_id: int,
    *,
    actor: User,
    user_id: int,
    now: dt.datetime,
    seat: Seat | str = Seat.MEMBER,
    internal: bool | None = None,
    expected_basis: bytes | None = None,
) -> m.CommitteeSeat:
    """Seat an account on the committee (admin, while ``draft``).

    ``internal`` defaults to "the account is linked to an employee record or affiliated
    ``internal``". Statement ``committee.seat``: ``{"member": account id, "person", "seat",
    "internal"}``.

    Raises:
        NotFoundError: no such process or account.
        NotPermittedError: the actor is not an admin (or holds a conflicting duty here).
        RefusedError: not a draft, the account holds no committee role, or is already seated.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        admin = state.authorize(SEAT, actor, account_role=Role.ADMIN)
        member = session.get(User, user_id)
        if member is None:
            raise NotFoundError(f"account {user_id}")
        _draft_only(state, SEAT)
        problems = []
        if not any(member.has_role(r) for r in _COMMITTEE_ACCOUNT_ROLES) or not member.is_active:
            problems.append(reason("committee.account_not_eligible", user=str(user_id)))
        if state.seat_of(member) is not None:
            problems.append(reason("committee.already_seated", user=str(user_id)))
        if problems:
            raise RefusedError(SEAT, problems)
        is_internal = internal if internal is not None else (
            member.employee_id is not None or member.affiliation == "internal"
        )
        row = m.CommitteeSeat(
            process_id=state.process.id, user_id=member.id, seat=Seat(seat), internal=is_internal,
            seated_at=now, declared_ties=[], recused=False,
        )
        session.add(row)
        state.participate(actor, admin.role)
        state.log(
            "committee.seat", now=now, user=actor, role=admin.role,
            data={"member": str(member.id), "person": state.person(member), "seat": str(Seat(seat)),
                  "internal": is_internal},
        )
    return row


def sign_pledge(
    session: so.Session,
    process_id: int,
    *,
    actor: User,
    now: dt.datetime,
    declared_ties: Sequence[int] = (),
    expected_basis: bytes | None = None,
) -> m.CommitteeSeat:
    """The seated member signs the integrity pact and the conflict-of-interest declaration.

    ``declared_ties`` are employee ids the member is related to (kinship, party, ormas,
    reporting line; R14). Statement ``committee.pledge``: ``{"pact": true, "declaration": true,
    "ties": [pseudonyms]}`` — ties by pseudonym, so a tie to a later candidate shows in the log.

    Raises:
        NotPermittedError: the actor has no seat here, or no signing key.
        RefusedError: not a draft, or an unknown employee id.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        seat = _own_seat(state, PLEDGE, actor)
        role = Role.COMMITTEE_CHAIR if seat.seat == Seat.CHAIR else Role.COMMITTEE_MEMBER
        signer = state.user_signer(PLEDGE, actor)
        _draft_only(state, PLEDGE)
        ties = sorted(set(declared_ties))
        known = set(session.scalars(sa.select(Employee.id).where(Employee.id.in_(ties)))) if ties else set()
        if set(ties) - known:
            raise NotFoundError(f"employee(s) {sorted(set(ties) - known)}")
        seat.pact_signed_at = seat.declared_at = now
        seat.declared_ties = ties
        state.reload()
        state.log(
            "committee.pledge", now=now, user=actor, role=role, signer=signer,
            data={"pact": True, "declaration": True, "ties": sorted(state.person_of_employee(e) for e in ties)},
        )
    return seat


def recuse(
    session: so.Session,
    process_id: int,
    *,
    actor: User,
    reason_text: str,
    now: dt.datetime,
    expected_basis: bytes | None = None,
) -> m.CommitteeSeat:
    """The seated member recuses themself (any non-terminal stage); they keep the seat, lose the vote.

    Statement ``committee.recuse``: ``{"person", "reason_sha256"}`` (the reason may name people).
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        seat = _own_seat(state, RECUSE, actor)
        role = Role.COMMITTEE_CHAIR if seat.seat == Seat.CHAIR else Role.COMMITTEE_MEMBER
        signer = state.user_signer(RECUSE, actor)
        problems = []
        if state.process.status in TERMINAL_STAGES:
            problems.append(reason("stage.illegal_event", action=RECUSE, stage=str(state.process.status)))
        if seat.recused:
            problems.append(reason("committee.already_recused", person=state.person(actor)))
        if not reason_text.strip():
            problems.append(reason("committee.reason_required"))
        if problems:
            raise RefusedError(RECUSE, problems)
        seat.recused, seat.recusal_reason = True, reason_text.strip()
        state.log(
            "committee.recuse", now=now, user=actor, role=role, signer=signer,
            data={"person": state.person(actor), "reason_sha256": text_digest(reason_text.strip())},
        )
    return seat


def form_committee(
    session: so.Session, process_id: int, *, actor: User, now: dt.datetime, expected_basis: bytes | None = None
) -> m.Process:
    """``draft → committee_formed`` (admin): composition, pacts and declarations checked (R16).

    Statement ``process.form_committee``: ``{"members": [{"member", "person", "seat", "internal",
    "recused"}], "rules": {"min", "max", "internal_max_percent"}}``.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(str(Event.FORM_COMMITTEE), actor)
        step, _ = state.apply(Event.FORM_COMMITTEE, who, now)
        state.participate(actor, who.role)
        members = [
            {"member": str(s.user_id), "person": state.person(state.users[s.user_id]), "seat": str(s.seat),
             "internal": s.internal, "recused": s.recused}
            for s in state.seats
        ]
        committee = state.ruleset.committee
        state.log_step(
            step, now=now, user=actor,
            data={"members": members, "rules": {"min": committee.min_size, "max": committee.max_size,
                                                "internal_max_percent": str(committee.max_internal_percent)}},
        )
    return state.process
