"""DSSE envelopes for log statements (DESIGN.md §4; secure-systems-lab/dsse ``envelope.md``, ``protocol.md``).

A statement is signed over DSSE's pre-authentication encoding (PAE), never over the JSON
envelope, so the signature domain is separated by the standard rather than by a home-made tag
(STYLE.md C11)::

    PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body

where ``LEN`` is the ASCII decimal byte length without leading zeros. The envelope's JSON form is
``{"payload": b64, "payloadType": str, "signatures": [{"keyid": str, "sig": b64}, …]}`` with
standard, padded base64. Our ``keyid`` is the lowercase hex SHA-256 of the raw 32-byte Ed25519
public key (:func:`audit.keys.key_id`).

Parsing is strict (C10): exact keys, canonical base64, our payload type, key ids in our format,
64-byte signatures and no key id twice. (An envelope without signatures parses, so the verifier
can report it as ``missing_signature``; verifying it fails.)

Import rule: standard library, ``cryptography`` and ``audit.{errors,keys}`` only.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from audit.errors import EnvelopeError, MissingSignatureError, SignatureError
from audit.keys import Signer

__all__ = [
    "PAYLOAD_TYPE",
    "Envelope",
    "Signature",
    "b64decode_strict",
    "b64encode",
    "pae",
    "sign_envelope",
    "verify_envelope",
]

PAYLOAD_TYPE = "application/vnd.jejak.statement.v1+json"
"""The only payload type the log accepts (DESIGN.md §4)."""

SIGNATURE_SIZE = 64  # Ed25519 (RFC 8032 §5.1.6)
_KEY_ID = re.compile(r"[0-9a-f]{64}")


def b64encode(data: bytes) -> str:
    """Encode bytes as standard, padded base64 (RFC 4648 §4), the form used in envelopes and leaves.

    Args:
        data: bytes to encode.

    Returns:
        The ASCII base64 text.
    """
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text: object, *, what: str, size: int | None = None) -> bytes:
    """Decode standard, padded base64 and insist on the one canonical spelling.

    Re-encoding must give the same text, which rejects whitespace, URL-safe letters, missing
    padding and non-zero padding bits: two spellings of one value would let a leaf change
    without its decoded content changing.

    Args:
        text: the value from the JSON (anything; non-strings are rejected).
        what: what the value is, for the error message.
        size: the required decoded length, if any.

    Returns:
        The decoded bytes.

    Raises:
        EnvelopeError: not a string, not canonical base64, or the wrong length.
    """
    if not isinstance(text, str):
        raise EnvelopeError(f"{what}: expected a base64 string, got {type(text).__name__}")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EnvelopeError(f"{what}: not valid base64") from exc
    if base64.b64encode(data).decode("ascii") != text:
        raise EnvelopeError(f"{what}: base64 is not in canonical form")
    if size is not None and len(data) != size:
        raise EnvelopeError(f"{what}: expected {size} bytes, got {len(data)}")
    return data


def pae(payload_type: str, payload: bytes) -> bytes:
    """Build DSSE's pre-authentication encoding, the exact bytes a signature covers.

    Args:
        payload_type: the envelope's ``payloadType``.
        payload: the serialised body (our canonical statement bytes).

    Returns:
        ``b"DSSEv1 <len(type)> <type> <len(payload)> <payload>"``; lengths are byte counts.
    """
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(type_bytes), type_bytes, len(payload), payload)


@dataclass(frozen=True, slots=True)
class Signature:
    """One DSSE signature: the signing key's id and the 64-byte Ed25519 signature."""

    keyid: str
    sig: bytes


