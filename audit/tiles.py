"""C2SP tlog-tiles (tile height 8): tile coordinates and paths, tile data, entry bundles.

Import rule: standard library and ``audit.merkle`` / ``audit.errors`` only; no I/O. The HTTP layer
(workflow/) maps ``GET /log/tile/…`` paths to :class:`Tile` values with :func:`parse_tile_path`,
gets the bytes with :func:`tile_data` from its hash store, and serves them.

A tile at level ``L``, index ``N`` holds up to 256 consecutive hashes of Merkle level ``8·L``: hash
``i`` is the stored subtree hash ``(8·L, N·256 + i)`` of audit.merkle, i.e.
``MTH(D[(N·256 + i)·256^L : (N·256 + i + 1)·256^L])``. So tiles are cut straight out of the
stored-hash table, and :class:`TileHashReader` turns fetched tiles back into a ``HashReader`` from
which audit.merkle computes roots and proofs, exactly as from the database.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from audit import merkle
from audit.errors import MissingHashError, TileError
from audit.storage import HashReader

__all__ = [
    "MAX_ENTRY_SIZE",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Tile",
    "TileHashReader",
    "check_entry_bundle",
    "encode_entry_bundle",
    "encode_tile_index",
    "entries_path",
    "parse_entries_path",
    "parse_entry_bundle",
    "parse_tile_data",
    "parse_tile_path",
    "tile_data",
    "tile_for_hash",
    "tile_path",
    "tiles_for_size",
]

TILE_HEIGHT: Final = 8
TILE_WIDTH: Final = 1 << TILE_HEIGHT
MAX_TILE_LEVEL: Final = 63
MAX_ENTRY_SIZE: Final = 0xFFFF
"""Entry bundles prefix each entry with a big-endian uint16 length: a leaf must fit in 65,535 bytes."""

_NUM: Final = r"(?:0|[1-9][0-9]*)"
_INDEX: Final = r"((?:x[0-9]{3}/)*[0-9]{3})"
_TILE_RE: Final = re.compile(rf"tile/({_NUM})/{_INDEX}(?:\.p/({_NUM}))?")
_ENTRIES_RE: Final = re.compile(rf"tile/entries/{_INDEX}(?:\.p/({_NUM}))?")


# --- coordinates and paths -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tile:
    """One tile: level ``L`` (0–63), index ``N`` and width ``W`` (1–256; 256 is a full tile)."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        """Check the ranges.

        Raises:
            TileError: level outside 0–63, negative index, or width outside 1–256.
        """
        if not 0 <= self.level <= MAX_TILE_LEVEL:
            raise TileError(f"tile level {self.level} is outside 0–{MAX_TILE_LEVEL}")
        if self.index < 0:
            raise TileError(f"tile index {self.index} is negative")
        if not 1 <= self.width <= TILE_WIDTH:
            raise TileError(f"tile width {self.width} is outside 1–{TILE_WIDTH}")

    @property
    def is_partial(self) -> bool:
        """Whether the tile has fewer than 256 hashes."""
        return self.width < TILE_WIDTH

    @property
    def path(self) -> str:
        """The tile's path, ``tile/<L>/<N>[.p/<W>]`` (relative to the log prefix)."""
        return tile_path(self.level, self.index, self.width)

    @property
    def entries_path(self) -> str:
        """The path of the matching entry bundle (level-0 tiles only).

        Raises:
            TileError: the tile is not at level 0.
        """
        if self.level != 0:
            raise TileError("only level-0 tiles have entry bundles")
        return entries_path(self.index, self.width)

    def hash_coordinates(self) -> list[tuple[int, int]]:
        """The stored ``(level, index)`` hashes this tile is made of, in tile order."""
        base = self.index * TILE_WIDTH
        return [(self.level * TILE_HEIGHT, base + i) for i in range(self.width)]

    def fits(self, size: int) -> bool:
        """Whether a tree of ``size`` leaves contains every hash of this tile (so it can be served).

        Args:
            size: the tree size (e.g. of the latest checkpoint).

        Returns:
            True when the tile's last hash covers a complete subtree within ``size`` leaves.
        """
        return (self.index * TILE_WIDTH + self.width) << (self.level * TILE_HEIGHT) <= size


