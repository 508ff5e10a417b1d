"""The follower: after every recorded act, the log and the read models catch up.

An act saves its events and returns; the transparency log then appends their leaves
(and signs a checkpoint when one is due), and the read model and the digest index
apply them. Each follower keeps its own position, so one that fails (or a process
that crashed in between) resumes on the next act from where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol


class Follows(Protocol):
    def catch_up(self, select: Callable[[int, int], Sequence[Any]]) -> int: ...


class Follower:
    """Brings the log, the read model and the digest index up to date with the events."""

    def __init__(
        self,
        select: Callable[[int, int], Sequence[Any]],
        log: Follows,
        read_model: Follows,
        digests: Follows,
    ) -> None:
        self.select = select
        self.followers = (log, read_model, digests)  # the log first: leaves are public

    def catch_up(self) -> None:
        for follower in self.followers:
            follower.catch_up(self.select)
