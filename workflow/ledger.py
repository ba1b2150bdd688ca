"""The audit log in SQL: append inside the caller's transaction, read leaves and proofs, sign checkpoints.

``audit/`` defines the formats and the Merkle arithmetic; this module stores them (DESIGN.md §1, §4,
§7). Every function takes the SQLAlchemy session of the caller and never commits: the service that
changes a process appends its statement and commits both together, or neither (DESIGN.md §1).

Locking. ``append`` locks the single ``log_head`` row and holds it until the caller commits. Lock
order (DESIGN.md §7): the caller locks its process row first; ``append`` comes last, just before
the commit, so the global lock is held for a few statements. On PostgreSQL the lock is
``SELECT … FOR UPDATE``; SQLite has no row locks and the sqlite3 driver (legacy transaction mode)
does not open a transaction for a SELECT, so ``append`` first *writes* the head row: that statement
takes SQLite's database write lock (waiting up to ``busy_timeout``) before the head is read, so two
appenders can never read the same head. The primary key on ``log_leaf.seq`` is the second line of
defence: an append that got past the lock fails with ``IntegrityError`` instead of forking the log.

Checkpoint policy: small batches, outside the append transaction. ``append`` never signs: signing
inside it would hold the global lock longer, and a checkpoint of a transaction that then rolls
back would commit to leaves that never existed. After committing, callers call
:func:`maybe_checkpoint`, which signs a new checkpoint only when entries are uncovered *and* the
newest checkpoint is older than ``max_age`` or ``max_pending`` entries behind. So a busy log signs
about one checkpoint per second (each a permanent row that witnesses and mirrors fetch), not one
per entry, while a quiet log is still covered a moment after each action. A reader that must
prove a fresh entry (the ASN explanation page) calls :func:`checkpoint`, which signs at once if
the newest checkpoint does not cover the log. Racing signers of the same size are harmless: the
unique ``size`` keeps one row, and the loser returns it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from audit import merkle
from audit.bundle import EvidenceRecord, write_bundle
from audit.dsse import Envelope, b64decode_strict, verify_envelope
from audit.entry import ZERO_HASH, UnverifiedStatement, build_leaf, parse_statement_unverified
from audit.errors import AuditError, OutOfRangeError
from audit.keys import ACTION_ENROL, ACTION_ROTATE, SYSTEM_ID, key_id, public_key_from_bytes
from audit.note import Checkpoint, Ed25519Signer, sign_checkpoint
from workflow.errors import ConflictError, NotFoundError, WorkflowError
from workflow.models.ledger import HEAD_ID, KeyOwner, KeyStatus, LogCheckpoint, LogHash, LogHead, LogLeaf, SigningKey

_HEAD = LogHead.__table__
_LEAF = LogLeaf.__table__
_HASH = LogHash.__table__


class StaleBasisError(ConflictError):
    """The statement's ``basis`` is not the process's latest entry: it was made on a stale view."""


class RejectedStatementError(WorkflowError):
    """The log refuses a statement the verifier would flag (bad shape, signature or key)."""

    status = 422


@dataclass(frozen=True, slots=True)
class AppendedEntry:
    """Where an appended statement landed: its index (``seq``) and its RFC 9162 leaf hash."""

    seq: int
    leaf_hash: bytes


class SqlHashReader:
    """``audit.storage.HashReader`` over the ``log_hash`` table: one SELECT per batch."""

    __slots__ = ("_session",)

    def __init__(self, session: so.Session) -> None:
        self._session = session

    def read_hashes(self, indexes: Sequence[tuple[int, int]]) -> list[bytes]:
        """Return the hash at each ``(level, index)``, in order; raise ``MissingHashError`` if absent."""
        from audit.errors import MissingHashError

        if not indexes:
            return []
        # OR of (level, idx) equalities, not a row-value IN: SQLite plans ``(level, idx) IN (VALUES …)``
        # as a full table scan (350 ms at 10^6 leaves) but each OR term as one primary-key probe.
        wanted = [sa.and_(_HASH.c.level == level, _HASH.c.idx == idx) for level, idx in set(indexes)]
        rows = self._session.execute(sa.select(_HASH.c.level, _HASH.c.idx, _HASH.c.hash).where(sa.or_(*wanted)))
        found = {(level, idx): h for level, idx, h in rows}
        out = []
        for level, idx in indexes:
            h = found.get((level, idx))
            if h is None:
                raise MissingHashError(level, idx)
            out.append(bytes(h))
        return out


def process_key(process: str | int | None) -> str | None:
    """The ``log_leaf.process_key`` of a statement's ``process`` value (JSON text; ``None`` stays NULL)."""
    if process is None:
        return None
    if isinstance(process, bool) or not isinstance(process, (int, str)):
        raise TypeError(f"process must be an int, a str or None, got {type(process).__name__}")
    return json.dumps(process, ensure_ascii=False)


