"""RFC 9162 §2.1 Merkle tree hashing with SHA-256.

Leaves and interior nodes are hashed under different one-byte prefixes (0x00 and
0x01) so that no leaf can be presented as an interior node or the other way round
(the second-preimage attack on plain Merkle trees).
"""

from __future__ import annotations

import hashlib
from typing import Final

HASH_SIZE: Final = 32
"""Length in bytes of every leaf, node and root hash (SHA-256)."""

LEAF_PREFIX: Final = b"\x00"
NODE_PREFIX: Final = b"\x01"

EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
"""MTH({}): the root of the empty tree is the hash of the empty string."""

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d): the hash of one leaf's bytes."""
    return _sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node from its children."""
    return _sha256(NODE_PREFIX + left + right).digest()
