"""RFC 9162 §2.1 Merkle tree: hashing, proofs, proof verification, and proofs from stored subtree hashes.

Import rule: standard library only (``hashlib``), plus ``audit.errors``; ``audit.storage`` is
imported for typing only. No I/O: stored hashes come in through a ``HashReader`` (audit.storage).

Stored hashes. The hash of the complete subtree of ``2**level`` leaves that starts at leaf
``index * 2**level`` is identified by ``(level, index)``; level 0 holds the leaf hashes. These
coordinates never change once a subtree is complete, so a store only ever inserts. Appending a leaf
writes the leaf hash plus one hash per subtree it completes (amortised two hashes per leaf); a tree
root or a proof reads O(log n) of them in a single ``read_hashes`` call. The same coordinates name
the hashes inside C2SP tlog tiles (audit.tiles).

Verification follows the RFC 9162 §2.1.3.2 and §2.1.4.2 algorithms, plus the checks the RFC's step
list leaves implicit (DESIGN.md §4, conformance/README.md): every hash is exactly 32 bytes, an index
is checked against the size before any arithmetic, and a consistency proof from size 0 is refused
(transparency-dev convention: it proves nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from audit.errors import (
    ConsistencyProofError,
    HashStoreError,
    InclusionProofError,
    OutOfRangeError,
)

if TYPE_CHECKING:
    from audit.storage import HashReader

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "consistency_proof",
    "consistency_proof_from_leaves",
    "hashes_to_store",
    "inclusion_proof",
    "inclusion_proof_from_leaves",
    "leaf_hash",
    "node_hash",
    "root",
    "subtree_coordinates",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
"""MTH({}) = SHA-256 of the empty string (RFC 9162 §2.1.1)."""

_LEAF_PREFIX: Final = b"\x00"
_NODE_PREFIX: Final = b"\x01"

Coord = tuple[int, int]
"""A stored hash's ``(level, index)``."""


# --- hashing -------------------------------------------------------------------------------------


