"""C2SP signed notes (Ed25519, type 0x01), tlog-checkpoints and tlog-cosignature/v1 (type 0x04).

Import rule: standard library, ``cryptography`` (Ed25519 only) and ``audit.errors`` /
``audit.merkle``. No I/O and no clock: keys and cosignature timestamps are parameters (STYLE C9).

Formats (DESIGN.md §4), as in c2sp.org/signed-note, c2sp.org/tlog-checkpoint and
c2sp.org/tlog-cosignature, readable by golang.org/x/mod/sumdb/note:

- signed note: ``text`` (ends in a newline) ``\\n`` then lines ``— <name> base64(key id || sig)\\n``;
- key id: ``SHA-256(name || 0x0A || type || public key)[:4]`` as a big-endian uint32;
- vkey: ``<name>+<8 hex digits of key id>+base64(type || public key)``;
- checkpoint text: origin, tree size (decimal, no leading zeros), base64 root, extension lines;
- cosignature/v1: Ed25519 over ``cosignature/v1\\ntime <t>\\n<checkpoint text>``; the note
  signature is ``u64 big-endian t || 64-byte Ed25519 signature``.

Parsing is strict: it rejects everything x/mod's ``note.Open`` rejects, and a few things it
tolerates (non-canonical base64, upper-case key-id hex). Per STYLE C10, :func:`parse_note_unverified`
only checks the shape; only :func:`open_note` / :func:`open_checkpoint` say a signature verified.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol, Self, runtime_checkable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from audit import merkle
from audit.errors import (
    CheckpointError,
    InvalidNoteSignatureError,
    MalformedNoteError,
    UnverifiedNoteError,
    VerifierKeyError,
)

__all__ = [
    "MAX_SIGNATURES",
    "SIG_TYPE_COSIGNATURE_V1",
    "SIG_TYPE_ED25519",
    "Checkpoint",
    "Cosignature",
    "CosignatureSigner",
    "CosignatureVerifier",
    "Ed25519Signer",
    "Ed25519Verifier",
    "NoteSigner",
    "NoteVerifier",
    "Signature",
    "UnverifiedNote",
    "VerifiedCheckpoint",
    "VerifiedNote",
    "VerifierKey",
    "cosignature_message",
    "encode_vkey",
    "is_valid_key_name",
    "key_id",
    "open_checkpoint",
    "open_note",
    "parse_checkpoint",
    "parse_note_unverified",
    "parse_vkey",
    "sign_checkpoint",
    "sign_note",
    "verifier_from_vkey",
]

SIG_TYPE_ED25519: Final = 0x01
SIG_TYPE_COSIGNATURE_V1: Final = 0x04
MAX_SIGNATURES: Final = 100
"""x/mod's cap on signature lines; C2SP requires accepting at least 16."""

_SIG_PREFIX: Final = "\u2014 "  # em dash, space
_ED25519_KEY_SIZE: Final = 32
_ED25519_SIG_SIZE: Final = 64
_MAX_COSIGNATURE_TIME: Final = 2**63 - 1  # tlog-cosignature: timestamp MUST NOT exceed 2^63 - 1
_MAX_TREE_SIZE: Final = 2**64 - 1
_HEX8: Final = re.compile(r"[0-9a-f]{8}")
_DECIMAL: Final = re.compile(r"0|[1-9][0-9]*")


# --- small helpers ------------------------------------------------------------------------------


def _b64decode_strict(text: str) -> bytes:
    """Standard base64 with padding, and only the canonical encoding of its bytes.

    Raises:
        ValueError: not canonical standard base64.
    """
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(f"not standard base64: {exc}") from None
    # Python (like Go) ignores non-zero padding bits; re-encoding catches them, so one value has
    # exactly one textual form in what we accept.
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("non-canonical base64")
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def is_valid_key_name(name: str) -> bool:
    """Whether ``name`` may be a signed-note key name.

    Args:
        name: the candidate name.

    Returns:
        True when it is non-empty, has no Unicode space, no ``+`` and no control character.
    """
    return (
        bool(name)
        and "+" not in name
        and not any(ch.isspace() or ord(ch) < 0x20 for ch in name)
        and _is_utf8_encodable(name)
    )


