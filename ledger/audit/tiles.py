"""The stored Merkle tree as the audit reads it: C2SP tiles, compared with the rebuilt ones.

The audit rebuilds the tiles from the leaves (:class:`TileTree`) and compares each
tile a batch of leaves changed with the stored one, per level in one range query:
a tile the rebuild has filled must equal the stored tile byte for byte, and the block
roots kept beside it (which proofs are hashed from) the rebuilt ones; a tile still
partial must be the start of it. At the end, each level's partial tile must be
exactly as wide as the tree's size says, and no other tile may be stored.

A log made before tiles and not opened since (its tree still one row per node in
``merkle_nodes``; the ledger moves it into tiles when it next opens) is read the same
way: its tiles are the nodes at heights 0, 8, 16, ..., 256 to a tile (the only nodes
tiles keep; the others are dropped when the log moves).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby
from operator import itemgetter

from credledger.crypto.merkle_tree import consistency_plan
from credledger.crypto.rfc9162 import HASH_SIZE
from credledger.crypto.tlog_tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    Tile,
    block_roots,
    edge_tiles,
    node_hash_in_blocks,
    node_hash_in_tile,
    node_position,
    tile_count,
    tile_width,
)
from credledger.ledger.audit.report import Discrepancy
from credledger.ledger.store.schema import LogTables
from credledger.ledger.store.sqldb import Database, column_exists, table_exists

LEGACY_WARNING = (
    "the log's tree is still stored as Merkle nodes (made before tiles): the ledger "
    "stores it as C2SP tiles when it next opens; its tiles were read from those nodes"
)


NODES_KEPT = 4096
"""Most node hashes kept between consistency proofs."""


class StoredTiles:
    """Read-only access to the stored tiles (or to the nodes of a log made before)."""

    def __init__(self, db: Database, tables: LogTables) -> None:
        self.db = db
        self.t = tables
        with db.transaction(write=False) as cur:
            self.legacy = not table_exists(cur, db.dialect, tables.tiles) and table_exists(
                cur, db.dialect, tables.nodes
            )
        self._blocks_column: bool | None = None
        self._nodes: dict[tuple[int, int], bytes] = {}  # node hashes proofs were made of

    def in_range(self, level: int, first: int, last: int) -> dict[int, bytes]:
        """The stored tiles ``first`` to ``last`` (inclusive) of ``level``, by index."""
        return {i: data for i, (data, _) in self._rows_in_range(level, first, last).items()}

    def _rows_in_range(
        self, level: int, first: int, last: int
    ) -> dict[int, tuple[bytes, bytes | None]]:
        """:meth:`in_range`, each tile with its block roots (None when none are kept)."""
        if self.legacy:
            return {i: (d, None) for i, d in self._legacy_range(level, first, last).items()}
        blocks = "blocks" if self._has_blocks() else "NULL"
        rows = self.db.read_all(
            f"SELECT idx, hashes, {blocks} FROM {self.t.tiles} "
            "WHERE level = ? AND idx >= ? AND idx <= ? ORDER BY idx",
            (level, first, last),
        )
        return {int(i): (bytes(h), None if b is None else bytes(b)) for i, h, b in rows}

    def _has_blocks(self) -> bool:
        """Whether the tiles table has the block roots column (a ledger not opened since
        credledger kept them has not)."""
        if self._blocks_column is None:
            with self.db.transaction(write=False) as cur:
                self._blocks_column = column_exists(cur, self.db.dialect, self.t.tiles, "blocks")
        return self._blocks_column

    def _legacy_range(self, level: int, first: int, last: int) -> dict[int, bytes]:
        rows = self.db.read_all(
            f"SELECT idx, hash FROM {self.t.nodes} WHERE level = ? AND idx >= ? AND idx < ? "
            "ORDER BY idx",
            (level * TILE_HEIGHT, first * TILE_WIDTH, (last + 1) * TILE_WIDTH),
        )
        tiles: dict[int, bytes] = {}
        for index, group in groupby(rows, key=lambda r: int(r[0]) // TILE_WIDTH):
            start, hashes = index * TILE_WIDTH, []
            for n, (idx, digest) in enumerate(group):
                if int(idx) != start + n:
                    break  # a gap: the tile ends there
                hashes.append(bytes(digest))
            tiles[index] = b"".join(hashes)
        return tiles

    def count(self) -> int:
        """How many tiles are stored."""
        if not self.legacy:
            return int(self.db.read_all(f"SELECT COUNT(*) FROM {self.t.tiles}")[0][0])
        levels = ", ".join(str(TILE_HEIGHT * level) for level in range(64))
        rows = self.db.read_all(
            f"SELECT COUNT(*) FROM (SELECT DISTINCT level, idx / {TILE_WIDTH} "
            f"FROM {self.t.nodes} WHERE level IN ({levels})) AS tiles"
        )
        return int(rows[0][0])

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """PROOF(first, second) from the stored tiles (as the log serves it).

        Node hashes are kept from one proof to the next (a node of the tree never
        changes, and a ledger that signs a checkpoint per act asks for nearly the same
        nodes each time); only the tiles of nodes not kept are read.
        """
        plan = consistency_plan(first, second)
        if len(self._nodes) > NODES_KEPT:
            self._nodes.clear()
        places = {node: node_position(*node) for node in plan.ids if node not in self._nodes}
        tiles = {
            (lv, i): self._rows_in_range(lv, i, i).get(i, (b"", None))
            for lv, i in dict.fromkeys((p[0], p[1]) for p in places.values())
        }
        for (level, index), (tile_level, tile_index, start, count) in places.items():
            data, blocks = tiles[(tile_level, tile_index)]
            if (start + count) * HASH_SIZE > len(data):
                raise LookupError(f"node ({level}, {index}) is not in the stored tiles")
            if blocks is not None and tile_width(tile_level, tile_index, second) == TILE_WIDTH:
                # The tile is full in the tree checked, so its kept block roots were
                # compared with the rebuilt ones: hashing from them is hashing the tile.
                node = node_hash_in_blocks(data, blocks, start, count)
            else:
                node = node_hash_in_tile(data, start, count)
            self._nodes[(level, index)] = node
        return plan.assemble([self._nodes[node] for node in plan.ids])

    def compare(
        self, rebuilt: Sequence[Tile], blocks: Mapping[tuple[int, int], bytes] | None = None
    ) -> None:
        """Each rebuilt tile against the stored one: equal when full, a prefix when
        partial; a full tile's stored block roots (if any) equal to ``blocks``' (the
        rebuilt ones, hashed here when not given)."""
        for level, group in groupby(sorted(rebuilt, key=itemgetter(0, 1)), key=itemgetter(0)):
            tiles = [(index, data) for _, index, data in group]
            stored = self._rows_in_range(level, tiles[0][0], tiles[-1][0])
            for index, data in tiles:
                have, kept = stored.get(index, (None, None))
                full = len(data) == TILE_WIDTH * HASH_SIZE
                if have is None or (have != data if full else not have.startswith(data)):
                    _mismatch(level, index, data, have)
                if full and kept is not None:
                    wanted = (blocks or {}).get((level, index)) or block_roots(data)
                    if kept != wanted:
                        raise Discrepancy(
                            "tile-blocks",
                            f"the block roots kept beside the tile {level}/{index} differ from "
                            "the ones its hashes give (proofs are hashed from them)",
                            leaf=(index * TILE_WIDTH) << (TILE_HEIGHT * level),
                        )

    def check_edge(self, size: int) -> None:
        """The partial tiles are as wide as ``size`` says, and no other tile is stored."""
        for level, index, width in edge_tiles(size):
            have = self.in_range(level, index, index).get(index, b"")
            if len(have) != width * HASH_SIZE:
                raise Discrepancy(
                    "tile-width",
                    f"the stored tile {level}/{index} holds {len(have) // HASH_SIZE} hashes; "
                    f"a tree of {size} leaves has {width} there",
                    leaf=(index * TILE_WIDTH) << (TILE_HEIGHT * level),
                )
        stored, expected = self.count(), tile_count(size)
        if stored != expected:
            raise Discrepancy(
                "tile-count",
                f"the log stores {stored} tiles; a tree of {size} leaves has {expected}",
            )


def _mismatch(level: int, index: int, data: bytes, have: bytes | None) -> None:
    """Name the first leaf (or subtree) whose hash differs."""
    first_leaf = (index * TILE_WIDTH) << (TILE_HEIGHT * level)
    if have is None:
        raise Discrepancy(
            "tile-missing", f"the stored tile {level}/{index} is missing", leaf=first_leaf
        )
    position = next(
        (i for i in range(len(data) // HASH_SIZE) if _hash(have, i) != _hash(data, i)),
        len(data) // HASH_SIZE,
    )
    raise Discrepancy(
        "tile-mismatch",
        f"hash {position} of the stored tile {level}/{index} differs from the one the leaves give",
        leaf=first_leaf + (position << (TILE_HEIGHT * level)),
    )


def _hash(tile: bytes, position: int) -> bytes:
    return tile[position * HASH_SIZE : (position + 1) * HASH_SIZE]
