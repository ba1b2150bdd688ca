"""Statements and log entries (leaves), exactly as DESIGN.md §4 defines them.

A **statement** is what an actor attests, as RFC 8785 canonical JSON (the DSSE payload)::

    {"action", "process", "from", "to", "time", "actor": {"id", "role", "key_id"}, "data", "basis"}

``process`` is a string, an integer or ``null`` (key statements and other log-level actions);
``from``/``to`` are state names or ``null``; ``time`` is ``YYYY-MM-DDTHH:MM:SSZ``; ``data`` is an
object; ``basis`` is the standard-base64 leaf hash of the previous entry with the same ``process``
value (``null`` included), or 32 zero bytes for the first — so each process reads as its own
hash chain inside the global log.

An **entry** (Merkle leaf) is the canonical JSON
``{"v":1,"seq":n,"prev":b64,"time":…,"statement":<DSSE envelope JSON>}``, where ``prev`` is the
leaf hash (RFC 9162, ``SHA-256(0x00||leaf)``) of entry ``n−1``, or 32 zero bytes for entry 0. The
leaf bytes are stored and shipped exactly as hashed; nobody re-serialises them (C11).

Parsing returns ``Unverified*`` values (C10): shape and canonical form are checked, signatures,
links and keys are not — that is :mod:`audit.verify`'s job.

Import rule: standard library, ``cryptography``, ``rfc8785`` and ``audit.{errors,canonical,
dsse,keys,merkle}`` only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from audit import merkle
from audit.canonical import canonical_json, loads_strict, parse_canonical
from audit.dsse import Envelope, b64decode_strict, b64encode
from audit.errors import EntryFormatError, EnvelopeError, StatementFormatError

__all__ = [
    "HASH_SIZE",
    "LEAF_VERSION",
    "ZERO_HASH",
    "Actor",
    "UnverifiedEntry",
    "UnverifiedStatement",
    "build_leaf",
    "format_time",
    "make_statement",
    "parse_leaf_unverified",
    "parse_statement_unverified",
    "parse_time",
]

LEAF_VERSION = 1
HASH_SIZE = 32
ZERO_HASH = bytes(HASH_SIZE)
"""``prev`` of entry 0 and ``basis`` of a process's first statement."""

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_ACTION = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*")
_KEY_ID = re.compile(r"[0-9a-f]{64}")
_LEAF_FIELDS = frozenset({"v", "seq", "prev", "time", "statement"})
_STATEMENT_FIELDS = frozenset({"action", "process", "from", "to", "time", "actor", "data", "basis"})
_ACTOR_FIELDS = frozenset({"id", "role", "key_id"})


def format_time(moment: datetime) -> str:
    """Format a timezone-aware time as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (sub-seconds are dropped).

    Args:
        moment: a timezone-aware datetime (C9: the caller passes "now").

    Returns:
        The UTC timestamp text.

    Raises:
        ValueError: ``moment`` is naive.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("time must be timezone-aware (UTC)")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: object) -> datetime:
    """Parse a ``YYYY-MM-DDTHH:MM:SSZ`` timestamp.

    Args:
        text: the JSON value.

    Returns:
        The aware UTC datetime.

    Raises:
        ValueError: not a string in exactly that form, or not a real date and time.
    """
    if not isinstance(text, str) or _TIME.fullmatch(text) is None:
        raise ValueError(f"time must be YYYY-MM-DDTHH:MM:SSZ, got {text!r}")
    # The regex fixes the exact form; fromisoformat (C, far faster than strptime on the verifier's
    # hot path) then rejects impossible dates and times such as 02-30 or 24:00.
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a statement: user id (``"system"`` for computed steps), role, and key id."""

    id: str
    role: str
    key_id: str

    def to_json(self) -> dict[str, str]:
        """Return the ``actor`` object of a statement."""
        return {"id": self.id, "role": self.role, "key_id": self.key_id}


