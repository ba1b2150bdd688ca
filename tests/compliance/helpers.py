"""Helpers for the compliance tests: drive processes through the services, export, replay.

Manipulations are made the way an insider would: SQL updates and inserts on the live tables,
never through the services, so the log is left to tell on them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import rfc8785
import sqlalchemy as sa

from tests.services.helpers import D, World, at
from workflow import ledger, services
from workflow.compliance import ComplianceResult, Finding, run
from workflow.compliance.history import histories_from_leaves
from workflow.keystore import get_keystore
from workflow.lifecycle import Stage
from workflow.models import process as m
from workflow.services.export import export_bundle_with_evidence

AFTER_WINDOW = at(10) + dt.timedelta(days=6)
DECREE_DATE = D(2026, 3, 9)


def appoint(world: World, *, rank: int = 1, justification: str = "", decree_date: dt.date = DECREE_DATE,
            minute: int = 60) -> None:
    """Appoint the recommendation's candidate at ``rank`` (process must be objections_resolved)."""
    recommendation = [c.pseudonym for c in sorted((c for c in world.pool() if c.recommended_rank),
                                                  key=lambda c: c.recommended_rank or 0)]
    services.appoint(world.session, world.process_id, actor=world.ppk, appointee=recommendation[rank - 1],
                     decree_number="821.2/001/2026", decree_date=decree_date, justification=justification,
                     now=AFTER_WINDOW + dt.timedelta(minutes=minute))


def appointed(world: World, **kwargs: object) -> int:
    """A fresh process driven to ``appointed`` the ordinary way; returns its id."""
    world.advance(Stage.OBJECTIONS_RESOLVED)
    appoint(world, **kwargs)  # type: ignore[arg-type]
    return world.process_id


def export(world: World, process_id: int | None = None) -> bytes:
    """Sign a checkpoint over the whole log and export the bundle with evidence."""
    s = world.session
    ledger.checkpoint(s, get_keystore().log_signer(), at(10_000))
    s.commit()
    return export_bundle_with_evidence(s, process_id)


def replay(world: World, process_id: int | None = None) -> ComplianceResult:
    return run(export(world, process_id), vkey=get_keystore().log_vkey())


def hard(result: ComplianceResult, process: int | None = None) -> list[Finding]:
    return [f for f in result.findings if f.severity == "hard" and (process is None or f.process == process)]


def rules(findings: Sequence[Finding]) -> set[tuple[str, str]]:
    return {(f.rule, f.key) for f in findings}


def entry_index(world: World, process_id: int, action: str, nth: int = 0) -> int:
    """The log index of the ``nth`` entry with ``action`` of the process."""
    leaves = ledger.read_leaves(world.session, 0, ledger.log_size(world.session))
    history = histories_from_leaves(leaves)[process_id]
    return history.all(action)[nth].index


def tamper_evidence(world: World, candidate: m.Candidate, **changes: object) -> None:
    """An insider rewrites a candidate's sealed record (e.g. a better golongan) in the database."""
    record = json.loads(bytes(candidate.evidence))
    record["employee"].update(changes)
    world.session.execute(sa.update(m.Candidate).where(m.Candidate.id == candidate.id)
                          .values(evidence=rfc8785.dumps(record)))
    world.session.commit()