def leaf_hash(leaf: bytes) -> bytes:
    """Hash one leaf: ``SHA-256(0x00 || leaf)`` (RFC 9162 §2.1.1).

    Args:
        leaf: the leaf bytes exactly as stored.

    Returns:
        The 32-byte leaf hash.
    """
    return hashlib.sha256(_LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash an interior node: ``SHA-256(0x01 || left || right)`` (RFC 9162 §2.1.1).

    Args:
        left: the 32-byte hash of the left subtree.
        right: the 32-byte hash of the right subtree.

    Returns:
        The 32-byte node hash.

    Raises:
        ValueError: a child hash is not 32 bytes (a shorter child would make the input ambiguous).
    """
    if len(left) != HASH_SIZE or len(right) != HASH_SIZE:
        raise ValueError(f"node children must be {HASH_SIZE}-byte hashes, got {len(left)} and {len(right)}")
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _fold_right(hashes: Sequence[bytes]) -> bytes:
    """Combine the perfect-subtree hashes of a range, left to right, into the range's MTH.

    MTH(D[0:n]) splits at the largest power of two below n, so the range's hash is
    node(h0, node(h1, … node(h_{k-2}, h_{k-1}))) over its perfect subtrees, largest first.
    """
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Compute the Merkle tree hash MTH of a list of leaf hashes (RFC 9162 §2.1.1).

    Args:
        leaf_hashes: the leaf hashes (not the leaves), in log order.

    Returns:
        The 32-byte root; ``EMPTY_ROOT`` for an empty list.

    Raises:
        ValueError: a leaf hash is not 32 bytes.
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    # A stack of perfect-subtree hashes, like binary carry: O(n) hashing, O(log n) memory.
    stack: list[tuple[int, bytes]] = []
    for i, h in enumerate(leaf_hashes):
        if len(h) != HASH_SIZE:
            raise ValueError(f"leaf hash {i} is {len(h)} bytes, not {HASH_SIZE}")
        level, acc = 0, h
        while stack and stack[-1][0] == level:
            acc = node_hash(stack.pop()[1], acc)
            level += 1
        stack.append((level, acc))
    return _fold_right([h for _, h in stack])


# --- proof shapes (which ranges a proof is made of) ----------------------------------------------


def _largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k, for n >= 2 (the RFC's split point)."""
    return 1 << ((n - 1).bit_length() - 1)


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges [lo, hi) whose MTHs make the inclusion proof, in RFC 9162 order (leaf upwards).

    RFC 9162 §2.1.3.1: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) if m < k,
    else PATH(m - k, D[k:n]) : MTH(D[0:k]).
    """
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo = lo + k
    ranges.reverse()
    return ranges


def _consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs make the consistency proof from size1 to size2, in RFC 9162 order.

    RFC 9162 §2.1.4.1: SUBPROOF(m, D[0:n], b): if m == n, [] when b else [MTH(D[0:m])]; if m <= k,
    SUBPROOF(m, D[0:k], b) : MTH(D[k:n]); else SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
    Requires 0 < size1 < size2.
    """
    ranges: list[tuple[int, int]] = []
    lo, hi, m, complete = 0, size2, size1, True
    while m != hi - lo:
        k = _largest_power_of_two_below(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            m -= k
            lo = lo + k
            complete = False
    if not complete:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def subtree_coordinates(lo: int, hi: int) -> list[Coord]:
    """The stored perfect subtrees that tile the leaf range [lo, hi), largest (leftmost) first.

    Every range a tree root or an RFC 9162 proof needs starts at a multiple of a power of two at
    least as large as its width, so it splits into perfect subtrees following the width's bits.

    Args:
        lo: first leaf index of the range.
        hi: one past its last leaf index; ``hi > lo``.

    Returns:
        ``(level, index)`` coordinates; their MTHs folded right give MTH(D[lo:hi]).

    Raises:
        ValueError: the range is empty or not aligned as described.
    """
    if not 0 <= lo < hi:
        raise ValueError(f"empty or negative leaf range [{lo}, {hi})")
    coords: list[Coord] = []
    pos, width = lo, hi - lo
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            if pos % (1 << level):
                raise ValueError(f"leaf range [{lo}, {hi}) is not aligned to stored subtrees")
            coords.append((level, pos >> level))
            pos += 1 << level
    return coords


# --- proofs from a plain list of leaf hashes (reference implementation, small trees) --------------


def _range_root(leaf_hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    return root(leaf_hashes[lo:hi])


def inclusion_proof_from_leaves(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Build the RFC 9162 inclusion proof for ``index`` from every leaf hash of the tree.

    O(n) hashing; use :func:`inclusion_proof` with stored hashes for a real log.

    Args:
        leaf_hashes: all leaf hashes of the tree (its size is their count).
        index: the leaf index.

    Returns:
        The audit path, leaf upwards.

    Raises:
        OutOfRangeError: ``index`` is not in ``[0, size)``.
    """
    size = len(leaf_hashes)
    if not 0 <= index < size:
        raise OutOfRangeError(f"leaf index {index} is outside a tree of size {size}")
    return [_range_root(leaf_hashes, lo, hi) for lo, hi in _inclusion_ranges(index, size)]


def consistency_proof_from_leaves(leaf_hashes: Sequence[bytes], size1: int) -> list[bytes]:
    """Build the RFC 9162 consistency proof from ``size1`` to ``len(leaf_hashes)``.

    Args:
        leaf_hashes: all leaf hashes of the newer tree.
        size1: the older tree size, ``0 <= size1 <= size2``.

    Returns:
        The proof; empty when ``size1`` is 0 or equals the newer size.

    Raises:
        OutOfRangeError: ``size1`` is negative or larger than the newer tree.
    """
    size2 = len(leaf_hashes)
    if not 0 <= size1 <= size2:
        raise OutOfRangeError(f"old size {size1} is outside [0, {size2}]")
    if size1 in (0, size2):
        return []
    return [_range_root(leaf_hashes, lo, hi) for lo, hi in _consistency_ranges(size1, size2)]


# --- proofs from stored subtree hashes ----------------------------------------------------------


def _read(reader: HashReader, coords: Sequence[Coord]) -> list[bytes]:
    """One batched read, checked: the store must answer every coordinate with a 32-byte hash."""
    if not coords:
        return []
    hashes = list(reader.read_hashes(coords))
    if len(hashes) != len(coords):
        raise HashStoreError(f"asked the hash store for {len(coords)} hashes, got {len(hashes)}")
    for (level, index), h in zip(coords, hashes, strict=True):
        if len(h) != HASH_SIZE:
            raise HashStoreError(f"stored hash at level {level}, index {index} is {len(h)} bytes, not {HASH_SIZE}")
    return hashes


def _ranges_from_store(ranges: Sequence[tuple[int, int]], reader: HashReader) -> list[bytes]:
    """MTH of each range, reading all the needed stored hashes in one call."""
    per_range = [subtree_coordinates(lo, hi) for lo, hi in ranges]
    flat = [c for coords in per_range for c in coords]
    hashes = _read(reader, flat)
    out: list[bytes] = []
    pos = 0
    for coords in per_range:
        out.append(_fold_right(hashes[pos : pos + len(coords)]))
        pos += len(coords)
    return out


def hashes_to_store(size: int, leaf_hash: bytes, reader: HashReader) -> list[tuple[int, int, bytes]]:
    """The stored hashes that appending one leaf creates.

    Args:
        size: the tree size before the append; the new leaf gets index ``size``.
        leaf_hash: the new leaf's hash (see :func:`leaf_hash`).
        reader: the store holding the tree of ``size`` leaves; the left siblings of the subtrees
            this leaf completes are read from it in one call.

    Returns:
        ``(level, index, hash)`` triples to insert: the leaf at ``(0, size)`` and one node per level
        whose subtree the leaf completes (as many as ``size`` has trailing one bits).

    Raises:
        OutOfRangeError: ``size`` is negative.
        ValueError: ``leaf_hash`` is not 32 bytes.
        HashStoreError: the store does not hold a needed left sibling.
    """
    if size < 0:
        raise OutOfRangeError(f"tree size {size} is negative")
    if len(leaf_hash) != HASH_SIZE:
        raise ValueError(f"leaf hash is {len(leaf_hash)} bytes, not {HASH_SIZE}")
    # The new leaf completes the subtree at level l+1 for every trailing one bit l of ``size``:
    # its left half is the stored subtree (l, (size >> l) - 1), its right half the one just made.
    siblings: list[Coord] = []
    level = 0
    while size >> level & 1:
        siblings.append((level, (size >> level) - 1))
        level += 1
    left_hashes = _read(reader, siblings)
    out = [(0, size, leaf_hash)]
    acc = leaf_hash
    for (lvl, idx), left in zip(siblings, left_hashes, strict=True):
        acc = node_hash(left, acc)
        out.append((lvl + 1, idx >> 1, acc))
    return out


def tree_root(size: int, reader: HashReader) -> bytes:
    """The root of the tree of the first ``size`` leaves, from stored hashes (one read).

    Args:
        size: tree size; any size up to the store's current size (older roots too).
        reader: the hash store.

    Returns:
        The 32-byte root; ``EMPTY_ROOT`` for size 0.

    Raises:
        OutOfRangeError: ``size`` is negative.
        HashStoreError: the store lacks a hash or returned a malformed one.
    """
    if size < 0:
        raise OutOfRangeError(f"tree size {size} is negative")
    if size == 0:
        return EMPTY_ROOT
    return _ranges_from_store([(0, size)], reader)[0]


def inclusion_proof(index: int, size: int, reader: HashReader) -> list[bytes]:
    """The RFC 9162 inclusion proof of leaf ``index`` in the tree of ``size`` leaves, from stored hashes.

    Args:
        index: the leaf index, ``0 <= index < size``.
        size: the tree size the proof is for (may be older than the store).
        reader: the hash store; read once, O(log n) hashes.

    Returns:
        The audit path in RFC 9162 order (leaf upwards).

    Raises:
        OutOfRangeError: ``index`` is not in ``[0, size)``.
        HashStoreError: the store lacks a hash or returned a malformed one.
    """
    if not 0 <= index < size:
        raise OutOfRangeError(f"leaf index {index} is outside a tree of size {size}")
    return _ranges_from_store(_inclusion_ranges(index, size), reader)


def consistency_proof(size1: int, size2: int, reader: HashReader) -> list[bytes]:
    """The RFC 9162 consistency proof between the trees of ``size1`` and ``size2`` leaves.

    Args:
        size1: the older size, ``0 <= size1 <= size2``.
        size2: the newer size.
        reader: the hash store; read once, O(log n) hashes.

    Returns:
        The proof in RFC 9162 order; empty when ``size1`` is 0 or equal to ``size2`` (nothing to
        prove; note that :func:`verify_consistency` refuses size 0).

    Raises:
        OutOfRangeError: the sizes are negative or ``size1 > size2``.
        HashStoreError: the store lacks a hash or returned a malformed one.
    """
    if not 0 <= size1 <= size2:
        raise OutOfRangeError(f"cannot prove consistency from size {size1} to size {size2}")
    if size1 in (0, size2):
        return []
    return _ranges_from_store(_consistency_ranges(size1, size2), reader)


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ------------------------------------------------


def _check_hash(what: str, h: bytes, error: type[Exception]) -> None:
    # The RFC's step list would accept zero-length "hashes" (transparency-dev probe
    # "empty root and leaf"); a hash is always exactly 32 bytes here.
    if len(h) != HASH_SIZE:
        raise error(f"{what} is {len(h)} bytes, not {HASH_SIZE}")


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check an inclusion proof (RFC 9162 §2.1.3.2).

    Args:
        leaf_hash: the hash of the leaf (``leaf_hash(leaf)``), not the leaf.
        index: the leaf's index.
        size: the tree size the proof is for.
        proof: the audit path, leaf upwards.
        root: the expected root of the tree of ``size`` leaves.

    Raises:
        InclusionProofError: the index is outside the tree, a hash is not 32 bytes, the proof
            has the wrong length, or the recomputed root differs from ``root``.
    """
    # Bounds first: indexes up to 2**64-1 arrive from the outside (transparency-dev probes).
    if index < 0 or size < 0 or index >= size:
        raise InclusionProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_hash("leaf hash", leaf_hash, InclusionProofError)
    _check_hash("root", root, InclusionProofError)
    for i, p in enumerate(proof):
        _check_hash(f"proof[{i}]", p, InclusionProofError)
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            raise InclusionProofError(f"proof has {len(proof)} hashes, too many for index {index} in size {size}")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                # A right-edge node with no right sibling: climb until fn is a right child again.
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise InclusionProofError(f"proof has {len(proof)} hashes, too few for index {index} in size {size}")
    if r != root:
        raise InclusionProofError(f"inclusion proof for index {index} in size {size} does not lead to the given root")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Check a consistency proof between two tree heads (RFC 9162 §2.1.4.2).

    Args:
        size1: the older tree size; must be at least 1.
        size2: the newer tree size, ``size1 <= size2``.
        proof: the consistency proof (empty when the sizes are equal).
        root1: root of the older tree.
        root2: root of the newer tree.

    Raises:
        ConsistencyProofError: ``size1`` is 0 (a proof from the empty tree proves nothing; the
            transparency-dev convention, DESIGN.md §4), the sizes are out of order, a hash is not
            32 bytes, equal sizes come with a proof or different roots, or the proof does not
            reproduce both roots.
    """
    if size1 < 0 or size2 < 0 or size1 > size2:
        raise ConsistencyProofError(f"old size {size1} is larger than new size {size2}")
    if size1 == 0:
        raise ConsistencyProofError("a consistency proof from the empty tree (size 0) proves nothing")
    _check_hash("root1", root1, ConsistencyProofError)
    _check_hash("root2", root2, ConsistencyProofError)
    for i, p in enumerate(proof):
        _check_hash(f"proof[{i}]", p, ConsistencyProofError)
    if size1 == size2:
        if proof:
            raise ConsistencyProofError(f"sizes are equal ({size1}) but the proof has {len(proof)} hashes")
        if root1 != root2:
            raise ConsistencyProofError(f"sizes are equal ({size1}) but the roots differ")
        return
    if not proof:
        raise ConsistencyProofError(f"empty proof for sizes {size1} → {size2}")
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        # The old tree is a perfect subtree of the new one: its root is the proof's implicit start.
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ConsistencyProofError(f"proof has {len(proof)} hashes, too many for sizes {size1} → {size2}")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ConsistencyProofError(f"proof has {len(proof)} hashes, too few for sizes {size1} → {size2}")
    if fr != root1:
        raise ConsistencyProofError(f"proof does not reproduce the old root (size {size1})")
    if sr != root2:
        raise ConsistencyProofError(f"proof does not reproduce the new root (size {size2})")
