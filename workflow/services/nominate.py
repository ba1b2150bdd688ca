"""``committee_formed → pool_nominated``: the pool computed from a locked merit snapshot (system-signed)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from audit import canonical
from workflow.lifecycle import Event
from workflow.lifecycle.rules import next_stage
from workflow.merit.evaluation import CandidateResult
from workflow.merit.evidence import SaltSource, position_to_dict
from workflow.merit.facts import ProcessDates
from workflow.merit.numbers import text
from workflow.models import Employee, User
from workflow.models import process as m
from workflow.nomination import nominate
from workflow.services._reasons import RefusedError, reason
from workflow.services._tx import begin, iso_time, requested_by, transaction


def _result_summary(c: CandidateResult) -> dict[str, Any]:
    """What the log says about one candidate: outcomes and published numbers, no personal data."""
    return {
        "candidate": c.pseudonym,
        "eligible": c.eligible,
        "outcome": c.outcome,
        "rank": c.rank,
        "box": c.placement.box,
        "jpm": text(c.jpm.percent) if c.jpm else None,
        "composite": text(c.composite.total),
        "failed": [r.rule for r in c.failed],
    }


def nominate_pool(
    session: so.Session,
    process_id: int,
    *,
    actor: User,
    now: dt.datetime,
    expected_basis: bytes | None = None,
    salt_source: SaltSource = os.urandom,
) -> m.Process:
    """Compute the pool now (admin triggers; the system key signs the result).

    The snapshot is taken inside this transaction: SQL coarse filter, evidence records sealed with
    fresh salts, evaluation from the records (``workflow.nomination``). Every evaluated employee
    gets a candidate row (for their explanation page); the merit-eligible, rankable ones form the
    pool (``in_pool``). Statement ``process.nominate_pool`` (actor ``system``): ``{"requested_by",
    "ruleset", "position", "route", "dates", "snapshot_at", "evaluation_sha256", "evidence":
    {pseudonym: digest}, "results": [...], "pool": [pseudonyms by rank], "flags"}``.

    Raises:
        NotPermittedError: not an admin, or a conflict of the actor's own duties.
        RefusedError: wrong stage; too few candidates; a member is a candidate or tied to one
            without recusal (the committee checks run again now that the pool is known).
    """
    with transaction(session):
        state = begin(session, process_id, expected_basis=expected_basis)
        who = state.authorize(str(Event.NOMINATE_POOL), actor)
        process = state.process
        if next_stage(process.status, Event.NOMINATE_POOL) is None:  # before the (costly) snapshot
            stage = str(process.status)
            raise RefusedError(str(Event.NOMINATE_POOL), [reason("stage.illegal_event", action="nominate_pool",
                                                                  stage=stage)])
        registration = now.astimezone(state.rules.local_tz).date()
        dates = ProcessDates(registration, max(process.planned_appointment_on, registration))
        result = nominate(
            session, process.position_id, state.ruleset, dates, route=str(process.route),
            secret=process.pseudonym_secret, salt_source=salt_source,
        )
        evaluation = result.evaluation
        snapshot_digest = hashlib.sha256(evaluation.canonical_bytes()).hexdigest()
        ranked = [c for c in evaluation.candidates if c.rank is not None]
        pending = dataclasses.replace(
            state.view, candidates=frozenset(c.pseudonym for c in ranked), pool_snapshot_digest=snapshot_digest
        )
        step, flow = state.apply(Event.NOMINATE_POOL, who, now, view=pending)
        flags = sorted(set(evaluation.flags) | {r.code for r in flow.flags(Event.NOMINATE_POOL)})

        nips = [str(r.record["employee"]["nip"]) for r in result.records]
        employee_ids = dict(
            session.execute(sa.select(Employee.nip, Employee.id).where(Employee.nip.in_(nips))).all()
        ) if nips else {}
        for record in result.records:
            c = evaluation.candidate(record.pseudonym)
            session.add(
                m.Candidate(
                    process_id=process.id, employee_id=employee_ids[str(record.record["employee"]["nip"])],
                    pseudonym=c.pseudonym, evidence=canonical.dumps(dict(record.record)),
                    evidence_digest=record.digest, result=canonical.dumps(c.to_dict()), eligible=c.eligible,
                    outcome=c.outcome, merit_rank=c.rank, box=c.placement.box,
                    jpm=text(c.jpm.percent) if c.jpm else None, composite=text(c.composite.total),
                    in_pool=c.rank is not None,
                )
            )
        process.snapshot_at, process.snapshot_digest = now, snapshot_digest
        state.participate(actor, who.role)
        state.log_step(
            step, now=now, user=None,
            data={
                "requested_by": requested_by(actor, who.role),
                "ruleset": state.ruleset.pin(),
                "position": position_to_dict(result.position),
                "route": str(process.route),
                "dates": {"registration": dates.registration.isoformat(), "appointment": dates.appointment.isoformat()},
                "snapshot_at": iso_time(now),
                "evaluation_sha256": snapshot_digest,
                "evidence": {r.pseudonym: r.digest for r in result.records},
                "results": [_result_summary(c) for c in evaluation.candidates],
                "pool": [c.pseudonym for c in ranked],
                "flags": flags,
            },
        )
    return state.process