def _is_utf8_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def _public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _load_public(public_key: Ed25519PublicKey | bytes) -> Ed25519PublicKey:
    if isinstance(public_key, Ed25519PublicKey):
        return public_key
    if len(public_key) != _ED25519_KEY_SIZE:
        raise VerifierKeyError(f"an Ed25519 public key is {_ED25519_KEY_SIZE} bytes, not {len(public_key)}")
    return Ed25519PublicKey.from_public_bytes(bytes(public_key))


# --- key ids and vkeys --------------------------------------------------------------------------


def key_id(name: str, sig_type: int, public_key: bytes) -> int:
    """The signed-note key id: ``SHA-256(name || 0x0A || type || public key)[:4]``, big-endian.

    Args:
        name: the key name.
        sig_type: the signature type byte (0x01 Ed25519, 0x04 cosignature/v1).
        public_key: the raw public key bytes.

    Returns:
        The key id as an unsigned 32-bit integer.

    Raises:
        VerifierKeyError: the name is not a valid key name or the type is not a byte.
    """
    if not is_valid_key_name(name):
        raise VerifierKeyError(f"invalid key name {name!r}")
    if not 0 <= sig_type <= 0xFF:
        raise VerifierKeyError(f"signature type {sig_type} is not a byte")
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([sig_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A parsed vkey: who signs (name, key id) and with what (type, public key)."""

    name: str
    key_id: int
    sig_type: int
    public_key: bytes

    @property
    def vkey(self) -> str:
        """The vkey string ``name+hex8+base64(type || key)``."""
        return f"{self.name}+{self.key_id:08x}+{_b64(bytes([self.sig_type]) + self.public_key)}"


def encode_vkey(name: str, sig_type: int, public_key: bytes) -> str:
    """Encode a verifier key as a vkey string.

    Args:
        name: the key name.
        sig_type: 0x01 (Ed25519 note signatures) or 0x04 (cosignature/v1).
        public_key: the raw 32-byte Ed25519 public key.

    Returns:
        ``name+<key id, 8 lowercase hex digits>+base64(type || public key)``.

    Raises:
        VerifierKeyError: invalid name or type.
    """
    return VerifierKey(name, key_id(name, sig_type, public_key), sig_type, bytes(public_key)).vkey


def parse_vkey(vkey: str) -> VerifierKey:
    """Parse and check a vkey string.

    Args:
        vkey: ``name+hex8+base64(type || public key)``.

    Returns:
        The parsed key, its key id checked against the name and key.

    Raises:
        VerifierKeyError: wrong shape, invalid name, bad hex or base64, unknown signature type,
            wrong key length, or a key id that does not match.
    """
    parts = vkey.split("+", 2)  # the base64 key field may itself contain '+'
    if len(parts) != 3:
        raise VerifierKeyError("a vkey has three '+'-separated fields: name, key id, key")
    name, hex_id, key64 = parts
    if not is_valid_key_name(name):
        raise VerifierKeyError(f"invalid key name {name!r} in vkey")
    # x/mod parses the id with ParseUint(…, 16); we require the canonical lowercase form we emit.
    if not _HEX8.fullmatch(hex_id):
        raise VerifierKeyError(f"key id {hex_id!r} is not 8 lowercase hex digits")
    try:
        raw = _b64decode_strict(key64)
    except ValueError as exc:
        raise VerifierKeyError(f"vkey key field: {exc}") from None
    if not raw:
        raise VerifierKeyError("vkey has an empty key field")
    sig_type, public_key = raw[0], raw[1:]
    if sig_type not in (SIG_TYPE_ED25519, SIG_TYPE_COSIGNATURE_V1):
        raise VerifierKeyError(f"unsupported signature type 0x{sig_type:02x} in vkey")
    if len(public_key) != _ED25519_KEY_SIZE:
        raise VerifierKeyError(f"Ed25519 key in vkey is {len(public_key)} bytes, not {_ED25519_KEY_SIZE}")
    want = key_id(name, sig_type, public_key)
    if int(hex_id, 16) != want:
        raise VerifierKeyError(f"vkey key id {hex_id} does not match its name and key (expected {want:08x})")
    return VerifierKey(name, want, sig_type, public_key)


# --- signers and verifiers ----------------------------------------------------------------------


@runtime_checkable
class NoteVerifier(Protocol):
    """Checks one key's signatures on note text (x/mod's ``note.Verifier``)."""

    @property
    def name(self) -> str:
        """The key name."""
        ...

    @property
    def key_id(self) -> int:
        """The 32-bit key id."""
        ...

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (without the 4-byte key id) is valid over the note ``text``."""
        ...


@runtime_checkable
class NoteSigner(Protocol):
    """Signs note text with one key (x/mod's ``note.Signer``)."""

    @property
    def name(self) -> str:
        """The key name."""
        ...

    @property
    def key_id(self) -> int:
        """The 32-bit key id."""
        ...

    def sign(self, text: bytes) -> bytes:
        """The signature over ``text`` (without the 4-byte key id)."""
        ...


class _KeyVerifier:
    """One named Ed25519 key of a given signed-note signature type; subclasses frame the message."""

    __slots__ = ("_key", "_key_id", "_name")
    SIG_TYPE: int

    def __init__(self, name: str, public_key: Ed25519PublicKey | bytes) -> None:
        """Make a verifier.

        Args:
            name: the key name (for a log, its origin; for a witness, its name).
            public_key: the Ed25519 public key, as an object or 32 raw bytes.

        Raises:
            VerifierKeyError: invalid name or key.
        """
        self._key = _load_public(public_key)
        self._name = name
        self._key_id = key_id(name, self.SIG_TYPE, _public_bytes(self._key))

    @classmethod
    def from_vkey(cls, vkey: str) -> Self:
        """Make a verifier from a vkey of this class's signature type.

        Raises:
            VerifierKeyError: malformed vkey or another signature type.
        """
        parsed = parse_vkey(vkey)
        if parsed.sig_type != cls.SIG_TYPE:
            raise VerifierKeyError(
                f"vkey has signature type 0x{parsed.sig_type:02x}, expected 0x{cls.SIG_TYPE:02x}"
            )
        return cls(parsed.name, parsed.public_key)

    @property
    def name(self) -> str:
        """The key name."""
        return self._name

    @property
    def key_id(self) -> int:
        """The 32-bit key id."""
        return self._key_id

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte public key."""
        return _public_bytes(self._key)

    @property
    def vkey(self) -> str:
        """This key as a vkey string of its signature type."""
        return encode_vkey(self._name, self.SIG_TYPE, self.public_key)

    def _verify_raw(self, signature: bytes, message: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Ed25519Verifier(_KeyVerifier):
    """Verifies Ed25519 (type 0x01) note signatures of one named key."""

    __slots__ = ()
    SIG_TYPE = SIG_TYPE_ED25519

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature over ``text``."""
        return len(signature) == _ED25519_SIG_SIZE and self._verify_raw(signature, text)


class Ed25519Signer:
    """Signs note text with an Ed25519 key (type 0x01), e.g. the log's checkpoint key."""

    __slots__ = ("_key", "_verifier")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        """Make a signer.

        Args:
            name: the key name (for a log: its origin, so the checkpoint's signature line matches).
            private_key: the Ed25519 private key (loaded by the caller; audit/ reads no files).

        Raises:
            VerifierKeyError: invalid name.
        """
        self._key = private_key
        self._verifier = Ed25519Verifier(name, private_key.public_key())

    @property
    def name(self) -> str:
        """The key name."""
        return self._verifier.name

    @property
    def key_id(self) -> int:
        """The 32-bit key id."""
        return self._verifier.key_id

    @property
    def verifier(self) -> Ed25519Verifier:
        """The matching verifier."""
        return self._verifier

    def sign(self, text: bytes) -> bytes:
        """The 64-byte Ed25519 signature over ``text``."""
        return self._key.sign(text)


def cosignature_message(text: bytes, timestamp: int) -> bytes:
    """The message a cosignature/v1 signs: ``cosignature/v1\\ntime <t>\\n`` then the checkpoint text.

    Args:
        text: the checkpoint's note text (with its final newline, without signature lines).
        timestamp: POSIX seconds, ``0 <= t <= 2**63 - 1``.

    Returns:
        The bytes to sign or verify.

    Raises:
        ValueError: the timestamp is out of range.
    """
    if not 0 <= timestamp <= _MAX_COSIGNATURE_TIME:
        raise ValueError(f"cosignature timestamp {timestamp} is outside [0, 2^63-1]")
    return b"cosignature/v1\ntime %d\n" % timestamp + text


class CosignatureVerifier(_KeyVerifier):
    """Verifies tlog-cosignature/v1 (type 0x04) witness cosignatures of one named key."""

    __slots__ = ()
    SIG_TYPE = SIG_TYPE_COSIGNATURE_V1

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (u64 timestamp || Ed25519 signature) cosigns ``text``."""
        if len(signature) != 8 + _ED25519_SIG_SIZE:
            return False
        (timestamp,) = struct.unpack(">Q", signature[:8])
        if timestamp > _MAX_COSIGNATURE_TIME:
            return False
        return self._verify_raw(signature[8:], cosignature_message(text, timestamp))


class CosignatureSigner:
    """A witness key that makes tlog-cosignature/v1 (type 0x04) cosignatures."""

    __slots__ = ("_key", "_verifier")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        """Make a cosigner.

        Args:
            name: the witness's key name.
            private_key: its Ed25519 private key.

        Raises:
            VerifierKeyError: invalid name.
        """
        self._key = private_key
        self._verifier = CosignatureVerifier(name, private_key.public_key())

    @property
    def name(self) -> str:
        """The key name."""
        return self._verifier.name

    @property
    def key_id(self) -> int:
        """The 32-bit key id (type 0x04)."""
        return self._verifier.key_id

    @property
    def verifier(self) -> CosignatureVerifier:
        """The matching verifier."""
        return self._verifier

    def cosign(self, text: bytes, timestamp: int) -> bytes:
        """The 72-byte cosignature (u64 big-endian timestamp || Ed25519 signature) over a checkpoint text.

        Args:
            text: the checkpoint note text.
            timestamp: POSIX seconds of the cosignature (a parameter: audit/ has no clock).

        Returns:
            The signature bytes, without the key id.

        Raises:
            ValueError: the timestamp is out of range.
        """
        return struct.pack(">Q", timestamp) + self._key.sign(cosignature_message(text, timestamp))

    def at(self, timestamp: int) -> NoteSigner:
        """A :class:`NoteSigner` that cosigns at ``timestamp``, for :func:`sign_note`.

        Raises:
            ValueError: the timestamp is out of range.
        """
        cosignature_message(b"", timestamp)  # range check now, not at signing time
        return _TimedCosigner(self, timestamp)


@dataclass(frozen=True, slots=True)
class _TimedCosigner:
    """A cosigner bound to one timestamp, so it fits the NoteSigner protocol."""

    cosigner: CosignatureSigner
    timestamp: int

    @property
    def name(self) -> str:
        return self.cosigner.name

    @property
    def key_id(self) -> int:
        return self.cosigner.key_id

    def sign(self, text: bytes) -> bytes:
        return self.cosigner.cosign(text, self.timestamp)


def verifier_from_vkey(vkey: str) -> NoteVerifier:
    """A verifier for any vkey we support: type 0x01 (Ed25519) or 0x04 (cosignature/v1).

    Args:
        vkey: the vkey string.

    Returns:
        An :class:`Ed25519Verifier` or a :class:`CosignatureVerifier`.

    Raises:
        VerifierKeyError: malformed or unsupported vkey.
    """
    parsed = parse_vkey(vkey)
    if parsed.sig_type == SIG_TYPE_COSIGNATURE_V1:
        return CosignatureVerifier(parsed.name, parsed.public_key)
    return Ed25519Verifier(parsed.name, parsed.public_key)


# --- signed notes -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: key name, key id, and the signature bytes (without the key id)."""

    name: str
    key_id: int
    signature: bytes

    @property
    def line(self) -> str:
        """The note line ``— <name> base64(key id || signature)\\n``."""
        return f"{_SIG_PREFIX}{self.name} {_b64(self.key_id.to_bytes(4, 'big') + self.signature)}\n"


@dataclass(frozen=True, slots=True)
class UnverifiedNote:
    """A signed note whose shape was checked but none of whose signatures were (STYLE C10)."""

    text: str
    signatures: tuple[Signature, ...]


@dataclass(frozen=True, slots=True)
class VerifiedNote:
    """A note with at least one signature verified by a trusted key.

    ``verified`` holds one signature per trusted key that signed; ``unverified`` the signatures
    from keys we do not know (kept, e.g. to pass on, but never trusted).
    """

    text: str
    verified: tuple[Signature, ...]
    unverified: tuple[Signature, ...]


def _check_note_chars(text: str) -> None:
    # signed-note: valid UTF-8 and no ASCII control characters other than newline.
    if not _is_utf8_encodable(text):
        raise MalformedNoteError("note is not valid UTF-8")
    for ch in text:
        if ord(ch) < 0x20 and ch != "\n":
            raise MalformedNoteError(f"note contains control character U+{ord(ch):04X}")


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(_SIG_PREFIX):
        raise MalformedNoteError(f"signature line does not start with an em dash and a space: {line[:40]!r}")
    name, sep, sig64 = line[len(_SIG_PREFIX) :].partition(" ")
    if not sep or not is_valid_key_name(name) or not sig64:
        raise MalformedNoteError(f"malformed signature line: {line[:60]!r}")
    try:
        raw = _b64decode_strict(sig64)
    except ValueError as exc:
        raise MalformedNoteError(f"signature of {name!r}: {exc}") from None
    if len(raw) < 5:
        raise MalformedNoteError(f"signature of {name!r} is {len(raw)} bytes; a key id and a signature are at least 5")
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def parse_note_unverified(msg: bytes | str) -> UnverifiedNote:
    """Split a signed note into its text and signature lines, checking the format only.

    Args:
        msg: the whole signed note (bytes are decoded as strict UTF-8).

    Returns:
        The text (with its final newline) and the signatures, in order, duplicates kept.

    Raises:
        MalformedNoteError: not UTF-8, a control character, no blank line before the signatures,
            no signature, a malformed line, or more than ``MAX_SIGNATURES`` lines.
    """
    if isinstance(msg, bytes):
        try:
            msg = msg.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedNoteError("note is not valid UTF-8") from None
    _check_note_chars(msg)
    # The text may contain blank lines; the signatures start after the last one.
    split = msg.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("note has no blank line before its signatures")
    text, block = msg[: split + 1], msg[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNoteError("note has no signature lines, or they do not end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"note has {len(lines)} signatures; at most {MAX_SIGNATURES} are accepted")
    return UnverifiedNote(text, tuple(_parse_signature_line(line) for line in lines))


def open_note(msg: bytes | str, verifiers: Sequence[NoteVerifier]) -> VerifiedNote:
    """Parse a signed note and verify it against trusted keys (c2sp.org/signed-note).

    A signature whose (name, key id) matches no verifier is ignored (kept as unverified); one that
    matches is verified, and a failure rejects the whole note. At least one must verify.

    Args:
        msg: the signed note.
        verifiers: the trusted keys.

    Returns:
        The verified note.

    Raises:
        MalformedNoteError: the note's format is wrong.
        InvalidNoteSignatureError: a signature from a known key does not verify.
        UnverifiedNoteError: no signature from a known key.
    """
    note = parse_note_unverified(msg)
    known: dict[tuple[str, int], NoteVerifier] = {}
    for v in verifiers:
        known.setdefault((v.name, v.key_id), v)
    text = note.text.encode("utf-8")
    verified: dict[tuple[str, int], Signature] = {}
    unverified: dict[Signature, None] = {}  # ordered set: identical unknown lines collapse
    for sig in note.signatures:
        v = known.get((sig.name, sig.key_id))
        if v is None:
            unverified.setdefault(sig)
            continue
        # C2SP: a signature from a known key MUST be verified and a failure SHOULD reject the
        # note; we verify every one (x/mod skips repeats of a key), so a bad second line fails.
        if not v.verify(text, sig.signature):
            raise InvalidNoteSignatureError(f"invalid signature for key {sig.name}+{sig.key_id:08x}")
        verified.setdefault((sig.name, sig.key_id), sig)
    if not verified:
        raise UnverifiedNoteError("note has no verifiable signatures (no signature from a trusted key)")
    return VerifiedNote(note.text, tuple(verified.values()), tuple(unverified))


def sign_note(text: str, signers: Sequence[NoteSigner], *, existing: Sequence[Signature] = ()) -> str:
    """Sign note text (c2sp.org/signed-note), appending new signatures after existing ones.

    Args:
        text: the note text: non-empty, ends in a newline, valid UTF-8, no control characters
            other than newline, and no blank line at its end (it would move the signature split).
        signers: the keys to sign with.
        existing: signatures already on the note (e.g. the log's, when a witness cosigns); one
            from the same key as a new signer is replaced by the new one.

    Returns:
        The signed note.

    Raises:
        MalformedNoteError: the text is not valid note text, or there is no signature at all.
    """
    _check_note_chars(text)
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end in a newline")
    if text.endswith("\n\n") or text == "\n":
        raise MalformedNoteError("note text must not end in a blank line")
    text_bytes = text.encode("utf-8")
    new = [Signature(s.name, s.key_id, s.sign(text_bytes)) for s in signers]
    replaced = {(s.name, s.key_id) for s in new}
    sigs = [s for s in existing if (s.name, s.key_id) not in replaced] + new
    if not sigs:
        raise MalformedNoteError("a signed note needs at least one signature")
    if len(sigs) > MAX_SIGNATURES:
        raise MalformedNoteError(f"{len(sigs)} signatures; at most {MAX_SIGNATURES}")
    return text + "\n" + "".join(s.line for s in sigs)


# --- checkpoints ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A C2SP tlog-checkpoint body: origin, tree size, root hash and optional extension lines.

    Construction checks the fields, so every ``Checkpoint`` has a well-formed text.
    """

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Check the fields.

        Raises:
            CheckpointError: empty or multi-line origin, size out of uint64 range, root not 32
                bytes, size 0 with a root other than SHA-256(""), or an empty/multi-line extension.
        """
        if not self.origin or "\n" in self.origin:
            raise CheckpointError("checkpoint origin must be one non-empty line")
        if not 0 <= self.size <= _MAX_TREE_SIZE:
            raise CheckpointError(f"checkpoint size {self.size} is outside the uint64 range")
        if len(self.root_hash) != merkle.HASH_SIZE:
            raise CheckpointError(f"checkpoint root is {len(self.root_hash)} bytes, not {merkle.HASH_SIZE}")
        if self.size == 0 and self.root_hash != merkle.EMPTY_ROOT:
            raise CheckpointError("a size-0 checkpoint must carry the empty-tree root SHA-256('')")
        for ext in self.extensions:
            if not ext or "\n" in ext:
                raise CheckpointError("checkpoint extension lines must be non-empty single lines")

    @property
    def text(self) -> str:
        """The note text: origin, size, base64 root, extension lines, each ending in a newline."""
        return "".join(f"{line}\n" for line in (self.origin, str(self.size), _b64(self.root_hash), *self.extensions))


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint note text strictly (c2sp.org/tlog-checkpoint).

    Args:
        text: the note text (not the signed note), ending in a newline.

    Returns:
        The checkpoint.

    Raises:
        CheckpointError: fewer than three lines, an empty line, a size with a sign, leading zero or
            outside uint64, or a root that is not canonical base64 of 32 bytes.
    """
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError(f"checkpoint text has {len(lines)} lines; origin, size and root are required")
    origin, size_text, root_text, *extensions = lines
    if not _DECIMAL.fullmatch(size_text):
        raise CheckpointError(f"checkpoint size {size_text[:30]!r} is not a decimal without leading zeros")
    try:
        root_hash = _b64decode_strict(root_text)
    except ValueError as exc:
        raise CheckpointError(f"checkpoint root: {exc}") from None
    return Checkpoint(origin, int(size_text), root_hash, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> str:
    """Sign a checkpoint as a signed note.

    Args:
        checkpoint: the tree head.
        signer: the log's key; its name should be the origin (tlog-checkpoint).

    Returns:
        The signed checkpoint note.

    Raises:
        CheckpointError: the signer's name is not the checkpoint's origin (DESIGN.md §4: the
            origin line is the configured log origin and names the log key).
    """
    if signer.name != checkpoint.origin:
        raise CheckpointError(f"signer {signer.name!r} is not the checkpoint origin {checkpoint.origin!r}")
    return sign_note(checkpoint.text, [signer])


@dataclass(frozen=True, slots=True)
class Cosignature:
    """A verified witness cosignature: the witness key and the time it states."""

    name: str
    key_id: int
    timestamp: int


@dataclass(frozen=True, slots=True)
class VerifiedCheckpoint:
    """A checkpoint whose log signature verified, plus the witness cosignatures that verified."""

    checkpoint: Checkpoint
    cosignatures: tuple[Cosignature, ...]
    note: VerifiedNote


def open_checkpoint(
    msg: bytes | str,
    log_verifier: NoteVerifier,
    *,
    origin: str | None = None,
    witnesses: Sequence[NoteVerifier] = (),
) -> VerifiedCheckpoint:
    """Verify a signed checkpoint from a log, and any cosignatures from known witnesses.

    Args:
        msg: the signed checkpoint note.
        log_verifier: the log's key.
        origin: the expected origin line; defaults to the log key's name.
        witnesses: trusted witness keys (usually :class:`CosignatureVerifier`).

    Returns:
        The checkpoint and the verified cosignatures.

    Raises:
        MalformedNoteError: the note's format is wrong.
        InvalidNoteSignatureError: a signature from the log or a known witness does not verify.
        UnverifiedNoteError: the log's signature is absent (witness signatures alone do not count).
        CheckpointError: the body is not a valid checkpoint or has another origin.
    """
    note = open_note(msg, [log_verifier, *witnesses])
    if not any(s.name == log_verifier.name and s.key_id == log_verifier.key_id for s in note.verified):
        raise UnverifiedNoteError(f"checkpoint is not signed by the log key {log_verifier.name}")
    checkpoint = parse_checkpoint(note.text)
    expected = log_verifier.name if origin is None else origin
    if checkpoint.origin != expected:
        raise CheckpointError(f"checkpoint origin {checkpoint.origin!r} is not the expected {expected!r}")
    witness_ids = {(w.name, w.key_id) for w in witnesses if isinstance(w, CosignatureVerifier)}
    cosignatures = tuple(
        Cosignature(s.name, s.key_id, struct.unpack(">Q", s.signature[:8])[0])
        for s in note.verified
        if (s.name, s.key_id) in witness_ids
    )
    return VerifiedCheckpoint(checkpoint, cosignatures, note)
