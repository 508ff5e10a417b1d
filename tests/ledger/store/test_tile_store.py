"""The Merkle tree stored as C2SP tlog-tiles, on SQLite and (when a server is given)
PostgreSQL; and the one-time move of a node store made before tiles into tiles.

PostgreSQL needs CREDLEDGER_TEST_DATABASE_URL (scripts/test starts a throwaway server).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.merkle_tree import CompactRange
from credledger.crypto.merkle_verify import verify_consistency, verify_inclusion
from credledger.crypto.rfc9162 import leaf_hash
from credledger.crypto.tlog_tiles import block_roots, subtree_root, tile_count
from credledger.ledger.store import tile_migration
from credledger.ledger.store.schema import LogTables
from credledger.ledger.store.sqldb import table_exists
from credledger.ledger.store.tile_migration import NodeStoreMigrationError
from credledger.ledger.store.tree_sqlite import SQLiteTreeStore, TreeStore

PG_URL = os.environ.get("CREDLEDGER_TEST_DATABASE_URL")
LEAVES = [leaf_hash(b"leaf %d" % i) for i in range(70_000)]

Opener = Callable[[], TreeStore]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Opener, Any]]:
    """(open the store, the database to make a store of before tiles in)."""
    opened: list[TreeStore] = []
    if request.param == "sqlite":
        from credledger.ledger.store.sqldb import SQLiteDatabase

        def open_sqlite() -> TreeStore:
            opened.append(SQLiteTreeStore(tmp_path / "log.sqlite"))
            return opened[-1]

        old = SQLiteDatabase(tmp_path / "log.sqlite")
        yield open_sqlite, (old, LogTables(""))
        old.close()
    else:
        if not PG_URL:
            pytest.skip("CREDLEDGER_TEST_DATABASE_URL is not set (scripts/test sets it)")
        from credledger.ledger.store.sqldb import PostgresDatabase
        from credledger.ledger.store.tree_postgres import PostgresTreeStore

        prefix = f"t{uuid.uuid4().hex[:12]}_"

        def open_postgres() -> TreeStore:
            opened.append(PostgresTreeStore(PG_URL, prefix=prefix))
            return opened[-1]

        old = PostgresDatabase(PG_URL, max_size=1)
        yield open_postgres, (old, LogTables(prefix))
        with old.transaction() as cur:
            for table in ("merkle_tiles", "merkle_meta", "merkle_nodes"):
                cur.execute(f"DROP TABLE IF EXISTS {prefix}{table}")
        old.close()
    for store in opened:
        store.close()


def make_node_store(db: Any, tables: LogTables, size: int) -> dict[tuple[int, int], bytes]:
    """A store as credledger kept it before tiles: every perfect subtree one row."""
    nodes = {(lv, i): h for lv, i, h in CompactRange().extend(LEAVES[:size])}
    blob, integer = ("BYTEA", "BIGINT") if db.dialect == "postgres" else ("BLOB", "INTEGER")
    with db.transaction() as cur:
        cur.execute(
            f"CREATE TABLE {tables.nodes} (level {integer} NOT NULL, idx {integer} NOT NULL, "
            f"hash {blob} NOT NULL, PRIMARY KEY (level, idx))"
        )
        cur.execute(
            f"CREATE TABLE {tables.meta} (id INTEGER PRIMARY KEY CHECK (id = 1), "
            f"size {integer} NOT NULL)"
        )
        cur.execute(f"INSERT INTO {tables.meta} VALUES (1, ?)", (size,))
        cur.executemany(
            f"INSERT INTO {tables.nodes} VALUES (?, ?, ?)",
            [(lv, i, h) for (lv, i), h in nodes.items()],
        )
    return nodes


def all_tiles(store: TreeStore) -> dict[tuple[int, int], bytes]:
    with store.transaction(write=False) as cur:
        cur.execute(f"SELECT level, idx, hashes FROM {store.tiles_table}")
        return {(int(lv), int(i)): bytes(h) for lv, i, h in cur.fetchall()}


def has_table(db: Any, table: str) -> bool:
    with db.transaction(write=False) as cur:
        return table_exists(cur, db.dialect, table)


def test_the_tree_is_stored_as_the_specs_tiles(engine: tuple[Opener, Any]) -> None:
    store = engine[0]()
    for start in range(0, 70_000, 1000):
        store.append_leaves(LEAVES[start : start + 1000], start)
    tiles = all_tiles(store)
    widths = sorted((lv, i, len(d) // 32) for (lv, i), d in tiles.items())
    assert widths == (
        [(0, i, 256) for i in range(273)] + [(0, 273, 112), (1, 0, 256), (1, 1, 17), (2, 0, 1)]
    )
    assert tiles[(0, 5)] == b"".join(LEAVES[5 * 256 : 6 * 256])
    assert tiles[(1, 1)][32:64] == subtree_root(LEAVES[257 * 256 : 258 * 256])
    assert store.read_tile(0, 273) == b"".join(LEAVES[273 * 256 :])
    assert store.read_tile(0, 274) is None


def test_a_partial_tile_grows_and_a_full_one_is_final(engine: tuple[Opener, Any]) -> None:
    store = engine[0]()
    store.append_leaves(LEAVES[:250], 0)
    assert store.read_tile(0, 0) == b"".join(LEAVES[:250])
    store.append_leaves(LEAVES[250:260], 250)
    full = b"".join(LEAVES[:256])
    assert (store.read_tile(0, 0), store.read_tile(0, 1)) == (full, b"".join(LEAVES[256:260]))
    with store.transaction() as cur:  # even a write of another full tile changes nothing
        store._write_tiles(cur, [(0, 0, bytes(8192)), (0, 1, b"".join(LEAVES[256:261]))])
    assert store.read_tile(0, 0) == full
    assert store.read_tile(0, 1) == b"".join(LEAVES[256:261])


def stored_blocks(store: TreeStore) -> dict[tuple[int, int], bytes | None]:
    with store.transaction(write=False) as cur:
        cur.execute(f"SELECT level, idx, blocks FROM {store.tiles_table}")
        return {(int(lv), int(i)): b if b is None else bytes(b) for lv, i, b in cur.fetchall()}


def test_each_full_tile_keeps_its_block_roots_beside_it(engine: tuple[Opener, Any]) -> None:
    store = engine[0]()
    for start in range(0, 70_000, 7_000):
        store.append_leaves(LEAVES[start : start + 7_000], start)
    tiles, blocks = all_tiles(store), stored_blocks(store)
    for key, data in tiles.items():
        if len(data) == 8192:
            assert blocks[key] == block_roots(data)
        else:
            assert blocks[key] is None


def test_a_tile_table_made_before_block_roots_gains_them_and_proves_alike(
    engine: tuple[Opener, Any],
) -> None:
    opener, (db, tables) = engine
    store = opener()
    store.append_leaves(LEAVES[:5_000], 0)
    root = store.root()
    proofs = [store.inclusion_proof(i) for i in (0, 1_000, 4_999)]
    with db.transaction() as cur:  # as credledger kept tiles before block roots
        cur.execute(f"ALTER TABLE {tables.tiles} DROP COLUMN blocks")
    again = opener()
    assert set(stored_blocks(again).values()) == {None}
    assert again.root() == root
    assert [again.inclusion_proof(i) for i in (0, 1_000, 4_999)] == proofs
    again.append_leaves(LEAVES[5_000:6_000], 5_000)  # the tiles filled now keep theirs
    kept = {k for k, b in stored_blocks(again).items() if b is not None}
    assert kept == {(0, i) for i in range(19, 23)}
    verify_inclusion(LEAVES[5_500], 5_500, 6_000, again.inclusion_proof(5_500), again.root())


def test_proofs_read_from_tiles_verify(engine: tuple[Opener, Any]) -> None:
    store = engine[0]()
    store.append_leaves(LEAVES[:70_000], 0)
    roots = {n: store.root(n) for n in (1, 255, 256, 257, 65_536, 69_999, 70_000)}
    for n in roots:
        for index in {0, n // 2, n - 1}:
            verify_inclusion(LEAVES[index], index, n, store.inclusion_proof(index, n), roots[n])
        for m in roots:
            if m <= n:
                verify_consistency(m, n, store.consistency_proof(m, n), roots[m], roots[n])


# -- a store made before tiles -----------------------------------------------------------------


def test_a_node_store_becomes_tiles_with_the_same_roots(engine: tuple[Opener, Any]) -> None:
    opener, (db, tables) = engine
    nodes = make_node_store(db, tables, 3000)
    expected = CompactRange(3000, _border(nodes, 3000)).root()
    store = opener()
    assert not has_table(db, tables.nodes)
    assert store.size() == 3000
    assert store.root() == expected
    assert all_tiles(store) == {(lv, i): d for lv, i, d in _tiles(3000)}
    for size in (1, 256, 1000, 2999):
        assert store.root(size) == CompactRange(size, _border(nodes, size)).root()


def test_opening_it_again_moves_nothing(engine: tuple[Opener, Any]) -> None:
    opener, (db, tables) = engine
    make_node_store(db, tables, 600)
    first = all_tiles(opener())
    store = opener()
    assert all_tiles(store) == first
    store.append_leaves(LEAVES[600:700], 600)
    assert store.root() == CompactRange(700, _border(_nodes(700), 700)).root()


def test_a_move_that_fails_midway_leaves_the_node_store_as_it_was(
    engine: tuple[Opener, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    opener, (db, tables) = engine
    make_node_store(db, tables, 600)

    def crash(*args: Any) -> bytes:
        raise RuntimeError("the process died here")

    monkeypatch.setattr(tile_migration, "_old_root", crash)  # after every tile is written
    with pytest.raises(RuntimeError):
        opener()
    assert has_table(db, tables.nodes)
    assert not has_table(db, tables.tiles)
    monkeypatch.undo()
    assert opener().root() == CompactRange(600, _border(_nodes(600), 600)).root()


def test_a_damaged_node_store_is_refused_and_left_alone(engine: tuple[Opener, Any]) -> None:
    opener, (db, tables) = engine
    make_node_store(db, tables, 600)
    with db.transaction() as cur:
        cur.execute(f"UPDATE {tables.nodes} SET hash = ? WHERE level = 0 AND idx = 7", (bytes(32),))
    with pytest.raises(NodeStoreMigrationError, match="credledger audit"):
        opener()
    assert has_table(db, tables.nodes)
    assert not has_table(db, tables.tiles)


def test_a_move_killed_at_any_moment_is_redone_or_done(tmp_path: Path) -> None:
    """kill -9 while a large node store moves: the next opener finds either the old
    store (and moves it) or the moved one; the root is the same."""
    from credledger.ledger.store.sqldb import SQLiteDatabase

    db = SQLiteDatabase(tmp_path / "log.sqlite")
    nodes = make_node_store(db, LogTables(""), 70_000)
    db.close()
    script = (
        "import sys; from credledger.ledger.store.tree_sqlite import SQLiteTreeStore; "
        "SQLiteTreeStore(sys.argv[1]); print('moved', flush=True)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "log.sqlite")], stdout=subprocess.PIPE
    )
    time.sleep(0.4)  # python starts, opens and moves 70,000 leaves in about a second
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    store = SQLiteTreeStore(tmp_path / "log.sqlite")
    assert store.root() == CompactRange(70_000, _border(nodes, 70_000)).root()
    assert len(all_tiles(store)) == tile_count(70_000)
    store.close()


def _nodes(size: int) -> dict[tuple[int, int], bytes]:
    return {(lv, i): h for lv, i, h in CompactRange().extend(LEAVES[:size])}


def _border(nodes: dict[tuple[int, int], bytes], size: int) -> list[bytes]:
    from credledger.crypto.merkle_tree import node_ids_for_root

    return [nodes[i] for i in node_ids_for_root(size)]


def _tiles(size: int) -> list[tuple[int, int, bytes]]:
    from credledger.crypto.tlog_tiles import TileTree

    return TileTree().extend(LEAVES[:size])


def test_proofs_on_many_threads_at_once_verify(tmp_path: Path) -> None:
    """Requests read proofs on many threads: the store's memory of tiles' subtrees
    (tiles above level 0 and partial ones) serves them all, and every proof verifies."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    store = SQLiteTreeStore(tmp_path / "log.sqlite")
    store.append_leaves(LEAVES[:70_000], 0)
    sizes = [65_536, 69_000, 70_000]
    roots = {n: store.root(n) for n in sizes}

    def prove(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(60):
            size = rng.choice(sizes)
            index = rng.randrange(size)
            proof = store.inclusion_proof(index, size)
            verify_inclusion(LEAVES[index], index, size, proof, roots[size])
            first = rng.randrange(1, size + 1)
            proof = store.consistency_proof(first, size)
            verify_consistency(first, size, proof, store.root(first), roots[size])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(prove, range(8)))
    store.close()