# --- append --------------------------------------------------------------------------------------


def _dialect(session: so.Session) -> str:
    return session.get_bind().dialect.name


def _create_head(session: so.Session) -> None:
    # Only the first append of a fresh database gets here (the migration seeds the row); racing
    # first appenders both insert, and ON CONFLICT DO NOTHING keeps one.
    insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
    session.execute(
        insert(_HEAD).values(id=HEAD_ID, size=0, last_leaf_hash=ZERO_HASH).on_conflict_do_nothing()
    )


def _lock_head(session: so.Session) -> tuple[int, bytes]:
    """Take the appends lock and return the head (size, last leaf hash) as of holding it."""
    for _ in range(2):
        if _dialect(session) == "postgresql":
            row = session.execute(
                sa.select(_HEAD.c.size, _HEAD.c.last_leaf_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
            ).one_or_none()
        else:
            # A no-op write first: it acquires SQLite's write lock before we read (module docstring).
            touched = session.execute(_HEAD.update().where(_HEAD.c.id == HEAD_ID).values(size=_HEAD.c.size))
            row = None
            if touched.rowcount:
                row = session.execute(
                    sa.select(_HEAD.c.size, _HEAD.c.last_leaf_hash).where(_HEAD.c.id == HEAD_ID)
                ).one()
        if row is not None:
            return int(row.size), bytes(row.last_leaf_hash)
        _create_head(session)
    raise RuntimeError("log_head row could not be created")  # pragma: no cover - needs a broken database


def _check_statement(session: so.Session, envelope: Envelope) -> UnverifiedStatement:
    """Refuse what ``python -m audit verify`` would flag; return the parsed statement.

    Signatures are checked against keys enrolled in ``signing_key`` (plus the new key an enrol or
    rotate statement introduces, whose signature is its proof of possession); the actor's key must
    be active and belong to the actor. The full key-history rules stay with ``audit.verify``.
    """
    try:
        statement = parse_statement_unverified(envelope.payload)
    except AuditError as exc:
        raise RejectedStatementError(f"malformed statement: {exc}") from exc
    kids = set(envelope.key_ids()) | {statement.actor.key_id}
    rows = session.execute(sa.select(SigningKey).where(SigningKey.key_id.in_(kids))).scalars().all()
    known = {row.key_id: row for row in rows}
    public = {kid: public_key_from_bytes(row.public_key) for kid, row in known.items()}
    new_key: str | None = None
    if statement.action in (ACTION_ENROL, ACTION_ROTATE):
        try:
            raw = b64decode_strict(statement.data.get("public_key"), what="data.public_key", size=32)
        except AuditError as exc:
            raise RejectedStatementError(str(exc)) from exc
        new_key = key_id(raw)
        if new_key in known:
            raise RejectedStatementError(f"key {new_key} is already enrolled; keys are never reused")
        public[new_key] = public_key_from_bytes(raw)
    try:
        verify_envelope(envelope, public)
    except AuditError as exc:
        raise RejectedStatementError(f"signature check failed: {exc}") from exc
    actor = statement.actor
    bootstrap = (
        statement.action == ACTION_ENROL
        and actor.id == SYSTEM_ID
        and actor.key_id == new_key
        and session.scalar(sa.select(SigningKey.id).where(SigningKey.owner_kind == KeyOwner.SYSTEM).limit(1)) is None
    )
    if not bootstrap:
        row = known.get(actor.key_id)
        if row is None or row.status != KeyStatus.ACTIVE:
            raise RejectedStatementError(f"actor key {actor.key_id} is not an active enrolled key")
        owner = SYSTEM_ID if row.owner_kind == KeyOwner.SYSTEM else str(row.user_id)
        if row.owner_kind == KeyOwner.LOG or owner != actor.id:
            raise RejectedStatementError(f"actor key {actor.key_id} does not belong to actor {actor.id!r}")
    return statement


def append(session: so.Session, envelope: Envelope, *, now: dt.datetime) -> AppendedEntry:
    """Append a signed statement to the log inside the caller's transaction (never commits).

    Call it last in the transaction, after locking and changing the process row: it takes the
    global appends lock, which is held until the caller commits or rolls back.

    Args:
        session: the caller's session; its transaction will hold the log-head lock.
        envelope: the signed statement (``audit.dsse.sign_envelope``).
        now: when the log accepts it (timezone-aware; C9).

    Returns:
        The new entry's ``seq`` and leaf hash (the ``basis`` of the process's next statement).

    Raises:
        RejectedStatementError: malformed statement, bad signature, unknown or foreign actor key.
        StaleBasisError: ``basis`` is not the leaf hash of the process's latest entry.
        sqlalchemy.exc.IntegrityError: a racing append took the same ``seq`` (should not happen
            behind the lock; the caller rolls back).
    """
    statement = _check_statement(session, envelope)  # before the lock: keeps the lock short
    return _append_locked(session, envelope, statement, _lock_head(session), now)


def append_signed(
    session: so.Session,
    process: str | int | None,
    sign: Callable[[bytes], Envelope],
    *,
    now: dt.datetime,
) -> AppendedEntry:
    """Append a statement that is signed *under* the lock, with the basis read under the lock.

    For statements the server signs itself (system steps, key changes): two of them for the same
    process (e.g. two key enrolments, process ``None``) cannot race into ``StaleBasisError``. The
    lock is held while ``sign`` runs, so ``sign`` should only build and sign the statement.

    Args:
        session: the caller's session.
        process: the statement's ``process`` value, whose chain ``sign`` extends.
        sign: builds and signs the statement, given its ``basis``.
        now: when the log accepts it.

    Returns:
        The new entry's ``seq`` and leaf hash.

    Raises:
        RejectedStatementError, StaleBasisError: as :func:`append` (the latter if ``sign`` used
            another process or basis).
    """
    head = _lock_head(session)
    envelope = sign(_latest_leaf_hash(session, process_key(process)))
    statement = _check_statement(session, envelope)
    return _append_locked(session, envelope, statement, head, now)


def _append_locked(
    session: so.Session,
    envelope: Envelope,
    statement: UnverifiedStatement,
    head: tuple[int, bytes],
    now: dt.datetime,
) -> AppendedEntry:
    size, last = head
    pkey = process_key(statement.process)
    if statement.basis != _latest_leaf_hash(session, pkey):  # under the lock: nothing slips in between
        raise StaleBasisError(
            f"the statement about process {statement.process!r} was made on a stale view: its basis "
            "is not the leaf hash of the process's latest entry"
        )
    leaf = build_leaf(size, last, now, envelope)
    leaf_hash = merkle.leaf_hash(leaf)
    triples = merkle.hashes_to_store(size, leaf_hash, SqlHashReader(session))
    session.execute(
        _LEAF.insert(),
        [{"seq": size, "leaf": leaf, "leaf_hash": leaf_hash, "process_key": pkey, "time": now}],
    )
    session.execute(_HASH.insert(), [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in triples])
    moved = session.execute(
        _HEAD.update()
        .where(_HEAD.c.id == HEAD_ID, _HEAD.c.size == size)
        .values(size=size + 1, last_leaf_hash=leaf_hash)
    )
    if moved.rowcount != 1:  # pragma: no cover - only without the lock
        raise ConflictError("the log head moved during an append")
    return AppendedEntry(size, leaf_hash)


# --- reads ---------------------------------------------------------------------------------------


def _latest_leaf_hash(session: so.Session, pkey: str | None) -> bytes:
    cond = _LEAF.c.process_key.is_(None) if pkey is None else _LEAF.c.process_key == pkey
    found = session.scalar(sa.select(_LEAF.c.leaf_hash).where(cond).order_by(_LEAF.c.seq.desc()).limit(1))
    return ZERO_HASH if found is None else bytes(found)


def process_basis(session: so.Session, process: str | int | None) -> bytes:
    """The ``basis`` for a new statement about ``process``: its latest entry's leaf hash, or 32 zero bytes.

    ``None`` is the chain of log-level statements (key enrolment, rotation, revocation).
    """
    return _latest_leaf_hash(session, process_key(process))


def log_size(session: so.Session) -> int:
    """The number of committed (or, inside a transaction, visible) entries."""
    size = session.scalar(sa.select(_HEAD.c.size).where(_HEAD.c.id == HEAD_ID))
    return int(size or 0)


def read_leaves(session: so.Session, start: int, end: int) -> list[bytes]:
    """The leaf bytes of entries ``start <= seq < end``, in order, exactly as hashed."""
    rows = session.scalars(
        sa.select(_LEAF.c.leaf).where(_LEAF.c.seq >= start, _LEAF.c.seq < end).order_by(_LEAF.c.seq)
    )
    return [bytes(leaf) for leaf in rows]


def leaf_index(session: so.Session, leaf_hash: bytes) -> int | None:
    """The ``seq`` of the entry with this leaf hash, or ``None``."""
    return session.scalar(sa.select(_LEAF.c.seq).where(_LEAF.c.leaf_hash == leaf_hash))


def _check_size(session: so.Session, size: int) -> None:
    current = log_size(session)
    if size > current:
        raise OutOfRangeError(f"tree size {size} is beyond the log's size {current}")


def tree_root(session: so.Session, size: int) -> bytes:
    """The Merkle root of the first ``size`` entries, from stored hashes (one read)."""
    _check_size(session, size)
    return merkle.tree_root(size, SqlHashReader(session))


def inclusion_proof(session: so.Session, index: int, size: int) -> list[bytes]:
    """RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` entries (O(log n) rows)."""
    _check_size(session, size)
    return merkle.inclusion_proof(index, size, SqlHashReader(session))


def consistency_proof(session: so.Session, size1: int, size2: int) -> list[bytes]:
    """RFC 9162 consistency proof from the tree of ``size1`` entries to that of ``size2``."""
    _check_size(session, size2)
    return merkle.consistency_proof(size1, size2, SqlHashReader(session))


# --- checkpoints ---------------------------------------------------------------------------------


def latest_checkpoint(session: so.Session) -> LogCheckpoint | None:
    """The checkpoint of the largest size, or ``None`` before the first one."""
    return session.scalars(sa.select(LogCheckpoint).order_by(LogCheckpoint.size.desc()).limit(1)).first()


def checkpoint(session: so.Session, signer: Ed25519Signer, now: dt.datetime) -> LogCheckpoint:
    """Sign a checkpoint of the log's current size unless the newest one already covers it.

    Runs in the caller's transaction and does not lock the log head: it reads the committed size
    and the stored hashes for exactly that size, which never change. The caller commits.

    Args:
        session: the caller's session.
        signer: the log key; its name is the checkpoint origin (``LOG_ORIGIN``).
        now: recorded as ``created_at`` (C9).

    Returns:
        The checkpoint covering the log as this transaction sees it (new or existing).
    """
    size = log_size(session)
    latest = latest_checkpoint(session)
    if latest is not None and latest.size >= size:
        return latest
    root_hash = merkle.tree_root(size, SqlHashReader(session))
    note = sign_checkpoint(Checkpoint(signer.name, size, root_hash), signer)
    row = LogCheckpoint(size=size, root_hash=root_hash, note=note, created_at=now)
    try:
        with session.begin_nested():  # a racing signer may have stored this size already
            session.add(row)
    except sa.exc.IntegrityError:
        existing = session.scalars(sa.select(LogCheckpoint).where(LogCheckpoint.size == size)).one()
        return existing
    return row


def maybe_checkpoint(
    session: so.Session,
    signer: Ed25519Signer,
    now: dt.datetime,
    *,
    max_age: dt.timedelta = dt.timedelta(seconds=1),
    max_pending: int = 256,
) -> LogCheckpoint | None:
    """The batching policy (module docstring): sign only if entries are uncovered and the newest
    checkpoint is older than ``max_age`` or ``max_pending`` entries behind.

    Returns:
        The new checkpoint, or ``None`` when none was due.
    """
    size = log_size(session)
    latest = latest_checkpoint(session)
    if latest is not None:
        pending = size - latest.size
        created = latest.created_at if latest.created_at.tzinfo else latest.created_at.replace(tzinfo=dt.UTC)
        if pending <= 0 or (pending < max_pending and now - created < max_age):
            return None
    elif size == 0:
        return None
    return checkpoint(session, signer, now)


# --- export --------------------------------------------------------------------------------------


def export_bundle(
    session: so.Session,
    process_id: str | int | None = None,
    *,
    log_vkey: str | None = None,
    origin: str | None = None,
    evidence: Mapping[str, EvidenceRecord] | None = None,
) -> bytes:
    """The bundle (``jejak-bundle/v1``, docs/bundle.md) of the log up to its latest checkpoint.

    Read-only: it exports exactly the leaves the latest checkpoint covers, so it never needs the
    log key and entries appended meanwhile cannot make it inconsistent. Sign a checkpoint first
    (:func:`checkpoint`, committed) to include the newest entries. Every leaf from 0 is included
    even for one process, because the verifier recomputes the root from all of them; ``process_id``
    only names the process the export is about.

    Args:
        session: any session.
        process_id: the process the export is for, or ``None`` for the whole log.
        log_vkey: the log's vkey; default: the app's key store.
        origin: the log origin; default: the app's ``LOG_ORIGIN``.
        evidence: digest → evidence record to ship (the caller selects them, e.g. one process's).

    Returns:
        The bundle bytes.

    Raises:
        NotFoundError: no checkpoint yet, or ``process_id`` has no entry in the log.
    """
    from flask import current_app

    from workflow.keystore import get_keystore

    latest = latest_checkpoint(session)
    if latest is None:
        raise NotFoundError("the log has no checkpoint yet; run `flask audit checkpoint` first")
    if process_id is not None:
        covered = session.scalar(
            sa.select(_LEAF.c.seq).where(_LEAF.c.process_key == process_key(process_id), _LEAF.c.seq < latest.size)
            .limit(1)
        )
        if covered is None:
            raise NotFoundError(f"process {process_id!r} has no checkpointed entry in the log")
    system_keys = session.scalars(
        sa.select(SigningKey.public_key).where(SigningKey.owner_kind == KeyOwner.SYSTEM).order_by(SigningKey.id)
    )
    return write_bundle(
        origin=origin or current_app.config["LOG_ORIGIN"],
        log_vkey=log_vkey or get_keystore().log_vkey(),
        checkpoints=[latest.note],
        leaves=read_leaves(session, 0, latest.size),
        system_keys=[bytes(k) for k in system_keys],
        evidence=evidence,
        process=None if process_id is None else {"id": process_id},
    )