@dataclass(frozen=True, slots=True)
class UnverifiedStatement:
    """A shape-checked statement payload; ``payload`` holds the exact bytes that were signed."""

    action: str
    process: str | int | None
    from_state: str | None
    to_state: str | None
    time: str
    actor: Actor
    data: Mapping[str, Any]
    basis: bytes
    payload: bytes


def _statement_from_json(obj: object, payload: bytes) -> UnverifiedStatement:
    if not isinstance(obj, dict) or obj.keys() != _STATEMENT_FIELDS:
        raise StatementFormatError(f"statement must be an object with exactly {sorted(_STATEMENT_FIELDS)}")
    action = obj["action"]
    if not isinstance(action, str) or _ACTION.fullmatch(action) is None:
        raise StatementFormatError(f"action {action!r} is not a dotted lowercase name")
    process = obj["process"]
    if not (process is None or (isinstance(process, str) and process) or type(process) is int):
        raise StatementFormatError("process must be a non-empty string, an integer or null")
    states: list[str | None] = []
    for name in ("from", "to"):
        value = obj[name]
        if value is not None and not (isinstance(value, str) and value):
            raise StatementFormatError(f"{name} must be a state name or null")
        states.append(value)
    try:
        parse_time(obj["time"])
    except ValueError as exc:
        raise StatementFormatError(str(exc)) from exc
    raw_actor = obj["actor"]
    if not isinstance(raw_actor, dict) or raw_actor.keys() != _ACTOR_FIELDS:
        raise StatementFormatError("actor must be an object with exactly id, role, key_id")
    if not all(isinstance(raw_actor[k], str) and raw_actor[k] for k in ("id", "role")):
        raise StatementFormatError("actor id and role must be non-empty strings")
    if not isinstance(raw_actor["key_id"], str) or _KEY_ID.fullmatch(raw_actor["key_id"]) is None:
        raise StatementFormatError("actor.key_id must be 64 lowercase hex digits")
    if not isinstance(obj["data"], dict):
        raise StatementFormatError("data must be an object")
    try:
        basis = b64decode_strict(obj["basis"], what="basis", size=HASH_SIZE)
    except EnvelopeError as exc:
        raise StatementFormatError(str(exc)) from exc
    actor = Actor(raw_actor["id"], raw_actor["role"], raw_actor["key_id"])
    return UnverifiedStatement(action, process, states[0], states[1], obj["time"], actor, obj["data"], basis, payload)


def parse_statement_unverified(payload: bytes, *, require_canonical: bool = True) -> UnverifiedStatement:
    """Parse a statement payload (the DSSE payload bytes) and check its shape.

    Args:
        payload: the payload bytes.
        require_canonical: demand RFC 8785 form (always, except when a verifier wants to keep
            checking a payload it already reported as non-canonical).

    Returns:
        The unverified statement.

    Raises:
        MalformedJSONError: not JSON in the log's domain.
        NotCanonicalError: not canonical (only with ``require_canonical``).
        StatementFormatError: wrong fields or field types.
    """
    obj = parse_canonical(payload) if require_canonical else loads_strict(payload)
    return _statement_from_json(obj, payload)


def make_statement(
    *,
    action: str,
    process: str | int | None,
    from_state: str | None,
    to_state: str | None,
    time: datetime,
    actor: Actor,
    data: Mapping[str, Any],
    basis: bytes,
) -> bytes:
    """Build a statement's canonical payload bytes, ready for :func:`audit.dsse.sign_envelope`.

    Args:
        action: dotted lowercase name (``"process.shortlist"``, ``"key.enrol"``, …).
        process: the process id, or ``None`` for log-level statements (keys).
        from_state: the state before, or ``None``.
        to_state: the state after, or ``None``.
        time: when the actor made it (timezone-aware; caller's clock, C9).
        actor: who, with which role and key.
        data: decision data (no floats, integers within ±(2^53−1), no personal data).
        basis: leaf hash of the process's latest entry the actor saw (``ZERO_HASH`` if none).

    Returns:
        RFC 8785 canonical JSON bytes.

    Raises:
        CanonicalError: ``data`` is outside the JSON domain.
        StatementFormatError: a field does not fit the statement shape.
        ValueError: ``time`` is naive.
    """
    obj = {
        "action": action,
        "process": process,
        "from": from_state,
        "to": to_state,
        "time": format_time(time),
        "actor": actor.to_json(),
        "data": dict(data),
        "basis": b64encode(basis),
    }
    payload = canonical_json(obj)
    # Parse what we made, so a producer can never emit a statement the verifier rejects.
    parse_statement_unverified(payload)
    return payload


