"""Typed errors of the audit library: one base class; each error says what failed and where.

Import rule: standard library only.
"""

from __future__ import annotations


class AuditError(Exception):
    """Base class of every error raised by ``audit``."""


# --- Merkle tree and hash storage (audit.merkle, audit.storage) ---


class OutOfRangeError(AuditError, ValueError):
    """An index or tree size is outside the tree it refers to (e.g. a proof for index ≥ size)."""


class ProofError(AuditError):
    """A Merkle inclusion or consistency proof did not verify; the message says which check failed."""


class InclusionProofError(ProofError):
    """An RFC 9162 §2.1.3 inclusion proof did not verify."""


class ConsistencyProofError(ProofError):
    """An RFC 9162 §2.1.4 consistency proof did not verify."""


class HashStoreError(AuditError):
    """A hash store returned something unusable (wrong count, wrong length)."""


class MissingHashError(HashStoreError, LookupError):
    """A stored subtree hash ``(level, index)`` was asked for but is not in the store."""

    def __init__(self, level: int, index: int) -> None:
        super().__init__(f"no stored hash at level {level}, index {index}")
        self.level, self.index = level, index


# --- Canonical JSON, statements, entries, keys, bundles (audit.canonical … audit.bundle) ---


class CanonicalError(AuditError, ValueError):
    """A value is outside the log's JSON domain (a float, an integer beyond ±(2^53−1), …)."""


class MalformedJSONError(CanonicalError):
    """Bytes that should be JSON are not valid JSON in the log's domain."""


class NotCanonicalError(CanonicalError):
    """Valid JSON that is not byte-identical to its RFC 8785 canonical form."""


class EnvelopeError(AuditError, ValueError):
    """A DSSE envelope is malformed (shape, base64, payload type, key id)."""


class SignatureError(AuditError):
    """A signature did not verify, is missing, or was made by a key not allowed to make it."""


class EntryFormatError(AuditError, ValueError):
    """A log leaf does not have the exact shape of DESIGN.md §4."""


class StatementFormatError(AuditError, ValueError):
    """A statement payload does not have the exact shape of DESIGN.md §4."""


class KeyHistoryError(AuditError):
    """A key was used or changed against the key history replayed from the log."""


class UnknownKeyError(KeyHistoryError):
    """No key with this key id was ever enrolled in the log (up to the index in question)."""


class RevokedKeyError(KeyHistoryError):
    """The key was revoked or rotated away before the entry that uses it."""


class KeyOwnerError(KeyHistoryError):
    """The key is enrolled, but for another subject than the actor that claims it."""


class KeyStatementError(KeyHistoryError):
    """A ``key.enrol``/``key.rotate``/``key.revoke`` statement is invalid (data, signers, state)."""


class BundleFormatError(AuditError, ValueError):
    """A bundle file does not have the documented shape (docs/bundle.md)."""


class MissingSignatureError(SignatureError):
    """A signature the statement needs (the actor's, or a key's proof of possession) is absent."""


class ForeignSignatureError(SignatureError):
    """A valid key signed a statement it has no part in (not the actor's key, not a required co-signer)."""


# --- Signed notes, checkpoints, cosignatures, tiles (audit.note, audit.tiles) ---


class NoteError(AuditError):
    """A C2SP signed note could not be opened or made."""


class MalformedNoteError(NoteError, ValueError):
    """A signed note's bytes do not follow the signed-note format (text, blank line, signature lines)."""


class VerifierKeyError(NoteError, ValueError):
    """A vkey string is malformed: name, key id, base64, signature type or key length."""


class InvalidNoteSignatureError(NoteError):
    """A signature line from a known key (name and key id match) does not verify: the note is rejected."""


class UnverifiedNoteError(NoteError):
    """No signature in the note is from a trusted key (or none verified)."""


class CheckpointError(NoteError, ValueError):
    """A C2SP tlog-checkpoint body is malformed, or is not from the expected log (origin, key)."""


class TileError(AuditError, ValueError):
    """A C2SP tlog-tiles path, tile or entry bundle is malformed or does not fit the tree."""


class BundleLeafError(BundleFormatError):
    """One leaf of a bundle is not canonical base64; ``index`` says which (verifiers report it there)."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"leaves[{index}]: {message}")
        self.index = index
