"""Read-only access to the stored log (SQLite ``log.sqlite`` or PostgreSQL), as audits read it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from credledger.ledger.audit.report import AuditSetupError
from credledger.ledger.audit.tiles import StoredTiles
from credledger.ledger.store.schema import LOG_FILE, LogTables
from credledger.ledger.store.settings import Settings
from credledger.ledger.store.sqldb import (
    Database,
    PostgresDatabase,
    SQLiteDatabase,
    column_exists,
)

__all__ = ["LogTablesReader", "open_read_only"]


def open_read_only(settings: Settings, file: str, missing: str) -> Database:
    """The PostgreSQL store, or ``file`` in the data directory, opened read-only."""
    if settings.database_url:
        return PostgresDatabase(settings.database_url, max_size=1, read_only=True)
    path = settings.data_dir / file
    if not path.is_file():
        raise AuditSetupError(missing)
    return SQLiteDatabase(path, read_only=True)


class LogTablesReader:
    """Read-only access to the log's tables (SQLite ``log.sqlite`` or PostgreSQL)."""

    def __init__(self, settings: Settings) -> None:
        self.db = open_read_only(settings, LOG_FILE, f"no transparency log in {settings.data_dir}")
        self.t = LogTables.of(self.db.dialect)
        self.tiles = StoredTiles(self.db, self.t)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.db.read_all(sql, params)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def size(self) -> int:
        """The tree's size, as its size row says."""
        return int(self.one(f"SELECT size FROM {self.t.meta} WHERE id = 1") or 0)

    def checkpoint_numbers(self) -> list[tuple[int, int | None]] | None:
        """(size, number) of every stored checkpoint in size order; None for a log whose
        checkpoints were never numbered (made before numbering, not opened since)."""
        with self.db.transaction(write=False) as cur:
            if not column_exists(cur, self.db.dialect, self.t.checkpoints, "number"):
                return None
        rows = self.query(f"SELECT size, number FROM {self.t.checkpoints} ORDER BY size")
        return [(int(size), None if number is None else int(number)) for size, number in rows]

    def close(self) -> None:
        self.db.close()
