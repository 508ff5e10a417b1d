"""C2SP tlog-tiles: the Merkle tree as tiles of 256 hashes, their paths, entry bundles.

A tile at level ``L`` holds up to 256 consecutive Merkle tree hashes of tree height
``8·L``: level 0 holds leaf hashes, and each hash of a level ``L + 1`` tile is the
root of one *full* tile at level ``L``. Tile ``N`` at level ``L`` spans the leaves
``[N · 256**(L+1), (N + 1) · 256**(L+1))``. The rightmost tile of each level is
*partial* (1 to 255 hashes) until it fills; a partial tile is never hashed into the
level above. The perfect subtrees between those heights are recomputed by hashing
within one tile (at most 255 hashes).

:class:`TileTree` keeps only the rightmost tile of each level, enough to append
leaves (it returns every tile they change) and to compute the root; :func:`node_hash_in_tile`
reads any stored perfect subtree (``NodeId`` of :mod:`merkle_tree`) out of its tile.
Pure: no I/O. Spec: https://c2sp.org/tlog-tiles (vendored in tests/data/c2sp).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import Final

from credledger.crypto.errors import CryptoError
from credledger.crypto.rfc9162 import EMPTY_ROOT, HASH_SIZE

TILE_HEIGHT: Final = 8
TILE_WIDTH: Final = 256
FULL_TILE_BYTES: Final = TILE_WIDTH * HASH_SIZE  # 8,192
MAX_TILE_LEVEL: Final = 63
MAX_ENTRY_BYTES: Final = 0xFFFF
"""An entry in a bundle carries a big-endian uint16 length."""

BLOCK_WIDTH: Final = 16
"""Hashes a block holds: a full tile's 16 blocks have their roots kept beside it."""
BLOCK_ROOTS_BYTES: Final = TILE_WIDTH // BLOCK_WIDTH * HASH_SIZE  # 512

Tile = tuple[int, int, bytes]
"""``(level, index, hashes)``: a tile's coordinates and its concatenated hashes."""

_sha256 = hashlib.sha256
_NODE_PREFIX = hashlib.sha256(b"\x01")
_ELEMENT = re.compile(r"x?[0-9]{3}")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_LEVEL = re.compile(r"0|[1-9][0-9]?")


class TileError(CryptoError):
    """A tile, a tile path or an entry bundle is not what tlog-tiles defines."""


class TilePathError(TileError):
    """A tile path that is not in the spec's canonical form (or out of its ranges)."""


# -- paths --------------------------------------------------------------------------------


def format_tile_index(index: int) -> str:
    """``1234067`` -> ``x001/x234/067``: zero-padded groups of three digits, every group
    but the last prefixed with ``x``."""
    if index < 0:
        raise TilePathError("a tile index is not negative")
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


def tile_path(level: int, index: int, width: int | None = None) -> str:
    """``tile/<L>/<N>[.p/<W>]`` (without the log's prefix)."""
    return f"tile/{level}/{format_tile_index(index)}{_suffix(width)}"


def entries_path(index: int, width: int | None = None) -> str:
    """``tile/entries/<N>[.p/<W>]`` (without the log's prefix)."""
    return f"tile/entries/{format_tile_index(index)}{_suffix(width)}"


def _suffix(width: int | None) -> str:
    if width is None:
        return ""
    if not 0 < width < TILE_WIDTH:
        raise TilePathError(f"a partial tile is 1 to {TILE_WIDTH - 1} hashes wide")
    return f".p/{width}"


def parse_tile_level(text: str) -> int:
    """``<L>``: a decimal from 0 to 63 without leading zeros."""
    if not _LEVEL.fullmatch(text) or int(text) > MAX_TILE_LEVEL:
        raise TilePathError(f"a tile level is a decimal from 0 to {MAX_TILE_LEVEL}")
    return int(text)


