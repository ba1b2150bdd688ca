"""Opening and cancelling a process."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow import ledger
from workflow.errors import NotFoundError
from workflow.lifecycle import TERMINAL_STAGES, Event, ProcessSnapshot, Role, Stage
from workflow.merit.evidence import SaltSource, new_process_secret
from workflow.merit.ruleset import load_published
from workflow.models import Position, User
from workflow.models import process as m
from workflow.services._reasons import NotPermittedError, RefusedError, reason
from workflow.services._tx import ProcessState, begin, process_rules, transaction

CURRENT_RULESET = "2026.1"
CREATE = "create_process"


def _open_process_id(session: so.Session, position_id: int) -> int | None:
    return session.scalar(
        sa.select(m.Process.id).where(
            m.Process.position_id == position_id, m.Process.status.not_in(list(TERMINAL_STAGES))
        )
    )


def create_process(
    session: so.Session,
    *,
    actor: User,
    position_id: int,
    route: str,
    now: dt.datetime,
    planned_appointment_on: dt.date | None = None,
    ppk_id: int | None = None,
    ruleset_id: str = CURRENT_RULESET,
    secret_source: SaltSource = os.urandom,
) -> m.Process:
    """Open a process (``draft``) for a vacant position, pinning the current rule set.

    Statement ``process.create`` (actor: the admin; from ``null`` to ``draft``).

    Args:
        planned_appointment_on: the date the second age cap is checked on (default: 90 days on).
        ppk_id: the account of the appointing authority for this process, if fixed now.
        secret_source: randomness for the pseudonym secret (tests and the demo pass a seeded one).

    Raises:
        NotFoundError: no such position.
        NotPermittedError: the actor is not an active admin, or has no signing key.
        RefusedError: unknown route, position not vacant, another open process, PPK without role.
    """
    with transaction(session):
        # The position row is the lock that serialises racing creations for one position.
        position = session.scalars(
            sa.select(Position).where(Position.id == position_id).with_for_update()
        ).one_or_none()
        if position is None:
            raise NotFoundError(f"position {position_id}")
        if not actor.is_active or not actor.has_role(Role.ADMIN):
            raise NotPermittedError(CREATE, [reason("role.not_permitted", role="-", action=CREATE)])
        ruleset = load_published(ruleset_id)
        problems = []
        if str(position.type) not in ruleset.position_types:
            # Without eligibility rules for the post type there is nothing to nominate from (e.g.
            # fungsional/pelaksana in 2026.1): refuse now rather than fail at nomination.
            problems.append(reason("process.position_type_unruled", position=position.code,
                                   type=str(position.type), ruleset=ruleset.id))
        if route not in tuple(str(r) for r in m.Route):
            problems.append(reason("process.route_unknown", route=route))
        if not position.is_vacant:
            problems.append(reason("process.position_not_vacant", position=position.code))
        busy = _open_process_id(session, position.id)
        if busy is not None:
            problems.append(reason("process.position_busy", position=position.code, process=busy))
        ppk = session.get(User, ppk_id) if ppk_id is not None else None
        if ppk_id is not None and (ppk is None or not ppk.has_role(Role.PPK)):
            problems.append(reason("process.ppk_not_ppk", user=str(ppk_id)))
        if problems:
            raise RefusedError(CREATE, problems)
        secret = new_process_secret(secret_source)
        process = m.Process(
            position_id=position.id, route=m.Route(route), ruleset_id=ruleset.id, ruleset_digest=ruleset.digest,
            status=Stage.DRAFT, pseudonym_secret=secret, preparer_id=actor.id, ppk_id=ppk_id, round=1,
            planned_appointment_on=planned_appointment_on or (now.date() + dt.timedelta(days=90)),
            created_at=now, updated_at=now,
        )
        session.add(process)
        session.flush()
        state = ProcessState(
            session=session, process=process, ruleset=ruleset, rules=process_rules(ruleset), seats=[],
            candidates=[], users={}, nips={}, view=ProcessSnapshot(), basis=ledger.process_basis(session, process.id),
        )
        signer = state.user_signer(CREATE, actor)
        state.participate(actor, Role.ADMIN)
        state.log(
            "process.create",
            now=now,
            user=actor,
            role=Role.ADMIN,
            signer=signer,
            states=(None, str(Stage.DRAFT)),
            data={
                "position": position.code,
                "route": route,
                "ruleset": ruleset.pin(),
                # Commits to the pseudonym secret before any snapshot (merit/evidence.py).
                "secret_sha256": hashlib.sha256(secret).hexdigest(),
                "ppk": None if ppk_id is None else str(ppk_id),
                "planned_appointment_on": process.planned_appointment_on.isoformat(),
            },
        )
    return process


def cancel_process(
    session: so.Session,
    process_id: int,
    *,
    actor: User,
    reason_text: str,
    now: dt.datetime,
    expected_basis: bytes | None = None,
) -> m.Process:
    """Cancel a process from any non-terminal stage, with a reason (admin or PPK).

    Statement ``process.cancel``, data ``{"reason"}``. Only the canceller's own conflicts of duty
    block it, so a tainted process can always be stopped.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        actor_ = state.authorize(str(Event.CANCEL), actor)
        step, _ = state.apply(Event.CANCEL, actor_, now, reason=reason_text)
        state.process.cancel_reason = reason_text.strip()
        state.participate(actor, actor_.role)
        state.log_step(step, now=now, user=actor, data={"reason": reason_text.strip()})
    return state.process

