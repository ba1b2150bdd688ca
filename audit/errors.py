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
