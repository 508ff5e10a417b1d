"""How the read model and the digest index follow the events: a batch and its position
in one transaction, the batch read before the write lock and applied only if no other
process moved the position meanwhile; a short batch is the tail."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from credledger.ledger.store.projection_follow import follow_in_batches, stored_position


@dataclass(frozen=True)
class Event:
    id: int


def projection(path: Path) -> sqlite3.Connection:
    """A projection's file: its position and one row per applied event (applying one
    twice fails on the primary key)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS position (name TEXT PRIMARY KEY, notification_id)")
    conn.execute("CREATE TABLE IF NOT EXISTS applied (id INTEGER PRIMARY KEY)")
    return conn


def applier(conn: sqlite3.Connection) -> Callable[[Sequence[Any]], None]:
    return lambda batch: conn.executemany(
        "INSERT INTO applied VALUES (?)", [(e.id,) for e in batch]
    )


class Store:
    def __init__(self, n: int) -> None:
        self.events = [Event(i) for i in range(1, n + 1)]
        self.reads: list[tuple[int, int]] = []

    def select(self, start: int, limit: int) -> list[Event]:
        self.reads.append((start, limit))
        return [e for e in self.events if e.id >= start][:limit]


def applied(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM applied ORDER BY id")]


def test_a_projection_applies_every_event_and_keeps_its_position(tmp_path: Path) -> None:
    conn, store = projection(tmp_path / "p.sqlite"), Store(5)
    assert follow_in_batches(conn, store.select, applier(conn), 2) == 5
    assert applied(conn) == [1, 2, 3, 4, 5]
    assert stored_position(conn) == 5
    assert store.reads == [(1, 2), (3, 2), (5, 2)]  # the short batch was the tail


def test_nothing_new_is_one_read_and_no_transaction(tmp_path: Path) -> None:
    conn, store = projection(tmp_path / "p.sqlite"), Store(0)
    assert follow_in_batches(conn, store.select, applier(conn), 10) == 0
    assert store.reads == [(1, 10)]
    assert stored_position(conn) == 0


def test_a_batch_another_process_applied_meanwhile_is_not_applied_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "p.sqlite"
    ours, theirs = projection(path), projection(path)
    store = Store(3)

    def select_while_the_other_process_catches_up(start: int, limit: int) -> list[Event]:
        found = store.select(start, limit)
        if len(store.reads) == 1:  # between our read and our write lock
            assert follow_in_batches(theirs, store.select, applier(theirs), limit) == 3
        return found

    applied_here = follow_in_batches(
        ours, select_while_the_other_process_catches_up, applier(ours), 10
    )
    assert applied_here == 0
    assert applied(ours) == [1, 2, 3]
    assert stored_position(ours) == 3


def test_a_failed_batch_changes_nothing(tmp_path: Path) -> None:
    conn, store = projection(tmp_path / "p.sqlite"), Store(3)

    def failing(batch: Sequence[Any]) -> None:
        applier(conn)(batch)
        raise RuntimeError("the projection failed")

    with pytest.raises(RuntimeError):
        follow_in_batches(conn, store.select, failing, 10)
    assert applied(conn) == []
    assert stored_position(conn) == 0
    assert follow_in_batches(conn, store.select, applier(conn), 10) == 3
