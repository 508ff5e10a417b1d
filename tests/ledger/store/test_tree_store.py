"""The persistent Merkle node store, on SQLite and (when a server is given) PostgreSQL.

Every test runs against both engines; PostgreSQL needs CREDLEDGER_TEST_DATABASE_URL
(scripts/test starts a throwaway server) and is skipped without it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.merkle_tree import (
    CompactRange,
    NodeId,
    consistency_proof,
    inclusion_proof,
    node_ids_for_root,
)
from credledger.crypto.merkle_verify import verify_consistency, verify_inclusion
from credledger.crypto.rfc9162 import EMPTY_ROOT, leaf_hash
from credledger.ledger.store.tree_sqlite import (
    AppendConflictError,
    SQLiteTreeStore,
    TreeSizeError,
    TreeStore,
    TreeStoreError,
)

PG_URL = os.environ.get("CREDLEDGER_TEST_DATABASE_URL")

LEAVES = [leaf_hash(b"leaf %d" % i) for i in range(300)]
NODES: dict[NodeId, bytes] = {(lvl, i): h for lvl, i, h in CompactRange().extend(LEAVES)}


class DictReader:
    def get_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        return [NODES[i] for i in ids]


Opener = Callable[[], TreeStore]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens (and reopens) one store; every store opened is closed afterwards."""
    opened: list[Any] = []
    if request.param == "sqlite":

        def open_sqlite() -> TreeStore:
            store = SQLiteTreeStore(tmp_path / "log.sqlite")
            opened.append(store)
            return store

        yield open_sqlite
    else:
        if not PG_URL:
            pytest.skip("CREDLEDGER_TEST_DATABASE_URL is not set (scripts/test sets it)")
        from credledger.ledger.store.tree_postgres import PostgresTreeStore

        prefix = f"t{uuid.uuid4().hex[:12]}_"

        def open_postgres() -> TreeStore:
            store = PostgresTreeStore(PG_URL, prefix=prefix)
            opened.append(store)
            return store

        yield open_postgres
        with opened[-1].transaction() as cur:
            cur.execute(f"DROP TABLE {prefix}merkle_tiles, {prefix}merkle_meta")
    for store in opened:
        store.close()


@pytest.fixture
def store(opener: Opener) -> TreeStore:
    return opener()


def _append_in_batches(store: TreeStore, leaves: Sequence[bytes], batch: int) -> None:
    for start in range(0, len(leaves), batch):
        store.append_leaves(leaves[start : start + batch], start)


def test_a_new_store_is_the_empty_tree(store: TreeStore) -> None:
    assert store.size() == 0
    assert store.root() == EMPTY_ROOT


def test_append_returns_the_new_size(store: TreeStore) -> None:
    assert store.append_leaves(LEAVES[:5], 0) == 5
    assert store.append_leaves(LEAVES[5:7], 5) == 7
    assert store.size() == 7


def test_the_reference_tree_is_stored_node_for_node(store: TreeStore, test_data: Path) -> None:
    ref = json.loads((test_data / "vectors/rfc6962/reference-tree.json").read_text())
    leaves = [leaf_hash(bytes.fromhex(x)) for x in ref["leaves_hex"]]
    for size, leaf in enumerate(leaves, start=1):
        store.append_leaves([leaf], size - 1)
        assert store.root().hex() == ref["roots_hex"][str(size)]
    for level, hashes in enumerate(ref["node_hashes_by_level"]):
        ids = [(level, i) for i in range(len(hashes))]
        assert [h.hex() for h in store.get_nodes(ids)] == hashes


@pytest.mark.parametrize("batch", [1, 7, 64, 300])
def test_roots_of_every_size_do_not_depend_on_batching(store: TreeStore, batch: int) -> None:
    _append_in_batches(store, LEAVES, batch)
    tree = CompactRange()
    for size in range(1, len(LEAVES) + 1):
        tree.append(LEAVES[size - 1])
        assert store.root(size) == tree.root()


