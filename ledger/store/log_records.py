"""The transparency log's own tables beside the Merkle tiles: leaves, checkpoints and
witness cosignatures, in the tile store's database.

The log appends leaves and their Merkle tiles in one transaction: it opens it with
:meth:`TreeStore.transaction` and passes the cursor both to these methods and to the
tile store. Methods that take no cursor read in a transaction of their own.

Checkpoints are numbered 1, 2, 3, … in the order they were signed, so a deleted one
leaves a gap the audit finds (sizes alone cannot show a missing checkpoint: they grow
by any amount). Logs made before the ``number`` column existed get it on open,
numbered in size order (their checkpoints never went back); the signed notes are
untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from credledger.ledger.store.schema import APPENDER_LOCK, LogTables
from credledger.ledger.store.sqldb import (
    Cursor,
    Database,
    column_exists,
    table_exists,
    writers_lock,
)
from credledger.ledger.store.tree_sqlite import TreeStore

LeafRow = tuple[int, int, str, int, bytes]
"""(leaf index, notification id, aggregate, version, leaf bytes)."""


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root_hash: bytes
    note: str
    created_at: str


def _checkpoint(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(int(row[0]), bytes(row[1]), str(row[2]), str(row[3]))


class LogRecords:
    """The leaves, checkpoints and cosignatures of the log whose nodes ``tree`` keeps."""

    def __init__(self, tree: TreeStore) -> None:
        self.db: Database = tree.db
        self.tables: LogTables = tree.tables
        *before, cosignatures = self.tables.log_schema(self.db.dialect)
        with self.db.transaction() as cur:
            for statement in before:
                cur.execute(statement)
            self._number_checkpoints(cur)  # in the order logs have always been made
            cur.execute(cosignatures)

    def _number_checkpoints(self, cur: Cursor) -> None:
        """Give the checkpoints their ``number`` column, filled for existing rows."""
        table = self.tables.checkpoints
        if self.db.dialect == "postgres":
            cur.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS number BIGINT")
        elif not column_exists(cur, self.db.dialect, table, "number"):
            cur.execute(f"ALTER TABLE {table} ADD COLUMN number BIGINT")
        cur.execute(
            f"UPDATE {table} SET number = "
            f"(SELECT COUNT(*) FROM {table} AS earlier WHERE earlier.size <= {table}.size) "
            "WHERE number IS NULL"
        )
        cur.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_number ON {table} (number)")

    # -- leaves -------------------------------------------------------------------------------
    def appender_lock(self, cur: Cursor, *, wait: bool = False) -> bool:
        """One appender or signer at a time across processes, until ``cur``'s
        transaction ends; False (without ``wait``) when another process holds it."""
        return writers_lock(cur, self.db.dialect, APPENDER_LOCK, wait=wait)

    def last_notification(self, cur: Cursor) -> int:
        """The newest notification id a leaf was made from (0 for an empty log)."""
        cur.execute(f"SELECT MAX(notification_id) FROM {self.tables.leaves}")
        row = cur.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def insert_leaves(self, cur: Cursor, rows: Sequence[LeafRow]) -> None:
        cur.executemany(
            f"INSERT INTO {self.tables.leaves} (idx, notification_id, aggregate, version, data) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )

    def index_of(self, aggregate: str, version: int) -> int | None:
        row = self._read_one(
            f"SELECT idx FROM {self.tables.leaves} WHERE aggregate = ? AND version = ?",
            (aggregate, version),
        )
        return None if row is None else int(row[0])

    def leaves(self, start: int, end: int) -> list[tuple[int, bytes]]:
        """(index, bytes) of leaves ``start`` through ``end`` inclusive."""
        rows = self._read_all(
            f"SELECT idx, data FROM {self.tables.leaves} WHERE idx >= ? AND idx <= ? ORDER BY idx",
            (start, end),
        )
        return [(int(r[0]), bytes(r[1])) for r in rows]

    def events_of_leaves(self, start: int, end: int) -> list[tuple[int, int]]:
        """(leaf index, notification id) of leaves ``start`` to ``end`` exclusive."""
        rows = self._read_all(
            f"SELECT idx, notification_id FROM {self.tables.leaves} "
            "WHERE idx >= ? AND idx < ? ORDER BY idx",
            (start, end),
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    # -- checkpoints ----------------------------------------------------------------------------
    def newest_checkpoint(self, cur: Cursor) -> tuple[StoredCheckpoint, int] | None:
        """The newest checkpoint and its number, in the caller's transaction."""
        cur.execute(
            f"SELECT size, root, note, created_at, number FROM {self.tables.checkpoints} "
            "ORDER BY size DESC LIMIT 1"
        )
        row = cur.fetchone()
        return None if row is None else (_checkpoint(row), int(row[4]))

    def insert_checkpoint(self, cur: Cursor, checkpoint: StoredCheckpoint, number: int) -> None:
        cur.execute(
            f"INSERT INTO {self.tables.checkpoints} (size, root, note, created_at, number) "
            "VALUES (?, ?, ?, ?, ?)",
            (checkpoint.size, checkpoint.root_hash, checkpoint.note, checkpoint.created_at, number),
        )

    def checkpoint_at(self, size: int) -> StoredCheckpoint | None:
        row = self._read_one(
            f"SELECT size, root, note, created_at FROM {self.tables.checkpoints} WHERE size = ?",
            (size,),
        )
        return None if row is None else _checkpoint(row)

    def checkpoints(self, *, limit: int, after: int, newest_first: bool) -> list[StoredCheckpoint]:
        order = "DESC" if newest_first else "ASC"
        rows = self._read_all(
            f"SELECT size, root, note, created_at FROM {self.tables.checkpoints} "
            f"WHERE size > ? ORDER BY size {order} LIMIT ?",
            (after, limit),
        )
        return [_checkpoint(r) for r in rows]

    # -- cosignatures -----------------------------------------------------------------------------
    def keep_cosignatures(self, size: int, lines: dict[str, str]) -> None:
        """Store each witness's cosignature line on the checkpoint of ``size`` (a newer
        line of the same witness replaces the older)."""
        with self.db.transaction() as cur:
            for name, line in lines.items():
                cur.execute(
                    f"INSERT INTO {self.tables.cosignatures} (size, name, line) VALUES (?, ?, ?) "
                    "ON CONFLICT (size, name) DO UPDATE SET line = excluded.line",
                    (size, name, line),
                )

    def newest_cosigned_size(self, name: str | None = None) -> int | None:
        """The largest checkpoint size with a cosignature kept on it, by the witness
        ``name`` (or by any); None when there is none."""
        table = self.tables.cosignatures
        row = (
            self._read_one(f"SELECT MAX(size) FROM {table}", ())
            if name is None
            else self._read_one(f"SELECT MAX(size) FROM {table} WHERE name = ?", (name,))
        )
        return None if row is None or row[0] is None else int(row[0])

    def cosignature_lines(self, size: int) -> list[str]:
        rows = self._read_all(
            f"SELECT line FROM {self.tables.cosignatures} WHERE size = ? ORDER BY name", (size,)
        )
        return [str(r[0]) for r in rows]

    # -- reads ------------------------------------------------------------------------------
    def _read_one(self, sql: str, params: Sequence[Any]) -> Any:
        with self.db.transaction(write=False) as cur:
            cur.execute(sql, params)
            return cur.fetchone()

    def _read_all(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self.db.transaction(write=False) as cur:
            cur.execute(sql, params)
            return cur.fetchall()


def newest_checkpoint_note(tree: TreeStore) -> str | None:
    """The note of the newest checkpoint in ``tree``'s database, without creating the
    log's tables (None if there are none)."""
    table = tree.tables.checkpoints
    with tree.transaction(write=False) as cur:
        if not table_exists(cur, tree.db.dialect, table):
            return None
        cur.execute(f"SELECT note FROM {table} ORDER BY size DESC LIMIT 1")
        row = cur.fetchone()
    return None if row is None else str(row[0])
