"""The follower: after every recorded act, the log and the read models catch up.

An act saves its events and returns; the transparency log then appends their leaves
and, in the same transaction, signs a checkpoint over them when one is due (at once
with the default interval of 0); the read model and the digest index apply them.
Each follower keeps its own position, so one that fails (or a process that crashed in
between) resumes on the next act, or the server's tick, from where it stopped.

This is the write path's only catch-up: reads (every GET) never call it. The
followers of one catch-up share their reads of the event store: they usually stand at
the same position, and each would otherwise ask for the same events three times. Each
reads one batch from its position and stops at a batch shorter than it asked for (the
tail), so an act's catch-up usually reads the event store once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol


class Follows(Protocol):
    def catch_up(self, select: Callable[[int, int], Sequence[Any]]) -> int: ...


class Follower:
    """Brings the log (and its checkpoint), the read model and the digest index up to
    date with the events."""

    def __init__(
        self,
        select: Callable[[int, int], Sequence[Any]],
        log: Follows,
        read_model: Follows,
        digests: Follows,
    ) -> None:
        self.select = select
        self.log = log
        self.read_models = (read_model, digests)

    def catch_up(self) -> None:
        select = SharedReads(self.select)
        self.log.catch_up(select)  # the log first (leaves are public), signed when due
        for follower in self.read_models:
            follower.catch_up(select)


class SharedReads:
    """``select(start, limit)`` answered once per start for one catch-up: a later call
    with the same start gets what the first read found, cut to its limit, unless it
    asks for more than a full first answer held. A follower that sees fewer events than
    were committed meanwhile catches up on the next act or tick, from its own position."""

    def __init__(self, select: Callable[[int, int], Sequence[Any]]) -> None:
        self.select = select
        self.read: dict[int, tuple[int, Sequence[Any]]] = {}

    def __call__(self, start: int, limit: int) -> Sequence[Any]:
        earlier = self.read.get(start)
        if earlier is not None:
            asked, found = earlier
            if limit <= asked or len(found) < asked:  # all there was, or enough of it
                return found[:limit]
        found = self.select(start, limit)
        self.read[start] = (limit, found)
        return found
