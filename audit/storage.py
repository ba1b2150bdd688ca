"""The storage protocol for completed Merkle subtree hashes, and an in-memory store.

Import rule: standard library and ``audit.merkle`` / ``audit.errors`` only. The SQL implementation
(a table keyed by ``(level, index)``) lives in ``workflow/``; this module only defines the shape.

A stored hash ``(level, index)`` is the root of the complete subtree of ``2**level`` leaves starting
at leaf ``index * 2**level`` (see audit.merkle). Rows are insert-only: once a subtree is complete
its hash never changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from audit import merkle
from audit.errors import MissingHashError

__all__ = ["HashReader", "MemoryHashStore"]


@runtime_checkable
class HashReader(Protocol):
    """Reads stored subtree hashes in one batch (one SQL round-trip in the SQL implementation)."""

    def read_hashes(self, indexes: Sequence[tuple[int, int]]) -> list[bytes]:
        """Return the hash at each ``(level, index)``, in the same order.

        Raises:
            MissingHashError: a coordinate is not stored (implementations should raise this,
                not ``KeyError``, so callers see a typed ``AuditError``).
        """
        ...


class MemoryHashStore:
    """A dict-backed hash store for tests and for the offline verifier.

    ``reads`` counts ``read_hashes`` calls, so tests can check that a proof is one batched read.
    """

    __slots__ = ("_hashes", "_size", "reads")

    def __init__(self) -> None:
        self._hashes: dict[tuple[int, int], bytes] = {}
        self._size = 0
        self.reads = 0

    @classmethod
    def from_leaf_hashes(cls, leaf_hashes: Iterable[bytes]) -> MemoryHashStore:
        """Build a store by appending each leaf hash in order.

        Args:
            leaf_hashes: leaf hashes in log order.

        Returns:
            The filled store.
        """
        store = cls()
        for h in leaf_hashes:
            store.append(h)
        return store

    @property
    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    def __len__(self) -> int:
        """Number of stored hashes (all levels)."""
        return len(self._hashes)

    def read_hashes(self, indexes: Sequence[tuple[int, int]]) -> list[bytes]:
        """Return the hash at each ``(level, index)``, in the same order.

        Args:
            indexes: ``(level, index)`` coordinates.

        Returns:
            The 32-byte hashes.

        Raises:
            MissingHashError: a coordinate is not stored.
        """
        self.reads += 1
        out: list[bytes] = []
        for level, index in indexes:
            try:
                out.append(self._hashes[(level, index)])
            except KeyError:
                raise MissingHashError(level, index) from None
        return out

    def write_hashes(self, triples: Iterable[tuple[int, int, bytes]]) -> None:
        """Insert ``(level, index, hash)`` triples; an existing coordinate must keep its hash.

        Args:
            triples: as returned by :func:`audit.merkle.hashes_to_store`.

        Raises:
            ValueError: a coordinate is already stored with a different hash (stored hashes are
                immutable; a change means a corrupted or forked tree).
        """
        for level, index, h in triples:
            old = self._hashes.setdefault((level, index), h)
            if old != h:
                raise ValueError(f"stored hash at level {level}, index {index} would change")

    def append(self, leaf_hash: bytes) -> None:
        """Append one leaf hash, storing every subtree hash it completes.

        Args:
            leaf_hash: the new leaf's 32-byte hash.

        Raises:
            ValueError: ``leaf_hash`` is not 32 bytes.
        """
        self.write_hashes(merkle.hashes_to_store(self._size, leaf_hash, self))
        self._size += 1
