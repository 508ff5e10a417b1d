"""The Merkle node store on PostgreSQL (psycopg 3): same interface as SQLiteTreeStore.

Tables are prefixed (``credledger_merkle_nodes``, ``credledger_merkle_meta``) so the
log can share a database with other applications. Nodes are read and written with
one array-parameter statement each, whatever the number of nodes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from credledger.crypto.merkle_tree import NewNode, NodeId
from credledger.ledger.store.tree_sqlite import Cursor, TreeStore

if TYPE_CHECKING:  # the driver is the optional [postgres] extra: imported when used
    from psycopg_pool import ConnectionPool


class PostgresTreeStore(TreeStore):
    """The node store in PostgreSQL, through a psycopg connection pool.

    Pass an open ``ConnectionPool`` (left open on close()) or a DSN (the store opens
    and closes its own pool). Pass ``cursor=`` to any method to run it in a
    transaction the caller holds.
    """

    placeholder = "%s"

    def __init__(
        self, pool_or_dsn: ConnectionPool[Any] | str, *, prefix: str = "credledger_"
    ) -> None:
        super().__init__(prefix)
        if isinstance(pool_or_dsn, str):
            from psycopg_pool import ConnectionPool

            self._pool: ConnectionPool[Any] = ConnectionPool(
                pool_or_dsn, min_size=1, max_size=4, open=True
            )
            self._owns_pool = True
        else:
            self._pool = pool_or_dsn
            self._owns_pool = False
        self.create_schema()

    def schema(self) -> list[str]:
        return [
            self._sql(
                "CREATE TABLE IF NOT EXISTS {nodes} (level SMALLINT NOT NULL, idx BIGINT NOT NULL, "
                "hash BYTEA NOT NULL, PRIMARY KEY (level, idx))"
            ),
            self._sql(
                "CREATE TABLE IF NOT EXISTS {meta} (id INTEGER PRIMARY KEY CHECK (id = 1), "
                "size BIGINT NOT NULL)"
            ),
        ]

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Cursor]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    def close(self) -> None:
        if self._owns_pool:
            self._pool.close()

    def _lock_size(self, cur: Cursor) -> int:
        cur.execute(self._sql("SELECT size FROM {meta} WHERE id = 1 FOR UPDATE"))
        row = cur.fetchone()
        if row is None:
            return self._read_size(cur)  # raises the "no size row" error
        return int(row[0])

    def _select_nodes(self, cur: Cursor, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        cur.execute(
            self._sql(
                "SELECT n.level, n.idx, n.hash FROM unnest(%s::smallint[], %s::bigint[]) "
                "AS q(level, idx) JOIN {nodes} n ON n.level = q.level AND n.idx = q.idx"
            ),
            ([level for level, _ in ids], [idx for _, idx in ids]),
        )
        return {(level, idx): bytes(h) for level, idx, h in cur.fetchall()}

    def _insert_nodes(self, cur: Cursor, rows: Sequence[NewNode]) -> None:
        cur.execute(
            self._sql(
                "INSERT INTO {nodes} (level, idx, hash) "
                "SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])"
            ),
            ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]),
        )
