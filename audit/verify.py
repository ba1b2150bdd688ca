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

Speed: a leaf is read by matching it against a fixed template of its canonical form (no JSON
decode or re-encode), a statement by matching its top level against a template and decoding only
``data`` (whose canonical form is checked once, against the C JSON encoder, :mod:`audit.canonical`);
anything else takes the general decoder, then the careful parsers. Public-key objects are cached
per key, and signature checks — the bulk of the work — can run in ``jobs`` worker processes, in
chunks; the report does not depend on ``jobs``.

Import rule: standard library, ``cryptography`` and ``audit`` modules only; no file I/O (C8).
"""

from __future__ import annotations

import binascii
import json
import multiprocessing
import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from audit import merkle, note
from audit.bundle import UnverifiedBundle, evidence_digest, read_bundle_unverified
from audit.canonical import MAX_SAFE_INTEGER, is_canonical, loads_exact_unchecked, loads_strict
from audit.dsse import PAYLOAD_TYPE, SIGNATURE_SIZE, pae
from audit.entry import (
    HASH_SIZE,
    ZERO_HASH,
    Actor,
    UnverifiedEntry,
    UnverifiedStatement,
    parse_leaf_unverified,
    parse_statement_unverified,
    parse_time,
)
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
    MissingHashError,
    MissingSignatureError,
    NotCanonicalError,
    ProofError,
    RevokedKeyError,
    StatementFormatError,
    UnknownKeyError,
    UnverifiedNoteError,
    VerifierKeyError,
)
from audit.keys import KEY_ACTIONS, SYSTEM_ID, KeyHistory, key_id

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
    from the caller (``--vkey``) rather than from the bundle itself. ``to_json`` leaves the last two
    fields out, so the JSON report is the same in full and incremental mode.
    """

    ok: bool
    size: int
    first_bad_index: int | None
    problems: tuple[Problem, ...]
    checkpoint_size: int | None = None
    vkey_pinned: bool = False
    checkpoint: str | None = None
    """The newest verified checkpoint note, as the bundle carries it (what ``--state`` stores)."""
    incremental_from: int = 0
    """Entries below this were not checked again: a trusted, previously verified checkpoint covers them."""

    def to_json(self) -> dict[str, Any]:
        """Return ``{"ok", "size", "first_bad_index", "problems": [{"index", "kind", "detail"}]}``."""
        return {
            "ok": self.ok,
            "size": self.size,
            "first_bad_index": self.first_bad_index,
            "problems": [p.to_json() for p in self.problems],
        }


# --- signature checks (in this process, or streamed to worker processes) ------------------------

_POOL_THRESHOLD: Final = 4096
"""Fewer new entries than this are checked in-process: starting workers would cost more than it saves."""
_CHUNK: Final = 2048
"""Signatures per worker task: large enough to amortise pickling, small enough to balance two cores."""

_worker_keys: dict[bytes, Ed25519PublicKey] = {}  # per worker process, kept across chunks


def _verify_chunk(chunk: Sequence[tuple[bytes, bytes, bytes]]) -> list[int]:
    """Verify ``(raw public key, message, signature)`` triples; return the positions that fail."""
    failed: list[int] = []
    for position, (raw, message, signature) in enumerate(chunk):
        key = _worker_keys.get(raw)
        if key is None:
            key = _worker_keys[raw] = Ed25519PublicKey.from_public_bytes(raw)
        try:
            key.verify(signature, message)
        except InvalidSignature:
            failed.append(position)
    return failed


