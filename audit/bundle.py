"""The bundle: one JSON file an inspector takes away and verifies offline (DESIGN.md §4–5).

Format ``jejak-bundle/v1`` (full description: ``docs/bundle.md``)::

    {
      "format": "jejak-bundle/v1",
      "origin": "<log origin>",
      "log_vkey": "<note vkey of the log key>",
      "checkpoints": ["<signed checkpoint note>", …],      # ascending size; the last covers all leaves
      "leaves": ["<base64 of the exact leaf bytes>", …],   # position = seq = Merkle leaf index
      "keys": {"system": ["<base64 raw Ed25519 public key>", …]},
      "evidence": {"<hex SHA-256 digest>": {"salt": "<base64, 16 bytes>", "data": <JSON>}, …},
      "process": null | {"id": <process id>, …}           # optional filter metadata
    }

One JSON document rather than JSON Lines: the verifier needs every leaf anyway (to recompute the
root), a single object has one strict schema with no record-type or ordering ambiguity, standard
tools (``jq``, any JSON library) read it, and the C JSON parser reads 100,000 leaves in well
under a second.

Import rule: standard library, ``rfc8785`` and ``audit.{errors,canonical,dsse}`` only; no file
I/O (``audit/__main__.py`` reads files, C8).
"""

from __future__ import annotations

import binascii
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from audit.canonical import canonical_json, check_domain, loads_strict
from audit.dsse import b64decode_strict, b64encode
from audit.errors import BundleFormatError, BundleLeafError, CanonicalError, EnvelopeError

__all__ = [
    "BUNDLE_FORMAT",
    "SALT_SIZE",
    "EvidenceRecord",
    "UnverifiedBundle",
    "evidence_digest",
    "make_evidence",
    "read_bundle_unverified",
    "write_bundle",
]

BUNDLE_FORMAT = "jejak-bundle/v1"
SALT_SIZE = 16
"""Bytes of random salt per evidence record (DESIGN.md §4), so a digest does not reveal a guessable value."""

_FIELDS = frozenset({"format", "origin", "log_vkey", "checkpoints", "leaves", "keys", "evidence", "process"})
_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """One evidence record: its salt and its data (opaque to ``audit``; no floats)."""

    salt: bytes
    data: Any


def evidence_digest(salt: bytes, data: Any) -> str:
    """Return the digest that statements use to reference an evidence record.

    ``SHA-256(RFC 8785 canonical JSON of {"data": data, "salt": base64(salt)})``, lowercase hex.

    Args:
        salt: the record's 16 random bytes.
        data: the record's JSON data (names, NIPs, scores — never in the log itself).

    Returns:
        64 lowercase hex digits.

    Raises:
        CanonicalError: ``data`` is outside the JSON domain.
        ValueError: ``salt`` is not 16 bytes.
    """
    if len(salt) != SALT_SIZE:
        raise ValueError(f"an evidence salt is {SALT_SIZE} bytes, got {len(salt)}")
    return hashlib.sha256(canonical_json({"data": data, "salt": b64encode(salt)})).hexdigest()


def make_evidence(salt: bytes, data: Any) -> tuple[str, EvidenceRecord]:
    """Build an evidence record and its digest (the caller supplies the random salt, C9).

    Returns:
        ``(digest, record)``.

    Raises:
        CanonicalError: ``data`` is outside the JSON domain.
        ValueError: ``salt`` is not 16 bytes.
    """
    return evidence_digest(salt, data), EvidenceRecord(salt, data)


@dataclass(frozen=True, slots=True)
class UnverifiedBundle:
    """A shape-checked bundle (C10): nothing in it is verified until :func:`audit.verify.verify_bundle`."""

    origin: str
    log_vkey: str
    checkpoints: tuple[str, ...]
    leaves: tuple[bytes, ...]
    system_keys: tuple[bytes, ...] = ()
    evidence: Mapping[str, EvidenceRecord] = field(default_factory=dict)
    process: Mapping[str, Any] | None = None


