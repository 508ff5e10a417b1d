"""The Merkle tree of the transparency log as C2SP tlog-tiles, on SQLite (and PostgreSQL).

The tree is stored as tiles (:mod:`credledger.crypto.tlog_tiles`): one row
``(level, idx, hashes, blocks)`` of ``merkle_tiles`` per tile of 256 hashes (8,192
bytes when full; ``blocks``: a full tile's 16 roots of 16 hashes, 512 bytes), and
``merkle_meta`` holds the tree size. A batch of leaves is appended in one transaction:
the partial tile of each level is read, extended, and every tile the batch changes is
written with the new size, so the table holds exactly the tiles of the tree of the
stored size (a full tile is never written again). Proofs read their tiles in one query
and hash at most 30 hashes a full tile; the subtrees of partial tiles and of tiles
above level 0 are remembered, as are the growing edge's (a checkpoint's root).

A store made before tiles (one row per perfect subtree in ``merkle_nodes``) becomes
tiles once, when it is first opened (``store/tile_migration.py``).

Each method runs in its own transaction unless a ``cursor`` of a transaction the
caller holds is passed: then the store reads and writes through it and the caller
commits, so leaves can be appended atomically with the caller's own bookkeeping. The
caller opens that transaction with :meth:`TreeStore.transaction` and may write the
log's other tables in it through :attr:`TreeStore.db` (``store/log_records.py``):
the database is shared in the open, never borrowed behind the store's back.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from credledger.crypto.merkle_tree import (
    CompactRange,
    MissingNodeError,
    NodeId,
    TreeSizeError,
    consistency_plan,
    fold_right,
    inclusion_plan,
    node_ids_for_root,
)
from credledger.crypto.rfc9162 import EMPTY_ROOT, HASH_SIZE
from credledger.crypto.tlog_tiles import (
    FULL_TILE_BYTES,
    SubtreeRoots,
    Tile,
    TileError,
    TileTree,
    block_roots,
    edge_tiles,
    node_hash_in_blocks,
    node_hash_in_subtrees,
    node_hash_in_tile,
    node_position,
    tile_subtrees,
)
from credledger.ledger.store.schema import LogTables
from credledger.ledger.store.sqldb import Cursor, Database, SQLiteDatabase, column_exists
from credledger.ledger.store.tile_migration import TileKey, migrate_node_store

__all__ = [
    "AppendConflictError",
    "Cursor",
    "SQLiteTreeStore",
    "TreeSizeError",
    "TreeStore",
    "TreeStoreError",
]


TileRow = tuple[int, int, bytes, bytes | None]
"""A tile as stored: level, index, hashes, block roots (full tiles only)."""

SUBTREE_CACHE = 1024
"""Tiles above level 0 whose inner subtrees a store remembers (16 KiB each at most)."""


class TreeStoreError(Exception):
    """The tile store cannot do what was asked without breaking the log."""


class AppendConflictError(TreeStoreError):
    """A batch claims leaf positions that already hold different leaves, or leaves a gap."""


class TreeStore(ABC):
    """Engine-independent log logic over a :class:`Database`; subclasses supply the
    tile queries that differ. SQL here uses ``?`` placeholders (the database swaps
    them) and ``{tiles}``/``{meta}`` for the (prefixed) table names."""

    def __init__(self, db: Database, tables: LogTables) -> None:
        self.db = db
        self.tables = tables
        self._subtrees: OrderedDict[bytes, list[bytes]] = OrderedDict()
        self._subtrees_lock = threading.Lock()  # requests read proofs on many threads
        self._border_roots = SubtreeRoots()  # the growing edge's roots, hashed once

    @property
    def tiles_table(self) -> str:
        return self.tables.tiles

    @property
    def meta_table(self) -> str:
        return self.tables.meta

    # --- what each engine provides -----------------------------------------------------

    @abstractmethod
    def _lock_size(self, cur: Cursor) -> int:
        """Read the size and hold the write lock on it until the transaction ends."""

    def _select_tiles(self, cur: Cursor, keys: Sequence[TileKey]) -> dict[TileKey, bytes]:
        """The stored tiles among ``keys`` ((level, idx); absent ones missing), one query."""
        return {key: data for key, (data, _) in self._select_tiles_and_blocks(cur, keys).items()}

    @abstractmethod
    def _select_tiles_and_blocks(
        self, cur: Cursor, keys: Sequence[TileKey]
    ) -> dict[TileKey, tuple[bytes, bytes | None]]:
        """As :meth:`_select_tiles`, each tile with its block roots (None: a partial
        tile, or a full one stored before block roots were kept)."""

    @abstractmethod
    def _write_rows(self, cur: Cursor, rows: Sequence[TileRow]) -> None:
        """Insert new tiles and replace grown partial ones (a full tile stays)."""

    def _write_tiles(
        self, cur: Cursor, tiles: Sequence[Tile], blocks: Mapping[TileKey, bytes] | None = None
    ) -> None:
        """Write ``tiles``, each full one with its block roots (``blocks``, or hashed here)."""
        rows = []
        for level, index, data in tiles:
            kept = None
            if len(data) == FULL_TILE_BYTES:
                kept = (blocks or {}).get((level, index)) or block_roots(data)
            rows.append((level, index, data, kept))
        self._write_rows(cur, rows)

    # --- the database -------------------------------------------------------------------

    def transaction(self, *, write: bool = True) -> AbstractContextManager[Cursor]:
        """A cursor in a new transaction of the store's database that commits on success
        and rolls back on error; pass it as ``cursor=`` to join the store's work to it."""
        return self.db.transaction(write=write)

    def schema(self) -> list[str]:
        """CREATE statements for both tables (idempotent)."""
        return self.tables.tree_schema(self.db.dialect)

    def close(self) -> None:
        """Release the connections the store opened itself (a pool passed in stays open)."""
        self.db.close()

    # --- shared SQL --------------------------------------------------------------------

    def _sql(self, template: str) -> str:
        return template.format(tiles=self.tiles_table, meta=self.meta_table)

    def create_schema(self, cursor: Cursor | None = None) -> None:
        """Create the tables and the size row if they do not exist yet, and turn a node
        store made before tiles into tiles (once; in this one transaction)."""
        with self._cursor(cursor, write=True) as cur:
            for statement in self.schema():
                cur.execute(statement)
            if not column_exists(cur, self.db.dialect, self.tiles_table, "blocks"):
                cur.execute(self.tables.tile_blocks_column(self.db.dialect))
            cur.execute(
                self._sql("INSERT INTO {meta} (id, size) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
            )
            migrate_node_store(cur, self.db.dialect, self.tables, self._write_tiles)

    def _read_size(self, cur: Cursor) -> int:
        cur.execute(self._sql("SELECT size FROM {meta} WHERE id = 1"))
        row = cur.fetchone()
        if row is None:
            raise TreeStoreError(f"{self.meta_table} has no size row: create_schema() first")
        return int(row[0])

    def _write_size(self, cur: Cursor, size: int) -> None:
        cur.execute(self._sql("UPDATE {meta} SET size = ? WHERE id = 1"), (size,))

    @contextmanager
    def _cursor(self, cursor: Cursor | None, *, write: bool = False) -> Iterator[Cursor]:
        if cursor is not None:
            yield cursor
        else:
            with self.transaction(write=write) as cur:
                yield cur

    # --- the log ------------------------------------------------------------------------

    def size(self, *, cursor: Cursor | None = None) -> int:
        """The number of leaves in the log."""
        with self._cursor(cursor) as cur:
            return self._read_size(cur)

    def append_leaves(
        self, leaf_hashes: Sequence[bytes], expected_start: int, *, cursor: Cursor | None = None
    ) -> int:
        """Append leaves at index ``expected_start`` in one transaction; return the new size.

        Idempotent, so a replayed batch can never append twice: leaves the log already
        holds at those positions are checked and skipped, and only the remainder is
        appended. Raises AppendConflictError when a stored leaf differs or when
        ``expected_start`` lies beyond the end of the log (a gap).
        """
        if set(map(len, leaf_hashes)) - {HASH_SIZE}:
            raise TreeStoreError(f"leaf hashes must be {HASH_SIZE} bytes")
        with self._cursor(cursor, write=True) as cur:
            size = self._lock_size(cur)
            if not 0 <= expected_start <= size:
                raise AppendConflictError(
                    f"batch starts at {expected_start} but the log has {size} leaves"
                )
            overlap = min(size - expected_start, len(leaf_hashes))
            if overlap and self._leaf_range(cur, expected_start, expected_start + overlap) != list(
                leaf_hashes[:overlap]
            ):
                raise AppendConflictError(
                    f"leaves [{expected_start}, {expected_start + overlap}) are already in the log "
                    "with different hashes"
                )
            rest = leaf_hashes[overlap:]
            if not rest:
                return size
            tree = self._edge(cur, size)
            self._write_tiles(cur, *tree.extend_with_blocks(rest))
            self._write_size(cur, tree.size)
            return tree.size

    def _edge(self, cur: Cursor, size: int) -> TileTree:
        """The right edge of the tree of ``size``: its partial tiles, read in one query."""
        wanted = edge_tiles(size)
        found = self._select_tiles(cur, [(level, index) for level, index, _ in wanted])
        try:
            return TileTree(size, [(*key, data) for key, data in found.items()], self._border_roots)
        except TileError as exc:
            raise MissingNodeError(f"the tiles are not those of {size} leaves: {exc}") from None

    def border(self, *, cursor: Cursor | None = None) -> CompactRange:
        """The right border of the current tree: enough to append or compute the root."""
        with self._cursor(cursor) as cur:
            size = self._read_size(cur)
            return CompactRange(size, self._edge(cur, size).border())

    def root(self, size: int | None = None, *, cursor: Cursor | None = None) -> bytes:
        """MTH of the first ``size`` leaves (default: all of them)."""
        with self._cursor(cursor) as cur:
            current = self._read_size(cur)
            wanted = self._check_size(cur, size) if size is not None else current
            if not wanted:
                return EMPTY_ROOT
            if wanted == current:  # from the edge tiles (a checkpoint's root): few hashes
                return self._edge(cur, current).root()
            return fold_right(self._select_list(cur, node_ids_for_root(wanted)))

    def leaf_hash(self, index: int, *, cursor: Cursor | None = None) -> bytes:
        """The hash of leaf ``index``. Requires 0 <= index < size()."""
        with self._cursor(cursor) as cur:
            self._check_index(cur, index, None)
            return self._select_list(cur, [(0, index)])[0]

    def inclusion_proof(
        self, index: int, size: int | None = None, *, cursor: Cursor | None = None
    ) -> list[bytes]:
        """PATH(index, D[0:size]) (RFC 9162 §2.1.3.1). Requires 0 <= index < size <= size()."""
        with self._cursor(cursor) as cur:
            size = self._check_index(cur, index, size)
            plan = inclusion_plan(index, size)
            return plan.assemble(self._select_list(cur, plan.ids))

    def consistency_proof(
        self, size1: int, size2: int | None = None, *, cursor: Cursor | None = None
    ) -> list[bytes]:
        """PROOF(size1, D[0:size2]) (RFC 9162 §2.1.4.1). Requires 0 < size1 <= size2 <= size()."""
        with self._cursor(cursor) as cur:
            size2 = self._check_size(cur, size2)
            if not 0 < size1 <= size2:
                raise TreeSizeError(f"consistency proof needs 0 < {size1} <= {size2}")
            plan = consistency_plan(size1, size2)
            return plan.assemble(self._select_list(cur, plan.ids))

    def get_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """NodeReader: the hashes of the perfect subtrees ``ids``, in order, in one query."""
        with self._cursor(None) as cur:
            return self._select_list(cur, ids)

    def nodes_for_root(self, size: int, *, cursor: Cursor | None = None) -> list[bytes]:
        """The border hashes of the tree of ``size`` (largest subtree first)."""
        with self._cursor(cursor) as cur:
            size = self._check_size(cur, size)
            return self._select_list(cur, node_ids_for_root(size))

    def read_tile(self, level: int, index: int, *, cursor: Cursor | None = None) -> bytes | None:
        """The stored tile ``(level, index)``, full or as wide as it has grown (None if
        there is none). The caller decides which width a reader may see."""
        with self._cursor(cursor) as cur:
            return self._select_tiles(cur, [(level, index)]).get((level, index))

    # --- helpers ------------------------------------------------------------------------

    def _leaf_range(self, cur: Cursor, start: int, end: int) -> list[bytes]:
        return self._select_list(cur, [(0, i) for i in range(start, end)])

    def _select_list(self, cur: Cursor, ids: Sequence[NodeId]) -> list[bytes]:
        """The hashes of perfect subtrees, each hashed out of its tile (one query)."""
        if not ids:
            return []
        places = [node_position(level, index) for level, index in ids]
        keys = list(dict.fromkeys((p[0], p[1]) for p in places))
        tiles = self._select_tiles_and_blocks(cur, keys)
        hashes = []
        for (level, index), (tile_level, tile_index, first, count) in zip(ids, places, strict=True):
            data, blocks = tiles.get((tile_level, tile_index), (b"", None))
            if not data or (first + count) * HASH_SIZE > len(data):
                raise MissingNodeError(f"node {(level, index)} is not in the stored tiles")
            if count > 1 and (tile_level or len(data) < FULL_TILE_BYTES):
                hashes.append(node_hash_in_subtrees(self._subtrees_of(data), first, count))
            elif blocks is not None:
                hashes.append(node_hash_in_blocks(data, blocks, first, count))
            else:  # a full tile stored before block roots were kept
                hashes.append(node_hash_in_tile(data, first, count))
        return hashes

    def _subtrees_of(self, data: bytes) -> list[bytes]:
        """The subtrees within a tile, remembered by the tile's bytes (so whatever the
        tile's coordinates or width, a remembered answer is a right one). Asked for tiles
        above level 0 and partial ones: few, and every proof reads them (a random leaf's
        full level-0 tile is hashed where it is needed)."""
        with self._subtrees_lock:
            found = self._subtrees.get(data)
            if found is not None:
                self._subtrees.move_to_end(data)
                return found
        found = tile_subtrees(data)  # hashed outside the lock
        with self._subtrees_lock:
            self._subtrees[data] = found
            if len(self._subtrees) > SUBTREE_CACHE:
                self._subtrees.popitem(last=False)
        return found

    def _check_size(self, cur: Cursor, size: int | None) -> int:
        current = self._read_size(cur)
        if size is None:
            return current
        if not 0 <= size <= current:
            raise TreeSizeError(f"tree size {size} is not in [0, {current}]")
        return size

    def _check_index(self, cur: Cursor, index: int, size: int | None) -> int:
        size = self._check_size(cur, size)
        if not 0 <= index < size:
            raise TreeSizeError(f"leaf index {index} is not in [0, {size})")
        return size


class SQLiteTreeStore(TreeStore):
    """The tile store in a SQLite database (WAL, synchronous NORMAL: a commit survives a
    process crash (kill -9); after a power loss the newest leaves may need re-appending,
    which the log does from the events, deterministically, so the same leaves and roots
    come back).

    Opens its own database at ``path``; pass ``cursor=`` to any method to run it in a
    transaction of another connection to the same database.
    """

    def __init__(self, path: str | Path, *, prefix: str = "") -> None:
        tables = LogTables(prefix)  # refuses a prefix that is not an identifier's
        super().__init__(SQLiteDatabase(path, synchronous="NORMAL"), tables)
        self.path = str(path)
        self.create_schema()

    def _lock_size(self, cur: Cursor) -> int:
        # The caller's transaction must be BEGIN IMMEDIATE (or have written already).
        return self._read_size(cur)

    def _select_tiles_and_blocks(
        self, cur: Cursor, keys: Sequence[TileKey]
    ) -> dict[TileKey, tuple[bytes, bytes | None]]:
        if not keys:
            return {}
        # A join against a VALUES list: SQLite searches the primary key once per key.
        values = ",".join(["(?, ?)"] * len(keys))
        cur.execute(
            f"WITH q(level, idx) AS (VALUES {values}) SELECT t.level, t.idx, t.hashes, t.blocks "
            f"FROM q JOIN {self.tiles_table} t ON t.level = q.level AND t.idx = q.idx",
            [x for key in keys for x in key],
        )
        return {
            (level, idx): (bytes(h), None if b is None else bytes(b))
            for level, idx, h, b in cur.fetchall()
        }

    def _write_rows(self, cur: Cursor, rows: Sequence[TileRow]) -> None:
        cur.executemany(
            f"INSERT INTO {self.tiles_table} (level, idx, hashes, blocks) VALUES (?, ?, ?, ?) "
            + self.tables.tile_upsert("sqlite"),
            rows,
        )
