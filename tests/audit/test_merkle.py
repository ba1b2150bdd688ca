"""audit.merkle and audit.storage: stored-hash proofs equal list proofs, verify, and any bit flip fails."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit import merkle
from audit.errors import (
    AuditError,
    ConsistencyProofError,
    HashStoreError,
    InclusionProofError,
    MissingHashError,
    OutOfRangeError,
    ProofError,
)
from audit.storage import HashReader, MemoryHashStore

MAX_SIZE = 4095  # sizes under test; every single-bit flip of one stays below STORE_SIZE
STORE_SIZE = 8192


def _leaf(i: int) -> bytes:
    return merkle.leaf_hash(f"leaf {i}".encode())


LEAVES = [_leaf(i) for i in range(STORE_SIZE)]
STORE = MemoryHashStore.from_leaf_hashes(LEAVES)

_ROOTS: dict[int, bytes] = {}


def _root_of(size: int) -> bytes:
    if size not in _ROOTS:
        _ROOTS[size] = merkle.root(LEAVES[:size])
    return _ROOTS[size]


def _flip(b: bytes, bit: int) -> bytes:
    out = bytearray(b)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# --- hashing basics -------------------------------------------------------------------------------


def test_leaf_and_node_hash_domain_separation() -> None:
    assert merkle.leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = _leaf(0), _leaf(1)
    assert merkle.node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    # A node's input is never a valid leaf input of the same bytes: prefixes differ.
    assert merkle.leaf_hash(left + right) != merkle.node_hash(left, right)


def test_node_hash_requires_32_byte_children() -> None:
    with pytest.raises(ValueError, match="32-byte"):
        merkle.node_hash(b"\x00" * 31, _leaf(0))


def test_root_rejects_short_leaf_hash() -> None:
    with pytest.raises(ValueError, match="leaf hash 1"):
        merkle.root([_leaf(0), b"short"])


def test_root_matches_recursive_definition() -> None:
    def mth(hs: Sequence[bytes]) -> bytes:
        if len(hs) == 1:
            return hs[0]
        k = 1
        while k * 2 < len(hs):
            k *= 2
        return merkle.node_hash(mth(hs[:k]), mth(hs[k:]))

    for n in range(1, 70):
        assert merkle.root(LEAVES[:n]) == mth(LEAVES[:n]), n


# --- storage ------------------------------------------------------------------------------------


def test_append_writes_amortised_constant_hashes() -> None:
    store = MemoryHashStore()
    for i in range(1000):
        before = len(store)
        triples = merkle.hashes_to_store(store.size, LEAVES[i], store)
        # one leaf + one node per trailing one bit of the old size
        trailing_ones = (i ^ (i + 1)).bit_length() - 1
        assert len(triples) == 1 + trailing_ones
        store.append(LEAVES[i])
        assert len(store) == before + len(triples)
    # 2n - popcount(n) stored hashes in total: at most two per leaf.
    assert len(store) == 2 * 1000 - bin(1000).count("1")


def test_hashes_to_store_coordinates() -> None:
    store = MemoryHashStore.from_leaf_hashes(LEAVES[:7])
    triples = merkle.hashes_to_store(7, LEAVES[7], store)
    assert [(lvl, idx) for lvl, idx, _ in triples] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    assert triples[-1][2] == merkle.root(LEAVES[:8])


def test_hashes_to_store_reads_once() -> None:
    store = MemoryHashStore.from_leaf_hashes(LEAVES[:255])
    store.reads = 0
    merkle.hashes_to_store(255, LEAVES[255], store)
    assert store.reads == 1
    store.reads = 0
    merkle.hashes_to_store(256, LEAVES[256], store)  # even size: completes nothing, reads nothing
    assert store.reads == 0


def test_hashes_to_store_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="32"):
        merkle.hashes_to_store(0, b"x", MemoryHashStore())
    with pytest.raises(OutOfRangeError):
        merkle.hashes_to_store(-1, _leaf(0), MemoryHashStore())


def test_store_is_insert_only() -> None:
    store = MemoryHashStore.from_leaf_hashes(LEAVES[:2])
    store.write_hashes([(0, 0, LEAVES[0])])  # same value again: fine (idempotent retry)
    with pytest.raises(ValueError, match="would change"):
        store.write_hashes([(0, 0, LEAVES[1])])


def test_memory_store_is_a_hash_reader() -> None:
    assert isinstance(STORE, HashReader)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 255, 256, 257, 1000])
def test_proofs_read_the_store_once(size: int) -> None:
    store = MemoryHashStore.from_leaf_hashes(LEAVES[:size])
    store.reads = 0
    merkle.tree_root(size, store)
    merkle.inclusion_proof(size // 2, size, store)
    merkle.consistency_proof(max(1, size // 3), size, store)
    assert store.reads == (3 if size > 1 else 1)  # size 1: both proofs are empty, no read at all


@pytest.mark.parametrize("size", [1, 7, 1000, 4095])
def test_reads_are_logarithmic(size: int) -> None:
    class Counting:
        def __init__(self) -> None:
            self.count = 0

        def read_hashes(self, indexes: Sequence[tuple[int, int]]) -> list[bytes]:
            self.count += len(indexes)
            return STORE.read_hashes(indexes)

    reader = Counting()
    for index in (0, size // 2, size - 1):
        reader.count = 0
        merkle.inclusion_proof(index, size, reader)
        assert reader.count <= 2 * size.bit_length()
    reader.count = 0
    merkle.consistency_proof(max(1, size // 3), size, reader)
    assert reader.count <= 2 * size.bit_length()


def test_missing_hash_is_typed() -> None:
    store = MemoryHashStore.from_leaf_hashes(LEAVES[:4])
    with pytest.raises(MissingHashError) as info:
        merkle.tree_root(5, store)
    assert (info.value.level, info.value.index) == (0, 4)
    assert isinstance(info.value, AuditError)


def test_bad_reader_answers_are_rejected() -> None:
    class Short:
        def read_hashes(self, indexes: Sequence[tuple[int, int]]) -> list[bytes]:
            return STORE.read_hashes(indexes)[:-1]

    class Truncated:
        def read_hashes(self, indexes: Sequence[tuple[int, int]]) -> list[bytes]:
            return [h[:31] for h in STORE.read_hashes(indexes)]

    with pytest.raises(HashStoreError, match="got"):
        merkle.inclusion_proof(3, 10, Short())
    with pytest.raises(HashStoreError, match="31 bytes"):
        merkle.tree_root(10, Truncated())


def test_out_of_range_requests() -> None:
    with pytest.raises(OutOfRangeError):
        merkle.inclusion_proof(5, 5, STORE)
    with pytest.raises(OutOfRangeError):
        merkle.inclusion_proof(-1, 5, STORE)
    with pytest.raises(OutOfRangeError):
        merkle.consistency_proof(6, 5, STORE)
    with pytest.raises(OutOfRangeError):
        merkle.tree_root(-1, STORE)
    with pytest.raises(OutOfRangeError):
        merkle.inclusion_proof_from_leaves(LEAVES[:3], 3)
    assert issubclass(OutOfRangeError, ValueError)


def test_trivial_consistency_proofs_are_empty() -> None:
    assert merkle.consistency_proof(0, 10, STORE) == []
    assert merkle.consistency_proof(10, 10, STORE) == []
    assert merkle.consistency_proof_from_leaves(LEAVES[:10], 0) == []
    assert merkle.tree_root(0, STORE) == merkle.EMPTY_ROOT


def test_subtree_coordinates() -> None:
    assert merkle.subtree_coordinates(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert merkle.subtree_coordinates(8, 12) == [(2, 2)]
    with pytest.raises(ValueError, match="aligned"):
        merkle.subtree_coordinates(1, 4)
    with pytest.raises(ValueError, match="empty"):
        merkle.subtree_coordinates(3, 3)


def test_consistency_from_empty_tree_is_refused() -> None:
    with pytest.raises(ConsistencyProofError, match="empty tree"):
        merkle.verify_consistency(0, 0, [], merkle.EMPTY_ROOT, merkle.EMPTY_ROOT)
    with pytest.raises(ConsistencyProofError, match="empty tree"):
        merkle.verify_consistency(0, 5, [], merkle.EMPTY_ROOT, _root_of(5))


def test_error_messages_say_what_failed() -> None:
    proof = merkle.inclusion_proof(3, 10, STORE)
    with pytest.raises(InclusionProofError, match="too many"):
        merkle.verify_inclusion(LEAVES[3], 3, 10, [*proof, proof[0]], _root_of(10))
    with pytest.raises(InclusionProofError, match="too few"):
        merkle.verify_inclusion(LEAVES[3], 3, 10, proof[:-1], _root_of(10))
    with pytest.raises(InclusionProofError, match="outside"):
        merkle.verify_inclusion(LEAVES[3], 2**64 - 1, 10, proof, _root_of(10))
    with pytest.raises(InclusionProofError, match="does not lead"):
        merkle.verify_inclusion(LEAVES[4], 3, 10, proof, _root_of(10))
    cproof = merkle.consistency_proof(3, 10, STORE)
    with pytest.raises(ConsistencyProofError, match="old root"):
        merkle.verify_consistency(3, 10, cproof, _root_of(4), _root_of(10))
    with pytest.raises(ConsistencyProofError, match="new root"):
        merkle.verify_consistency(3, 10, cproof, _root_of(3), _root_of(11))
    assert issubclass(InclusionProofError, ProofError) and issubclass(ProofError, AuditError)


# --- exhaustive small trees -----------------------------------------------------------------------


def test_every_proof_of_small_trees() -> None:
    """All (index, size) and (size1, size2) pairs up to size 64: stored == list proof, and it verifies."""
    for size in range(1, 65):
        r = merkle.tree_root(size, STORE)
        assert r == _root_of(size)
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, STORE)
            assert proof == merkle.inclusion_proof_from_leaves(LEAVES[:size], index)
            merkle.verify_inclusion(LEAVES[index], index, size, proof, r)
        for size1 in range(1, size + 1):
            cproof = merkle.consistency_proof(size1, size, STORE)
            assert cproof == merkle.consistency_proof_from_leaves(LEAVES[:size], size1)
            merkle.verify_consistency(size1, size, cproof, _root_of(size1), r)


# --- property tests -------------------------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=MAX_SIZE)


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(sizes)
    return size, draw(st.integers(min_value=0, max_value=size - 1))


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    size2 = draw(sizes)
    return draw(st.integers(min_value=1, max_value=size2)), size2


@settings(max_examples=150, deadline=None)
@given(tree_and_index())
def test_inclusion_proofs_verify_and_match_list(case: tuple[int, int]) -> None:
    size, index = case
    proof = merkle.inclusion_proof(index, size, STORE)
    assert proof == merkle.inclusion_proof_from_leaves(LEAVES[:size], index)
    assert merkle.tree_root(size, STORE) == _root_of(size)
    merkle.verify_inclusion(LEAVES[index], index, size, proof, _root_of(size))


@settings(max_examples=150, deadline=None)
@given(two_sizes())
def test_consistency_proofs_verify_and_match_list(case: tuple[int, int]) -> None:
    size1, size2 = case
    proof = merkle.consistency_proof(size1, size2, STORE)
    assert proof == merkle.consistency_proof_from_leaves(LEAVES[:size2], size1)
    merkle.verify_consistency(size1, size2, proof, _root_of(size1), _root_of(size2))


def test_fresh_store_gives_same_answers_as_a_grown_one() -> None:
    """A proof for an older size from a bigger store equals the one from a store of exactly that size."""
    exact = MemoryHashStore.from_leaf_hashes(LEAVES[:777])
    for index in (0, 1, 400, 776):
        assert merkle.inclusion_proof(index, 777, exact) == merkle.inclusion_proof(index, 777, STORE)
    assert merkle.consistency_proof(300, 777, exact) == merkle.consistency_proof(300, 777, STORE)


@settings(max_examples=300, deadline=None)
@given(tree_and_index(), st.data())
def test_any_bit_flip_breaks_inclusion(case: tuple[int, int], data: st.DataObject) -> None:
    size, index = case
    proof = merkle.inclusion_proof(index, size, STORE)
    root = _root_of(size)
    targets = ["leaf", "root", "index", "size"] + (["proof"] if proof else [])
    target = data.draw(st.sampled_from(targets))
    leaf, p, idx, sz, rt = LEAVES[index], list(proof), index, size, root
    if target == "leaf":
        leaf = _flip(leaf, data.draw(st.integers(0, 255)))
    elif target == "root":
        rt = _flip(rt, data.draw(st.integers(0, 255)))
    elif target == "proof":
        i = data.draw(st.integers(0, len(p) - 1))
        p[i] = _flip(p[i], data.draw(st.integers(0, 255)))
    elif target == "index":
        idx = index ^ (1 << data.draw(st.integers(0, 63)))
    else:
        sz = size ^ (1 << data.draw(st.integers(0, 12)))
        # The proof does not bind the size by itself (e.g. index 0 has the same path in sizes 3
        # and 4); the signed checkpoint binds size and root together. So the claim to refute is
        # "leaf at index in the real tree of the flipped size", whose root is a different one.
        rt = _root_of(sz) if 0 < sz <= STORE_SIZE else rt
    with pytest.raises(InclusionProofError):
        merkle.verify_inclusion(leaf, idx, sz, p, rt)


@settings(max_examples=300, deadline=None)
@given(two_sizes(), st.data())
def test_any_bit_flip_breaks_consistency(case: tuple[int, int], data: st.DataObject) -> None:
    size1, size2 = case
    proof = merkle.consistency_proof(size1, size2, STORE)
    r1, r2 = _root_of(size1), _root_of(size2)
    targets = ["root1", "root2", "size1", "size2"] + (["proof"] if proof else [])
    target = data.draw(st.sampled_from(targets))
    s1, s2, p = size1, size2, list(proof)
    if target == "root1":
        r1 = _flip(r1, data.draw(st.integers(0, 255)))
    elif target == "root2":
        r2 = _flip(r2, data.draw(st.integers(0, 255)))
    elif target == "proof":
        i = data.draw(st.integers(0, len(p) - 1))
        p[i] = _flip(p[i], data.draw(st.integers(0, 255)))
    elif target == "size1":
        s1 = size1 ^ (1 << data.draw(st.integers(0, 12)))
        r1 = _root_of(s1) if 0 < s1 <= STORE_SIZE else r1  # as in the inclusion test: size binds with root
    else:
        s2 = size2 ^ (1 << data.draw(st.integers(0, 12)))
        r2 = _root_of(s2) if 0 < s2 <= STORE_SIZE else r2
    with pytest.raises(ConsistencyProofError):
        merkle.verify_consistency(s1, s2, p, r1, r2)
