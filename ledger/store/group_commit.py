"""Group commit: acts that arrive together share one transaction and one fsync.

Each act still commits atomically and is acknowledged only after its commit: the first
act to find no commit under way becomes the leader, takes every act queued meanwhile
(its own included), records all their events in one transaction, runs the followers
once for the lot (the log appends their leaves, a checkpoint is signed when due), and
wakes the others. While it commits, the next acts queue up for the next round, so under
load the cost of a commit and of a catch-up is shared by many acts, and with one client
nothing changes but a lock.

One act's conflict must not fail the others: when the shared transaction is refused
(an IntegrityError: a concurrent retry of the same act, a status index claimed twice),
every act of the round is recorded on its own, in order, and each gets its own outcome.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import IntegrityError

Record = Callable[[Sequence[Any]], object]
"""Records events (all or none) and runs the followers: ``EventStore.save``."""


@dataclass
class _Act:
    events: list[Any]
    done: bool = False
    error: BaseException | None = None
    wake: threading.Event = field(default_factory=threading.Event)
    """Set when the act is recorded (``done``), or when it is handed the lead."""


class GroupCommit:
    """Records the events of concurrent acts in shared transactions (see the module)."""

    def __init__(self, record: Record, max_acts: int = 256) -> None:
        self.record = record
        self.max_acts = max_acts
        self._lock = threading.Lock()
        self._queue: list[_Act] = []
        self._leading = False
        self._local = threading.local()
        self.rounds = 0
        """How many transactions recorded acts (for tests and benchmarks)."""

    def save(self, aggregates: Sequence[Any]) -> None:
        """Record the pending events of ``aggregates`` (one act) and return once they are
        committed; raises what recording them on their own would raise."""
        events = [e for a in aggregates for e in a.collect_events()]
        if not events:
            return
        if getattr(self._local, "leading", False):  # a follower recording (re-entrant)
            self.record(events)
            return
        act = _Act(events)
        with self._lock:
            self._queue.append(act)
            waits, self._leading = self._leading, True
        if waits:
            act.wake.wait()  # recorded by a leader, or handed the lead
        if not act.done:
            self._lead()
        if act.error is not None:
            raise act.error

    def _lead(self) -> None:
        """Record what is queued (this thread's act first among them), then wake those
        acts and hand the lead to the first act still queued, if any."""
        with self._lock:
            batch, self._queue = self._queue[: self.max_acts], self._queue[self.max_acts :]
        self._local.leading = True
        try:
            self._commit(batch)
        finally:
            self._local.leading = False
            with self._lock:
                for act in batch:
                    act.done = True
                successor = self._queue[0] if self._queue else None
                self._leading = successor is not None
            for act in batch:
                act.wake.set()
            if successor is not None:
                successor.wake.set()

    def _commit(self, batch: list[_Act]) -> None:
        self.rounds += 1
        if len(batch) == 1:
            self._record_alone(batch[0])
            return
        try:
            self.record([e for act in batch for e in act.events])
        except IntegrityError:
            for act in batch:  # one conflict: each act on its own, each its own outcome
                self._record_alone(act)
        except BaseException as exc:  # nothing of the round was recorded: all fail
            for act in batch:
                act.error = exc

    def _record_alone(self, act: _Act) -> None:
        try:
            self.record(act.events)
        except BaseException as exc:  # handed to the act's own thread
            act.error = exc
