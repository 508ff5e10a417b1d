"""merklelib 1.0 as an independent oracle, and the exact ways it differs from the log.

merklelib hashes leaves as SHA-256(0x00 || data) and nodes as SHA-256(0x01 || l || r),
and builds levels bottom-up promoting an odd last node, which gives the same shape
as RFC 9162's largest-power-of-two split. So for distinct byte-string leaves its
roots and audit paths are RFC 9162's, and it serves as an oracle. Where it differs
(the tests at the end) it could not serve as the log.
"""

from __future__ import annotations

import collections
import collections.abc
import math
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from credledger.crypto.merkle_tree import CompactRange, NodeId, inclusion_proof
from credledger.crypto.merkle_verify import ProofLengthError, verify_inclusion
from credledger.crypto.rfc9162 import EMPTY_ROOT, leaf_hash, node_hash
from hypothesis import given
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def merklelib() -> Iterator[ModuleType]:
    # merklelib 1.0 calls collections.Iterable, which Python 3.10 removed; restore the alias.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(collections, "Iterable", collections.abc.Iterable, raising=False)
        import merklelib

        yield merklelib


distinct_leaves = st.lists(st.binary(max_size=24), min_size=1, max_size=150, unique=True)


def _rfc_tree(leaves: list[bytes]) -> tuple[bytes, dict[NodeId, bytes]]:
    tree = CompactRange()
    nodes = {(level, index): h for level, index, h in tree.extend([leaf_hash(d) for d in leaves])}
    return tree.root(), nodes


class _Reader:
    def __init__(self, nodes: dict[NodeId, bytes]) -> None:
        self.nodes = nodes

    def get_nodes(self, ids: Any) -> list[bytes]:
        return [self.nodes[i] for i in ids]


# --- where it agrees: an oracle --------------------------------------------------------


@given(distinct_leaves)
def test_merklelib_root_equals_the_rfc9162_root(merklelib: Any, leaves: list[bytes]) -> None:
    root, _ = _rfc_tree(leaves)
    assert bytes.fromhex(merklelib.MerkleTree(leaves).merkle_root) == root


@given(distinct_leaves)
def test_merklelib_root_built_by_appending_equals_the_rfc9162_root(
    merklelib: Any, leaves: list[bytes]
) -> None:
    tree = merklelib.MerkleTree([])
    for leaf in leaves:
        tree.append(leaf)
    assert bytes.fromhex(tree.merkle_root) == _rfc_tree(leaves)[0]


@given(distinct_leaves, st.data())
def test_merklelib_audit_path_equals_the_rfc9162_inclusion_proof(
    merklelib: Any, leaves: list[bytes], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(leaves) - 1))
    _, nodes = _rfc_tree(leaves)
    ours = inclusion_proof(index, len(leaves), _Reader(nodes))
    assert merklelib.MerkleTree(leaves).get_proof(leaves[index]).hex_nodes == [
        h.hex() for h in ours
    ]


# --- where it differs: why it is not the log ------------------------------------------


def test_merklelib_1_0_fails_on_python_3_10_and_later_without_a_shim(
    merklelib: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(collections, "Iterable")
    with pytest.raises(AttributeError, match="Iterable"):
        merklelib.MerkleTree([b"a"])


def test_merklelib_has_no_root_for_the_empty_tree(merklelib: Any) -> None:
    assert merklelib.MerkleTree([]).merkle_root is None
    assert CompactRange().root() == EMPTY_ROOT


def test_merklelib_indexes_leaves_by_value_so_duplicates_collapse(merklelib: Any) -> None:
    leaves = [b"a", b"b", b"a", b"c"]
    assert len(merklelib.MerkleTree(leaves)) == 3
    appended = merklelib.MerkleTree([])
    for leaf in leaves:
        appended.append(leaf)
    # Built in one go the root is still right; built by appending, it is not.
    assert bytes.fromhex(merklelib.MerkleTree(leaves).merkle_root) == _rfc_tree(leaves)[0]
    assert bytes.fromhex(appended.merkle_root) != _rfc_tree(leaves)[0]


def test_merklelib_hashes_str_of_non_bytes_leaves_so_types_collide(merklelib: Any) -> None:
    roots = {merklelib.MerkleTree([leaf, b"x"]).merkle_root for leaf in (1, "1", b"1")}
    assert len(roots) == 1


def test_merklelib_accepts_an_interior_node_as_a_leaf(merklelib: Any) -> None:
    leaves = [b"a", b"b", b"c", b"d"]
    h = [leaf_hash(d) for d in leaves]
    left, right = node_hash(h[0], h[1]), node_hash(h[2], h[3])
    tree = merklelib.MerkleTree(leaves)
    # Its proofs carry no index or tree size, and it accepts a bare hash as the target,
    # so the interior node H(a, b) "is included" with a one-hash proof.
    forged = [merklelib.merkle.AuditNode(right, merklelib.merkle.RIGHT)]
    assert tree.verify_leaf_inclusion(left, forged) is True
    # Bound to the checkpoint's size, an RFC 9162 verifier rejects it at every index.
    for index in range(4):
        with pytest.raises(ProofLengthError):
            verify_inclusion(left, index, 4, [right], bytes.fromhex(tree.merkle_root))


def test_merklelib_consistency_check_climbs_a_float_number_of_levels(merklelib: Any) -> None:
    # verify_tree_consistency needs the whole new tree (there is no proof to send) and
    # climbs math.log(2**k, 2) levels: for k = 29 that is 29.000000000000004, one too many.
    class Node:
        def __init__(self, parent: Node | None) -> None:
            self.parent = parent

    chain = [Node(None)]
    for _ in range(40):
        chain.append(Node(chain[-1]))
    leaf = chain[-1]
    assert merklelib.merkle._climb_to(leaf, 29) is chain[-30]
    assert math.log(2**29, 2) > 29
    assert merklelib.merkle._climb_to(leaf, math.log(2**29, 2)) is chain[-31]
