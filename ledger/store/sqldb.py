"""A small SQL connection layer shared by the vault and the log: SQLite or PostgreSQL.

SQL is written once with ``?`` placeholders and ``ON CONFLICT`` clauses both engines
understand; the PostgreSQL side swaps the placeholders.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from credledger.ledger.store.data_dir import create_private_file


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Database(Protocol):
    dialect: str

    def transaction(self) -> Any: ...
    def read_one(self, sql: str, params: tuple[Any, ...]) -> Any: ...
    def close(self) -> None: ...


class SQLiteDatabase:
    """One connection per thread, WAL, full fsync: an acknowledged commit survives kill -9."""

    dialect = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        create_private_file(Path(path))  # it may hold keys: 0600 before SQLite opens it
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA secure_delete = ON")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def read_one(self, sql: str, params: tuple[Any, ...]) -> Any:
        """One row of a read, without taking the write lock (WAL readers never wait)."""
        return self._connection().execute(sql, params).fetchone()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        conn = self._connection()
        cur = conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        else:
            cur.execute("COMMIT")
        finally:
            cur.close()

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


class _PostgresCursor:
    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._cur.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, params: Sequence[Sequence[Any]]) -> Any:
        return self._cur.executemany(sql.replace("?", "%s"), params)

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall())


class PostgresDatabase:
    """A psycopg 3 connection pool; each transaction is one pooled connection."""

    dialect = "postgres"

    def __init__(self, dsn: str, *, max_size: int = 10) -> None:
        from psycopg_pool import ConnectionPool

        self._pool = ConnectionPool(dsn, min_size=1, max_size=max_size, open=True)

    def read_one(self, sql: str, params: tuple[Any, ...]) -> Any:
        with self.transaction() as cur:
            cur.execute(sql, params)
            return cur.fetchone()

    @contextmanager
    def transaction(self) -> Iterator[_PostgresCursor]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield _PostgresCursor(cur)

    def close(self) -> None:
        self._pool.close()


def blob(value: Any) -> bytes:
    """Rows give BLOB/BYTEA as bytes or memoryview depending on the engine."""
    return bytes(value)
