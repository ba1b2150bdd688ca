"""Objections (sanggahan): filed by the candidate, answered by the chair, then the window is closed
(``resolve_objections``) or, when one is upheld, the shortlist reopened with a new ranking."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.clock import utc
from workflow.errors import NotFoundError
from workflow.lifecycle import Event, Reason, Stage
from workflow.lifecycle.roles import ANSWER_OBJECTION, FILE_OBJECTION
from workflow.models import User
from workflow.models import process as m
from workflow.services._reasons import NotPermittedError, RefusedError, reason
from workflow.services._tx import ProcessState, begin, iso_time, text_digest, transaction
from workflow.services.shortlist import computed_ranking, store_ranking


def _announced(state: ProcessState) -> list[Reason]:
    if state.process.status != Stage.ANNOUNCED:
        return [reason("objection.stage_closed", stage=str(state.process.status))]
    return []


def file_objection(
    session: so.Session,
    process_id: int,
    *,
    actor: User,
    text: str,
    now: dt.datetime,
    expected_basis: bytes | None = None,
) -> m.Objection:
    """An ASN objects to the result of their own candidacy, inside the window, signing with their key.

    Statement ``objection.file``: ``{"objection", "round", "candidate": pseudonym, "text_sha256"}``
    (the text stays in the database: it names the objector).

    Raises:
        NotPermittedError: no ``asn`` role, not a candidate of this process, or no signing key.
        RefusedError: not ``announced``, window closed, empty text.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(FILE_OBJECTION, actor)
        candidate = None
        if actor.employee_id is not None:
            candidate = session.scalars(
                sa.select(m.Candidate).where(
                    m.Candidate.process_id == state.process.id, m.Candidate.employee_id == actor.employee_id
                )
            ).one_or_none()
        if candidate is None:
            raise NotPermittedError(FILE_OBJECTION, [reason("objection.not_candidate")])
        signer = state.user_signer(FILE_OBJECTION, actor)
        problems = _announced(state)
        ends_at = utc(state.process.objection_window_ends_at)
        if not problems and (ends_at is None or now >= ends_at):
            problems.append(reason("objection.window_closed", ends_at=iso_time(ends_at) or "-"))
        if not text.strip():
            problems.append(reason("objection.text_required"))
        if problems:
            raise RefusedError(FILE_OBJECTION, problems)
        row = m.Objection(
            process_id=state.process.id, candidate_id=candidate.id, filed_by_id=actor.id,
            round=state.process.round, text=text.strip(), filed_at=now,
        )
        session.add(row)
        session.flush()
        state.log(
            "objection.file", now=now, user=actor, role=who.role, signer=signer,
            data={"objection": str(row.id), "round": row.round, "candidate": candidate.pseudonym,
                  "text_sha256": text_digest(row.text)},
        )
    return row


def answer_objection(
    session: so.Session,
    process_id: int,
    objection_id: int,
    *,
    actor: User,
    upheld: bool,
    answer: str,
    now: dt.datetime,
    expected_basis: bytes | None = None,
) -> m.Objection:
    """The chair answers an objection of the current round: upheld or rejected, with a text.

    Statement ``objection.answer``: ``{"objection", "candidate", "outcome": "upheld"|"rejected",
    "answer_sha256"}``.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(ANSWER_OBJECTION, actor)
        signer = state.user_signer(ANSWER_OBJECTION, actor)
        row = session.get(m.Objection, objection_id)
        if row is None or row.process_id != state.process.id or row.round != state.process.round:
            raise NotFoundError(f"objection {objection_id} of process {process_id}")
        problems = _announced(state)
        if row.upheld is not None:
            problems.append(reason("objection.already_answered", objection=str(row.id)))
        if not answer.strip():
            problems.append(reason("objection.answer_required"))
        if problems:
            raise RefusedError(ANSWER_OBJECTION, problems)
        row.upheld, row.answer, row.answered_at, row.answered_by_id = bool(upheld), answer.strip(), now, actor.id
        candidate = session.get(m.Candidate, row.candidate_id)
        assert candidate is not None
        state.log(
            "objection.answer", now=now, user=actor, role=who.role, signer=signer,
            data={"objection": str(row.id), "candidate": candidate.pseudonym,
                  "outcome": "upheld" if upheld else "rejected", "answer_sha256": text_digest(row.answer)},
        )
    return row


def resolve_objections(
    session: so.Session, process_id: int, *, actor: User, now: dt.datetime, expected_basis: bytes | None = None
) -> m.Process:
    """``announced → objections_resolved`` (chair): the window has closed and every objection is answered.

    Statement ``process.resolve_objections``: ``{"round", "objections": [{"objection", "outcome"}]}``.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(str(Event.RESOLVE_OBJECTIONS), actor)
        step, _ = state.apply(Event.RESOLVE_OBJECTIONS, who, now)
        state.participate(actor, who.role)
        answered = [{"objection": o.objection_id, "outcome": str(o.outcome)} for o in state.view.objections]
        state.log_step(step, now=now, user=actor, data={"round": state.process.round, "objections": answered})
    return state.process


def reopen_shortlist(
    session: so.Session, process_id: int, *, actor: User, now: dt.datetime, expected_basis: bytes | None = None
) -> m.Process:
    """Upheld objection → ``shortlisted`` again, in a new round with a new, computed ranking (chair).

    An objector whom the verifier had excluded is reinstated (their upheld objection overrules the
    exclusion); the ranking is then recomputed exactly as ``shortlist`` does. A correction of the
    merit data itself needs a new process on a new snapshot. Votes, recommendation and window of
    the old round stay in the log; the new round is voted afresh. Statement
    ``process.reopen_shortlist``: ``{"round", "upheld": [ids], "reinstated": [pseudonyms],
    "ranking": [pseudonyms]}``.
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(str(Event.REOPEN_SHORTLIST), actor)
        step, _ = state.apply(Event.REOPEN_SHORTLIST, who, now)
        process = state.process
        upheld = list(session.scalars(
            sa.select(m.Objection).where(
                m.Objection.process_id == process.id, m.Objection.round == process.round, m.Objection.upheld.is_(True)
            ).order_by(m.Objection.id)
        ))
        objectors = {o.candidate_id for o in upheld}
        reinstated = []
        for c in state.candidates:
            if c.id in objectors and c.decision == m.Decision.EXCLUDED:
                c.decision, c.exclusion_reason = m.Decision.CONFIRMED, None
                c.verification_note = f"reinstated: objection upheld in round {process.round}"
                reinstated.append(c.pseudonym)
        process.round += 1
        process.committee_decided_at = process.objection_window_ends_at = None
        ranking = computed_ranking(state)
        store_ranking(state, ranking)
        state.participate(actor, who.role)
        state.log_step(
            step, now=now, user=actor,
            data={"round": process.round, "upheld": [str(o.id) for o in upheld], "reinstated": sorted(reinstated),
                  "ranking": [c.pseudonym for c in ranking]},
        )
    return state.process