class _Signatures:
    """Checks each statement signature the entry pass schedules; failures come back in schedule order.

    With one job (or a small bundle) signatures are checked as they are scheduled. With more, they
    are sent in contiguous chunks of raw bytes to worker processes *while* the pass goes on, so
    parsing overlaps with verification; results are collected in submission order, so the report
    does not depend on ``jobs``.
    """

    def __init__(self, jobs: int, expected: int) -> None:
        self.failed: list[tuple[int, str]] = []
        self._keys: dict[bytes, Ed25519PublicKey] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._chunk: list[tuple[bytes, bytes, bytes]] = []
        self._refs: list[tuple[int, str]] = []
        self._futures: list[tuple[list[tuple[int, str]], Future[list[int]]]] = []
        if jobs > 1 and expected >= _POOL_THRESHOLD:
            # fork spares each worker re-importing cryptography (and copies nothing up front), but
            # forking a process that runs other threads can deadlock the child: then use spawn.
            fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
            context = multiprocessing.get_context("fork" if fork else "spawn")
            self._pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context)

    def check(self, index: int, keyid: str, raw: bytes, message: bytes, signature: bytes) -> None:
        if self._pool is None:
            key = self._keys.get(raw)
            if key is None:
                key = self._keys[raw] = Ed25519PublicKey.from_public_bytes(raw)
            try:
                key.verify(signature, message)
            except InvalidSignature:
                self.failed.append((index, keyid))
            return
        self._chunk.append((raw, message, signature))
        self._refs.append((index, keyid))
        if len(self._chunk) >= _CHUNK:
            self._submit()

    def _submit(self) -> None:
        assert self._pool is not None  # only called in pool mode
        self._futures.append((self._refs, self._pool.submit(_verify_chunk, self._chunk)))
        self._chunk, self._refs = [], []

    def finish(self) -> list[tuple[int, str]]:
        """Wait for the workers; return ``(index, keyid)`` of every failed signature, in schedule order."""
        if self._pool is not None:
            if self._chunk:
                self._submit()
            for refs, future in self._futures:
                self.failed.extend(refs[position] for position in future.result())
            self.close()
        return self.failed

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


# --- fast, strict decoding of the common case ------------------------------------------------
#
# The careful parsers (audit.entry, audit.dsse) build several objects per leaf and re-encode base64
# through the base64 module; at 100,000 leaves that costs as much as a third of the Ed25519 work.
# The functions below accept only what those parsers accept *without any problem* and return None
# on anything else, so the entry pass then runs the careful parser, which names the defect.
# tests/audit/test_verify_jobs.py checks the two agree on genuine and mutated leaves.

_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)
# For ASCII input the C encoder's output is the RFC 8785 form (audit.canonical explains why): an
# escape for a character at U+E000 or above could never be canonical, so ASCII-only bytes that
# equal the encoder's output are canonical.
_HEX64: Final = re.compile(r"[0-9a-f]{64}")  # a key id (audit.dsse, audit.entry)
_ACTION: Final = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*")  # as audit.entry
_LEAF_FIELDS: Final = frozenset({"v", "seq", "prev", "time", "statement"})
_ENVELOPE_FIELDS: Final = frozenset({"payload", "payloadType", "signatures"})
_SIGNATURE_FIELDS: Final = frozenset({"keyid", "sig"})
_STATEMENT_FIELDS: Final = frozenset({"action", "process", "from", "to", "time", "actor", "data", "basis"})
_ACTOR_FIELDS: Final = frozenset({"id", "role", "key_id"})
_PAYLOAD_MARK: Final = b'"statement":{"payload":"'

