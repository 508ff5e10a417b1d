"""Generated proofs equal the RFC 9162 definitions, verify, and break when tampered with.

The oracle is a naive transcription of RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and
§2.1.4.1 (PROOF / SUBPROOF) over the full list of leaves, independent of the
stored-node planner under test.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from credledger.crypto.merkle_tree import (
    CompactRange,
    NodeId,
    consistency_proof,
    inclusion_proof,
    root_at,
)
from credledger.crypto.merkle_verify import (
    IndexOutOfRangeError,
    ProofLengthError,
    RootMismatchError,
    verify_consistency,
    verify_inclusion,
    verify_subtree_inclusion,
)
from credledger.crypto.rfc9162 import EMPTY_ROOT, leaf_hash, node_hash
from hypothesis import assume, given
from hypothesis import strategies as st

# --- RFC 9162, transcribed naively ---------------------------------------------------


def _k(n: int) -> int:
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes."""
    n = len(d)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return d[0]
    k = _k(n)
    return node_hash(mth(d[:k]), mth(d[k:]))


def path(m: int, d: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n])."""
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b)."""
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = _k(n)
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n])."""
    return subproof(m, d, True)


# --- a node store holding every perfect subtree of MAX leaves ------------------------

MAX = 1100
LEAVES = [leaf_hash(b"leaf %d" % i) for i in range(MAX)]
NODES: dict[NodeId, bytes] = {
    (level, index): mth(LEAVES[index << level : (index + 1) << level])
    for level in range(MAX.bit_length())
    for index in range(MAX >> level)
}


class PrefixReader:
    """Serves the tree of the first ``size`` leaves; fails on any node beyond it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.calls = 0
        self.reads = 0

    def get_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        self.calls += 1
        self.reads += len(ids)
        assert all((i + 1) << lvl <= self.size for lvl, i in ids), ids
        return [NODES[i] for i in ids]


sizes = st.integers(min_value=1, max_value=MAX)