def write_bundle(
    *,
    origin: str,
    log_vkey: str,
    checkpoints: Sequence[str],
    leaves: Sequence[bytes],
    system_keys: Sequence[bytes] = (),
    evidence: Mapping[str, EvidenceRecord] | None = None,
    process: Mapping[str, Any] | None = None,
) -> bytes:
    """Serialise a bundle.

    Args:
        origin: the log origin (the checkpoints' first line).
        log_vkey: the log key in note vkey form.
        checkpoints: signed checkpoint notes, ascending by size; the last should cover every leaf.
        leaves: every leaf from 0, exactly as stored.
        system_keys: raw public keys of the system key(s), for the inspector's information (the
            verifier cross-checks them against the key history in the leaves).
        evidence: digest → record.
        process: optional filter metadata (e.g. ``{"id": 7}`` when exported for one process).

    Returns:
        UTF-8 JSON, keys sorted, one line, ending in a newline.

    Raises:
        BundleFormatError: a value cannot be represented (float in evidence, bad salt, …).
    """
    records: dict[str, Any] = {}
    for digest, record in (evidence or {}).items():
        if _DIGEST.fullmatch(digest) is None or len(record.salt) != SALT_SIZE:
            raise BundleFormatError(f"evidence {digest!r}: digest must be 64 hex digits and salt {SALT_SIZE} bytes")
        records[digest] = {"salt": b64encode(record.salt), "data": record.data}
    obj = {
        "format": BUNDLE_FORMAT,
        "origin": origin,
        "log_vkey": log_vkey,
        "checkpoints": list(checkpoints),
        "leaves": [b64encode(leaf) for leaf in leaves],
        "keys": {"system": [b64encode(key) for key in system_keys]},
        "evidence": records,
        "process": None if process is None else dict(process),
    }
    try:
        check_domain(records, "$.evidence")
        check_domain(obj["process"], "$.process")
    except CanonicalError as exc:
        raise BundleFormatError(str(exc)) from exc
    # Not canonical JSON on purpose: the bundle is a container, never hashed or signed as a whole,
    # and the C encoder writes 100,000 leaves far faster than rfc8785 would.
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"


def _strings(value: object, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BundleFormatError(f"{what} must be a list of strings")
    return value


def read_bundle_unverified(data: bytes) -> UnverifiedBundle:
    """Parse a bundle and check its shape; verifies nothing.

    Args:
        data: the bundle file's bytes.

    Returns:
        The unverified bundle.

    Raises:
        BundleLeafError: a leaf is not canonical base64 (``.index`` says which).
        BundleFormatError: not JSON, another format version, or a field of the wrong shape.
    """
    try:
        obj = loads_strict(data)
    except CanonicalError as exc:
        raise BundleFormatError(f"bundle is not JSON in the log's domain: {exc}") from exc
    if not isinstance(obj, dict) or obj.keys() != _FIELDS:
        raise BundleFormatError(f"bundle must be an object with exactly {sorted(_FIELDS)}")
    if obj["format"] != BUNDLE_FORMAT:
        raise BundleFormatError(f"unsupported bundle format {obj['format']!r}; this verifier reads {BUNDLE_FORMAT}")
    for name in ("origin", "log_vkey"):
        if not isinstance(obj[name], str) or not obj[name]:
            raise BundleFormatError(f"{name} must be a non-empty string")
    checkpoints = _strings(obj["checkpoints"], "checkpoints")
    leaves: list[bytes] = []
    a2b, b2a = binascii.a2b_base64, binascii.b2a_base64
    for index, text in enumerate(_strings(obj["leaves"], "leaves")):
        # The common case in one C call each way (100,000 leaves); the canonical-spelling rule is
        # b64decode_strict's: re-encoding gives the text back. Anything else gets its message.
        try:
            leaf = a2b(text)
            if b2a(leaf, newline=False) == text.encode("ascii"):
                leaves.append(leaf)
                continue
        except (binascii.Error, ValueError):
            pass
        try:
            leaves.append(b64decode_strict(text, what="leaf"))
        except EnvelopeError as exc:
            raise BundleLeafError(index, str(exc)) from exc
    keys = obj["keys"]
    if not isinstance(keys, dict) or keys.keys() != {"system"}:
        raise BundleFormatError("keys must be an object with exactly 'system'")
    try:
        system_keys = [
            b64decode_strict(k, what="keys.system", size=32) for k in _strings(keys["system"], "keys.system")
        ]
    except EnvelopeError as exc:
        raise BundleFormatError(str(exc)) from exc
    evidence: dict[str, EvidenceRecord] = {}
    if not isinstance(obj["evidence"], dict):
        raise BundleFormatError("evidence must be an object")
    for digest, record in obj["evidence"].items():
        if _DIGEST.fullmatch(digest) is None:
            raise BundleFormatError(f"evidence key {digest[:70]!r} is not a lowercase hex SHA-256 digest")
        if not isinstance(record, dict) or record.keys() != {"salt", "data"}:
            raise BundleFormatError(f"evidence {digest}: must be an object with exactly salt and data")
        try:
            salt = b64decode_strict(record["salt"], what=f"evidence {digest} salt", size=SALT_SIZE)
        except EnvelopeError as exc:
            raise BundleFormatError(str(exc)) from exc
        evidence[digest] = EvidenceRecord(salt, record["data"])
    process = obj["process"]
    if process is not None and not isinstance(process, dict):
        raise BundleFormatError("process must be an object or null")
    return UnverifiedBundle(
        origin=obj["origin"],
        log_vkey=obj["log_vkey"],
        checkpoints=tuple(checkpoints),
        leaves=tuple(leaves),
        system_keys=tuple(system_keys),
        evidence=evidence,
        process=process,
    )