# Fixed templates of the canonical leaf and of a statement's top level. Every field sits in RFC 8785
# key order, with no whitespace, and each value is written in a form that is its own canonical
# encoding: base64, hex and time alphabets need no escapes, integers have no sign or leading zero,
# and statement strings are taken only when they hold no quote, backslash or control character
# (then the canonical string is the raw UTF-8). So bytes that match a template *are* canonical and
# need neither a JSON decode nor a re-encode; field values are still checked as below. Bytes that
# do not match (escapes, other shapes, any defect) take the general path, then the careful parsers.
_B64_TEXT: Final = rb"[A-Za-z0-9+/=]*"
_SIGNATURE: Final = re.compile(rb'\{"keyid":"([0-9a-f]{64})","sig":"(' + _B64_TEXT + rb')"\}')
_ONE_SIGNATURE: Final = rb'\{"keyid":"[0-9a-f]{64}","sig":"' + _B64_TEXT + rb'"\}'
_LEAF_TEMPLATE: Final = re.compile(
    rb'\{"prev":"(' + _B64_TEXT + rb')","seq":(0|[1-9][0-9]{0,15}),"statement":\{"payload":"(' + _B64_TEXT
    + rb')","payloadType":"' + re.escape(PAYLOAD_TYPE.encode("ascii"))
    # The first signature is captured directly (the common case has one); further ones are found after.
    + rb'","signatures":\[(?:\{"keyid":"([0-9a-f]{64})","sig":"(' + _B64_TEXT + rb')"\}((?:,' + _ONE_SIGNATURE
    + rb")*))?\]\},"
    + rb'"time":"([ !#-\[\]-~]*)","v":1\}'
)
_PLAIN: Final = rb'"([^"\\\x00-\x1f]*)"'  # a JSON string with nothing escaped
_NULLABLE: Final = rb"(null|" + _PLAIN + rb")"
_WHO: Final = (
    rb'\{"action":' + _PLAIN + rb',"actor":\{"id":' + _PLAIN + rb',"key_id":"([0-9a-f]{64})","role":' + _PLAIN + rb"\}"
)
_WHO_FIELDS: Final = re.compile(_WHO)
_STATEMENT_HEAD: Final = re.compile(
    rb"(" + _WHO.replace(b"(", b"(?:").replace(b"(?:?:", b"(?:") + rb'),"basis":"(' + _B64_TEXT + rb')","data":'
)
_STATEMENT_TAIL: Final = re.compile(
    rb',"from":' + _NULLABLE + rb',"process":(null|0|-?[1-9][0-9]{0,15}|' + _PLAIN + rb'),"time":"([ !#-\[\]-~]*)"'
    + rb',"to":' + _NULLABLE + rb"\}"
)
_TAIL_MARK: Final = b',"from":'
_CACHE_LIMIT: Final = 65536

_Leaf = tuple[int, bytes, bytes, tuple[tuple[str, bytes], ...]]
"""What the pass needs of a leaf: ``seq``, ``prev``, the DSSE payload, ``(keyid, sig)`` pairs."""


def _b64(text: object, size: int | None = None) -> bytes | None:
    """Canonical standard base64 (as :func:`audit.dsse.b64decode_strict`), or None."""
    if type(text) is not str:
        return None
    try:
        data = binascii.a2b_base64(text)
    except (binascii.Error, ValueError):
        return None
    # Re-encoding must give the text back: one spelling per value (no whitespace, padding bits).
    if binascii.b2a_base64(data, newline=False) != text.encode("ascii") or (size is not None and len(data) != size):
        return None
    return data


_LOW2_ZERO: Final = frozenset(b"AEIMQUYcgkosw048")  # base64 digits whose low 2 bits are zero
_LOW4_ZERO: Final = frozenset(b"AQgw")  # ... whose low 4 bits are zero


def _b64_ascii(text: bytes, size: int | None = None) -> bytes | None:
    """:func:`_b64` for bytes already known to be in the base64 alphabet (a template group).

    Instead of re-encoding, the conditions under which re-encoding gives ``text`` back are checked
    directly: whole quanta, padding only at the end, and zero padding bits.
    """
    length = len(text)
    if length % 4:
        return None
    pad = text.find(b"=")
    if pad >= 0:
        if pad == length - 1:
            if text[-2] not in _LOW2_ZERO:
                return None
        elif pad != length - 2 or text[-1] != 0x3D or text[-3] not in _LOW4_ZERO:
            return None
    data = binascii.a2b_base64(text)
    if size is not None and len(data) != size:
        return None
    return data


# The C encoder itself, built once: JSONEncoder.encode builds a new one on every call. No cycle
# check (markers=None): it only ever encodes what the JSON decoder just produced.
_C_ENCODE: Final = (
    None if json.encoder.c_make_encoder is None  # type: ignore[attr-defined]
    else json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", True, False, False
    )
)


def _encode(value: Any) -> str:
    return "".join(_C_ENCODE(value, 0)) if _C_ENCODE is not None else _ENCODER.encode(value)


def _canonical_text(data: bytes, value: Any) -> bool:
    return data.isascii() and _encode(value) == data.decode("ascii")


