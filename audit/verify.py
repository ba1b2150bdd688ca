"""Offline verification of a bundle: every leaf, link, signature, key, checkpoint (DESIGN.md §4–5).

:func:`verify_bundle` never stops at the first defect: it returns a :class:`Report` listing every
:class:`Problem` (``index``, ``kind``, ``detail``), sorted by index, and ``first_bad_index``.
The ``kind`` strings are stable and documented in ``docs/bundle.md``.

What ``first_bad_index`` means: the first entry whose place in the log cannot be established.
Entry checks (shape, canonical bytes, ``seq``, ``prev``, signatures, keys, ``basis``) name the entry
they fail on. A checkpoint whose root disagrees with the leaves is charged to the first entry with
a defect, or — when the hash chain, bases and signatures vouch for every earlier entry — to the
last entry it covers. A checkpoint that does not verify at all, or a split view, is charged to the
first entry not already proven by a trusted checkpoint (0 without one).

Speed: each leaf and payload is decoded once, canonical form is checked against the C JSON encoder
(:mod:`audit.canonical`), public-key objects are cached per key, and signature checks — the bulk of
the work — can run in ``jobs`` worker processes, in chunks; the report does not depend on ``jobs``.

Import rule: standard library, ``cryptography`` and ``audit`` modules only; no file I/O (C8).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from audit import merkle, note
from audit.bundle import UnverifiedBundle, evidence_digest, read_bundle_unverified
from audit.dsse import pae
from audit.entry import ZERO_HASH, UnverifiedEntry, UnverifiedStatement, parse_leaf_unverified
from audit.errors import (
    AuditError,
    BundleFormatError,
    BundleLeafError,
    CanonicalError,
    CheckpointError,
    EntryFormatError,
    EnvelopeError,
    ForeignSignatureError,
    InvalidNoteSignatureError,
    KeyOwnerError,
    KeyStatementError,
    MalformedNoteError,
    MissingSignatureError,
    NotCanonicalError,
    ProofError,
    RevokedKeyError,
    StatementFormatError,
    UnknownKeyError,
    UnverifiedNoteError,
    VerifierKeyError,
)
from audit.keys import SYSTEM_ID, KeyHistory, key_id

__all__ = ["KINDS", "Problem", "Report", "verify_bundle"]

KINDS: Final = (
    "malformed_bundle",
    "malformed_entry",
    "non_canonical_entry",
    "duplicate_entry",
    "seq_mismatch",
    "conflicting_entry",
    "prev_mismatch",
    "leaf_modified",
    "malformed_statement",
    "non_canonical_statement",
    "unknown_key",
    "foreign_signature",
    "key_owner_mismatch",
    "revoked_key",
    "missing_signature",
    "bad_key_statement",
    "bad_signature",
    "basis_mismatch",
    "bad_vkey",
    "log_key_mismatch",
    "no_checkpoint",
    "malformed_checkpoint",
    "checkpoint_bad_signature",
    "checkpoint_order",
    "checkpoint_size_mismatch",
    "checkpoint_root_mismatch",
    "uncovered_entries",
    "trusted_checkpoint_invalid",
    "rollback",
    "split_view",
    "system_keys_mismatch",
    "evidence_digest_mismatch",
)
"""Every problem kind, in the order checks run for one entry (see docs/bundle.md)."""

_KEY_ERRORS: Final = (
    (UnknownKeyError, "unknown_key"),
    (ForeignSignatureError, "foreign_signature"),
    (KeyOwnerError, "key_owner_mismatch"),
    (RevokedKeyError, "revoked_key"),
    (MissingSignatureError, "missing_signature"),
    (KeyStatementError, "bad_key_statement"),
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One defect: the entry it is charged to (``None`` for bundle-level facts), a stable kind, a message."""

    index: int | None
    kind: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        """Return ``{"index", "kind", "detail"}``."""
        return {"index": self.index, "kind": self.kind, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Report:
    """The verdict on a bundle. ``ok`` only when there is no problem at all.

    ``size`` is the number of leaves in the bundle; ``checkpoint_size`` the size of the newest
    checkpoint that verified (``None`` if none did); ``vkey_pinned`` tells whether the log key came
    from the caller (``--vkey``) rather than from the bundle itself.
    """

    ok: bool
    size: int
    first_bad_index: int | None
    problems: tuple[Problem, ...]
    checkpoint_size: int | None = None
    vkey_pinned: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return ``{"ok", "size", "first_bad_index", "problems": [{"index", "kind", "detail"}]}``."""
        return {
            "ok": self.ok,
            "size": self.size,
            "first_bad_index": self.first_bad_index,
            "problems": [p.to_json() for p in self.problems],
        }


# --- signature checks (optionally in worker processes) ---------------------------------------


@dataclass(frozen=True, slots=True)
class _SigTask:
    index: int
    keyid: str
    public_key: bytes
    message: bytes
    signature: bytes


def _verify_chunk(chunk: Sequence[tuple[bytes, bytes, bytes]]) -> list[int]:
    """Verify ``(raw public key, message, signature)`` triples; return the positions that fail."""
    cache: dict[bytes, Ed25519PublicKey] = {}
    failed: list[int] = []
    for position, (raw, message, signature) in enumerate(chunk):
        key = cache.get(raw)
        if key is None:
            key = cache[raw] = Ed25519PublicKey.from_public_bytes(raw)
        try:
            key.verify(signature, message)
        except InvalidSignature:
            failed.append(position)
    return failed


def _failed_signatures(tasks: Sequence[_SigTask], jobs: int) -> list[_SigTask]:
    triples = [(t.public_key, t.message, t.signature) for t in tasks]
    if jobs <= 1 or len(triples) < 2:
        return [tasks[i] for i in _verify_chunk(triples)]
    # Several chunks per worker balance uneven payload sizes; results come back in submission
    # order, so the report is identical for any ``jobs``.
    chunk_size = max(1, min(5000, -(-len(triples) // (jobs * 4))))
    starts = range(0, len(triples), chunk_size)
    # "spawn": a clean interpreter per worker, safe whatever threads the caller runs (no fork).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        results = pool.map(_verify_chunk, [triples[s : s + chunk_size] for s in starts])
        return [tasks[start + i] for start, failed in zip(starts, results, strict=True) for i in failed]


# --- the entry pass ------------------------------------------------------------------------


class _EntryPass:
    """State of the single sequential pass over the leaves."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.leaves = leaves
        self.problems: list[Problem] = []
        self.hashes: list[bytes] = []
        self.entries: list[UnverifiedEntry | None] = []
        self.history = KeyHistory()
        self.tasks: list[_SigTask] = []
        self._seen: dict[bytes, int] = {}
        self._heads: dict[str | int | None, bytes] = {}
        self._first_with_seq: dict[int, int] = {}
        self._seq_offset = 0

    def add(self, index: int | None, kind: str, detail: str) -> None:
        self.problems.append(Problem(index, kind, detail))

    def run(self) -> None:
        for index, leaf in enumerate(self.leaves):
            self._one(index, leaf)

    def _parse(self, index: int, leaf: bytes) -> UnverifiedEntry | None:
        try:
            return parse_leaf_unverified(leaf)
        except NotCanonicalError:
            self.add(index, "non_canonical_entry", "leaf bytes are not RFC 8785 canonical JSON")
            try:
                return parse_leaf_unverified(leaf, require_canonical=False)
            except (CanonicalError, EntryFormatError, EnvelopeError) as exc:
                self.add(index, "malformed_entry", str(exc))
        except (CanonicalError, EntryFormatError, EnvelopeError) as exc:
            self.add(index, "malformed_entry", str(exc))
        return None

    def _one(self, index: int, leaf: bytes) -> None:
        leaf_hash = merkle.leaf_hash(leaf)
        self.hashes.append(leaf_hash)
        entry = self._parse(index, leaf)
        self.entries.append(entry)
        earlier = self._seen.setdefault(leaf_hash, index)
        if earlier != index:
            self.add(index, "duplicate_entry", f"identical to entry {earlier}")
        if entry is None:
            return
        self._check_position(index, entry, duplicate=earlier != index)
        statement = self._statement(index, entry)
        if statement is not None:
            self._check_statement(index, entry, statement)

    def _check_position(self, index: int, entry: UnverifiedEntry, *, duplicate: bool) -> None:
        if entry.seq != index:
            offset = entry.seq - index
            # After a deletion or insertion every later entry is shifted alike: report the shift once.
            if offset != self._seq_offset:
                shift = "entries are missing before it" if offset > 0 else "an earlier seq is repeated"
                self.add(index, "seq_mismatch", f"position {index} holds seq {entry.seq} ({shift})")
            self._seq_offset = offset
            rival = self._first_with_seq.get(entry.seq)
            rival_entry = self.entries[rival] if rival is not None else None
            # Two different entries claiming one seq after the same predecessor: a fork. The first
            # claimant is where the log stops being one history (an inserted entry sits there).
            if not duplicate and rival_entry is not None and rival_entry.prev == entry.prev:
                self.add(rival, "conflicting_entry", f"entries {rival} and {index} both claim seq {entry.seq}")
        else:
            self._seq_offset = 0
        self._first_with_seq.setdefault(entry.seq, index)
        expected = self.hashes[index - 1] if index else ZERO_HASH
        if entry.prev != expected:
            self.add(index, "prev_mismatch", "prev is not the leaf hash of the entry before it")

    def _statement(self, index: int, entry: UnverifiedEntry) -> UnverifiedStatement | None:
        try:
            return entry.statement_unverified()
        except NotCanonicalError:
            self.add(index, "non_canonical_statement", "statement payload is not RFC 8785 canonical JSON")
            try:
                return entry.statement_unverified(require_canonical=False)
            except (CanonicalError, StatementFormatError) as exc:
                self.add(index, "malformed_statement", str(exc))
        except (CanonicalError, StatementFormatError) as exc:
            self.add(index, "malformed_statement", str(exc))
        return None

    def _check_statement(self, index: int, entry: UnverifiedEntry, statement: UnverifiedStatement) -> None:
        envelope = entry.envelope
        signed_by = envelope.key_ids()
        # Which key each signature is checked with is decided before the statement changes the history.
        message = pae(envelope.payload_type, envelope.payload)
        for signature in envelope.signatures:
            raw = self.history.signing_key(statement, signature.keyid)
            if raw is not None:
                self.tasks.append(_SigTask(index, signature.keyid, raw, message, signature.sig))
        try:
            self.history.check_statement(index, statement, signed_by)
        except AuditError as exc:
            kind = next((k for cls, k in _KEY_ERRORS if isinstance(exc, cls)), None)
            if kind is None:
                raise
            self.add(index, kind, str(exc))
        else:
            self.history.apply(index, statement)
        expected = self._heads.get(statement.process, ZERO_HASH)
        if statement.basis != expected:
            self.add(
                index, "basis_mismatch", f"basis is not the leaf hash of process {statement.process!r}'s entry before"
            )
        self._heads[statement.process] = self.hashes[index]


# --- checkpoints -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Verified:
    size: int
    root: bytes


def _open(text: str, verifier: note.NoteVerifier, origin: str) -> _Verified:
    opened = note.open_checkpoint(text, verifier, origin=origin)
    return _Verified(opened.checkpoint.size, opened.checkpoint.root_hash)


def _checkpoint_kind(exc: Exception) -> str:
    if isinstance(exc, (InvalidNoteSignatureError, UnverifiedNoteError)):
        return "checkpoint_bad_signature"
    return "malformed_checkpoint"


class _CheckpointPass:
    """Checks the trusted checkpoint, then the bundle's checkpoints, against the leaf hashes."""

    def __init__(self, bundle: UnverifiedBundle, entries: _EntryPass, verifier: note.NoteVerifier) -> None:
        self.bundle = bundle
        self.entries = entries
        self.verifier = verifier
        self.hashes = entries.hashes
        self.size = len(entries.hashes)
        self.proven = 0  # entries [0, proven) match a trusted checkpoint
        self.newest: _Verified | None = None
        self._roots: dict[int, bytes] = {}
        self._localised = False

    def root(self, size: int) -> bytes:
        if size not in self._roots:
            self._roots[size] = merkle.root(self.hashes[:size])
        return self._roots[size]

    def trusted(self, text: str) -> _Verified | None:
        try:
            trusted = _open(text, self.verifier, self.bundle.origin)
        except (MalformedNoteError, InvalidNoteSignatureError, UnverifiedNoteError, CheckpointError) as exc:
            self.entries.add(0, "trusted_checkpoint_invalid", f"the trusted checkpoint does not verify: {exc}")
            return None
        if trusted.size > self.size:
            return trusted  # a rollback: reported against the bundle's newest checkpoint in after()
        if self.root(trusted.size) == trusted.root:
            self.proven = trusted.size
            return trusted
        charged = [p.index for p in self.entries.problems if p.index is not None and p.index < trusted.size]
        if charged:  # defective entries explain the difference: charge it to the first of them
            detail = f"the trusted checkpoint (size {trusted.size}) signs another root than these entries give"
            self.entries.add(min(charged), "checkpoint_root_mismatch", detail)
        else:
            detail = f"the bundle's first {trusted.size} entries are not the tree the trusted checkpoint signs"
            self.entries.add(0, "split_view", detail)
        return trusted

    def bundle_checkpoints(self) -> None:
        if not self.bundle.checkpoints:
            self.entries.add(self.proven, "no_checkpoint", "the bundle has no checkpoint")
            return
        previous = -1
        for position, text in enumerate(self.bundle.checkpoints):
            try:
                checkpoint = _open(text, self.verifier, self.bundle.origin)
            except (MalformedNoteError, InvalidNoteSignatureError, UnverifiedNoteError, CheckpointError) as exc:
                kind = _checkpoint_kind(exc)
                self.entries.add(self.proven, kind, f"checkpoint {position}: {exc}")
                continue
            if checkpoint.size < previous:
                self.entries.add(
                    checkpoint.size, "checkpoint_order", f"checkpoint {position} is older than the one before"
                )
            previous = max(previous, checkpoint.size)
            if checkpoint.size > self.size:
                self.entries.add(
                    self.size,
                    "checkpoint_size_mismatch",
                    f"checkpoint {position} covers {checkpoint.size} entries; the bundle has {self.size} (truncated)",
                )
            elif self.root(checkpoint.size) != checkpoint.root:
                self._root_mismatch(position, checkpoint)
            if self.newest is None or checkpoint.size >= self.newest.size:
                self.newest = checkpoint

    def _root_mismatch(self, position: int, checkpoint: _Verified) -> None:
        self._localise(checkpoint)
        lo, hi = self.proven, checkpoint.size
        charged = [p.index for p in self.entries.problems if p.index is not None and lo <= p.index < hi]
        # The hash chain (prev), the bases and the signatures vouch for every entry before the last
        # one, so with no defect among them the last covered entry is the one not as signed.
        index = min(charged) if charged else hi - 1
        self.entries.add(
            index, "checkpoint_root_mismatch", f"checkpoint {position} (size {checkpoint.size}) signs another root"
        )

    def _localise(self, checkpoint: _Verified) -> None:
        """Find a modified leaf: entry i's ``prev`` may still hold the hash the log signed for i−1."""
        if self._localised:
            return
        self._localised = True
        for index in range(max(1, self.proven + 1), checkpoint.size):
            entry = self.entries.entries[index]
            if entry is None or entry.prev == self.hashes[index - 1]:
                continue
            patched = list(self.hashes[: checkpoint.size])
            patched[index - 1] = entry.prev
            if merkle.root(patched) == checkpoint.root:
                self.entries.add(
                    index - 1, "leaf_modified", "the checkpoint and the next entry's prev commit to other bytes here"
                )
            return  # only the first break can be tested this way

    def after(self, trusted: _Verified | None) -> None:
        newest = self.newest
        if newest is not None and newest.size < self.size:
            self.entries.add(
                newest.size,
                "uncovered_entries",
                f"entries {newest.size}..{self.size - 1} are in no verified checkpoint",
            )
        if trusted is None or newest is None:
            return
        if trusted.size > newest.size:
            self.entries.add(
                newest.size,
                "rollback",
                f"the trusted checkpoint has size {trusted.size}; the bundle's is {newest.size}",
            )
        elif trusted.size == newest.size and trusted.root != newest.root:
            self.entries.add(0, "split_view", f"the trusted checkpoint signs another root for size {trusted.size}")
        elif trusted.size < newest.size and self.proven == trusted.size and newest.size <= self.size:
            # The standard check an auditor's client makes (RFC 9162 §2.1.4.2), proof built from our leaves.
            proof = merkle.consistency_proof_from_leaves(self.hashes[: newest.size], trusted.size)
            try:
                merkle.verify_consistency(trusted.size, newest.size, proof, trusted.root, newest.root)
            except ProofError as exc:
                self.entries.add(
                    0, "split_view", f"the bundle's checkpoint is not consistent with the trusted one: {exc}"
                )


# --- bundle-level facts ----------------------------------------------------------------------


def _check_keys_and_evidence(bundle: UnverifiedBundle, entries: _EntryPass) -> None:
    listed = {key_id(raw) for raw in bundle.system_keys}
    recorded = {r.key_id for r in entries.history.records() if r.subject == SYSTEM_ID}
    if listed != recorded:
        entries.add(None, "system_keys_mismatch", "keys.system differs from the system keys enrolled in the log")
    for digest, record in sorted(bundle.evidence.items()):
        try:
            actual = evidence_digest(record.salt, record.data)
        except (CanonicalError, ValueError) as exc:
            entries.add(None, "evidence_digest_mismatch", f"evidence {digest}: {exc}")
            continue
        if actual != digest:
            entries.add(None, "evidence_digest_mismatch", f"evidence {digest}: salt and data hash to {actual}")


def _report(size: int, problems: list[Problem], checkpoint_size: int | None, pinned: bool) -> Report:
    # Stable sort: by index (bundle-level facts last); within an index, in the order checks ran.
    ordered = sorted(problems, key=lambda p: (p.index is None, p.index or 0))
    indexes = [p.index for p in ordered if p.index is not None]
    return Report(not ordered, size, min(indexes) if indexes else None, tuple(ordered), checkpoint_size, pinned)


def verify_bundle(
    bundle: UnverifiedBundle | bytes,
    *,
    vkey: str | None = None,
    trusted_checkpoint: str | None = None,
    jobs: int = 1,
) -> Report:
    """Verify a bundle completely and say where it first goes wrong.

    Args:
        bundle: the bundle, parsed (:func:`audit.bundle.read_bundle_unverified`) or as bytes.
        vkey: the log key to pin (note vkey). Without it, the bundle's own ``log_vkey`` is used,
            which proves integrity relative to that key only (``Report.vkey_pinned`` is False).
        trusted_checkpoint: a signed checkpoint the inspector obtained earlier (or from a witness);
            the bundle must extend it (no rollback) and agree with it (no split view).
        jobs: worker processes for signature checks (1 = in this process).

    Returns:
        The report; ``ok`` is true only when no problem was found.

    Raises:
        ValueError: ``jobs`` < 1.
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    if isinstance(bundle, bytes):
        try:
            bundle = read_bundle_unverified(bundle)
        except BundleLeafError as exc:
            return _report(exc.index + 1, [Problem(exc.index, "malformed_bundle", str(exc))], None, vkey is not None)
        except BundleFormatError as exc:
            return _report(0, [Problem(None, "malformed_bundle", str(exc))], None, vkey is not None)
    entries = _EntryPass(bundle.leaves)
    entries.run()
    failed: dict[int, list[str]] = {}
    for task in _failed_signatures(entries.tasks, jobs):
        failed.setdefault(task.index, []).append(task.keyid)
    for index, keyids in failed.items():
        entries.add(index, "bad_signature", f"signature(s) by key {', '.join(keyids)} do not verify")

    checkpoint_size: int | None = None
    try:
        verifier = note.verifier_from_vkey(vkey if vkey is not None else bundle.log_vkey)
    except (VerifierKeyError, ValueError) as exc:
        entries.add(0, "bad_vkey", f"the log key cannot be used: {exc}")
    else:
        if vkey is not None and vkey != bundle.log_vkey:
            entries.add(None, "log_key_mismatch", "the bundle names another log key than the one pinned")
        checkpoints = _CheckpointPass(bundle, entries, verifier)
        trusted = checkpoints.trusted(trusted_checkpoint) if trusted_checkpoint is not None else None
        checkpoints.bundle_checkpoints()
        checkpoints.after(trusted)
        checkpoint_size = checkpoints.newest.size if checkpoints.newest else None
    _check_keys_and_evidence(bundle, entries)
    return _report(len(bundle.leaves), entries.problems, checkpoint_size, vkey is not None)