def test_proofs_equal_the_pure_functions_and_verify(store: TreeStore) -> None:
    _append_in_batches(store, LEAVES[:80], 13)
    for size in [*range(1, 40), 63, 64, 65, 79, 80]:
        root = store.root(size)
        for index in range(0, size, max(1, size // 9)):
            proof = store.inclusion_proof(index, size)
            assert proof == inclusion_proof(index, size, DictReader())
            verify_inclusion(LEAVES[index], index, size, proof, root)
        for size1 in range(1, size + 1, max(1, size // 9)):
            proof = store.consistency_proof(size1, size)
            assert proof == consistency_proof(size1, size, DictReader())
            verify_consistency(size1, size, proof, store.root(size1), root)


def test_proofs_default_to_the_current_size(store: TreeStore) -> None:
    store.append_leaves(LEAVES[:11], 0)
    assert store.inclusion_proof(3) == store.inclusion_proof(3, 11)
    assert store.consistency_proof(4) == store.consistency_proof(4, 11)


def test_leaf_hash_reads_back_each_leaf(store: TreeStore) -> None:
    store.append_leaves(LEAVES[:9], 0)
    assert [store.leaf_hash(i) for i in range(9)] == LEAVES[:9]


def test_the_log_survives_reopening_and_keeps_appending(opener: Opener) -> None:
    first = opener()
    first.append_leaves(LEAVES[:77], 0)
    root77, proof = first.root(), first.inclusion_proof(40, 77)
    first.close()
    second = opener()
    assert (second.size(), second.root(), second.inclusion_proof(40, 77)) == (77, root77, proof)
    # The right border is recovered from the stored nodes, so appending carries on.
    second.append_leaves(LEAVES[77:300], 77)
    assert second.root() == _root(300)
    assert second.border().hashes == tuple(NODES[i] for i in node_ids_for_root(300))


def _root(size: int) -> bytes:
    tree = CompactRange()
    tree.extend(LEAVES[:size])
    return tree.root()


def test_replaying_a_batch_appends_nothing(store: TreeStore) -> None:
    store.append_leaves(LEAVES[:10], 0)
    store.append_leaves(LEAVES[10:20], 10)
    assert store.append_leaves(LEAVES[10:20], 10) == 20
    assert store.append_leaves(LEAVES[:10], 0) == 20
    assert store.size() == 20
    assert store.root() == _root(20)


def test_a_batch_overlapping_the_end_appends_only_its_new_leaves(store: TreeStore) -> None:
    store.append_leaves(LEAVES[:10], 0)
    assert store.append_leaves(LEAVES[6:15], 6) == 15
    assert store.root() == _root(15)


def test_a_batch_with_different_leaves_at_stored_positions_is_refused(store: TreeStore) -> None:
    store.append_leaves(LEAVES[:10], 0)
    with pytest.raises(AppendConflictError):
        store.append_leaves([LEAVES[0], *LEAVES[11:14]], 9)
    assert store.size() == 10


def test_a_batch_leaving_a_gap_is_refused(store: TreeStore) -> None:
    store.append_leaves(LEAVES[:10], 0)
    with pytest.raises(AppendConflictError):
        store.append_leaves(LEAVES[11:14], 11)
    assert store.size() == 10


def test_a_leaf_hash_of_the_wrong_size_is_refused(store: TreeStore) -> None:
    with pytest.raises(TreeStoreError):
        store.append_leaves([LEAVES[0], b"short"], 0)
    assert store.size() == 0


def test_append_joins_the_callers_transaction_and_rolls_back_with_it(store: TreeStore) -> None:
    store.append_leaves(LEAVES[:4], 0)

    def append_then_fail() -> None:
        with store.transaction() as cur:
            store.append_leaves(LEAVES[4:9], 4, cursor=cur)
            assert store.size(cursor=cur) == 9
            raise RuntimeError("the caller's bookkeeping failed")

    with pytest.raises(RuntimeError, match="bookkeeping failed"):
        append_then_fail()
    assert store.size() == 4
    assert store.root() == _root(4)


def test_append_commits_with_the_callers_own_writes(store: TreeStore) -> None:
    with store.transaction() as cur:
        cur.execute(f"CREATE TABLE {store.meta_table}_events (seq INTEGER)")
        cur.execute(f"INSERT INTO {store.meta_table}_events VALUES (0)")
        store.append_leaves(LEAVES[:3], 0, cursor=cur)
    with store.transaction() as cur:
        cur.execute(f"SELECT count(*) FROM {store.meta_table}_events")
        assert cur.fetchone()[0] == 1
        cur.execute(f"DROP TABLE {store.meta_table}_events")
    assert store.size() == 3


@pytest.mark.parametrize(
    "ask",
    [
        lambda s: s.root(8),
        lambda s: s.root(-1),
        lambda s: s.leaf_hash(7),
        lambda s: s.inclusion_proof(7, 7),
        lambda s: s.inclusion_proof(0, 8),
        lambda s: s.inclusion_proof(-1),
        lambda s: s.consistency_proof(0, 5),
        lambda s: s.consistency_proof(6, 5),
        lambda s: s.consistency_proof(3, 8),
    ],
)
def test_sizes_and_indices_outside_the_log_raise_tree_size_error(
    store: TreeStore, ask: Callable[[TreeStore], object]
) -> None:
    store.append_leaves(LEAVES[:7], 0)
    with pytest.raises(TreeSizeError):
        ask(store)


def test_a_proof_costs_one_size_read_and_one_node_query(tmp_path: Path) -> None:
    store = SQLiteTreeStore(tmp_path / "log.sqlite")
    _append_in_batches(store, LEAVES, 100)
    statements: list[str] = []
    conn = sqlite3.connect(tmp_path / "log.sqlite")
    conn.set_trace_callback(statements.append)
    cur = conn.cursor()
    store.inclusion_proof(123, 299, cursor=cur)
    assert len(statements) == 2
    statements.clear()
    store.consistency_proof(100, 299, cursor=cur)
    assert len(statements) == 2
    conn.close()
    store.close()


def test_table_names_take_only_identifier_prefixes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a plain SQL identifier prefix"):
        SQLiteTreeStore(tmp_path / "log.sqlite", prefix="x; DROP TABLE y; --")


@pytest.mark.postgres
def test_postgres_and_sqlite_stores_agree(tmp_path: Path) -> None:
    if not PG_URL:
        pytest.skip("CREDLEDGER_TEST_DATABASE_URL is not set (scripts/test sets it)")
    from credledger.ledger.store.tree_postgres import PostgresTreeStore

    lite = SQLiteTreeStore(tmp_path / "log.sqlite")
    prefix = f"t{uuid.uuid4().hex[:12]}_"
    pg = PostgresTreeStore(PG_URL, prefix=prefix)
    try:
        _append_in_batches(lite, LEAVES[:150], 37)
        _append_in_batches(pg, LEAVES[:150], 50)
        for size in (1, 2, 3, 64, 100, 149, 150):
            assert pg.root(size) == lite.root(size)
            assert pg.inclusion_proof(size // 2, size) == lite.inclusion_proof(size // 2, size)
            assert pg.consistency_proof(1 + size // 3, size) == lite.consistency_proof(
                1 + size // 3, size
            )
    finally:
        with pg.transaction() as cur:
            cur.execute(f"DROP TABLE {prefix}merkle_tiles, {prefix}merkle_meta")
        pg.close()
        lite.close()