def parse_tile_index(text: str) -> tuple[int, int | None]:
    """``<N>[.p/<W>]`` -> ``(N, W)``, W None for a full tile. Only the canonical form is
    accepted (the one :func:`format_tile_index` writes): no ``x000`` leading group, no
    missing ``x``, no width outside 1..255 or with leading zeros."""
    width: int | None = None
    head, dot, tail = text.partition(".p/")
    if dot:
        if not _WIDTH.fullmatch(tail) or int(tail) >= TILE_WIDTH:
            raise TilePathError(f"a partial tile width is a decimal from 1 to {TILE_WIDTH - 1}")
        width = int(tail)
    elements = head.split("/")
    if len(elements) > 7 or not all(_ELEMENT.fullmatch(e) for e in elements):
        raise TilePathError("a tile index is groups of three digits, like x001/x234/067")
    index = int("".join(e.removeprefix("x") for e in elements))
    if format_tile_index(index) != head:
        raise TilePathError("a tile index must be in its one canonical form")
    return index, width


# -- hashing within tiles ------------------------------------------------------------------


def split_hashes(data: bytes) -> list[bytes]:
    """A tile's bytes as its list of 32-byte hashes."""
    if len(data) % HASH_SIZE or len(data) > FULL_TILE_BYTES:
        raise TileError(f"a tile is at most {TILE_WIDTH} hashes of {HASH_SIZE} bytes")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def hash_pairs(hashes: Sequence[bytes]) -> list[bytes]:
    """The next level up: each hash with the one after it, hashed as an interior node
    (RFC 9162 §2.1.1, ``SHA-256(0x01 || left || right)``); an odd last hash is left out.

    A copy of the hash state that has taken the 0x01 already, fed both halves, costs less
    than joining the three into new bytes (5 to 11% an interior hash, measured here)."""
    new = _NODE_PREFIX.copy
    level: list[bytes] = []
    append = level.append
    pairs = iter(hashes)
    for left, right in zip(pairs, pairs, strict=False):
        node = new()
        node.update(left)
        node.update(right)
        append(node.digest())
    return level


def subtree_root(hashes: Sequence[bytes]) -> bytes:
    """The root of a perfect subtree over ``hashes`` (a power of two of them, all of one
    height), hashed pairwise level by level (RFC 9162 §2.1.1)."""
    level = list(hashes)
    if not level or len(level) & (len(level) - 1):
        raise TileError(f"{len(level)} hashes are not a perfect subtree")
    while len(level) > 1:
        level = hash_pairs(level)
    return level[0]


def node_position(level: int, index: int) -> tuple[int, int, int, int]:
    """Where the perfect subtree ``(level, index)`` lives: ``(tile level, tile index,
    first hash in the tile, number of hashes)``; its root is the subtree root of those."""
    tile_level, height = divmod(level, TILE_HEIGHT)
    first = index << height
    return tile_level, first >> TILE_HEIGHT, first & (TILE_WIDTH - 1), 1 << height


def node_hash_in_tile(data: bytes, first: int, count: int) -> bytes:
    """The subtree root of ``count`` hashes from position ``first`` of a tile's bytes."""
    start, end = first * HASH_SIZE, (first + count) * HASH_SIZE
    if end > len(data):
        raise TileError(f"the tile holds {len(data) // HASH_SIZE} hashes, not {first + count}")
    if count == 1:
        return data[start:end]
    return subtree_root([data[i : i + HASH_SIZE] for i in range(start, end, HASH_SIZE)])


def _block_level(hashes: Sequence[bytes]) -> list[bytes]:
    """The 16 block roots of a full tile's 256 hashes: its subtrees of height 4, hashed
    level by level as :func:`subtree_root` does (no more hashes than the tile's root)."""
    level = hash_pairs(hashes)
    for _ in range(3):
        level = hash_pairs(level)
    return level


def block_roots(data: bytes) -> bytes:
    """The roots of a full tile's 16 blocks of 16 hashes, concatenated (512 bytes): the
    subtrees of height 4 that the tile's root is hashed from. Kept beside the tile, they
    let a node of 32 or more hashes be hashed from (at most 15) block roots instead of
    (up to 127) hashes of the tile."""
    if len(data) != FULL_TILE_BYTES:
        raise TileError(f"only a full tile has block roots, not one of {len(data)} bytes")
    return b"".join(_block_level(split_hashes(data)))


