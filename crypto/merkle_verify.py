"""Verification of RFC 9162 inclusion and consistency proofs (§2.1.3, §2.1.4).

A port of transparency-dev/merkle ``proof/verify.go``: every check raises a typed
:class:`MerkleProofError` rather than returning a boolean a caller could ignore.
Proofs are lists of 32-byte hashes ordered from the leaf level upwards.

The subtree variants verify proofs about a subtree ``[start, end)`` of a larger
tree, as defined by draft-ietf-plants-merkle-tree-certs (§4.3, §4.4); a plain
tree of size ``n`` is the subtree ``[0, n)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from credledger.crypto.errors import CryptoError
from credledger.crypto.rfc9162 import EMPTY_ROOT, HASH_SIZE, node_hash


class MerkleProofError(CryptoError):
    """A Merkle proof does not prove what it claims to."""


class RootMismatchError(MerkleProofError):
    """The root computed from a proof differs from the expected root."""

    def __init__(self, expected: bytes, computed: bytes) -> None:
        super().__init__(f"computed root {computed.hex()} does not match expected {expected.hex()}")
        self.expected = expected
        self.computed = computed


class ProofLengthError(MerkleProofError):
    """A proof has more or fewer hashes than the tree sizes call for."""

    def __init__(self, got: int, want: int) -> None:
        super().__init__(f"proof has {got} hashes, want {want}")
        self.got = got
        self.want = want


class IndexOutOfRangeError(MerkleProofError):
    """A leaf index or tree size lies outside the range a proof can speak for."""


class InvalidSubtreeError(MerkleProofError):
    """A range ``[start, end)`` is not a subtree: start is not aligned to its size."""


class HashSizeError(MerkleProofError):
    """A leaf hash or proof hash is not HASH_SIZE bytes long."""


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` with ``root``.

    Requires 0 <= index < size.
    """
    _check_match(root, root_from_inclusion_proof(leaf_hash, index, size, proof))


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """Compute the root that ``proof`` implies for leaf ``index`` in a tree of ``size``.

    Requires 0 <= index < size.
    """
    if not 0 <= index < size:
        raise IndexOutOfRangeError(f"leaf index {index} is not in [0, {size})")
    _check_hash("leaf hash", leaf_hash)
    _check_proof_hashes(proof)
    inner, border = _decomp_incl_proof(index, size)
    if len(proof) != inner + border:
        raise ProofLengthError(len(proof), inner + border)
    seed = _chain_inner(leaf_hash, proof[:inner], index)
    return _chain_border_right(seed, proof[inner:])


