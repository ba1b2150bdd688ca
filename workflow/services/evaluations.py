"""The stored evaluation of a process: re-run from the sealed evidence, checked against the log.

Read-only (no lock, no write). The nomination's evaluation is recomputed from the sealed evidence
records and the inputs pinned by the ``process.nominate_pool`` statement with the same pure
function the nomination ran (``workflow.merit.evidence.evaluate``), and accepted only when it
reproduces the process's snapshot digest — and the statement's ``evaluation_sha256`` — byte for
byte, so what a page or the API shows is what decided. Used by the ASN pages and ``/api/v1/me``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa
import sqlalchemy.orm as so

from audit.entry import UnverifiedStatement, parse_leaf_unverified
from audit.errors import AuditError
from workflow import ledger
from workflow.errors import NotFoundError
from workflow.merit.evaluation import Evaluation
from workflow.merit.evidence import EvidenceError, EvidenceRecord, evaluate, position_from_dict
from workflow.merit.facts import ProcessDates
from workflow.merit.ruleset import RuleSet, RuleSetError
from workflow.models import process as m
from workflow.models.ledger import LogLeaf
from workflow.services import _tx

NOMINATE_ACTION: Final = "process.nominate_pool"


@dataclass(frozen=True, slots=True)
class NominationEntry:
    """The log entry that committed to every evidence digest of a process."""

    index: int
    leaf: bytes
    leaf_hash: bytes
    statement: UnverifiedStatement


def nomination_entry(session: so.Session, process_id: int) -> NominationEntry:
    """The process's ``process.nominate_pool`` entry (NotFoundError before the nomination)."""
    rows = session.execute(
        sa.select(LogLeaf.seq, LogLeaf.leaf, LogLeaf.leaf_hash)
        .where(LogLeaf.process_key == ledger.process_key(process_id))
        .order_by(LogLeaf.seq)
    )
    for seq, leaf, leaf_hash in rows:
        try:
            statement = parse_leaf_unverified(bytes(leaf)).statement_unverified()
        except (AuditError, ValueError):
            continue  # a damaged entry: the inspector's verification reports it
        if statement.action == NOMINATE_ACTION:
            return NominationEntry(int(seq), bytes(leaf), bytes(leaf_hash), statement)
    raise NotFoundError(f"process {process_id} has no nomination entry in the log")


class StoredEvaluationError(Exception):
    """The stored evidence does not reproduce the evaluation the log committed to."""


_EVALUATIONS: OrderedDict[str, Evaluation] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE: Final = 16


def pinned_ruleset(process: m.Process) -> RuleSet:
    """The rule set the process pinned (RuleSetError if the published file no longer has that digest)."""
    return _tx.pinned_ruleset(process.ruleset_id, process.ruleset_digest)


def stored_evaluation(session: so.Session, process: m.Process, entry: NominationEntry) -> Evaluation:
    """Re-run the nomination's evaluation from the sealed records and the statement's pinned inputs.

    Cached by snapshot digest: a verified evaluation is a pure function of that digest.

    Raises:
        StoredEvaluationError: records missing or altered, or the result differs from the
            snapshot digest the process (and the log) recorded.
    """
    digest = process.snapshot_digest
    if digest is None:
        raise StoredEvaluationError("the process has no snapshot")
    with _CACHE_LOCK:
        cached = _EVALUATIONS.get(digest)
        if cached is not None:
            _EVALUATIONS.move_to_end(digest)
            return cached
    data = entry.statement.data
    rows = session.execute(
        sa.select(m.Candidate.pseudonym, m.Candidate.evidence, m.Candidate.evidence_digest)
        .where(m.Candidate.process_id == process.id)
        .order_by(m.Candidate.pseudonym)
    ).all()
    committed = data.get("evidence")
    if not isinstance(committed, Mapping) or dict(committed) != {p: d for p, _, d in rows}:
        raise StoredEvaluationError("the stored evidence digests differ from those in the nomination entry")
    try:
        records = [EvidenceRecord(json.loads(bytes(raw)), d) for _, raw, d in rows]
        position = position_from_dict(data["position"])
        dates = ProcessDates(
            dt.date.fromisoformat(data["dates"]["registration"]), dt.date.fromisoformat(data["dates"]["appointment"])
        )
        evaluation = evaluate(records, position, pinned_ruleset(process), dates, route=str(data["route"]))
    except (EvidenceError, RuleSetError, KeyError, TypeError, ValueError) as exc:
        raise StoredEvaluationError(f"the stored evidence cannot be evaluated: {exc}") from exc
    if hashlib.sha256(evaluation.canonical_bytes()).hexdigest() != digest or data.get("evaluation_sha256") != digest:
        raise StoredEvaluationError("the re-evaluation does not reproduce the snapshot digest")
    with _CACHE_LOCK:
        _EVALUATIONS[digest] = evaluation
        while len(_EVALUATIONS) > _CACHE_SIZE:
            _EVALUATIONS.popitem(last=False)
    return evaluation
