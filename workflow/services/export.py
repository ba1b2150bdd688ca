"""The bundle with the evidence records of the exported processes (what an inspector replays).

``workflow.ledger.export_bundle`` ships whatever evidence its caller selects; this module selects
the candidates' sealed records (``Candidate.evidence``, the RFC 8785 bytes with their salt) and
keys each by the digest **recomputed from the stored bytes** (``audit.bundle.evidence_digest``),
never by the stored digest column: a record edited in the database after the snapshot then no
longer matches the digest the nomination statement recorded, and the replay names it (R8),
while the bundle itself stays well-formed.

Read-only: no statement is appended.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from audit.bundle import EvidenceRecord as BundleEvidence
from audit.bundle import evidence_digest
from workflow import ledger
from workflow.merit.evidence import EvidenceError, EvidenceRecord, to_bundle_evidence
from workflow.models import process as m


def candidate_evidence(rows: Iterable[m.Candidate]) -> dict[str, BundleEvidence]:
    """Digest (recomputed) → bundle evidence for candidate rows; unreadable records are left out
    (the replay then reports them missing, which is what they are)."""
    out: dict[str, BundleEvidence] = {}
    for row in rows:
        try:
            record = json.loads(bytes(row.evidence))
            entry = to_bundle_evidence(EvidenceRecord(record=record, digest=row.evidence_digest))
            out[evidence_digest(entry.salt, entry.data)] = entry
        except (ValueError, TypeError, EvidenceError):
            continue
    return out


def process_evidence(session: so.Session, process_ids: Sequence[int] | None = None) -> dict[str, BundleEvidence]:
    """The evidence records of the given processes (``None``: every process)."""
    query = sa.select(m.Candidate).order_by(m.Candidate.process_id, m.Candidate.pseudonym)
    if process_ids is not None:
        query = query.where(m.Candidate.process_id.in_(list(process_ids)))
    return candidate_evidence(session.scalars(query))


def export_bundle_with_evidence(session: so.Session, process_id: int | None = None) -> bytes:
    """``ledger.export_bundle`` plus the evidence of the exported process (or of every process).

    Raises:
        NotFoundError: no checkpoint yet, or the process has no checkpointed entry.
    """
    evidence = process_evidence(session, None if process_id is None else [process_id])
    return ledger.export_bundle(session, process_id, evidence=evidence)