def verify_subtree_inclusion(
    leaf_hash: bytes, index: int, start: int, end: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the subtree ``[start, end)`` with ``root``.

    Requires 0 <= start <= index < end, start a multiple of bit_ceil(end - start).
    """
    _check_subtree(start, end)
    if not start <= index < end:
        raise IndexOutOfRangeError(f"leaf index {index} is not in [{start}, {end})")
    _check_match(root, root_from_inclusion_proof(leaf_hash, index - start, end - start, proof))


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree of ``size2`` with ``root2`` extends the one of ``size1`` with ``root1``.

    Requires 0 < size1 <= size2.
    """
    _check_match(root2, root_from_consistency_proof(size1, size2, proof, root1))


def root_from_consistency_proof(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes
) -> bytes:
    """Compute the root of the tree of ``size2`` implied by ``proof`` and ``root1``.

    Requires 0 < size1 <= size2. Raises RootMismatchError when the proof does not
    also reproduce ``root1``.
    """
    if size2 < size1:
        raise IndexOutOfRangeError(f"size2 ({size2}) < size1 ({size1})")
    if size1 <= 0:
        raise IndexOutOfRangeError("a consistency proof from the empty tree is meaningless")
    _check_proof_hashes(proof)
    if size1 == size2:
        if proof:
            raise ProofLengthError(len(proof), 0)
        return root1
    if not proof:
        raise ProofLengthError(0, 1)
    return _root_from_subtree_consistency(0, size1, size2, proof, root1)


def verify_subtree_consistency(
    start: int, end: int, size: int, proof: Sequence[bytes], subtree_root: bytes, root: bytes
) -> None:
    """Check that the subtree ``[start, end)`` with ``subtree_root`` is part of the tree
    of ``size`` with ``root``.

    Requires 0 <= start <= end <= size, start a multiple of bit_ceil(end - start).
    An empty subtree is part of every tree: its root must be EMPTY_ROOT, its proof empty.
    """
    if start == end:
        _check_subtree(start, end)
        if end > size:
            raise IndexOutOfRangeError(f"subtree end {end} > tree size {size}")
        if proof:
            raise ProofLengthError(len(proof), 0)
        _check_match(EMPTY_ROOT, subtree_root)
        return
    _check_match(root, root_from_subtree_consistency_proof(start, end, size, proof, subtree_root))


def root_from_subtree_consistency_proof(
    start: int, end: int, size: int, proof: Sequence[bytes], subtree_root: bytes
) -> bytes:
    """Compute the root of the tree of ``size`` implied by ``proof`` and the subtree root.

    Requires 0 <= start <= end <= size, start a multiple of bit_ceil(end - start).
    """
    _check_subtree(start, end)
    if size < end:
        raise IndexOutOfRangeError(f"tree size {size} < subtree end {end}")
    _check_proof_hashes(proof)
    if start == end:
        if size != 0:
            raise InvalidSubtreeError("cannot reconstruct a non-empty tree from an empty subtree")
        if proof:
            raise ProofLengthError(len(proof), 0)
        _check_match(EMPTY_ROOT, subtree_root)
        return EMPTY_ROOT
    if start == 0 and end == size:
        if proof:
            raise ProofLengthError(len(proof), 0)
        return subtree_root
    if not proof:
        raise ProofLengthError(0, 1)
    return _root_from_subtree_consistency(start, end, size, proof, subtree_root)


def _root_from_subtree_consistency(
    start: int, end: int, size: int, proof: Sequence[bytes], sub_root: bytes
) -> bytes:
    if end == size:
        # The subtree's root is on the right border: one left sibling per level
        # at which its ancestor is a right child.
        level = ((end - 1) ^ start).bit_length()
        want = (start >> level).bit_count()
        if len(proof) != want:
            raise ProofLengthError(len(proof), want)
        return _chain_border_right(sub_root, proof)

    # Split where the paths to leaves end-1 and size-1 diverge.
    fork_level, border = _decomp_incl_proof(end - 1, size)
    # The proof starts at the height of the rightmost perfect subtree of [start, end).
    shift = _trailing_zeros(end - start)
    inner = fork_level - shift
    # Its first hash is that subtree's root, unless the subtree itself is
    # perfect: then the verifier already holds it as sub_root.
    perfect = (end - start) == 1 << shift
    seed, rest = (sub_root, proof) if perfect else (proof[0], proof[1:])
    want = (0 if perfect else 1) + inner + border
    if len(proof) != want:
        raise ProofLengthError(len(proof), want)
    mask = (end - 1) >> shift

    if not perfect:
        # The proof's hashes inside the subtree must rebuild sub_root.
        sub_inner, sub_border = _decomp_subtree_proof(start, end, size, border, rest)
        hash1 = _chain_inner_right(seed, sub_inner, mask)
        _check_match(sub_root, _chain_border_right(hash1, sub_border))

    hash2 = _chain_inner(seed, rest[:inner], mask)
    return _chain_border_right(hash2, rest[inner:])


def _decomp_incl_proof(index: int, size: int) -> tuple[int, int]:
    """Lengths of the inner and border parts of an inclusion proof.

    The parts split where the paths to leaves ``index`` and ``size - 1`` diverge.
    """
    inner = (index ^ (size - 1)).bit_length()
    return inner, (index >> inner).bit_count()


def _decomp_subtree_proof(
    start: int, end: int, size: int, border: int, proof: Sequence[bytes]
) -> tuple[Sequence[bytes], Sequence[bytes]]:
    """The slices of ``proof`` that lie inside ``[start, end)`` and rebuild its root."""
    height = ((end - 1) ^ start).bit_length()
    fork_level = ((end - 1) ^ (size - 1)).bit_length()
    shift = _trailing_zeros(end - start)
    sub_inner = min(height, fork_level) - shift
    inner = fork_level - shift
    sub_border = max(0, border - ((end - 1) >> height).bit_count())
    return proof[:sub_inner], proof[inner : inner + sub_border]


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    """Hash up from a node at ``index`` using siblings on either side."""
    for i, h in enumerate(proof):
        seed = node_hash(seed, h) if (index >> i) & 1 == 0 else node_hash(h, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    """Like _chain_inner, but only left siblings count: the earlier version of the subtree."""
    for i, h in enumerate(proof):
        if (index >> i) & 1 == 1:
            seed = node_hash(h, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    """Hash up the right border, where every proof hash is a left sibling."""
    for h in proof:
        seed = node_hash(h, seed)
    return seed


def _trailing_zeros(n: int) -> int:
    return (n & -n).bit_length() - 1


def _check_subtree(start: int, end: int) -> None:
    if not 0 <= start <= end:
        raise InvalidSubtreeError(f"[{start}, {end}) is not a range")
    length = end - start
    if start != 0 and length > 1:
        bit_ceil = 1 << (length - 1).bit_length()
        if start % bit_ceil:
            raise InvalidSubtreeError(
                f"[{start}, {end}): start is not a multiple of bit_ceil(end - start) = {bit_ceil}"
            )


def _check_hash(what: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise HashSizeError(f"{what} has {len(value)} bytes, want {HASH_SIZE}")


def _check_proof_hashes(proof: Sequence[bytes]) -> None:
    for i, h in enumerate(proof):
        _check_hash(f"proof[{i}]", h)


def _check_match(expected: bytes, computed: bytes) -> None:
    if computed != expected:
        raise RootMismatchError(expected, computed)
