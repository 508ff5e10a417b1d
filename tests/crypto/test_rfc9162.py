"""RFC 9162 §2.1 hashing: leaf and node hashes of the RFC 6962 reference tree."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.rfc9162 import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash


@pytest.fixture(scope="module")
def reference(test_data: Path) -> Any:
    return json.loads((test_data / "vectors/rfc6962/reference-tree.json").read_text())


def test_hash_size_is_sha256_digest_size() -> None:
    assert HASH_SIZE == hashlib.sha256().digest_size == 32


def test_empty_root_is_sha256_of_the_empty_string() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_leaf_hash_prefixes_0x00() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()


def test_node_hash_prefixes_0x01() -> None:
    left, right = b"L" * 32, b"R" * 32
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    left, right = leaf_hash(b"a"), leaf_hash(b"b")
    assert leaf_hash(left + right) != node_hash(left, right)


def test_reference_tree_leaf_hashes(reference: Any) -> None:
    leaves = [bytes.fromhex(x) for x in reference["leaves_hex"]]
    assert [leaf_hash(d).hex() for d in leaves] == reference["node_hashes_by_level"][0]


def test_reference_tree_interior_nodes_hash_their_children(reference: Any) -> None:
    levels = [[bytes.fromhex(h) for h in level] for level in reference["node_hashes_by_level"]]
    for below, level in itertools.pairwise(levels):
        assert [node_hash(below[2 * i], below[2 * i + 1]) for i in range(len(level))] == level


def test_reference_tree_root_of_size_zero_is_empty_root(reference: Any) -> None:
    assert reference["roots_hex"]["0"] == EMPTY_ROOT.hex()