class _Decoder:
    """Fast decoding with small caches of values already validated (times, actions, actors)."""

    def __init__(self) -> None:
        self._times: set[str] = set()
        self._actions: set[str] = set()
        self._actors: dict[tuple[str, str, str], Actor] = {}
        self._whos: dict[bytes, tuple[str, Actor]] = {}
        self._time_bytes: set[bytes] = set()
        self._tails: dict[bytes, tuple[str | None, str | int | None, str | None, str]] = {}

    def time_ok(self, text: object) -> bool:
        if type(text) is not str:
            return False
        if text in self._times:
            return True
        try:
            parse_time(text)
        except ValueError:
            return False
        if len(self._times) > 65536:  # times mostly repeat locally; keep the cache small
            self._times.clear()
        self._times.add(text)
        return True

    def leaf(self, leaf: bytes) -> _Leaf | None:
        match = _LEAF_TEMPLATE.fullmatch(leaf)
        if match is not None:
            return self._leaf_from_template(match)
        try:
            obj = loads_strict(leaf)
        except CanonicalError:
            return None
        if type(obj) is not dict or obj.keys() != _LEAF_FIELDS or not _canonical_text(leaf, obj):
            return None
        seq, envelope = obj["seq"], obj["statement"]
        if type(obj["v"]) is not int or obj["v"] != 1 or type(seq) is not int or seq < 0:
            return None
        prev = _b64(obj["prev"], HASH_SIZE)
        if prev is None or not self.time_ok(obj["time"]):
            return None
        if type(envelope) is not dict or envelope.keys() != _ENVELOPE_FIELDS:
            return None
        payload = _b64(envelope["payload"])
        raw_signatures = envelope["signatures"]
        if envelope["payloadType"] != PAYLOAD_TYPE or payload is None or type(raw_signatures) is not list:
            return None
        signatures: list[tuple[str, bytes]] = []
        for raw in raw_signatures:
            if type(raw) is not dict or raw.keys() != _SIGNATURE_FIELDS:
                return None
            keyid, sig = raw["keyid"], _b64(raw["sig"], SIGNATURE_SIZE)
            if type(keyid) is not str or _HEX64.fullmatch(keyid) is None or sig is None:
                return None
            signatures.append((keyid, sig))
        if len({k for k, _ in signatures}) != len(signatures):
            return None
        return seq, prev, payload, tuple(signatures)

    def _leaf_from_template(self, match: re.Match[bytes]) -> _Leaf | None:
        """The checks of the general path below, for a leaf that matched ``_LEAF_TEMPLATE``."""
        prev_text, seq_text, payload_text, first_keyid, first_sig, more, time_text = match.groups()
        seq = int(seq_text)
        prev = _b64_ascii(prev_text, HASH_SIZE)
        payload = _b64_ascii(payload_text)
        if seq > MAX_SAFE_INTEGER or prev is None or payload is None:
            return None
        if time_text not in self._time_bytes:
            if not self.time_ok(time_text.decode("ascii")):
                return None
            if len(self._time_bytes) > _CACHE_LIMIT:
                self._time_bytes.clear()
            self._time_bytes.add(time_text)
        if first_keyid is None:
            return seq, prev, payload, ()
        pairs = [(first_keyid, first_sig)]
        if more:
            pairs.extend(_SIGNATURE.findall(more))
        signatures: list[tuple[str, bytes]] = []
        for keyid, sig_text in pairs:
            sig = _b64_ascii(sig_text, SIGNATURE_SIZE)
            if sig is None:
                return None
            signatures.append((keyid.decode("ascii"), sig))
        if len(signatures) > 1 and len({k for k, _ in signatures}) != len(signatures):
            return None
        return seq, prev, payload, tuple(signatures)

    def statement(self, payload: bytes) -> UnverifiedStatement | None:
        head = _STATEMENT_HEAD.match(payload)
        if head is not None:
            found = self._statement_from_template(payload, head)
            if found is not None:
                return found
        try:
            obj = loads_strict(payload)
        except CanonicalError:
            return None
        if type(obj) is not dict or obj.keys() != _STATEMENT_FIELDS:
            return None
        # Non-ASCII payloads (names in reasons, …) take the general check, which handles them.
        if not (_canonical_text(payload, obj) if payload.isascii() else is_canonical(payload)):
            return None
        action, process, from_state, to_state = obj["action"], obj["process"], obj["from"], obj["to"]
        if type(action) is not str:
            return None
        if action not in self._actions:
            if _ACTION.fullmatch(action) is None:
                return None
            self._actions.add(action)
        if not (process is None or (type(process) is str and process) or type(process) is int):
            return None
        if not all(s is None or (type(s) is str and s) for s in (from_state, to_state)):
            return None
        raw_actor, data = obj["actor"], obj["data"]
        if not self.time_ok(obj["time"]) or type(raw_actor) is not dict or raw_actor.keys() != _ACTOR_FIELDS:
            return None
        actor_id, role, kid = raw_actor["id"], raw_actor["role"], raw_actor["key_id"]
        if not (type(actor_id) is str and actor_id and type(role) is str and role and type(kid) is str):
            return None
        actor = self._actors.get((actor_id, role, kid))
        if actor is None:
            if _HEX64.fullmatch(kid) is None:
                return None
            actor = self._actors[actor_id, role, kid] = Actor(actor_id, role, kid)
        basis = _b64(obj["basis"], HASH_SIZE)
        if type(data) is not dict or basis is None:
            return None
        return UnverifiedStatement(action, process, from_state, to_state, obj["time"], actor, data, basis, payload)


    def _statement_from_template(self, payload: bytes, head: re.Match[bytes]) -> UnverifiedStatement | None:
        """The checks of :meth:`statement` for a payload whose top level matches the templates.

        Only ``data`` is decoded (and checked canonical); it ends where the tail begins, at the
        last ``,"from":`` (tail strings hold no quote, so the tail cannot contain that mark). The
        checked actor part and tail repeat across entries, so they are cached by their bytes.
        """
        cut = payload.rfind(_TAIL_MARK)
        if cut <= head.end():
            return None
        who = self._who(head.group(1))
        tail = self._tail(payload[cut:])
        basis = _b64_ascii(head.group(2), HASH_SIZE)
        if who is None or tail is None or basis is None:
            return None
        raw = payload[head.end() : cut]
        try:
            text = raw.decode("utf-8")
            data = loads_exact_unchecked(text)
        except (CanonicalError, UnicodeDecodeError):
            return None
        if type(data) is not dict or not (_encode(data) == text if text.isascii() else is_canonical(raw)):
            return None
        action, actor = who
        from_state, process, to_state, time_text = tail
        return UnverifiedStatement(action, process, from_state, to_state, time_text, actor, data, basis, payload)

    def _who(self, text: bytes) -> tuple[str, Actor] | None:
        """Action and actor of a template head, checked as :meth:`statement` checks them."""
        found = self._whos.get(text)
        if found is not None:
            return found
        match = _WHO_FIELDS.fullmatch(text)
        if match is None:
            return None
        try:
            action, actor_id, kid, role = (group.decode("utf-8") for group in match.groups())
        except UnicodeDecodeError:
            return None
        if not actor_id or not role or _ACTION.fullmatch(action) is None:
            return None
        if len(self._whos) > _CACHE_LIMIT:
            self._whos.clear()
        found = self._whos[text] = (action, Actor(actor_id, role, kid))
        return found

    def _tail(self, text: bytes) -> tuple[str | None, str | int | None, str | None, str] | None:
        """``from``, ``process``, ``to`` and ``time`` of a template tail, checked as :meth:`statement` does."""
        found = self._tails.get(text)
        if found is not None:
            return found
        match = _STATEMENT_TAIL.fullmatch(text)
        if match is None:
            return None
        _, from_text, number, process_text, time_bytes, _, to_text = match.groups()
        process: str | int | None = None
        try:
            from_state, to_state = (None if t is None else t.decode("utf-8") for t in (from_text, to_text))
            if process_text is not None:
                process = process_text.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if process_text is None and number != b"null":
            process = int(number)
            if not -MAX_SAFE_INTEGER <= process <= MAX_SAFE_INTEGER:
                return None
        time_text = time_bytes.decode("ascii")
        if process == "" or from_state == "" or to_state == "" or not self.time_ok(time_text):
            return None
        if len(self._tails) > _CACHE_LIMIT:
            self._tails.clear()
        found = self._tails[text] = (from_state, process, to_state, time_text)
        return found


