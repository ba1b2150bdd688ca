"""Read-only queries behind the inspector's pages (``/inspektur``): log status, verification, timelines.

Web layer (Flask, SQLAlchemy, ``audit``). The inspector changes nothing in a process. Two small
writes happen on the inspector's behalf, neither of them a decision: signing a checkpoint that
covers the log before exporting (``ledger.checkpoint``, idempotent, as ``flask audit export``
does), and remembering the last verification's result in a JSON file in the instance folder
(:func:`status_path`) — one small record, so a table would be overkill.

Per-entry status on a process timeline is computed here from the stored leaves: the process's
entries plus every key statement (process ``null``), in log order, replayed through
``audit.keys.KeyHistory`` — so "key valid at that index" follows the log's own key history — with
each signature checked against that history and each ``basis`` against the previous entry of the
process. ``Verifikasi sekarang`` runs the full ``audit.verify.verify_bundle`` over an export.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import gettext

from audit import merkle
from audit.bundle import EvidenceRecord as BundleEvidence
from audit.dsse import verify_envelope
from audit.entry import ZERO_HASH, UnverifiedStatement, parse_leaf_unverified
from audit.errors import AuditError
from audit.keys import SYSTEM_ID, KeyHistory, public_key_from_bytes
from audit.verify import Report, verify_bundle
from workflow import ledger
from workflow.clock import utc
from workflow.errors import NotFoundError
from workflow.keystore import get_keystore
from workflow.lifecycle import Stage
from workflow.merit.evidence import EvidenceRecord, to_bundle_evidence
from workflow.models import OrgUnit, Position, User
from workflow.models import process as m
from workflow.models.ledger import LogCheckpoint, LogHash, LogLeaf

STATUS_FILE: Final = "inspector-verification.json"
PROBLEMS_KEPT: Final = 200  # a damaged log can report one problem per entry; the page shows the first ones


# --- log status and the last verification ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogStatus:
    """What the inspector's front page shows about the log."""

    size: int
    checkpoint: LogCheckpoint | None
    vkey: str
    origin: str


@dataclass(frozen=True, slots=True)
class Verification:
    """One run of ``verify_bundle`` over an export of the whole log, as remembered."""

    time: dt.datetime
    ok: bool
    size: int
    checkpoint_size: int | None
    first_bad_index: int | None
    problems: tuple[Mapping[str, Any], ...]
    problem_count: int
    evidence: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "time": self.time.isoformat(), "problems": list(self.problems)}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Verification:
        return cls(
            time=dt.datetime.fromisoformat(obj["time"]), ok=bool(obj["ok"]), size=int(obj["size"]),
            checkpoint_size=obj["checkpoint_size"], first_bad_index=obj["first_bad_index"],
            problems=tuple(obj["problems"]), problem_count=int(obj["problem_count"]),
            evidence=int(obj["evidence"]), seconds=float(obj["seconds"]),
        )


def log_status(session: so.Session) -> LogStatus:
    return LogStatus(
        size=ledger.log_size(session),
        checkpoint=ledger.latest_checkpoint(session),
        vkey=get_keystore().log_vkey(),
        origin=current_app.config["LOG_ORIGIN"],
    )


