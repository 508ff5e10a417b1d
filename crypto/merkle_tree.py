"""RFC 9162 proof generation from stored perfect-subtree hashes, and appending.

The log stores the hash of every perfect subtree, addressed ``(level, index)``:
level 0 holds the leaf hashes and node ``(l, i)`` covers leaves
``[i * 2**l, (i + 1) * 2**l)``. Such a node never changes once its last leaf is
appended, so the store is append-only. Nodes that are not perfect (on the right
border of a tree whose size is not a power of two) are ephemeral: never stored,
they are rebuilt by hashing the perfect subtrees that compose them.

Every proof is first planned as a list of node ids (at most about 2·log2(size)),
read in one batch through a :class:`NodeReader`, then assembled; nothing is ever
rebuilt from the leaves. :class:`CompactRange` keeps the O(log n) right border so
that appending needs no reads at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from credledger.crypto.errors import CryptoError
from credledger.crypto.rfc9162 import EMPTY_ROOT, HASH_SIZE, node_hash

NodeId = tuple[int, int]
"""``(level, index)``: the perfect subtree over leaves [index·2**level, (index+1)·2**level)."""


NewNode = tuple[int, int, bytes]
"""``(level, index, hash)`` of a node that became complete on append and must be persisted."""


class MerkleTreeError(CryptoError):
    """Proof generation or appending was asked for something the tree cannot give."""


class TreeSizeError(MerkleTreeError):
    """A leaf index or tree size lies outside the tree (or the range) asked about."""


class MissingNodeError(MerkleTreeError):
    """A NodeReader does not hold a node that the tree of the given size must have."""


class NodeReader(Protocol):
    """Reads stored perfect-subtree hashes; one call serves one proof."""

    def get_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """Return the hashes of ``ids`` in the same order; raise MissingNodeError if absent."""
        ...


def range_nodes(begin: int, end: int) -> list[NodeId]:
    """The fewest perfect subtrees that exactly cover leaves ``[begin, end)``, left to right.

    Requires 0 <= begin <= end.
    """
    if not 0 <= begin <= end:
        raise TreeSizeError(f"[{begin}, {end}) is not a range of leaves")
    ids: list[NodeId] = []
    while begin < end:
        # The largest aligned block starting at begin that still fits.
        level = (end - begin).bit_length() - 1
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)
        ids.append((level, begin >> level))
        begin += 1 << level
    return ids


def node_ids_for_root(size: int) -> list[NodeId]:
    """The perfect subtrees whose hashes, folded from the right, give the root of ``size``.

    One per set bit of ``size``, largest (leftmost) first. Requires size >= 0.
    """
    return range_nodes(0, size)


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """Hash perfect-subtree roots, largest first, into the root of the range they cover.

    MTH(D[0:n]) = H(MTH(D[0:k]) || MTH(D[k:n])) with k the largest power of two
    below n, so the right part folds first. Requires at least one hash.
    """
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


class ProofPlan:
    """The node ids a proof needs, and how to turn their hashes into the proof.

    Each proof element is the Merkle tree hash of a range of leaves; the range is
    either one stored node or an ephemeral node built from several.
    """

    def __init__(self, ranges: Sequence[tuple[int, int]]) -> None:
        self.elements: list[list[NodeId]] = [range_nodes(a, b) for a, b in ranges]
        self.ids: list[NodeId] = list(dict.fromkeys(i for e in self.elements for i in e))

    def assemble(self, hashes: Sequence[bytes]) -> list[bytes]:
        """Build the proof from the hashes of ``self.ids``, given in that order."""
        if len(hashes) != len(self.ids):
            raise MissingNodeError(f"got {len(hashes)} hashes for {len(self.ids)} nodes")
        by_id = dict(zip(self.ids, hashes, strict=True))
        return [fold_right([by_id[i] for i in element]) for element in self.elements]

    def fetch(self, reader: NodeReader) -> list[bytes]:
        """Read every node in one batch and assemble the proof."""
        return self.assemble(reader.get_nodes(self.ids) if self.ids else [])


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make up PATH(index, D[0:size]), leaf level first.

    RFC 9162 §2.1.3.1. Requires 0 <= index < size.
    """
    _check_index(index, size)
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make up PROOF(size1, D[0:size2]), leaf level first.

    RFC 9162 §2.1.4.1: SUBPROOF(m, D[n], true). Requires 0 < size1 <= size2.
    """
    if not 0 < size1 <= size2:
        raise TreeSizeError(f"consistency proof needs 0 < size1 <= size2, got {size1}, {size2}")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size2
    whole_old_tree = True  # the RFC's b: [lo, hi) still starts at leaf 0
    while hi != size1:
        k = _largest_power_of_two_below(hi - lo)
        if size1 <= lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            whole_old_tree = False
    if not whole_old_tree:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def inclusion_plan(index: int, size: int) -> ProofPlan:
    """Plan the inclusion proof of leaf ``index`` in the tree of ``size``.

    Requires 0 <= index < size.
    """
    return ProofPlan(inclusion_ranges(index, size))


def consistency_plan(size1: int, size2: int) -> ProofPlan:
    """Plan the consistency proof between tree sizes ``size1`` and ``size2``.

    Requires 0 < size1 <= size2.
    """
    return ProofPlan(consistency_ranges(size1, size2))


def inclusion_proof(index: int, size: int, reader: NodeReader) -> list[bytes]:
    """PATH(index, D[0:size]) from stored nodes, in one batched read.

    Requires 0 <= index < size.
    """
    return inclusion_plan(index, size).fetch(reader)


def consistency_proof(size1: int, size2: int, reader: NodeReader) -> list[bytes]:
    """PROOF(size1, D[0:size2]) from stored nodes, in one batched read.

    Requires 0 < size1 <= size2.
    """
    return consistency_plan(size1, size2).fetch(reader)


def root_at(size: int, reader: NodeReader) -> bytes:
    """MTH(D[0:size]) from at most log2(size) + 1 stored nodes. Requires size >= 0."""
    ids = node_ids_for_root(size)
    return fold_right(reader.get_nodes(ids)) if ids else EMPTY_ROOT


class CompactRange:
    """The right border of a tree: the perfect-subtree hashes of ``node_ids_for_root(size)``.

    O(log n) state is enough to append leaves and to compute the root, so the log
    appends without rereading anything it has stored.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        """Requires ``hashes`` to be the hashes of ``node_ids_for_root(size)``, in order."""
        if size < 0 or len(hashes) != size.bit_count():
            raise MerkleTreeError(f"a tree of size {size} has {size.bit_count()} border nodes")
        if any(len(h) != HASH_SIZE for h in hashes):
            raise MerkleTreeError(f"border hashes must be {HASH_SIZE} bytes")
        self._size = size
        self._hashes = list(hashes)

    @classmethod
    def from_reader(cls, size: int, reader: NodeReader) -> CompactRange:
        """Recover the border of the tree of ``size`` with one batched read."""
        ids = node_ids_for_root(size)
        return cls(size, reader.get_nodes(ids) if ids else [])

    @property
    def size(self) -> int:
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The border hashes, largest subtree first."""
        return tuple(self._hashes)

    def root(self) -> bytes:
        """MTH of the whole tree."""
        return fold_right(self._hashes) if self._hashes else EMPTY_ROOT

    def append(self, leaf_hash: bytes) -> list[NewNode]:
        """Add one leaf; return the nodes it completes (the leaf first, then its ancestors)."""
        if len(leaf_hash) != HASH_SIZE:
            raise MerkleTreeError(f"leaf hash must be {HASH_SIZE} bytes")
        index = self._size
        new: list[NewNode] = [(0, index, leaf_hash)]
        border = self._hashes
        h = leaf_hash
        level = 0
        # Each trailing 1 bit of the index is a left sibling on the border to merge with.
        while index & 1:
            h = node_hash(border.pop(), h)
            level += 1
            index >>= 1
            new.append((level, index, h))
        border.append(h)
        self._size += 1
        return new

    def extend(self, leaf_hashes: Sequence[bytes]) -> list[NewNode]:
        """Append several leaves; return every node they complete, in append order."""
        new: list[NewNode] = []
        for h in leaf_hashes:
            new.extend(self.append(h))
        return new


def _check_index(index: int, size: int) -> None:
    if not 0 <= index < size:
        raise TreeSizeError(f"leaf index {index} is not in [0, {size})")


def _largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162 §2.1.1: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)