# --- the entry pass ------------------------------------------------------------------------


class _EntryPass:
    """State of the single sequential pass over the leaves.

    Entries below ``proven`` lie under a trusted checkpoint that this verifier fully checked in an
    earlier run and whose root the bundle's leaves reproduce (incremental mode, docs/bundle.md §4):
    their bytes are the ones checked then, so they are only *read* — to replay the key history and
    the process heads that later entries are checked against — not checked again.
    """

    def __init__(self, leaves: Sequence[bytes], hashes: list[bytes], signatures: _Signatures, proven: int = 0) -> None:
        self.leaves = leaves
        self.hashes = hashes
        self.signatures = signatures
        self.proven = proven
        self.problems: list[Problem] = []
        self.prevs: list[bytes | None] = []  # each entry's prev (None: the leaf does not parse)
        self.history = KeyHistory()
        self._decoder = _Decoder()
        self._seen: dict[bytes, int] = {}
        self._heads: dict[str | int | None, bytes] = {}
        self._first_with_seq: dict[int, int] = {}
        self._seq_offset = 0

    def add(self, index: int | None, kind: str, detail: str) -> None:
        self.problems.append(Problem(index, kind, detail))

    def run(self) -> None:
        leaves = self.leaves
        for index in range(self.proven):
            if not self._replay(index, leaves[index]):
                self._one(index, leaves[index])  # not what was verified before after all: check it
        for index in range(self.proven, len(leaves)):
            self._one(index, leaves[index])
        for index, keyids in _grouped(self.signatures.finish()).items():
            self.add(index, "bad_signature", f"signature(s) by key {', '.join(keyids)} do not verify")

    def _replay(self, index: int, leaf: bytes) -> bool:
        """Read an already verified entry: its process head, and its key change if it makes one."""
        start = leaf.find(_PAYLOAD_MARK)
        end = leaf.find(b'"', start + len(_PAYLOAD_MARK))
        if start < 0 or end < 0:
            return False
        try:
            payload = binascii.a2b_base64(leaf[start + len(_PAYLOAD_MARK) : end])
            obj = loads_strict(payload)
            process, action = obj["process"], obj["action"]
            hash(process)
        except (binascii.Error, CanonicalError, TypeError, KeyError):
            return False
        leaf_hash = self.hashes[index]
        if action in KEY_ACTIONS:  # rare: replay it exactly as the full pass does
            parsed = self._decoder.leaf(leaf)
            statement = self._decoder.statement(payload)
            if parsed is None or statement is None or parsed[0] != index:
                return False
            try:
                self.history.check_statement(index, statement, tuple(k for k, _ in parsed[3]))
            except AuditError:
                return False
            self.history.apply(index, statement)
        self._seen.setdefault(leaf_hash, index)
        self.prevs.append(self.hashes[index - 1] if index else ZERO_HASH)
        self._heads[process] = leaf_hash
        return True

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
        leaf_hash = self.hashes[index]
        parsed = self._decoder.leaf(leaf)
        if parsed is None:
            entry = self._parse(index, leaf)
            if entry is not None:
                signatures = tuple((s.keyid, s.sig) for s in entry.envelope.signatures)
                parsed = (entry.seq, entry.prev, entry.envelope.payload, signatures)
        self.prevs.append(None if parsed is None else parsed[1])
        earlier = self._seen.setdefault(leaf_hash, index)
        if earlier != index:
            self.add(index, "duplicate_entry", f"identical to entry {earlier}")
        if parsed is None:
            return
        seq, prev, payload, signatures = parsed
        self._check_position(index, seq, prev, duplicate=earlier != index)
        statement = self._decoder.statement(payload) or self._statement(index, payload)
        if statement is not None:
            self._check_statement(index, statement, payload, signatures)

    def _check_position(self, index: int, seq: int, prev: bytes, *, duplicate: bool) -> None:
        if seq != index:
            offset = seq - index
            # After a deletion or insertion every later entry is shifted alike: report the shift once.
            if offset != self._seq_offset:
                shift = "entries are missing before it" if offset > 0 else "an earlier seq is repeated"
                self.add(index, "seq_mismatch", f"position {index} holds seq {seq} ({shift})")
            self._seq_offset = offset
            # Replayed entries sit at their seq (they were verified), so they are not in the dict.
            rival = self._first_with_seq.get(seq, seq if seq < self.proven else None)
            rival_prev = self.prevs[rival] if rival is not None else None
            # Two different entries claiming one seq after the same predecessor: a fork. The first
            # claimant is where the log stops being one history (an inserted entry sits there).
            if not duplicate and rival is not None and rival_prev == prev:
                self.add(rival, "conflicting_entry", f"entries {rival} and {index} both claim seq {seq}")
        else:
            self._seq_offset = 0
        self._first_with_seq.setdefault(seq, index)
        expected = self.hashes[index - 1] if index else ZERO_HASH
        if prev != expected:
            self.add(index, "prev_mismatch", "prev is not the leaf hash of the entry before it")

    def _statement(self, index: int, payload: bytes) -> UnverifiedStatement | None:
        try:
            return parse_statement_unverified(payload)
        except NotCanonicalError:
            self.add(index, "non_canonical_statement", "statement payload is not RFC 8785 canonical JSON")
            try:
                return parse_statement_unverified(payload, require_canonical=False)
            except (CanonicalError, StatementFormatError) as exc:
                self.add(index, "malformed_statement", str(exc))
        except (CanonicalError, StatementFormatError) as exc:
            self.add(index, "malformed_statement", str(exc))
        return None

    def _check_statement(
        self,
        index: int,
        statement: UnverifiedStatement,
        payload: bytes,
        signatures: tuple[tuple[str, bytes], ...],
    ) -> None:
        signed_by = tuple(kid for kid, _ in signatures)
        # Which key each signature is checked with is decided before the statement changes the history.
        message = pae(PAYLOAD_TYPE, payload)
        for kid, sig in signatures:
            raw = self.history.signing_key(statement, kid)
            if raw is not None:
                self.signatures.check(index, kid, raw, message, sig)
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


