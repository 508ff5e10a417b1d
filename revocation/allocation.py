"""Random status list index allocation (spec §2.1: indexes SHOULD be assigned randomly).

A sequential index would tell a verifier when a credential was issued and how many
came before it; a uniformly random free index tells nothing. Every free index is
equally likely, an allocated index is never returned again (the caller records it),
and the cost stays bounded however full the list is: rejection sampling while at
most half the list is used (fewer than two draws expected), otherwise a direct pick
of the k-th free index for a uniformly drawn k.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Set

from credledger.revocation.bitstring import Bitstring
from credledger.revocation.errors import StatusListFullError

UsedIndices = Set[int] | Bitstring
"""The indices already allocated: a set, or a bitmap whose set bits mark them."""

_MAX_DRAWS = 64
_SYSTEM_RANDOM = secrets.SystemRandom()


def allocate_index(used: UsedIndices, length: int, rng: random.Random | None = None) -> int:
    """A uniformly random index in ``[0, length)`` that is not in ``used``.

    Requires every used index to lie in ``[0, length)``; a bitmap must be exactly
    ``length`` bits. ``rng`` defaults to the operating system's CSPRNG; pass a seeded
    ``random.Random`` only in tests. Raises StatusListFullError when no index is free.
    """
    if length < 1:
        raise ValueError(f"a status list has at least one index, not {length}")
    if isinstance(used, Bitstring) and len(used) != length:
        raise ValueError(f"the used-index bitmap has {len(used)} bits, the list {length}")
    source = _SYSTEM_RANDOM if rng is None else rng
    used_count = used.count() if isinstance(used, Bitstring) else len(used)
    free = length - used_count
    if free <= 0:
        raise StatusListFullError(f"all {length} indices of the status list are allocated")
    if used_count * 2 <= length:
        for _ in range(_MAX_DRAWS):
            candidate = source.randrange(length)
            if not _is_used(used, candidate):
                return candidate
    return _nth_free(used, length, source.randrange(free))


def _is_used(used: UsedIndices, index: int) -> bool:
    if isinstance(used, Bitstring):
        return used.get(index)
    return index in used


def _nth_free(used: UsedIndices, length: int, rank: int) -> int:
    """The ``rank``-th free index in ascending order (0-based)."""
    if isinstance(used, Bitstring):
        return used.find_unset(rank)
    previous = -1
    for index in sorted(used):
        if not 0 <= index < length:
            raise ValueError(f"used index {index} is outside the {length}-entry list")
        gap = index - previous - 1
        if rank < gap:
            return previous + 1 + rank
        rank -= gap
        previous = index
    return previous + 1 + rank
