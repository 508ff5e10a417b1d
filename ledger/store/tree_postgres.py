"""The tile store on PostgreSQL (psycopg 3): same interface as SQLiteTreeStore.

Tables are prefixed (``credledger_merkle_tiles``, ``credledger_merkle_meta``) so the
log can share a database with other applications. Tiles are read and written with
one array-parameter statement each, whatever the number of tiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from credledger.ledger.store.schema import POSTGRES_PREFIX, LogTables
from credledger.ledger.store.sqldb import Cursor, PostgresDatabase
from credledger.ledger.store.tile_migration import TileKey
from credledger.ledger.store.tree_sqlite import TileRow, TreeStore

if TYPE_CHECKING:  # the driver is the optional [postgres] extra: imported when used
    from psycopg_pool import ConnectionPool


class PostgresTreeStore(TreeStore):
    """The tile store in PostgreSQL, through a psycopg connection pool.

    Pass an open ``ConnectionPool`` (left open on close()) or a DSN (the store opens
    and closes its own pool). Pass ``cursor=`` to any method to run it in a
    transaction the caller holds.
    """

    def __init__(
        self, pool_or_dsn: ConnectionPool[Any] | str, *, prefix: str = POSTGRES_PREFIX
    ) -> None:
        tables = LogTables(prefix)  # refuses a prefix that is not an identifier's
        super().__init__(PostgresDatabase(pool_or_dsn, max_size=4), tables)
        self.create_schema()

    def _lock_size(self, cur: Cursor) -> int:
        cur.execute(self._sql("SELECT size FROM {meta} WHERE id = 1 FOR UPDATE"))
        row = cur.fetchone()
        if row is None:
            return self._read_size(cur)  # raises the "no size row" error
        return int(row[0])

    def _select_tiles_and_blocks(
        self, cur: Cursor, keys: Sequence[TileKey]
    ) -> dict[TileKey, tuple[bytes, bytes | None]]:
        if not keys:
            return {}
        cur.execute(
            self._sql(
                "SELECT t.level, t.idx, t.hashes, t.blocks FROM unnest(?::smallint[], "
                "?::bigint[]) AS q(level, idx) JOIN {tiles} t ON t.level = q.level "
                "AND t.idx = q.idx"
            ),
            ([level for level, _ in keys], [idx for _, idx in keys]),
        )
        return {
            (level, idx): (bytes(h), None if b is None else bytes(b))
            for level, idx, h, b in cur.fetchall()
        }

    def _write_rows(self, cur: Cursor, rows: Sequence[TileRow]) -> None:
        if not rows:
            return
        cur.execute(
            self._sql(
                "INSERT INTO {tiles} (level, idx, hashes, blocks) "
                "SELECT * FROM unnest(?::smallint[], ?::bigint[], ?::bytea[], ?::bytea[]) "
            )
            + self.tables.tile_upsert("postgres"),
            (
                [r[0] for r in rows],
                [r[1] for r in rows],
                [r[2] for r in rows],
                [r[3] for r in rows],
            ),
        )
