"""Group commit: concurrent acts share a transaction; each is acknowledged only after its
commit, and one act's conflict or failure is its own."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest
from credledger.ledger.store.group_commit import GroupCommit
from eventsourcing.persistence import IntegrityError


class Aggregate:
    """Stands for an aggregate: its pending events, collected once."""

    def __init__(self, *events: str) -> None:
        self.pending = list(events)

    def collect_events(self) -> list[str]:
        events, self.pending = self.pending, []
        return events


class Recorder:
    """Records rounds like a store: all or nothing, slowly (a commit's fsync)."""

    def __init__(self, delay: float = 0.0, refuse: str | None = None) -> None:
        self.delay, self.refuse = delay, refuse
        self.transactions: list[list[str]] = []
        self.lock = threading.Lock()

    def __call__(self, events: Sequence[Any]) -> None:
        time.sleep(self.delay)
        if self.refuse is not None and self.refuse in events:
            raise IntegrityError("conflict")
        if "broken" in events:
            raise OSError("disk full")
        with self.lock:
            self.transactions.append(list(events))

    @property
    def recorded(self) -> list[str]:
        return [e for t in self.transactions for e in t]


def run_concurrently(commits: GroupCommit, acts: list[Aggregate]) -> dict[int, BaseException]:
    errors: dict[int, BaseException] = {}
    start = threading.Barrier(len(acts))

    def act(i: int) -> None:
        start.wait()
        try:
            commits.save([acts[i]])
        except BaseException as exc:  # collected for the test to look at
            errors[i] = exc

    threads = [threading.Thread(target=act, args=(i,)) for i in range(len(acts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_one_act_alone_is_one_transaction() -> None:
    recorder = Recorder()
    commits = GroupCommit(recorder)
    commits.save([Aggregate("a1", "a2"), Aggregate("b1")])
    assert recorder.transactions == [["a1", "a2", "b1"]]


def test_an_act_without_events_records_nothing() -> None:
    recorder = Recorder()
    GroupCommit(recorder).save([Aggregate()])
    assert recorder.transactions == []


def test_concurrent_acts_share_transactions_and_each_is_recorded_once() -> None:
    recorder = Recorder(delay=0.02)
    commits = GroupCommit(recorder)
    acts = [Aggregate(f"e{i}") for i in range(40)]
    assert run_concurrently(commits, acts) == {}
    assert sorted(recorder.recorded) == sorted(f"e{i}" for i in range(40))
    assert len(recorder.transactions) < 40
    assert commits.rounds == len(recorder.transactions)


def test_an_act_returns_only_after_its_transaction_committed() -> None:
    recorder = Recorder(delay=0.05)
    commits = GroupCommit(recorder)
    acts = [Aggregate(f"e{i}") for i in range(8)]
    seen: list[bool] = []

    def check(i: int) -> None:
        commits.save([acts[i]])
        seen.append(f"e{i}" in recorder.recorded)

    threads = [threading.Thread(target=check, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert seen == [True] * 8


def test_one_acts_conflict_is_its_own_and_the_others_are_recorded() -> None:
    recorder = Recorder(delay=0.02, refuse="conflicting")
    commits = GroupCommit(recorder)
    acts = [Aggregate(f"e{i}") for i in range(10)] + [Aggregate("conflicting")]
    errors = run_concurrently(commits, acts)
    assert list(errors) == [10]
    assert isinstance(errors[10], IntegrityError)
    assert sorted(recorder.recorded) == sorted(f"e{i}" for i in range(10))


def test_a_failed_transaction_fails_every_act_of_its_round() -> None:
    recorder = Recorder()
    commits = GroupCommit(recorder)
    with pytest.raises(OSError, match="disk full"):
        commits.save([Aggregate("broken")])
    assert recorder.transactions == []


def test_a_save_made_while_recording_goes_straight_through() -> None:
    """A follower that records while the round commits must not wait for itself."""
    transactions: list[list[str]] = []
    commits: GroupCommit

    def record(events: Sequence[Any]) -> None:
        transactions.append(list(events))
        if "outer" in events:
            commits.save([Aggregate("inner")])

    commits = GroupCommit(record)
    commits.save([Aggregate("outer")])
    assert transactions == [["outer"], ["inner"]]
