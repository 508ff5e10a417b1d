"""One SQL connection layer for every store on SQLite or PostgreSQL: the vault, the
Merkle node store and the log's tables, and the audit's read-only view of them.

SQL is written once with ``?`` placeholders and ``ON CONFLICT`` clauses both engines
understand; the PostgreSQL side swaps the placeholders. :meth:`Database.transaction`
is the one transaction helper: a cursor in a transaction that commits on success and
rolls back on error. What differs between the engines beyond that (does a table or a
column exist, a lock across processes) is asked of :attr:`Database.dialect` here,
never guessed from a placeholder.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from credledger.ledger.store.data_dir import create_private_file
from credledger.ledger.store.schema import Dialect
from credledger.ledger.store.wal_checkpoints import EVERY, WalCheckpointer

if TYPE_CHECKING:  # the driver is the optional [postgres] extra: imported when used
    from psycopg_pool import ConnectionPool


class Cursor(Protocol):
    """The DB-API cursor subset the stores need (sqlite3, psycopg, or a wrapper)."""

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...
    def executemany(self, sql: str, params: Sequence[Sequence[Any]], /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Database(Protocol):
    dialect: Dialect

    def transaction(self, *, write: bool = True) -> AbstractContextManager[Cursor]: ...
    def read_one(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def read_all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...
    def close(self) -> None: ...


class SQLiteDatabase:
    """One connection per thread, WAL; each write transaction takes the write lock first.

    ``synchronous`` is FULL by default (an acknowledged commit survives a power loss);
    the node store passes NORMAL (a commit survives kill -9; after a power loss the log
    re-appends the newest leaves from the events). ``read_only`` opens an existing file
    without creating or changing anything (the audit). Commits leave checkpoints of the
    WAL to a thread of the database's own (``store/wal_checkpoints.py``), after every
    ``checkpoint_every`` of them.
    """

    dialect: Dialect = "sqlite"

    def __init__(
        self,
        path: Path | str,
        *,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        read_only: bool = False,
        checkpoint_every: int = EVERY,
    ) -> None:
        self.path = str(path)
        self.synchronous = synchronous
        self.read_only = read_only
        if not read_only:
            create_private_file(Path(path))  # it may hold keys: 0600 before SQLite opens it
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._writer = threading.RLock()  # reentrant: a nested BEGIN fails as it always did
        self._checkpoints = None if read_only else WalCheckpointer(self.path, checkpoint_every)

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self.read_only:
                uri = f"{Path(self.path).absolute().as_uri()}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            else:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 30000")
            if not self.read_only:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute(f"PRAGMA synchronous = {self.synchronous}")
                conn.execute("PRAGMA secure_delete = ON")
                conn.execute("PRAGMA wal_autocheckpoint = 0")  # the checkpointer's work
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def read_one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """One row of a read, without taking the write lock (WAL readers never wait)."""
        return self._connection().execute(sql, params).fetchone()

    def read_all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row of a read, outside any transaction (one statement, one snapshot)."""
        return self._connection().execute(sql, params).fetchall()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Cursor]:
        if not write:
            with self._transaction("BEGIN") as cur:
                yield cur
            return
        # The threads of this process queue for the write lock here, each woken as the
        # one before commits; SQLite's busy handler, which polls with sleeps of up to
        # 100 ms, is left to writers in other processes.
        with self._writer, self._transaction("BEGIN IMMEDIATE") as cur:
            yield cur
        if self._checkpoints is not None and self._checkpoints.committed():
            self._connection().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Cursor]:
        cur = self._connection().cursor()
        # IMMEDIATE takes the write lock up front, so what is read is what is written to.
        cur.execute(begin)
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
        if self._checkpoints is not None:
            self._checkpoints.close()
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


class _PostgresCursor:
    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> Any:
        return self._cur.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, params: Sequence[Sequence[Any]], /) -> Any:
        return self._cur.executemany(sql.replace("?", "%s"), params)

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall())


class PostgresDatabase:
    """A psycopg 3 connection pool; each transaction is one pooled connection.

    Pass a DSN (the database opens and closes its own pool) or an open pool (left open
    on close()). ``read_only`` makes every connection of its own pool read-only.
    """

    dialect: Dialect = "postgres"

    def __init__(
        self, pool_or_dsn: ConnectionPool[Any] | str, *, max_size: int = 10, read_only: bool = False
    ) -> None:
        if isinstance(pool_or_dsn, str):
            from psycopg_pool import ConnectionPool

            def configure(conn: Any) -> None:
                conn.read_only = True

            self._pool: ConnectionPool[Any] = ConnectionPool(
                pool_or_dsn,
                min_size=1,
                max_size=max_size,
                open=True,
                configure=configure if read_only else None,
            )
            self._owns_pool = True
        else:
            self._pool = pool_or_dsn
            self._owns_pool = False

    def read_one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self.transaction(write=False) as cur:
            cur.execute(sql, params)
            return cur.fetchone()

    def read_all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self.transaction(write=False) as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Cursor]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield _PostgresCursor(cur)

    def close(self) -> None:
        if self._owns_pool:
            self._pool.close()


def blob(value: Any) -> bytes:
    """Rows give BLOB/BYTEA as bytes or memoryview depending on the engine."""
    return bytes(value)


# -- what the engines answer differently ----------------------------------------------------


def table_exists(cur: Cursor, dialect: Dialect, table: str) -> bool:
    if dialect == "postgres":
        cur.execute("SELECT to_regclass(?) IS NOT NULL", (table,))
    else:
        cur.execute(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)",
            (table,),
        )
    return bool(cur.fetchone()[0])


def column_exists(cur: Cursor, dialect: Dialect, table: str, column: str) -> bool:
    if dialect == "postgres":
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.columns "
            "WHERE table_name = ? AND column_name = ?",
            (table, column),
        )
    else:
        cur.execute("SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?", (table, column))
    return bool(cur.fetchone()[0])


def writers_lock(cur: Cursor, dialect: Dialect, key: int, *, wait: bool) -> bool:
    """One writer at a time across processes, until the transaction ends: a PostgreSQL
    advisory lock (a process that dies releases it at once); SQLite's BEGIN IMMEDIATE
    already serialises writers. Without ``wait``, False if another holds it."""
    if dialect != "postgres":
        return True
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    cur.execute(f"SELECT {function}(?)", (key,))
    row = cur.fetchone()
    return wait or bool(row and row[0])