@dataclass(frozen=True, slots=True)
class Envelope:
    """A DSSE envelope: payload bytes (kept exactly as signed), payload type and signatures."""

    payload: bytes
    payload_type: str
    signatures: tuple[Signature, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the envelope's JSON object form (standard base64 for payload and signatures).

        Returns:
            ``{"payload", "payloadType", "signatures": [{"keyid", "sig"}, …]}``.
        """
        return {
            "payload": b64encode(self.payload),
            "payloadType": self.payload_type,
            "signatures": [{"keyid": s.keyid, "sig": b64encode(s.sig)} for s in self.signatures],
        }

    @classmethod
    def from_json(cls, obj: object) -> Envelope:
        """Parse and shape-check an envelope's JSON object form. Signatures are *not* verified.

        Args:
            obj: the parsed JSON value.

        Returns:
            The envelope.

        Raises:
            EnvelopeError: wrong keys or types, non-canonical base64, another payload type, a key
                id not in our format, a signature not 64 bytes, or a key id twice. An empty
                signature list parses; :func:`verify_envelope` rejects it.
        """
        if not isinstance(obj, dict) or obj.keys() != {"payload", "payloadType", "signatures"}:
            raise EnvelopeError("envelope must be an object with exactly payload, payloadType, signatures")
        if obj["payloadType"] != PAYLOAD_TYPE:
            raise EnvelopeError(f"payloadType must be {PAYLOAD_TYPE!r}, got {obj['payloadType']!r}")
        payload = b64decode_strict(obj["payload"], what="payload")
        raw_signatures = obj["signatures"]
        # An empty list parses (it is well-formed JSON of the right shape) so that a verifier can
        # name the defect precisely — a missing signature — instead of "malformed envelope".
        if not isinstance(raw_signatures, list):
            raise EnvelopeError("signatures must be a list")
        signatures: list[Signature] = []
        for position, raw in enumerate(raw_signatures):
            if not isinstance(raw, dict) or raw.keys() != {"keyid", "sig"}:
                raise EnvelopeError(f"signatures[{position}] must be an object with exactly keyid and sig")
            keyid = raw["keyid"]
            if not isinstance(keyid, str) or _KEY_ID.fullmatch(keyid) is None:
                raise EnvelopeError(f"signatures[{position}].keyid must be 64 lowercase hex digits")
            sig = b64decode_strict(raw["sig"], what=f"signatures[{position}].sig", size=SIGNATURE_SIZE)
            signatures.append(Signature(keyid, sig))
        if len({s.keyid for s in signatures}) != len(signatures):
            raise EnvelopeError("a key id appears in more than one signature")
        return cls(payload, PAYLOAD_TYPE, tuple(signatures))

    def key_ids(self) -> tuple[str, ...]:
        """Return the key ids of the signatures, in envelope order."""
        return tuple(s.keyid for s in self.signatures)


def sign_envelope(payload: bytes, signers: Sequence[Signer], payload_type: str = PAYLOAD_TYPE) -> Envelope:
    """Sign a payload with one or more keys.

    Args:
        payload: the canonical statement bytes (see :func:`audit.entry.make_statement`).
        signers: the signing keys, in the order their signatures should appear; at least one,
            no key twice.
        payload_type: the DSSE payload type; ours unless a test needs another.

    Returns:
        The signed envelope.

    Raises:
        EnvelopeError: no signers, or the same key twice.
    """
    if not signers:
        raise EnvelopeError("at least one signer is required")
    if len({s.key_id for s in signers}) != len(signers):
        raise EnvelopeError("the same key cannot sign an envelope twice")
    message = pae(payload_type, payload)
    return Envelope(payload, payload_type, tuple(Signature(s.key_id, s.sign(message)) for s in signers))


def verify_envelope(envelope: Envelope, public_keys: Mapping[str, Ed25519PublicKey]) -> tuple[str, ...]:
    """Verify every signature of an envelope; all must verify (stricter than DSSE's threshold rule).

    A log entry is evidence: a signature that does not verify, even beside good ones, is a
    defect to report, not noise to skip.

    Args:
        envelope: the parsed envelope.
        public_keys: key id → public key, for every key allowed to have signed.

    Returns:
        The key ids that signed, in envelope order.

    Raises:
        MissingSignatureError: the envelope has no signatures.
        SignatureError: a signature by a key not in ``public_keys``, or one that does not verify.
    """
    if not envelope.signatures:
        raise MissingSignatureError("the envelope has no signatures")
    message = pae(envelope.payload_type, envelope.payload)
    for signature in envelope.signatures:
        key = public_keys.get(signature.keyid)
        if key is None:
            raise SignatureError(f"signature by unknown key {signature.keyid}")
        try:
            key.verify(signature.sig, message)
        except InvalidSignature as exc:
            raise SignatureError(f"signature by key {signature.keyid} does not verify") from exc
    return envelope.key_ids()
