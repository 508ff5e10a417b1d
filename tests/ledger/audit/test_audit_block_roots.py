"""The audit checks the block roots kept beside each full tile (proofs are hashed from
them): a stored block root that the tile's hashes do not give is a discrepancy."""

from __future__ import annotations

from pathlib import Path

import pytest
from credledger.crypto.rfc9162 import leaf_hash
from credledger.crypto.tlog_tiles import TileTree
from credledger.ledger.audit.report import Discrepancy
from credledger.ledger.audit.tiles import StoredTiles
from credledger.ledger.store.schema import LogTables
from credledger.ledger.store.tree_sqlite import SQLiteTreeStore

LEAVES = [leaf_hash(b"leaf %d" % i) for i in range(600)]


@pytest.fixture
def store(tmp_path: Path) -> SQLiteTreeStore:
    store = SQLiteTreeStore(tmp_path / "log.sqlite")
    store.append_leaves(LEAVES, 0)
    return store


def rebuilt() -> tuple[list[tuple[int, int, bytes]], dict[tuple[int, int], bytes]]:
    return TileTree().extend_with_blocks(LEAVES)


def test_tiles_and_block_roots_as_appended_agree(store: SQLiteTreeStore) -> None:
    StoredTiles(store.db, LogTables("")).compare(*rebuilt())


def test_a_changed_block_root_is_a_discrepancy(store: SQLiteTreeStore) -> None:
    with store.transaction() as cur:
        cur.execute("SELECT blocks FROM merkle_tiles WHERE level = 0 AND idx = 1")
        blocks = bytearray(cur.fetchone()[0])
        blocks[100] ^= 1
        cur.execute(
            "UPDATE merkle_tiles SET blocks = ? WHERE level = 0 AND idx = 1", (bytes(blocks),)
        )
    with pytest.raises(Discrepancy) as found:
        StoredTiles(store.db, LogTables("")).compare(*rebuilt())
    assert found.value.kind == "tile-blocks"
    assert found.value.leaf == 256


def test_a_full_tile_kept_without_block_roots_is_fine(store: SQLiteTreeStore) -> None:
    with store.transaction() as cur:
        cur.execute("UPDATE merkle_tiles SET blocks = NULL")
    StoredTiles(store.db, LogTables("")).compare(*rebuilt())
