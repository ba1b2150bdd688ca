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