@dataclass(frozen=True, slots=True)
class UnverifiedEntry:
    """A shape-checked leaf: ``leaf`` holds the exact bytes, ``leaf_hash`` their RFC 9162 hash."""

    seq: int
    prev: bytes
    time: str
    envelope: Envelope
    leaf: bytes
    leaf_hash: bytes

    def statement_unverified(self, *, require_canonical: bool = True) -> UnverifiedStatement:
        """Parse the envelope's payload (see :func:`parse_statement_unverified`)."""
        return parse_statement_unverified(self.envelope.payload, require_canonical=require_canonical)


def build_leaf(seq: int, prev_leaf_hash: bytes, time: datetime, envelope: Envelope) -> bytes:
    """Build the exact leaf bytes of entry ``seq``.

    Args:
        seq: the entry's position in the log (0-based; equals its Merkle leaf index).
        prev_leaf_hash: leaf hash of entry ``seq − 1``, or ``ZERO_HASH`` for entry 0.
        time: when the log accepted it (timezone-aware; caller's clock, C9).
        envelope: the signed statement.

    Returns:
        RFC 8785 canonical JSON bytes, to be stored and hashed as they are.

    Raises:
        EntryFormatError: negative ``seq`` or ``prev_leaf_hash`` not 32 bytes.
        ValueError: ``time`` is naive.
    """
    if type(seq) is not int or seq < 0:
        raise EntryFormatError(f"seq must be a non-negative integer, got {seq!r}")
    if len(prev_leaf_hash) != HASH_SIZE:
        raise EntryFormatError("prev must be a 32-byte leaf hash")
    obj = {
        "v": LEAF_VERSION,
        "seq": seq,
        "prev": b64encode(prev_leaf_hash),
        "time": format_time(time),
        "statement": envelope.to_json(),
    }
    return canonical_json(obj)


def parse_leaf_unverified(leaf: bytes, *, require_canonical: bool = True) -> UnverifiedEntry:
    """Parse leaf bytes and check their exact shape (DESIGN.md §4). Nothing is verified.

    Args:
        leaf: the leaf bytes as stored.
        require_canonical: demand RFC 8785 form (see :func:`parse_statement_unverified`).

    Returns:
        The unverified entry, with its leaf hash.

    Raises:
        MalformedJSONError: not JSON in the log's domain.
        NotCanonicalError: not canonical (only with ``require_canonical``).
        EntryFormatError: wrong fields or types, wrong version.
        EnvelopeError: the ``statement`` envelope is malformed.
    """
    obj = parse_canonical(leaf) if require_canonical else loads_strict(leaf)
    if not isinstance(obj, dict) or obj.keys() != _LEAF_FIELDS:
        raise EntryFormatError(f"leaf must be an object with exactly {sorted(_LEAF_FIELDS)}")
    if type(obj["v"]) is not int or obj["v"] != LEAF_VERSION:
        raise EntryFormatError(f"unsupported leaf version {obj['v']!r}")
    seq = obj["seq"]
    if type(seq) is not int or seq < 0:
        raise EntryFormatError("seq must be a non-negative integer")
    try:
        prev = b64decode_strict(obj["prev"], what="prev", size=HASH_SIZE)
        parse_time(obj["time"])
    except (EnvelopeError, ValueError) as exc:
        raise EntryFormatError(str(exc)) from exc
    envelope = Envelope.from_json(obj["statement"])
    return UnverifiedEntry(seq, prev, obj["time"], envelope, leaf, merkle.leaf_hash(leaf))