def _grouped(failed: Sequence[tuple[int, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for index, keyid in failed:
        grouped.setdefault(index, []).append(keyid)
    return grouped


# --- the tree ----------------------------------------------------------------------------------


class _Tree:
    """Every complete subtree hash of the bundle's leaves, computed once (a :class:`HashReader`).

    Roots at any size and consistency proofs then read O(log n) stored hashes
    (:func:`audit.merkle.tree_root`, :func:`audit.merkle.consistency_proof`) instead of rehashing
    the whole prefix for each checkpoint.
    """

    def __init__(self, leaf_hashes: list[bytes]) -> None:
        self._levels = [leaf_hashes]
        self._built = False
        self._roots: dict[int, bytes] = {}

    def read_hashes(self, indexes: Sequence[tuple[int, int]]) -> list[bytes]:
        if not self._built:
            self._built = True
            level, node = self._levels[0], merkle.node_hash
            while len(level) > 1:
                level = [node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
                self._levels.append(level)
        try:
            return [self._levels[level][index] for level, index in indexes]
        except IndexError as exc:
            raise MissingHashError(f"no complete subtree at one of {list(indexes)}") from exc

    def root(self, size: int) -> bytes:
        if size not in self._roots:
            self._roots[size] = merkle.tree_root(size, self)
        return self._roots[size]


# --- checkpoints -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Verified:
    size: int
    root: bytes
    text: str


def _open(text: str, verifier: note.NoteVerifier, origin: str) -> _Verified:
    opened = note.open_checkpoint(text, verifier, origin=origin)
    return _Verified(opened.checkpoint.size, opened.checkpoint.root_hash, text)


def _checkpoint_kind(exc: Exception) -> str:
    if isinstance(exc, (InvalidNoteSignatureError, UnverifiedNoteError)):
        return "checkpoint_bad_signature"
    return "malformed_checkpoint"


class _CheckpointPass:
    """Checks the trusted checkpoint, then the bundle's checkpoints, against the leaf hashes."""

    def __init__(self, bundle: UnverifiedBundle, entries: _EntryPass, verifier: note.NoteVerifier, tree: _Tree) -> None:
        self.bundle = bundle
        self.entries = entries
        self.verifier = verifier
        self.tree = tree
        self.hashes = entries.hashes
        self.size = len(entries.hashes)
        self.proven = 0  # entries [0, proven) match a trusted checkpoint
        self.newest: _Verified | None = None
        self._localised = False

    def root(self, size: int) -> bytes:
        return self.tree.root(size)

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
            prev = self.entries.prevs[index]
            if prev is None or prev == self.hashes[index - 1]:
                continue
            patched = list(self.hashes[: checkpoint.size])
            patched[index - 1] = prev
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
            proof = merkle.consistency_proof(trusted.size, newest.size, self.tree)
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


def _report(
    size: int,
    problems: list[Problem],
    checkpoint: _Verified | None,
    pinned: bool,
    incremental_from: int = 0,
) -> Report:
    # Stable sort: by index (bundle-level facts last); within an index, in the order checks ran.
    ordered = sorted(problems, key=lambda p: (p.index is None, p.index or 0))
    indexes = [p.index for p in ordered if p.index is not None]
    return Report(
        ok=not ordered,
        size=size,
        first_bad_index=min(indexes) if indexes else None,
        problems=tuple(ordered),
        checkpoint_size=checkpoint.size if checkpoint else None,
        vkey_pinned=pinned,
        checkpoint=checkpoint.text if checkpoint else None,
        incremental_from=incremental_from,
    )


def _previously_verified(
    tree: _Tree, verifier: note.NoteVerifier | None, origin: str, text: str | None, size: int
) -> int:
    """How many leaves a trusted, previously verified checkpoint vouches for (0: none, or it does not match)."""
    if verifier is None or text is None:
        return 0
    try:
        trusted = _open(text, verifier, origin)
    except (MalformedNoteError, InvalidNoteSignatureError, UnverifiedNoteError, CheckpointError):
        return 0  # reported by the checkpoint pass, which then runs on a fully checked bundle
    if not 0 < trusted.size <= size or tree.root(trusted.size) != trusted.root:
        return 0  # rollback or split view: check everything, so the report can say where it breaks
    return trusted.size


def verify_bundle(
    bundle: UnverifiedBundle | bytes,
    *,
    vkey: str | None = None,
    trusted_checkpoint: str | None = None,
    jobs: int = 1,
    incremental: bool = False,
) -> Report:
    """Verify a bundle completely and say where it first goes wrong.

    Args:
        bundle: the bundle, parsed (:func:`audit.bundle.read_bundle_unverified`) or as bytes.
        vkey: the log key to pin (note vkey). Without it, the bundle's own ``log_vkey`` is used,
            which proves integrity relative to that key only (``Report.vkey_pinned`` is False).
        trusted_checkpoint: a signed checkpoint the inspector obtained earlier (or from a witness);
            the bundle must extend it (no rollback) and agree with it (no split view).
        jobs: worker processes for signature checks (1 = in this process; small bundles are
            always checked in this process).
        incremental: the trusted checkpoint is one this verifier accepted in an earlier, complete
            run (``python -m audit verify --state``). When the leaves reproduce its root, entries
            it covers are not checked again — only replayed for the key history and process
            heads — and only later entries are checked (docs/bundle.md, "Incremental
            verification"). When they do not, everything is checked and the report is as without
            ``incremental``.

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
    leaves = bundle.leaves
    leaf_hash = merkle.leaf_hash
    hashes = [leaf_hash(leaf) for leaf in leaves]
    tree = _Tree(hashes)
    verifier: note.NoteVerifier | None = None
    vkey_error: Exception | None = None
    try:
        verifier = note.verifier_from_vkey(vkey if vkey is not None else bundle.log_vkey)
    except (VerifierKeyError, ValueError) as exc:
        vkey_error = exc
    proven = 0
    if incremental:
        proven = _previously_verified(tree, verifier, bundle.origin, trusted_checkpoint, len(leaves))

    signatures = _Signatures(jobs, len(leaves) - proven)
    try:
        entries = _EntryPass(leaves, hashes, signatures, proven)
        entries.run()
    finally:
        signatures.close()

    newest: _Verified | None = None
    if verifier is None:
        entries.add(0, "bad_vkey", f"the log key cannot be used: {vkey_error}")
    else:
        if vkey is not None and vkey != bundle.log_vkey:
            entries.add(None, "log_key_mismatch", "the bundle names another log key than the one pinned")
        checkpoints = _CheckpointPass(bundle, entries, verifier, tree)
        trusted = checkpoints.trusted(trusted_checkpoint) if trusted_checkpoint is not None else None
        checkpoints.bundle_checkpoints()
        checkpoints.after(trusted)
        newest = checkpoints.newest
    _check_keys_and_evidence(bundle, entries)
    return _report(len(leaves), entries.problems, newest, vkey is not None, proven)