def node_hash_in_blocks(data: bytes, blocks: bytes, first: int, count: int) -> bytes:
    """:func:`node_hash_in_tile` of a full tile, hashed from its :func:`block_roots` when
    the node spans whole blocks (a node never straddles one)."""
    if count <= BLOCK_WIDTH:
        return node_hash_in_tile(data, first, count)
    if len(blocks) != BLOCK_ROOTS_BYTES:
        raise TileError(f"a full tile has {BLOCK_ROOTS_BYTES} bytes of block roots")
    return node_hash_in_tile(blocks, first // BLOCK_WIDTH, count // BLOCK_WIDTH)


def tile_subtrees(data: bytes) -> list[bytes]:
    """Every perfect subtree within a tile: entry ``h`` holds the roots of its subtrees of
    height ``h`` (``width >> h`` of them), concatenated; entry 0 is the tile itself."""
    levels = [data]
    hashes = split_hashes(data)
    while len(hashes) > 1:
        hashes = hash_pairs(hashes)
        levels.append(b"".join(hashes))
    return levels


def node_hash_in_subtrees(levels: Sequence[bytes], first: int, count: int) -> bytes:
    """:func:`node_hash_in_tile` read from the tile's :func:`tile_subtrees`."""
    height = count.bit_length() - 1
    at = (first >> height) * HASH_SIZE
    if height >= len(levels) or at + HASH_SIZE > len(levels[height]):
        raise TileError(f"the tile holds no subtree of {count} hashes at {first}")
    return levels[height][at : at + HASH_SIZE]


def tile_width(level: int, index: int, size: int) -> int:
    """How many hashes tile ``(level, index)`` holds in the tree of ``size`` (0 to 256)."""
    below = (size >> (TILE_HEIGHT * level)) - index * TILE_WIDTH
    return max(0, min(TILE_WIDTH, below))


def edge_tiles(size: int) -> list[tuple[int, int, int]]:
    """``(level, index, width)`` of the partial tile of each level of a tree of ``size``."""
    found = []
    level = 0
    while size >> (TILE_HEIGHT * level):
        count = size >> (TILE_HEIGHT * level)
        if count % TILE_WIDTH:
            found.append((level, count // TILE_WIDTH, count % TILE_WIDTH))
        level += 1
    return found


def tile_count(size: int) -> int:
    """How many tiles (full and partial) the tree of ``size`` has."""
    total = 0
    level = 0
    while size >> (TILE_HEIGHT * level):
        total += -(-(size >> (TILE_HEIGHT * level)) // TILE_WIDTH)
        level += 1
    return total


class SubtreeRoots:
    """Roots of perfect subtrees remembered by the bytes of the hashes they span, so a
    remembered root is right wherever those hashes now stand (bounded; shared by
    threads: a root lost to a race is hashed again).

    A log that signs a checkpoint per act hashes the same left part of its growing
    partial tiles again and again: with these, each root costs the hashes of what is new.
    """

    SMALLEST = 8
    """Fewer hashes than this are hashed again rather than looked up."""

    def __init__(self, limit: int = 256) -> None:
        self._roots: dict[bytes, bytes] = {}
        self._limit = limit

    def root(self, hashes: Sequence[bytes]) -> bytes:
        """:func:`subtree_root` of ``hashes``."""
        if len(hashes) < self.SMALLEST:
            return subtree_root(hashes)
        key = b"".join(hashes)
        found = self._roots.get(key)
        if found is None:
            found = subtree_root(hashes)
            if len(self._roots) >= self._limit:
                self._roots.clear()
            self._roots[key] = found
        return found


class TileTree:
    """The right edge of a tiled tree: the partial tile of each level, in memory.

    Enough to append leaf hashes (returning every tile they change, whole) and to
    compute the root; everything left of the edge is final and never read again.
    """

    __slots__ = ("_edge", "_roots", "_shared", "_size")

    def __init__(
        self, size: int = 0, edge: Iterable[Tile] = (), roots: SubtreeRoots | None = None
    ) -> None:
        """``edge``: the partial tiles of the tree of ``size`` (:func:`edge_tiles`);
        ``roots``: subtree roots shared with other trees, by their hashes' bytes."""
        self._shared = roots
        self._size = size
        self._edge: list[list[bytes]] = []
        # The border's subtree roots last computed, by (level, first position, hashes):
        # a perfect subtree never changes, so the next border hashes only what is new.
        self._roots: dict[tuple[int, int, int], bytes] = {}
        given = {(level, index): data for level, index, data in edge}
        for level, index, width in edge_tiles(size):
            data = given.get((level, index))
            if data is None or len(data) != width * HASH_SIZE:
                raise TileError(f"tile {level}/{index} of a tree of {size} holds {width} hashes")
            self._level(level).extend(split_hashes(data))

    @property
    def size(self) -> int:
        return self._size

    def _level(self, level: int) -> list[bytes]:
        while len(self._edge) <= level:
            self._edge.append([])
        return self._edge[level]

    def extend(self, leaf_hashes: Sequence[bytes]) -> list[Tile]:
        """Append leaves; returns every tile they change, level by level, left to right."""
        return self.extend_with_blocks(leaf_hashes)[0]

    def extend_with_blocks(
        self, leaf_hashes: Sequence[bytes]
    ) -> tuple[list[Tile], dict[tuple[int, int], bytes]]:
        """:meth:`extend`, and the :func:`block_roots` of every tile it filled, which
        hashing the tile's root computes anyway (its root is hashed from them)."""
        if set(map(len, leaf_hashes)) - {HASH_SIZE}:
            raise TileError(f"leaf hashes are {HASH_SIZE} bytes")
        changed: list[Tile] = []
        filled: dict[tuple[int, int], bytes] = {}
        new = list(leaf_hashes)
        level = 0
        while new:
            edge = self._level(level)
            first_tile = (self._size >> (TILE_HEIGHT * level)) // TILE_WIDTH
            row = edge + new
            up: list[bytes] = []
            for offset in range(0, len(row), TILE_WIDTH):
                chunk = row[offset : offset + TILE_WIDTH]
                index = first_tile + offset // TILE_WIDTH
                changed.append((level, index, b"".join(chunk)))
                if len(chunk) == TILE_WIDTH:
                    blocks = _block_level(chunk)
                    filled[(level, index)] = b"".join(blocks)
                    up.append(subtree_root(blocks))
            rest = len(row) % TILE_WIDTH
            edge[:] = row[len(row) - rest :] if rest else []
            new = up
            level += 1
        self._size += len(leaf_hashes)
        return changed, filled

    def border(self) -> list[bytes]:
        """The roots of the perfect subtrees the tree's root folds, largest first."""
        hashes: list[bytes] = []
        kept: dict[tuple[int, int, int], bytes] = {}
        for level in range(len(self._edge) - 1, -1, -1):
            edge = self._edge[level]
            first = (self._size >> (TILE_HEIGHT * level)) - len(edge)  # edge[0]'s position
            start = 0
            for bit in range(TILE_HEIGHT - 1, -1, -1):
                if len(edge) >> bit & 1:
                    key = (level, first + start, 1 << bit)
                    root = self._roots.get(key)
                    if root is None:
                        chunk = edge[start : start + (1 << bit)]
                        shared = self._shared
                        root = subtree_root(chunk) if shared is None else shared.root(chunk)
                    hashes.append(kept.setdefault(key, root))
                    start += 1 << bit
        self._roots = kept
        return hashes

    def root(self) -> bytes:
        """MTH of the whole tree (RFC 9162 §2.1.1)."""
        border = self.border()
        if not border:
            return EMPTY_ROOT
        acc = border[-1]
        for h in reversed(border[:-1]):
            acc = _sha256(b"\x01" + h + acc).digest()
        return acc


# -- entry bundles ----------------------------------------------------------------------------


def entry_bundle(entries: Iterable[bytes]) -> bytes:
    """Entries as one bundle: each prefixed with its length as a big-endian uint16."""
    parts = []
    for entry in entries:
        if len(entry) > MAX_ENTRY_BYTES:
            raise TileError(f"an entry of {len(entry)} bytes does not fit an entry bundle")
        parts.append(len(entry).to_bytes(2, "big"))
        parts.append(entry)
    return b"".join(parts)


def split_entry_bundle(bundle: bytes) -> list[bytes]:
    """A bundle's entries; every byte must belong to one."""
    entries = []
    at = 0
    while at < len(bundle):
        if at + 2 > len(bundle):
            raise TileError("an entry bundle ends inside a length prefix")
        length = int.from_bytes(bundle[at : at + 2], "big")
        at += 2
        if at + length > len(bundle):
            raise TileError("an entry bundle ends inside an entry")
        entries.append(bundle[at : at + length])
        at += length
    return entries
