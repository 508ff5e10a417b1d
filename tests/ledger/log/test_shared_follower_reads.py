"""The followers of one catch-up read the event store once per position, not each on
its own; each still ends where the store ends, and a later catch-up reads afresh."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from credledger.ledger.log.follower import Follower, SharedReads


class Store:
    """Notifications 1..n, counting the reads made of them."""

    def __init__(self, n: int) -> None:
        self.events = list(range(1, n + 1))
        self.reads: list[tuple[int, int]] = []

    def select(self, start: int, limit: int) -> Sequence[int]:
        self.reads.append((start, limit))
        return [e for e in self.events if e >= start][:limit]


class Reader:
    """Follows as the log and read models do: a batch from its position, until a batch
    shorter than asked for (the tail) or an empty one."""

    def __init__(self, batch: int = 100) -> None:
        self.position = 0
        self.batch = batch

    def catch_up(self, select: Callable[[int, int], Sequence[Any]]) -> int:
        applied = 0
        while found := select(self.position + 1, self.batch):
            self.position = found[-1]
            applied += len(found)
            if len(found) < self.batch:
                break
        return applied


def test_three_followers_at_one_position_read_each_batch_once() -> None:
    store = Store(5)
    log, model, digests = Reader(), Reader(), Reader()
    Follower(store.select, log, model, digests).catch_up()
    assert log.position == model.position == digests.position == 5
    assert store.reads == [(1, 100)]


def test_followers_of_a_full_batch_read_on_until_the_tail() -> None:
    store = Store(4)
    log, model, digests = Reader(batch=2), Reader(batch=2), Reader(batch=2)
    Follower(store.select, log, model, digests).catch_up()
    assert log.position == model.position == digests.position == 4
    assert store.reads == [(1, 2), (3, 2), (5, 2)]


def test_a_probe_after_a_batch_is_answered_from_the_batch() -> None:
    store = Store(3)
    select = SharedReads(store.select)
    assert select(1, 100) == [1, 2, 3]
    assert select(1, 1) == [1]
    assert store.reads == [(1, 100)]


def test_asking_for_more_than_a_full_first_answer_reads_again() -> None:
    store = Store(10)
    select = SharedReads(store.select)
    assert select(1, 2) == [1, 2]
    assert select(1, 5) == [1, 2, 3, 4, 5]
    assert store.reads == [(1, 2), (1, 5)]


def test_a_short_answer_is_all_there_was_for_any_limit() -> None:
    store = Store(3)
    select = SharedReads(store.select)
    assert select(2, 10) == [2, 3]
    assert select(2, 50) == [2, 3]
    assert store.reads == [(2, 10)]


def test_followers_behind_the_others_read_from_their_own_position() -> None:
    store = Store(4)
    log, model, digests = Reader(), Reader(), Reader()
    model.position = 2  # it had applied two before
    Follower(store.select, log, model, digests).catch_up()
    assert log.position == model.position == digests.position == 4
    assert store.reads == [(1, 100), (3, 100)]


def test_each_catch_up_reads_afresh() -> None:
    store = Store(2)
    log, model, digests = Reader(), Reader(), Reader()
    follower = Follower(store.select, log, model, digests)
    follower.catch_up()
    store.events.append(3)
    follower.catch_up()
    assert log.position == model.position == digests.position == 3
