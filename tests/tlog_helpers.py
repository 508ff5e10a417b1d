"""A toy transparency log for witness tests, written from RFC 6962 §2.1 (not credledger's
tree): leaves in a list, MTH, PATH and PROOF by their recursive definitions, and C2SP
checkpoints signed with a log key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from credledger.crypto.checkpoint import Checkpoint, sign_checkpoint
from credledger.crypto.keys import Ed25519KeyPair
from credledger.crypto.signed_note import NoteSigner


def _leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return _leaf(leaves[0])
    k = _split(len(leaves))
    return _node(mth(leaves[:k]), mth(leaves[k:]))


def inclusion(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]), from the leaf's sibling up."""
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if m < k:
        return [*inclusion(m, leaves[:k]), mth(leaves[k:])]
    return [*inclusion(m - k, leaves[k:]), mth(leaves[:k])]


def consistency(m: int, leaves: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n])."""
    return _subproof(m, leaves, True)


def _subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), mth(leaves[:k])]


@dataclass
class ToyLog:
    """A log under ``origin`` signed with the key made from ``seed``."""

    origin: str = "toy.example/log"
    seed: bytes = bytes(range(32))
    leaves: list[bytes] = field(default_factory=list)

    @property
    def signer(self) -> NoteSigner:
        return NoteSigner(self.origin, Ed25519KeyPair.from_seed(self.seed))

    @property
    def vkey(self) -> str:
        return self.signer.verifier().vkey()

    def grow(self, count: int, tag: bytes = b"entry") -> ToyLog:
        start = len(self.leaves)
        self.leaves += [tag + b" %d" % i for i in range(start, start + count)]
        return self

    def checkpoint(self, size: int | None = None) -> str:
        size = len(self.leaves) if size is None else size
        return sign_checkpoint(Checkpoint(self.origin, size, mth(self.leaves[:size])), self.signer)

    def proof(self, old: int, new: int | None = None) -> list[bytes]:
        new = len(self.leaves) if new is None else new
        return consistency(old, self.leaves[:new]) if 0 < old < new else []
