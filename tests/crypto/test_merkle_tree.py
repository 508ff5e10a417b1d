"""Proof generation from stored perfect subtrees, and the compact-range appender.

Checked against the RFC 6962 reference tree (its stored node table serves as the
node store) and against the derived large-tree vectors at sizes where off-by-one
errors show.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.merkle_tree import (
    CompactRange,
    MerkleTreeError,
    MissingNodeError,
    NewNode,
    NodeId,
    ProofPlan,
    TreeSizeError,
    consistency_proof,
    inclusion_proof,
    node_ids_for_root,
    range_nodes,
    root_at,
)
from credledger.crypto.merkle_verify import verify_consistency, verify_inclusion
from credledger.crypto.rfc9162 import EMPTY_ROOT, leaf_hash


class TableReader:
    """A NodeReader over a dict that refuses nodes outside the first ``size`` leaves."""

    def __init__(self, nodes: dict[NodeId, bytes], size: int) -> None:
        self.nodes = nodes
        self.size = size
        self.calls: list[list[NodeId]] = []

    def get_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        self.calls.append(list(ids))
        for level, index in ids:
            assert (index + 1) << level <= self.size, f"read ({level}, {index}) beyond {self.size}"
        try:
            return [self.nodes[i] for i in ids]
        except KeyError as e:
            raise MissingNodeError(str(e)) from e


def _store(new_nodes: Iterable[NewNode]) -> dict[NodeId, bytes]:
    return {(level, index): h for level, index, h in new_nodes}


@pytest.fixture(scope="module")
def reference(test_data: Path) -> Any:
    return json.loads((test_data / "vectors/rfc6962/reference-tree.json").read_text())


@pytest.fixture(scope="module")
def reference_nodes(reference: Any) -> dict[NodeId, bytes]:
    return {
        (level, index): bytes.fromhex(h)
        for level, hashes in enumerate(reference["node_hashes_by_level"])
        for index, h in enumerate(hashes)
    }


def test_range_nodes_covers_an_unaligned_range_with_the_fewest_perfect_subtrees() -> None:
    assert range_nodes(3, 11) == [(0, 3), (2, 1), (1, 4), (0, 10)]


def test_node_ids_for_root_has_one_node_per_set_bit_largest_first() -> None:
    assert node_ids_for_root(0) == []
    assert node_ids_for_root(6) == [(2, 0), (1, 2)]
    assert node_ids_for_root(13) == [(3, 0), (2, 2), (0, 12)]


def test_root_at_every_prefix_of_the_reference_tree(
    reference: Any, reference_nodes: dict[NodeId, bytes]
) -> None:
    for size, root in reference["roots_hex"].items():
        assert root_at(int(size), TableReader(reference_nodes, int(size))).hex() == root


def test_inclusion_proofs_equal_the_reference_proofs(
    reference: Any, reference_nodes: dict[NodeId, bytes]
) -> None:
    for case in reference["inclusion"]:
        reader = TableReader(reference_nodes, case["tree_size"])
        proof = inclusion_proof(case["leaf_index"], case["tree_size"], reader)
        assert [h.hex() for h in proof] == case["proof"]


def test_consistency_proofs_equal_the_reference_proofs(
    reference: Any, reference_nodes: dict[NodeId, bytes]
) -> None:
    for case in reference["consistency"]:
        reader = TableReader(reference_nodes, case["size2"])
        proof = consistency_proof(case["size1"], case["size2"], reader)
        assert [h.hex() for h in proof] == case["proof"]


def test_a_proof_reads_its_nodes_in_one_batch(reference_nodes: dict[NodeId, bytes]) -> None:
    reader = TableReader(reference_nodes, 7)
    inclusion_proof(2, 7, reader)
    consistency_proof(3, 7, reader)
    assert len(reader.calls) == 2


def test_an_ephemeral_node_is_rebuilt_from_the_perfect_subtrees_under_it() -> None:
    # In a tree of 7 leaves, leaf 0's top sibling covers [4, 7): not stored, built from
    # (1, 2) and (0, 6).
    plan = ProofPlan([(4, 7)])
    assert plan.ids == [(1, 2), (0, 6)]


def test_inclusion_proof_rejects_an_index_outside_the_tree(
    reference_nodes: dict[NodeId, bytes],
) -> None:
    with pytest.raises(TreeSizeError):
        inclusion_proof(7, 7, TableReader(reference_nodes, 7))
    with pytest.raises(TreeSizeError):
        inclusion_proof(-1, 7, TableReader(reference_nodes, 7))


@pytest.mark.parametrize(("size1", "size2"), [(0, 3), (4, 3), (-1, 3)])
def test_consistency_proof_needs_0_lt_size1_le_size2(
    reference_nodes: dict[NodeId, bytes], size1: int, size2: int
) -> None:
    with pytest.raises(TreeSizeError):
        consistency_proof(size1, size2, TableReader(reference_nodes, 8))


def test_consistency_proof_between_equal_sizes_is_empty(
    reference_nodes: dict[NodeId, bytes],
) -> None:
    assert consistency_proof(5, 5, TableReader(reference_nodes, 5)) == []


def test_a_missing_node_is_reported_not_guessed() -> None:
    with pytest.raises(MissingNodeError):
        inclusion_proof(0, 2, TableReader({}, 2))


def test_compact_range_persists_exactly_the_reference_node_table(
    reference: Any, reference_nodes: dict[NodeId, bytes]
) -> None:
    tree = CompactRange()
    new = tree.extend([leaf_hash(bytes.fromhex(x)) for x in reference["leaves_hex"]])
    assert _store(new) == reference_nodes
    assert len(new) == len(reference_nodes)


def test_compact_range_root_after_each_append(reference: Any) -> None:
    tree = CompactRange()
    assert tree.root() == EMPTY_ROOT
    for size, data in enumerate(reference["leaves_hex"], start=1):
        tree.append(leaf_hash(bytes.fromhex(data)))
        assert tree.size == size
        assert tree.root().hex() == reference["roots_hex"][str(size)]


def test_append_returns_the_leaf_then_each_node_it_completes() -> None:
    tree = CompactRange()
    tree.extend([leaf_hash(b"%d" % i) for i in range(3)])
    new = tree.append(leaf_hash(b"3"))
    assert [(level, index) for level, index, _ in new] == [(0, 3), (1, 1), (2, 0)]
    assert len(tree.hashes) == 1


def test_compact_range_recovered_from_a_reader_continues_identically(
    reference: Any, reference_nodes: dict[NodeId, bytes]
) -> None:
    leaves = [leaf_hash(bytes.fromhex(x)) for x in reference["leaves_hex"]]
    for size in range(len(leaves)):
        reader = TableReader(reference_nodes, size)
        tree = CompactRange.from_reader(size, reader)
        assert len(reader.calls) <= 1
        new = tree.extend(leaves[size:])
        assert tree.root().hex() == reference["roots_hex"]["8"]
        assert all(reference_nodes[(level, index)] == h for level, index, h in new)


def test_compact_range_needs_one_border_hash_per_set_bit_of_size() -> None:
    with pytest.raises(MerkleTreeError):
        CompactRange(3, [leaf_hash(b"x")])


def test_compact_range_refuses_a_hash_of_the_wrong_size() -> None:
    with pytest.raises(MerkleTreeError):
        CompactRange().append(b"short")


# --- derived large-tree vectors (leaf i = b"leaf i") ---------------------------------

DEFAULT_RUN_MAX = 131_073
"""Sizes above this take seconds to build and run with -m slow."""


@pytest.fixture(scope="module")
def large(test_data: Path) -> Any:
    return json.loads((test_data / "vectors/rfc6962/large-trees.json").read_text())


def _large_tree(size: int) -> dict[NodeId, bytes]:
    return _store(CompactRange().extend([leaf_hash(b"leaf %d" % i) for i in range(size)]))


def _check_large_trees(large: Any, max_size: int, min_size: int = 0) -> None:
    wanted = {int(s): r for s, r in large["roots_hex"].items() if min_size < int(s) <= max_size}
    tree = CompactRange()
    for size in range(1, max(wanted) + 1):
        tree.append(leaf_hash(b"leaf %d" % (size - 1)))
        if size in wanted:
            assert tree.root().hex() == wanted.pop(size), size
    nodes = _large_tree(max_size)
    for case in large["inclusion"]:
        if min_size < case["tree_size"] <= max_size:
            reader = TableReader(nodes, case["tree_size"])
            proof = inclusion_proof(case["leaf_index"], case["tree_size"], reader)
            assert [h.hex() for h in proof] == case["proof"]
            verify_inclusion(
                bytes.fromhex(case["leaf_hash"]),
                case["leaf_index"],
                case["tree_size"],
                proof,
                bytes.fromhex(case["root"]),
            )
    for case in large["consistency"]:
        if min_size < case["size2"] <= max_size:
            proof = consistency_proof(
                case["size1"], case["size2"], TableReader(nodes, case["size2"])
            )
            assert [h.hex() for h in proof] == case["proof"]
            verify_consistency(
                case["size1"],
                case["size2"],
                proof,
                bytes.fromhex(case["root1"]),
                bytes.fromhex(case["root2"]),
            )


def test_large_tree_roots_and_proofs_up_to_131073_leaves(large: Any) -> None:
    _check_large_trees(large, DEFAULT_RUN_MAX)


@pytest.mark.slow
def test_large_tree_roots_and_proofs_up_to_one_million_leaves(large: Any) -> None:
    _check_large_trees(large, 1_000_000, min_size=DEFAULT_RUN_MAX)
