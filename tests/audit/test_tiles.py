"""audit.tiles: C2SP tlog-tiles paths, tile data from stored hashes, proofs from tiles, entry bundles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit import merkle, tiles
from audit.errors import MissingHashError, TileError
from audit.storage import MemoryHashStore
from audit.tiles import Tile

SIZE = 70_000
LEAVES = [f"entry {i}".encode() for i in range(SIZE)]
LEAF_HASHES = [merkle.leaf_hash(x) for x in LEAVES]
STORE = MemoryHashStore.from_leaf_hashes(LEAF_HASHES)


def _tiles_of(size: int) -> dict[Tile, bytes]:
    return {t: tiles.tile_data(t, STORE) for t in tiles.tiles_for_size(size)}


FULL_TILES = _tiles_of(SIZE)


# --- paths ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "encoded"),
    [
        (0, "000"),
        (67, "067"),
        (999, "999"),
        (1000, "x001/000"),
        (1234067, "x001/x234/067"),
        (10**9, "x001/x000/x000/000"),
    ],
)
def test_index_encoding(index: int, encoded: str) -> None:
    assert tiles.encode_tile_index(index) == encoded
    assert tiles.parse_tile_path(f"tile/0/{encoded}") == Tile(0, index)


def test_paths() -> None:
    assert Tile(0, 1234067).path == "tile/0/x001/x234/067"
    assert Tile(2, 5, 17).path == "tile/2/005.p/17"
    assert Tile(0, 3, 112).entries_path == "tile/entries/003.p/112"
    assert tiles.entries_path(1234067) == "tile/entries/x001/x234/067"
    assert tiles.parse_entries_path("tile/entries/003.p/112") == Tile(0, 3, 112)
    assert tiles.parse_tile_path("tile/63/000.p/1") == Tile(63, 0, 1)
    with pytest.raises(TileError, match="level-0"):
        _ = Tile(1, 0).entries_path


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/67",  # not 3 digits
        "tile/00/067",  # leading zero in level
        "tile/64/000",  # level > 63
        "tile/0/000.p/256",  # partial width must be < 256
        "tile/0/000.p/0",
        "tile/0/000.p/07",
        "tile/0/x000/067",  # non-canonical: leading zero group
        "tile/0/001/067",  # missing x prefix
        "tile/0/x001/x234",  # last group has x
        "/tile/0/000",
        "tile/0/000/",
        "tile/entries/000",  # entries path is not a hash tile path
        "tile/-1/000",
        "tile/0/０００",  # full-width digits
    ],
)
def test_bad_tile_paths(path: str) -> None:
    with pytest.raises(TileError):
        tiles.parse_tile_path(path)


@pytest.mark.parametrize("path", ["tile/entries/67", "tile/entries/000.p/256", "tile/0/000", "tile/entries/x000/001"])
def test_bad_entries_paths(path: str) -> None:
    with pytest.raises(TileError):
        tiles.parse_entries_path(path)


def test_tile_value_ranges() -> None:
    for bad in [(-1, 0, 1), (64, 0, 1), (0, -1, 1), (0, 0, 0), (0, 0, 257)]:
        with pytest.raises(TileError):
            Tile(*bad)


# --- which tiles a tree has -------------------------------------------------------------------------


def test_spec_example_size_70000() -> None:
    """tlog-tiles: 273 full level-0 tiles, one of width 112, one full level-1, one of width 17, level 2 width 1."""
    ts = tiles.tiles_for_size(70_000)
    level0 = [t for t in ts if t.level == 0]
    assert len([t for t in level0 if not t.is_partial]) == 273
    assert [t for t in level0 if t.is_partial] == [Tile(0, 273, 112)]
    assert [t for t in ts if t.level == 1] == [Tile(1, 0), Tile(1, 1, 17)]
    assert [t for t in ts if t.level == 2] == [Tile(2, 0, 1)]
    assert len(ts) == 273 + 1 + 2 + 1


def test_spec_example_size_256() -> None:
    assert tiles.tiles_for_size(256) == [Tile(0, 0), Tile(1, 0, 1)]
    assert tiles.tiles_for_size(0) == []


def test_fits() -> None:
    assert Tile(0, 0, 5).fits(5) and not Tile(0, 0, 6).fits(5)
    assert Tile(1, 0, 1).fits(256) and not Tile(1, 0, 1).fits(255)
    assert all(t.fits(SIZE) for t in tiles.tiles_for_size(SIZE))


def test_tile_for_hash() -> None:
    assert tiles.tile_for_hash(0, 300) == Tile(0, 1, 45)
    assert tiles.tile_for_hash(8, 0) == Tile(1, 0, 1)
    assert tiles.tile_for_hash(3, 0) == Tile(0, 0, 8)  # needs leaves 0..7
    assert tiles.tile_for_hash(9, 1) == Tile(1, 0, 4)


# --- tile data --------------------------------------------------------------------------------------


def test_tile_data_is_the_spec_mth_sequence() -> None:
    """Tile (l, n) hash i == MTH(D[(n·256+i)·256^l : (n·256+i+1)·256^l])."""
    data = FULL_TILES[Tile(1, 0)]
    hashes = tiles.parse_tile_data(Tile(1, 0), data)
    for i in (0, 1, 100, 255):
        assert hashes[i] == merkle.root(LEAF_HASHES[i * 256 : (i + 1) * 256])
    level0 = tiles.parse_tile_data(Tile(0, 273, 112), FULL_TILES[Tile(0, 273, 112)])
    assert level0 == LEAF_HASHES[273 * 256 : 273 * 256 + 112]


def test_tile_data_reads_once_and_missing_hashes_fail() -> None:
    store = MemoryHashStore.from_leaf_hashes(LEAF_HASHES[:300])
    store.reads = 0
    assert len(tiles.tile_data(Tile(0, 1, 44), store)) == 44 * 32
    assert store.reads == 1
    with pytest.raises(MissingHashError):
        tiles.tile_data(Tile(0, 1, 45), store)


def test_parse_tile_data_checks_length() -> None:
    with pytest.raises(TileError, match="expected 64"):
        tiles.parse_tile_data(Tile(0, 0, 2), bytes(63))


def test_conflicting_tiles_are_rejected() -> None:
    a = FULL_TILES[Tile(0, 0)]
    b = bytes([a[0] ^ 1]) + a[1:32]
    with pytest.raises(TileError, match="disagree"):
        tiles.TileHashReader([(Tile(0, 0), a), (Tile(0, 0, 1), b)])


@pytest.mark.parametrize("size", [1, 255, 256, 257, 65_536, 65_537, SIZE])
def test_root_from_tiles(size: int) -> None:
    reader = tiles.TileHashReader(_tiles_of(size))
    assert merkle.tree_root(size, reader) == merkle.tree_root(size, STORE)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_proofs_from_tiles_equal_proofs_from_store(data: st.DataObject) -> None:
    size2 = data.draw(st.integers(1, SIZE))
    size1 = data.draw(st.integers(1, size2))
    index = data.draw(st.integers(0, size2 - 1))
    reader = tiles.TileHashReader(_tiles_of(size2) | _tiles_of(size1))
    root2 = merkle.tree_root(size2, reader)
    assert root2 == merkle.tree_root(size2, STORE)
    proof = merkle.inclusion_proof(index, size2, reader)
    assert proof == merkle.inclusion_proof(index, size2, STORE)
    merkle.verify_inclusion(LEAF_HASHES[index], index, size2, proof, root2)
    cproof = merkle.consistency_proof(size1, size2, reader)
    assert cproof == merkle.consistency_proof(size1, size2, STORE)
    merkle.verify_consistency(size1, size2, cproof, merkle.tree_root(size1, reader), root2)


def test_tiles_of_an_older_size_lack_newer_hashes() -> None:
    reader = tiles.TileHashReader(_tiles_of(1000))
    with pytest.raises(MissingHashError):
        merkle.tree_root(1001, reader)


# --- entry bundles ---------------------------------------------------------------------------------


def test_entry_bundle_round_trip_and_check() -> None:
    tile = Tile(0, 273, 112)
    entries = LEAVES[273 * 256 : 273 * 256 + 112]
    bundle = tiles.encode_entry_bundle(entries)
    assert bundle[:2] == len(entries[0]).to_bytes(2, "big")
    assert tiles.parse_entry_bundle(bundle, width=112) == entries
    tiles.check_entry_bundle(entries, tile, FULL_TILES[tile])
    tampered = [*entries[:5], b"forged", *entries[6:]]
    with pytest.raises(TileError, match=f"entry {273 * 256 + 5}"):
        tiles.check_entry_bundle(tampered, tile, FULL_TILES[tile])


def test_entry_bundle_edge_cases() -> None:
    assert tiles.parse_entry_bundle(tiles.encode_entry_bundle([b""])) == [b""]
    big = b"x" * tiles.MAX_ENTRY_SIZE
    assert tiles.parse_entry_bundle(tiles.encode_entry_bundle([big])) == [big]
    with pytest.raises(TileError, match="at most 65535"):
        tiles.encode_entry_bundle([big + b"x"])
    with pytest.raises(TileError):
        tiles.encode_entry_bundle([])
    with pytest.raises(TileError):
        tiles.encode_entry_bundle([b"a"] * 257)
    good = tiles.encode_entry_bundle([b"abc", b"de"])
    for bad in [good[:-1], good + b"\x00", good[:1]]:
        with pytest.raises(TileError, match="truncated"):
            tiles.parse_entry_bundle(bad)
    with pytest.raises(TileError, match="expected 3"):
        tiles.parse_entry_bundle(good, width=3)
    with pytest.raises(TileError, match="more than 256"):
        tiles.parse_entry_bundle(b"\x00\x00" * 257)
