"""The caller's own explanations: their result in each process they were evaluated in.

The evaluation is re-run from the sealed evidence records with the inputs the nomination entry
pinned (position facts, dates, route, rule set), and must reproduce the process's snapshot digest
(the one the log committed to) before anything is shown: same source of truth as the ASN page
and the compliance replay (DESIGN.md §3); the re-run and its checks live in
``workflow.services.evaluations``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from workflow.extensions import db
from workflow.merit.explain import explain
from workflow.models import Position
from workflow.models import process as m
from workflow.services.evaluations import nomination_entry, pinned_ruleset, stored_evaluation


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
        entry = nomination_entry(db.session, process.id)
        evaluation = stored_evaluation(db.session, process, entry)
        ruleset = pinned_ruleset(process)
        explanation = explain(evaluation, candidate.pseudonym, ruleset, lang=lang)
        out.append({
            "process_id": process.id, "process_status": str(process.status),
            "position": {"id": position.id, "code": position.code, "title": position.title,
                         "type": str(position.type), "is_vacant": position.is_vacant},
            "evidence_digest": candidate.evidence_digest, "entry_seq": entry.index,
            "explanation": explanation.to_dict(),
        })
    return out