def status_path() -> Path:
    """Where the last verification is kept (``INSPECTOR_STATUS_FILE``, else the instance folder)."""
    configured = current_app.config.get("INSPECTOR_STATUS_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / STATUS_FILE


def last_verification() -> Verification | None:
    """The last remembered verification, or None (never run, or the file is unreadable)."""
    try:
        return Verification.from_json(json.loads(status_path().read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        current_app.logger.warning("unreadable inspector verification file %s", status_path())
        return None


def _remember(result: Verification) -> None:
    path = status_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a reader never sees half a file, whatever the number of workers.
    fd, tmp = tempfile.mkstemp(prefix=".verification-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(result.to_json(), fh, ensure_ascii=False)
    os.replace(tmp, path)


def sign_checkpoint(session: so.Session, moment: dt.datetime) -> LogCheckpoint:
    """A checkpoint covering the whole log (signed now and committed if the newest does not)."""
    try:
        row = ledger.checkpoint(session, get_keystore().log_signer(), moment)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return row


def evidence_records(session: so.Session, process_id: int | None = None) -> dict[str, BundleEvidence]:
    """Stored evidence records (every process, or one), keyed by their recorded digest."""
    stmt = sa.select(m.Candidate.evidence, m.Candidate.evidence_digest)
    if process_id is not None:
        stmt = stmt.where(m.Candidate.process_id == process_id)
    return {
        digest: to_bundle_evidence(EvidenceRecord(json.loads(bytes(raw)), digest))
        for raw, digest in session.execute(stmt)
    }


def export(session: so.Session, process_id: int | None, moment: dt.datetime) -> bytes:
    """A bundle of the whole log up to a fresh checkpoint, with the evidence of one process or all.

    Raises:
        NotFoundError: ``process_id`` has no entry in the log.
    """
    sign_checkpoint(session, moment)
    return ledger.export_bundle(session, process_id, evidence=evidence_records(session, process_id))


def verify_now(session: so.Session, moment: dt.datetime) -> Verification:
    """Export the whole log with every evidence record, verify it against the log key, remember it."""
    started = time.perf_counter()
    data = export(session, None, moment)
    report: Report = verify_bundle(data, vkey=get_keystore().log_vkey())
    evidence = len(evidence_records(session))
    result = Verification(
        time=moment, ok=report.ok, size=report.size, checkpoint_size=report.checkpoint_size,
        first_bad_index=report.first_bad_index,
        problems=tuple(p.to_json() for p in report.problems[:PROBLEMS_KEPT]), problem_count=len(report.problems),
        evidence=evidence, seconds=round(time.perf_counter() - started, 3),
    )
    _remember(result)
    return result


# --- processes and their timelines ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProcessRow:
    id: int
    position_title: str
    position_code: str
    unit_name: str
    stage: Stage
    route: str
    created_at: dt.datetime
    entries: int


def processes(session: so.Session) -> list[ProcessRow]:
    """Every process, newest first, with its number of log entries."""
    counts = dict(
        session.execute(
            sa.select(LogLeaf.process_key, sa.func.count()).where(LogLeaf.process_key.is_not(None))
            .group_by(LogLeaf.process_key)
        ).all()
    )
    rows = session.execute(
        sa.select(m.Process, Position.title, Position.code, OrgUnit.name)
        .join(Position, Position.id == m.Process.position_id)
        .join(OrgUnit, OrgUnit.id == Position.unit_id)
        .order_by(m.Process.id.desc())
    ).all()
    return [
        ProcessRow(p.id, title, code, unit, Stage(p.status), str(p.route), utc(p.created_at) or p.created_at,
                   int(counts.get(ledger.process_key(p.id), 0)))
        for p, title, code, unit in rows
    ]


@dataclass(frozen=True, slots=True)
class Check:
    """One per-entry check: passed, and why not."""

    ok: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One log entry of a process, decoded, with its own checks."""

    index: int
    leaf_hash: str
    logged_at: str
    action: str
    from_state: str | None
    to_state: str | None
    time: str
    actor_id: str
    actor_role: str
    key_id: str
    signer: str
    signed_by: tuple[str, ...]
    data: str
    leaf_intact: Check
    signature: Check
    key_valid: Check
    basis: Check
    covered: bool

    @property
    def ok(self) -> bool:
        return all(c.ok for c in (self.leaf_intact, self.signature, self.key_valid, self.basis))


@dataclass(frozen=True, slots=True)
class ProcessTimeline:
    process: m.Process
    position_title: str
    position_code: str
    unit_name: str
    entries: tuple[TimelineEntry, ...]
    unreadable: tuple[int, ...]
    checkpoint_size: int | None

    @property
    def ok(self) -> bool:
        return not self.unreadable and all(e.ok for e in self.entries)


def _signature(history: KeyHistory, statement: UnverifiedStatement, entry: Any) -> Check:
    keys = {}
    for kid in entry.envelope.key_ids():
        raw = history.signing_key(statement, kid)
        if raw is None:
            return Check(False, gettext("Kunci %(kid)s… tidak ada dalam riwayat kunci log.", kid=kid[:16]))
        keys[kid] = public_key_from_bytes(raw)
    try:
        verify_envelope(entry.envelope, keys)
    except AuditError as exc:
        return Check(False, str(exc))
    return Check(True)


def _signer_names(session: so.Session, actor_ids: set[str]) -> dict[str, str]:
    ids = sorted(int(a) for a in actor_ids if a.isdigit())
    users = session.scalars(sa.select(User).where(User.id.in_(ids)))
    return {str(u.id): f"{u.display_name} ({u.username})" for u in users}


def timeline(session: so.Session, process_id: int) -> ProcessTimeline:
    """Every log entry of the process, decoded, each with its leaf, signature, key and basis checks.

    Raises:
        NotFoundError: no such process.
    """
    found = session.execute(
        sa.select(m.Process, Position.title, Position.code, OrgUnit.name)
        .join(Position, Position.id == m.Process.position_id)
        .join(OrgUnit, OrgUnit.id == Position.unit_id)
        .where(m.Process.id == process_id)
    ).one_or_none()
    if found is None:
        raise NotFoundError(f"process {process_id}")
    process, title, code, unit = found
    pkey = ledger.process_key(process_id)
    rows = session.execute(
        sa.select(LogLeaf.seq, LogLeaf.leaf, LogLeaf.leaf_hash, LogLeaf.process_key, LogLeaf.time)
        .where(sa.or_(LogLeaf.process_key.is_(None), LogLeaf.process_key == pkey))
        .order_by(LogLeaf.seq)
    ).all()
    own = [int(r.seq) for r in rows if r.process_key == pkey]
    # The tree's own leaf hashes (level 0): what checkpoints commit to, whatever the leaf row says now.
    tree = dict(
        session.execute(sa.select(LogHash.idx, LogHash.hash).where(LogHash.level == 0, LogHash.idx.in_(own))).all()
    ) if own else {}
    latest = ledger.latest_checkpoint(session)
    history = KeyHistory()
    previous = ZERO_HASH
    decoded: list[tuple[int, Any, UnverifiedStatement, Check, Check, Check, Check, Any]] = []
    unreadable: list[int] = []
    for seq, leaf, stored_hash, row_key, logged in rows:
        leaf, seq = bytes(leaf), int(seq)
        mine = row_key == pkey
        actual = merkle.leaf_hash(leaf)
        try:
            entry = parse_leaf_unverified(leaf)
            statement = entry.statement_unverified()
        except (AuditError, ValueError):
            if mine:
                unreadable.append(seq)
                previous = actual
            continue
        try:
            history.check_statement(seq, statement, entry.envelope.key_ids())
            key_ok = Check(True)
        except (AuditError, ValueError) as exc:
            key_ok = Check(False, str(exc))
        if not mine:
            if key_ok.ok:
                history.apply(seq, statement)
            continue
        signature = _signature(history, statement, entry)
        committed = tree.get(seq)
        intact = Check(True) if committed is not None and bytes(committed) == actual == bytes(stored_hash) else Check(
            False, gettext("Hash isi entri tidak lagi sama dengan hash daun di pohon Merkle.")
        )
        basis = Check(True) if statement.basis == previous else Check(
            False, gettext("Basis bukan hash daun entri sebelumnya dari proses ini.")
        )
        previous = actual
        decoded.append((seq, entry, statement, intact, signature, key_ok, basis, logged))
    names = _signer_names(session, {s.actor.id for _, _, s, *_ in decoded})
    entries = tuple(
        TimelineEntry(
            index=seq, leaf_hash=entry.leaf_hash.hex(), logged_at=entry.time, action=st.action,
            from_state=st.from_state, to_state=st.to_state, time=st.time, actor_id=st.actor.id,
            actor_role=st.actor.role, key_id=st.actor.key_id,
            signer="system" if st.actor.id == SYSTEM_ID else names.get(st.actor.id, st.actor.id),
            signed_by=entry.envelope.key_ids(),
            data=json.dumps(st.data, ensure_ascii=False, indent=2, sort_keys=True),
            leaf_intact=intact, signature=sig, key_valid=key_ok, basis=basis,
            covered=latest is not None and seq < latest.size,
        )
        for seq, entry, st, intact, sig, key_ok, basis, _ in decoded
    )
    return ProcessTimeline(process, title, code, unit, entries, tuple(unreadable),
                           None if latest is None else latest.size)

