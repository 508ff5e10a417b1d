"""The persistent Merkle node store of the transparency log, on SQLite (and PostgreSQL).

Every perfect subtree hash is one row ``(level, idx, hash)`` of ``merkle_nodes``;
``merkle_meta`` holds the tree size. A batch of leaves and every node it completes
are written in one transaction together with the new size, so the table always
holds exactly the nodes of the tree of the stored size. Proofs read O(log n) rows
in one query (see :mod:`credledger.crypto.merkle_tree`); appending reads only the
O(log n) right border.

Each method runs in its own transaction unless a ``cursor`` of a transaction the
caller holds is passed: then the store reads and writes through it and the caller
commits, so leaves can be appended atomically with the caller's own bookkeeping. The
caller opens that transaction with :meth:`TreeStore.transaction` and may write the
log's other tables in it through :attr:`TreeStore.db` (``store/log_records.py``):
the database is shared in the open, never borrowed behind the store's back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from credledger.crypto.merkle_tree import (
    CompactRange,
    MissingNodeError,
    NewNode,
    NodeId,
    TreeSizeError,
    consistency_plan,
    inclusion_plan,
    node_ids_for_root,
    root_at,
)
from credledger.crypto.rfc9162 import EMPTY_ROOT, HASH_SIZE
from credledger.ledger.store.schema import LogTables
from credledger.ledger.store.sqldb import Cursor, Database, SQLiteDatabase

__all__ = [
    "AppendConflictError",
    "Cursor",
    "SQLiteTreeStore",
    "TreeSizeError",
    "TreeStore",
    "TreeStoreError",
]


class TreeStoreError(Exception):
    """The node store cannot do what was asked without breaking the log."""


class AppendConflictError(TreeStoreError):
    """A batch claims leaf positions that already hold different leaves, or leaves a gap."""


class TreeStore(ABC):
    """Engine-independent log logic over a :class:`Database`; subclasses supply the
    node queries that differ. SQL here uses ``?`` placeholders (the database swaps
    them) and ``{nodes}``/``{meta}`` for the (prefixed) table names."""

    def __init__(self, db: Database, tables: LogTables) -> None:
        self.db = db
        self.tables = tables

    @property
    def nodes_table(self) -> str:
        return self.tables.nodes

    @property
    def meta_table(self) -> str:
        return self.tables.meta

    # --- what each engine provides -----------------------------------------------------

    @abstractmethod
    def _lock_size(self, cur: Cursor) -> int:
        """Read the size and hold the write lock on it until the transaction ends."""

    @abstractmethod
    def _select_nodes(self, cur: Cursor, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        """The stored hashes among ``ids`` (absent ones simply missing), in one query."""

    @abstractmethod
    def _insert_nodes(self, cur: Cursor, rows: Sequence[NewNode]) -> None:
        """Insert new ``(level, idx, hash)`` rows."""

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
        return template.format(nodes=self.nodes_table, meta=self.meta_table)

    def create_schema(self, cursor: Cursor | None = None) -> None:
        """Create the tables and the size row if they do not exist yet."""
        with self._cursor(cursor, write=True) as cur:
            for statement in self.schema():
                cur.execute(statement)
            cur.execute(
                self._sql("INSERT INTO {meta} (id, size) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
            )

    def _read_size(self, cur: Cursor) -> int:
        cur.execute(self._sql("SELECT size FROM {meta} WHERE id = 1"))
        row = cur.fetchone()
        if row is None:
            raise TreeStoreError(f"{self.meta_table} has no size row: create_schema() first")
        return int(row[0])

    def _write_size(self, cur: Cursor, size: int) -> None:
        cur.execute(self._sql("UPDATE {meta} SET size = ? WHERE id = 1"), (size,))

    def _leaf_range(self, cur: Cursor, start: int, end: int) -> list[bytes]:
        cur.execute(
            self._sql(
                "SELECT hash FROM {nodes} WHERE level = 0 AND idx >= ? AND idx < ? ORDER BY idx"
            ),
            (start, end),
        )
        return [bytes(row[0]) for row in cur.fetchall()]

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
        if any(len(h) != HASH_SIZE for h in leaf_hashes):
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
            border = CompactRange.from_reader(size, _CursorReader(self, cur))
            self._insert_nodes(cur, border.extend(rest))
            self._write_size(cur, border.size)
            return border.size

    def border(self, *, cursor: Cursor | None = None) -> CompactRange:
        """The right border of the current tree: enough to append or compute the root."""
        with self._cursor(cursor) as cur:
            return CompactRange.from_reader(self._read_size(cur), _CursorReader(self, cur))

    def root(self, size: int | None = None, *, cursor: Cursor | None = None) -> bytes:
        """MTH of the first ``size`` leaves (default: all of them)."""
        with self._cursor(cursor) as cur:
            size = self._check_size(cur, size)
            return root_at(size, _CursorReader(self, cur)) if size else EMPTY_ROOT

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
        """NodeReader: the stored hashes of ``ids``, in order, in one query."""
        with self._cursor(None) as cur:
            return self._select_list(cur, ids)

    def nodes_for_root(self, size: int, *, cursor: Cursor | None = None) -> list[bytes]:
        """The border hashes of the tree of ``size`` (largest subtree first)."""
        with self._cursor(cursor) as cur:
            size = self._check_size(cur, size)
            return self._select_list(cur, node_ids_for_root(size))

    # --- helpers ------------------------------------------------------------------------

    def _select_list(self, cur: Cursor, ids: Sequence[NodeId]) -> list[bytes]:
        if not ids:
            return []
        found = self._select_nodes(cur, ids)
        try:
            return [found[i] for i in ids]
        except KeyError as e:
            raise MissingNodeError(f"node {e.args[0]} is not stored") from None

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


class _CursorReader:
    """A NodeReader bound to one cursor, so reads join the caller's transaction."""

    def __init__(self, store: TreeStore, cur: Cursor) -> None:
        self._store = store
        self._cur = cur

    def get_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        return self._store._select_list(self._cur, ids)


class SQLiteTreeStore(TreeStore):
    """The node store in a SQLite database (WAL, synchronous NORMAL: a commit survives a
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

    def _select_nodes(self, cur: Cursor, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        # A join against a VALUES list: SQLite searches the primary key once per id,
        # where "(level, idx) IN (VALUES ...)" would scan the whole table.
        values = ",".join(["(?, ?)"] * len(ids))
        cur.execute(
            f"WITH q(level, idx) AS (VALUES {values}) SELECT n.level, n.idx, n.hash "
            f"FROM q JOIN {self.nodes_table} n ON n.level = q.level AND n.idx = q.idx",
            [x for node in ids for x in node],
        )
        return {(level, idx): bytes(h) for level, idx, h in cur.fetchall()}

    def _insert_nodes(self, cur: Cursor, rows: Sequence[NewNode]) -> None:
        # Multi-row VALUES statements cost ~25% less per row than executemany; 333 rows
        # keep under SQLite's historical limit of 999 parameters per statement.
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            chunk = rows[start : start + _ROWS_PER_INSERT]
            values = ",".join(["(?, ?, ?)"] * len(chunk))
            cur.execute(
                f"INSERT INTO {self.nodes_table} (level, idx, hash) VALUES {values}",
                [x for row in chunk for x in row],
            )


_ROWS_PER_INSERT = 333
