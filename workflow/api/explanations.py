"""The caller's own explanations: their result in each process they were evaluated in.

The evaluation is re-run from the sealed evidence records with the inputs the nomination entry
pinned (position facts, dates, route, rule set), and must reproduce the process's snapshot digest
(the one the log committed to) before anything is shown: same source of truth as the ASN page
and the compliance replay (DESIGN.md §3).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import sqlalchemy as sa

from audit.entry import parse_leaf_unverified
from workflow import ledger
from workflow.errors import NotFoundError
from workflow.extensions import db
from workflow.merit.evaluation import Evaluation
from workflow.merit.evidence import EvidenceRecord, evaluate, position_from_dict
from workflow.merit.explain import explain
from workflow.merit.facts import ProcessDates
from workflow.models import Position
from workflow.models import process as m
from workflow.models.ledger import LogLeaf
from workflow.services._tx import pinned_ruleset

NOMINATE_ACTION = "process.nominate_pool"


class EvaluationMismatchError(Exception):
    """The stored evidence no longer reproduces the evaluation the log committed to."""


def nomination_entry(process_id: int) -> tuple[int, dict[str, Any]]:
    """``(seq, data)`` of the process's nomination statement."""
    rows = db.session.execute(
        sa.select(LogLeaf.seq, LogLeaf.leaf)
        .where(LogLeaf.process_key == ledger.process_key(process_id))
        .order_by(LogLeaf.seq)
    )
    for seq, leaf in rows:
        statement = parse_leaf_unverified(bytes(leaf)).statement_unverified()
        if statement.action == NOMINATE_ACTION:
            return int(seq), dict(statement.data)
    raise NotFoundError(f"process {process_id} has no nomination entry")


def stored_evaluation(process: m.Process, data: dict[str, Any]) -> Evaluation:
    rows = db.session.execute(
        sa.select(m.Candidate.evidence, m.Candidate.evidence_digest).where(m.Candidate.process_id == process.id)
    ).all()
    records = [EvidenceRecord(json.loads(bytes(evidence)), digest) for evidence, digest in rows]
    dates = ProcessDates(
        registration=_date(data["dates"]["registration"]), appointment=_date(data["dates"]["appointment"])
    )
    ruleset = pinned_ruleset(process.ruleset_id, process.ruleset_digest)
    evaluation = evaluate(records, position_from_dict(data["position"]), ruleset, dates, route=str(data["route"]))
    if hashlib.sha256(evaluation.canonical_bytes()).hexdigest() != process.snapshot_digest:
        raise EvaluationMismatchError(f"process {process.id}: evidence does not reproduce the snapshot digest")
    return evaluation


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def own_explanations(employee_id: int, *, lang: str) -> list[dict[str, Any]]:
    """One item per process in which ``employee_id`` was evaluated, by process id."""
    rows = db.session.execute(
        sa.select(m.Candidate, m.Process, Position)
        .join(m.Process, m.Process.id == m.Candidate.process_id)
        .join(Position, Position.id == m.Process.position_id)
        .where(m.Candidate.employee_id == employee_id)
        .order_by(m.Process.id)
    ).all()
    out = []
    for candidate, process, position in rows:
        seq, data = nomination_entry(process.id)
        evaluation = stored_evaluation(process, data)
        ruleset = pinned_ruleset(process.ruleset_id, process.ruleset_digest)
        explanation = explain(evaluation, candidate.pseudonym, ruleset, lang=lang)
        out.append({
            "process_id": process.id, "process_status": str(process.status),
            "position": {"id": position.id, "code": position.code, "title": position.title,
                         "type": str(position.type), "is_vacant": position.is_vacant},
            "evidence_digest": candidate.evidence_digest, "entry_seq": seq, "explanation": explanation.to_dict(),
        })
    return out
