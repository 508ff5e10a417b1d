"""The one-time move of a Merkle node store (before issue 16) into C2SP tiles.

Before tiles, ``merkle_nodes`` held one row ``(level, idx, hash)`` per perfect
subtree. When such a store is opened, in the transaction that opens it and under the
log writers' lock: the leaf hashes (level 0) are read in order and appended to a
fresh :class:`TileTree`, every tile written; the root the tiles give must equal the
root the old nodes give at the stored size (else nothing is changed and the store
refuses to open: run ``credledger audit``); then ``merkle_nodes`` is dropped. One
transaction: a crash leaves either the old store or the new one, and a second
opener finds nothing left to move. Leaves, their hashes, the size, roots and
checkpoints are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from credledger.crypto.merkle_tree import fold_right, node_ids_for_root
from credledger.crypto.rfc9162 import EMPTY_ROOT
from credledger.crypto.tlog_tiles import Tile, TileTree
from credledger.ledger.store.schema import APPENDER_LOCK, Dialect, LogTables
from credledger.ledger.store.sqldb import Cursor, table_exists, writers_lock

TileKey = tuple[int, int]
"""``(level, idx)`` of a tile."""

CHUNK = 65_536
"""Leaf hashes read (and tiles written) per step: memory stays flat however large."""


class NodeStoreMigrationError(Exception):
    """The old node store disagrees with itself: its tiles would give another root."""


def migrate_node_store(
    cur: Cursor,
    dialect: Dialect,
    tables: LogTables,
    write_tiles: Callable[[Cursor, Sequence[Tile]], None],
) -> bool:
    """Move ``tables.nodes`` into ``tables.tiles`` in the caller's transaction, if there
    is a node table; returns whether it did. Requires the size row and the (empty)
    tiles table to exist."""
    if not table_exists(cur, dialect, tables.nodes):
        return False
    writers_lock(cur, dialect, APPENDER_LOCK, wait=True)
    if not table_exists(cur, dialect, tables.nodes):  # another process moved it meanwhile
        return False
    cur.execute(f"SELECT size FROM {tables.meta} WHERE id = 1")
    size = int(cur.fetchone()[0])
    cur.execute(f"SELECT COUNT(*) FROM {tables.tiles}")
    if int(cur.fetchone()[0]):
        raise NodeStoreMigrationError(f"{tables.tiles} is not empty beside {tables.nodes}")
    tree = TileTree()
    while tree.size < size:
        cur.execute(
            f"SELECT idx, hash FROM {tables.nodes} WHERE level = 0 AND idx >= ? "
            "ORDER BY idx LIMIT ?",
            (tree.size, min(CHUNK, size - tree.size)),
        )
        rows = cur.fetchall()
        first, last = (int(rows[0][0]), int(rows[-1][0])) if rows else (-1, -1)
        if first != tree.size or last != tree.size + len(rows) - 1:
            raise NodeStoreMigrationError(f"leaf hash {tree.size} is missing from {tables.nodes}")
        write_tiles(cur, tree.extend([bytes(h) for _, h in rows]))
    if tree.root() != _old_root(cur, tables, size):
        raise NodeStoreMigrationError(
            f"the leaf hashes in {tables.nodes} do not give the root its other nodes give: "
            "the log is damaged (run credledger audit); nothing was changed"
        )
    cur.execute(f"DROP TABLE {tables.nodes}")
    return True


def _old_root(cur: Cursor, tables: LogTables, size: int) -> bytes:
    """The root the old store's border nodes give for ``size``."""
    ids = node_ids_for_root(size)
    if not ids:
        return EMPTY_ROOT
    found: dict[tuple[int, int], bytes] = {}
    for level, index in ids:
        cur.execute(f"SELECT hash FROM {tables.nodes} WHERE level = ? AND idx = ?", (level, index))
        row = cur.fetchone()
        if row is None:
            raise NodeStoreMigrationError(f"node {(level, index)} is missing from {tables.nodes}")
        found[(level, index)] = bytes(row[0])
    return fold_right([found[i] for i in ids])