@st.composite
def leaf_in_tree(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(sizes)
    return draw(st.integers(0, size - 1)), size


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    size2 = draw(sizes)
    return draw(st.integers(1, size2)), size2


def _flip(h: bytes, bit: int) -> bytes:
    b = bytearray(h)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


# --- generation equals the definition ------------------------------------------------


def test_the_node_store_oracle_agrees_with_compact_range() -> None:
    tree = CompactRange()
    stored = {(level, index): h for level, index, h in tree.extend(LEAVES)}
    assert stored == NODES


@given(st.integers(0, MAX))
def test_root_at_equals_mth(size: int) -> None:
    assert root_at(size, PrefixReader(size)) == mth(LEAVES[:size])


@pytest.mark.parametrize("size", range(1, 65))
def test_every_inclusion_proof_in_small_trees_equals_path(size: int) -> None:
    root = mth(LEAVES[:size])
    for index in range(size):
        generated = inclusion_proof(index, size, PrefixReader(size))
        assert generated == path(index, LEAVES[:size])
        verify_inclusion(LEAVES[index], index, size, generated, root)


@pytest.mark.parametrize("size2", range(1, 65))
def test_every_consistency_proof_in_small_trees_equals_proof(size2: int) -> None:
    root2 = mth(LEAVES[:size2])
    for size1 in range(1, size2 + 1):
        generated = consistency_proof(size1, size2, PrefixReader(size2))
        assert generated == proof(size1, LEAVES[:size2])
        verify_consistency(size1, size2, generated, mth(LEAVES[:size1]), root2)


@given(leaf_in_tree())
def test_inclusion_proof_equals_path_and_verifies(case: tuple[int, int]) -> None:
    index, size = case
    reader = PrefixReader(size)
    generated = inclusion_proof(index, size, reader)
    assert generated == path(index, LEAVES[:size])
    verify_inclusion(LEAVES[index], index, size, generated, mth(LEAVES[:size]))
    assert reader.calls <= 1
    assert reader.reads <= 2 * size.bit_length()


@given(two_sizes())
def test_consistency_proof_equals_proof_and_verifies(case: tuple[int, int]) -> None:
    size1, size2 = case
    reader = PrefixReader(size2)
    generated = consistency_proof(size1, size2, reader)
    assert generated == proof(size1, LEAVES[:size2])
    verify_consistency(size1, size2, generated, mth(LEAVES[:size1]), mth(LEAVES[:size2]))
    assert reader.calls <= 1
    assert reader.reads <= 2 * size2.bit_length()


@given(leaf_in_tree(), st.data())
def test_subtree_inclusion_proof_is_the_inclusion_proof_within_the_subtree(
    case: tuple[int, int], data: st.DataObject
) -> None:
    index, size = case
    # Any aligned subtree [start, end) holding the leaf: start a multiple of bit_ceil(end-start).
    level = data.draw(st.integers(0, size.bit_length()))
    start = (index >> level) << level
    end = min(start + (1 << level), MAX)
    end = data.draw(st.integers(index + 1, end))
    sub = LEAVES[start:end]
    verify_subtree_inclusion(LEAVES[index], index, start, end, path(index - start, sub), mth(sub))


# --- tampering is always caught -----------------------------------------------------


@given(leaf_in_tree(), st.data())
def test_inclusion_proof_with_a_flipped_bit_is_rejected(
    case: tuple[int, int], data: st.DataObject
) -> None:
    index, size = case
    generated = inclusion_proof(index, size, PrefixReader(size))
    assume(generated)
    at = data.draw(st.integers(0, len(generated) - 1))
    generated[at] = _flip(generated[at], data.draw(st.integers(0, 255)))
    with pytest.raises(RootMismatchError):
        verify_inclusion(LEAVES[index], index, size, generated, mth(LEAVES[:size]))


@given(leaf_in_tree(), st.integers(0, 255))
def test_inclusion_of_a_flipped_leaf_or_root_is_rejected(case: tuple[int, int], bit: int) -> None:
    index, size = case
    generated = inclusion_proof(index, size, PrefixReader(size))
    root = mth(LEAVES[:size])
    with pytest.raises(RootMismatchError):
        verify_inclusion(_flip(LEAVES[index], bit), index, size, generated, root)
    with pytest.raises(RootMismatchError):
        verify_inclusion(LEAVES[index], index, size, generated, _flip(root, bit))


@given(leaf_in_tree(), st.data())
def test_inclusion_proof_truncated_or_extended_is_rejected(
    case: tuple[int, int], data: st.DataObject
) -> None:
    index, size = case
    generated = inclusion_proof(index, size, PrefixReader(size))
    root = mth(LEAVES[:size])
    extra = data.draw(st.binary(min_size=32, max_size=32))
    at = data.draw(st.integers(0, len(generated)))
    with pytest.raises(ProofLengthError):
        verify_inclusion(
            LEAVES[index], index, size, [*generated[:at], extra, *generated[at:]], root
        )
    if generated:
        cut = data.draw(st.integers(0, len(generated) - 1))
        with pytest.raises(ProofLengthError):
            verify_inclusion(LEAVES[index], index, size, generated[:cut], root)


@given(leaf_in_tree(), st.integers(0, 2 * MAX))
def test_inclusion_proof_for_another_index_is_rejected(case: tuple[int, int], other: int) -> None:
    index, size = case
    generated = inclusion_proof(index, size, PrefixReader(size))
    assume(other != index)
    with pytest.raises((IndexOutOfRangeError, ProofLengthError, RootMismatchError)):
        verify_inclusion(LEAVES[index], other, size, generated, mth(LEAVES[:size]))


def test_a_root_does_not_bind_the_tree_size_so_sizes_must_come_signed() -> None:
    # PATH(0, D[4]) also verifies as leaf 0 of a tree of size 3 under the size-4 root,
    # and PROOF(2, D[4]) as a proof from 2 to 3: the checkpoint's signature binds size.
    root4 = mth(LEAVES[:4])
    verify_inclusion(LEAVES[0], 0, 3, inclusion_proof(0, 4, PrefixReader(4)), root4)
    verify_consistency(2, 3, consistency_proof(2, 4, PrefixReader(4)), mth(LEAVES[:2]), root4)


@given(two_sizes(), st.data())
def test_consistency_proof_with_a_flipped_bit_is_rejected(
    case: tuple[int, int], data: st.DataObject
) -> None:
    size1, size2 = case
    generated = consistency_proof(size1, size2, PrefixReader(size2))
    assume(generated)
    at = data.draw(st.integers(0, len(generated) - 1))
    generated[at] = _flip(generated[at], data.draw(st.integers(0, 255)))
    with pytest.raises(RootMismatchError):
        verify_consistency(size1, size2, generated, mth(LEAVES[:size1]), mth(LEAVES[:size2]))


@given(two_sizes(), st.integers(0, 255))
def test_consistency_with_a_flipped_root_is_rejected(case: tuple[int, int], bit: int) -> None:
    size1, size2 = case
    generated = consistency_proof(size1, size2, PrefixReader(size2))
    root1, root2 = mth(LEAVES[:size1]), mth(LEAVES[:size2])
    with pytest.raises(RootMismatchError):
        verify_consistency(size1, size2, generated, _flip(root1, bit), root2)
    with pytest.raises(RootMismatchError):
        verify_consistency(size1, size2, generated, root1, _flip(root2, bit))


@given(two_sizes(), st.data())
def test_consistency_proof_truncated_or_extended_is_rejected(
    case: tuple[int, int], data: st.DataObject
) -> None:
    size1, size2 = case
    generated = consistency_proof(size1, size2, PrefixReader(size2))
    root1, root2 = mth(LEAVES[:size1]), mth(LEAVES[:size2])
    extra = data.draw(st.binary(min_size=32, max_size=32))
    at = data.draw(st.integers(0, len(generated)))
    with pytest.raises(ProofLengthError):
        verify_consistency(size1, size2, [*generated[:at], extra, *generated[at:]], root1, root2)
    if generated:
        cut = data.draw(st.integers(0, len(generated) - 1))
        with pytest.raises(ProofLengthError):
            verify_consistency(size1, size2, generated[:cut], root1, root2)