def encode_tile_index(index: int) -> str:
    """Encode a tile index as zero-padded 3-digit path elements, all but the last prefixed ``x``.

    Args:
        index: the non-negative tile index, e.g. 1234067.

    Returns:
        The path fragment, e.g. ``x001/x234/067``.

    Raises:
        TileError: the index is negative.
    """
    if index < 0:
        raise TileError(f"tile index {index} is negative")
    digits = str(index)
    digits = digits.zfill(-(-len(digits) // 3) * 3)
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def _decode_tile_index(text: str) -> int:
    groups = text.split("/")
    value = int("".join(g.removeprefix("x") for g in groups))
    # One index, one path: "x000/067" would name tile 67 a second way.
    if encode_tile_index(value) != text:
        raise TileError(f"tile index {text!r} is not in canonical form")
    return value


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """The path ``tile/<L>/<N>[.p/<W>]`` of a hash tile.

    Args:
        level: tile level (0–63).
        index: tile index.
        width: number of hashes; 256 gives a full tile (no ``.p/`` suffix).

    Returns:
        The path relative to the log prefix.

    Raises:
        TileError: a value is out of range.
    """
    Tile(level, index, width)
    suffix = f".p/{width}" if width < TILE_WIDTH else ""
    return f"tile/{level}/{encode_tile_index(index)}{suffix}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """The path ``tile/entries/<N>[.p/<W>]`` of an entry bundle.

    Args:
        index: bundle index (same as the level-0 tile index).
        width: number of entries; 256 for a full bundle.

    Returns:
        The path relative to the log prefix.

    Raises:
        TileError: a value is out of range.
    """
    Tile(0, index, width)
    suffix = f".p/{width}" if width < TILE_WIDTH else ""
    return f"tile/entries/{encode_tile_index(index)}{suffix}"


def parse_tile_path(path: str) -> Tile:
    """Parse a hash tile path strictly.

    Args:
        path: ``tile/<L>/<N>[.p/<W>]``, relative to the log prefix (no leading slash).

    Returns:
        The tile.

    Raises:
        TileError: not a tile path, leading zeros, non-canonical index, level > 63, width outside
            1–255 for a partial tile, or an entries path.
    """
    m = _TILE_RE.fullmatch(path)
    if m is None:
        raise TileError(f"not a tile path: {path[:80]!r}")
    level_text, index_text, width_text = m.groups()
    width = int(width_text) if width_text is not None else TILE_WIDTH
    if width_text is not None and width >= TILE_WIDTH:
        raise TileError(f"partial tile width {width} must be 1–255")
    return Tile(int(level_text), _decode_tile_index(index_text), width)


def parse_entries_path(path: str) -> Tile:
    """Parse an entry bundle path strictly.

    Args:
        path: ``tile/entries/<N>[.p/<W>]``.

    Returns:
        The level-0 tile whose leaves the bundle holds.

    Raises:
        TileError: not an entries path, or a value out of range / not canonical.
    """
    m = _ENTRIES_RE.fullmatch(path)
    if m is None:
        raise TileError(f"not an entry bundle path: {path[:80]!r}")
    index_text, width_text = m.groups()
    width = int(width_text) if width_text is not None else TILE_WIDTH
    if width_text is not None and width >= TILE_WIDTH:
        raise TileError(f"partial bundle width {width} must be 1–255")
    return Tile(0, _decode_tile_index(index_text), width)


def tiles_for_size(size: int) -> list[Tile]:
    """Every tile of a tree of ``size`` leaves: the full tiles of each level, then its partial one.

    Args:
        size: the tree size.

    Returns:
        Tiles by level, then index. Size 256 gives one full level-0 tile and a level-1 tile of
        width 1; size 0 gives none.

    Raises:
        TileError: the size is negative.
    """
    if size < 0:
        raise TileError(f"tree size {size} is negative")
    tiles: list[Tile] = []
    level = 0
    while (count := size >> (level * TILE_HEIGHT)) > 0:
        full, rest = divmod(count, TILE_WIDTH)
        tiles.extend(Tile(level, n) for n in range(full))
        if rest:
            tiles.append(Tile(level, full, rest))
        level += 1
    return tiles


def tile_for_hash(level: int, index: int) -> Tile:
    """The smallest tile from which the stored hash ``(level, index)`` can be read or computed.

    A hash between tile levels (level not a multiple of 8) is the MTH of the ``2**(level % 8)``
    tile hashes below it, all in the same tile.

    Args:
        level: Merkle level of the hash.
        index: its index at that level.

    Returns:
        The tile (with the width needed to include it).

    Raises:
        TileError: negative coordinates or a level beyond the tile range.
    """
    if level < 0 or index < 0:
        raise TileError(f"no hash at level {level}, index {index}")
    tile_level, rel = divmod(level, TILE_HEIGHT)
    last = ((index + 1) << rel) - 1  # last tile hash under the wanted one
    return Tile(tile_level, last // TILE_WIDTH, last % TILE_WIDTH + 1)


# --- tile data ---------------------------------------------------------------------------------------


def tile_data(tile: Tile, reader: HashReader) -> bytes:
    """The bytes of a tile: its hashes concatenated, read from the hash store in one call.

    Args:
        tile: the tile (check :meth:`Tile.fits` against the current size first).
        reader: the hash store.

    Returns:
        ``32 · width`` bytes.

    Raises:
        MissingHashError: the store does not (yet) hold every hash of the tile.
        TileError: the store returned a hash that is not 32 bytes.
    """
    hashes = reader.read_hashes(tile.hash_coordinates())
    if len(hashes) != tile.width or any(len(h) != merkle.HASH_SIZE for h in hashes):
        raise TileError(f"hash store returned malformed hashes for {tile.path}")
    return b"".join(hashes)


def parse_tile_data(tile: Tile, data: bytes) -> list[bytes]:
    """Split a tile's bytes into its hashes.

    Args:
        tile: the tile the bytes were fetched for.
        data: the response body.

    Returns:
        ``tile.width`` hashes.

    Raises:
        TileError: the length is not ``32 · width``.
    """
    if len(data) != tile.width * merkle.HASH_SIZE:
        raise TileError(f"{tile.path} has {len(data)} bytes, expected {tile.width * merkle.HASH_SIZE}")
    return [data[i : i + merkle.HASH_SIZE] for i in range(0, len(data), merkle.HASH_SIZE)]


class TileHashReader:
    """A ``HashReader`` over fetched tiles, so audit.merkle computes roots and proofs from them.

    Hashes at tile levels are read directly; those in between are recomputed from the tile
    hashes below them. Tiles are only as trustworthy as the root they lead to: verify what you
    compute against a signed checkpoint.
    """

    __slots__ = ("_hashes",)

    def __init__(self, tiles: Mapping[Tile, bytes] | Iterable[tuple[Tile, bytes]]) -> None:
        """Index the tiles.

        Args:
            tiles: tile → data; for the same (level, index), the widest tile wins.

        Raises:
            TileError: some data does not match its tile's width.
        """
        items = tiles.items() if isinstance(tiles, Mapping) else tiles
        self._hashes: dict[tuple[int, int], bytes] = {}
        for tile, data in items:
            for coord, h in zip(tile.hash_coordinates(), parse_tile_data(tile, data), strict=True):
                old = self._hashes.setdefault(coord, h)
                if old != h:
                    raise TileError(f"tiles disagree on the hash at level {coord[0]}, index {coord[1]}")

    def read_hashes(self, indexes: Sequence[tuple[int, int]]) -> list[bytes]:
        """Return the hash at each ``(level, index)``.

        Args:
            indexes: stored-hash coordinates.

        Returns:
            The hashes, in order.

        Raises:
            MissingHashError: a needed tile was not given.
        """
        return [self._one(level, index) for level, index in indexes]

    def _one(self, level: int, index: int) -> bytes:
        tile_level, rel = divmod(level, TILE_HEIGHT)
        base_level = tile_level * TILE_HEIGHT
        first = index << rel
        below: list[bytes] = []
        for i in range(first, first + (1 << rel)):
            h = self._hashes.get((base_level, i))
            if h is None:
                raise MissingHashError(level, index)
            below.append(h)
        # The wanted hash roots a perfect subtree of 2**rel tile hashes: its MTH is theirs.
        return merkle.root(below) if rel else below[0]


# --- entry bundles -----------------------------------------------------------------------------------


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Encode up to 256 leaves as an entry bundle: each is a big-endian uint16 length, then the bytes.

    Args:
        entries: the leaves, exactly as hashed.

    Returns:
        The bundle bytes.

    Raises:
        TileError: no entries, more than 256, or an entry longer than 65,535 bytes.
    """
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise TileError(f"an entry bundle holds 1–{TILE_WIDTH} entries, not {len(entries)}")
    out = bytearray()
    for i, entry in enumerate(entries):
        if len(entry) > MAX_ENTRY_SIZE:
            raise TileError(f"entry {i} is {len(entry)} bytes; bundles allow at most {MAX_ENTRY_SIZE}")
        out += struct.pack(">H", len(entry)) + entry
    return bytes(out)


def parse_entry_bundle(data: bytes, *, width: int | None = None) -> list[bytes]:
    """Parse an entry bundle strictly.

    Args:
        data: the bundle bytes.
        width: the expected number of entries (from the bundle's path), if known.

    Returns:
        The entries.

    Raises:
        TileError: truncated length or entry, more than 256 entries, or not ``width`` entries.
    """
    entries: list[bytes] = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise TileError(f"entry bundle truncated in the length of entry {len(entries)}")
        (n,) = struct.unpack_from(">H", data, pos)
        pos += 2
        if pos + n > len(data):
            raise TileError(f"entry bundle truncated in entry {len(entries)} ({n} bytes announced)")
        entries.append(data[pos : pos + n])
        pos += n
        if len(entries) > TILE_WIDTH:
            raise TileError(f"entry bundle has more than {TILE_WIDTH} entries")
    if width is not None and len(entries) != width:
        raise TileError(f"entry bundle has {len(entries)} entries, expected {width}")
    return entries


def check_entry_bundle(entries: Sequence[bytes], level0_tile: Tile, level0_data: bytes) -> None:
    """Check that each entry hashes to the matching hash of its level-0 tile.

    Args:
        entries: parsed entries of bundle ``level0_tile.index``.
        level0_tile: the level-0 tile with the same index and width.
        level0_data: that tile's bytes.

    Raises:
        TileError: not a level-0 tile, a count mismatch, or an entry whose leaf hash differs.
    """
    if level0_tile.level != 0:
        raise TileError("entry bundles are checked against level-0 tiles")
    hashes = parse_tile_data(level0_tile, level0_data)
    if len(entries) != len(hashes):
        raise TileError(f"{len(entries)} entries for a tile of width {len(hashes)}")
    for i, (entry, h) in enumerate(zip(entries, hashes, strict=True)):
        if merkle.leaf_hash(entry) != h:
            raise TileError(f"entry {level0_tile.index * TILE_WIDTH + i} does not hash to its tile hash")
