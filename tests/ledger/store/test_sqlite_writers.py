"""Threads of one process that write to one SQLite database queue for its write lock in
the process, each woken when the one before commits, instead of polling SQLite's busy
handler (which sleeps up to 100 ms between tries); other processes still meet SQLite's
own lock."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from credledger.ledger.store.sqldb import SQLiteDatabase


def _without_busy_waiting(db: SQLiteDatabase) -> None:
    """This thread's connection fails at once on a held lock instead of waiting."""
    db._connection().execute("PRAGMA busy_timeout = 0")


def test_a_second_thread_waits_for_the_first_writer_and_then_commits(tmp_path: Path) -> None:
    db = SQLiteDatabase(tmp_path / "w.sqlite")
    with db.transaction() as cur:
        cur.execute("CREATE TABLE t (n INTEGER)")
    inside, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first() -> None:
        _without_busy_waiting(db)
        with db.transaction() as cur:
            cur.execute("INSERT INTO t VALUES (1)")
            inside.set()
            release.wait(5)

    def second() -> None:
        _without_busy_waiting(db)
        inside.wait(5)
        try:
            with db.transaction() as cur:
                cur.execute("INSERT INTO t VALUES (2)")
        except BaseException as exc:  # "database is locked" without the queue
            failures.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    inside.wait(5)
    release.set()
    for t in threads:
        t.join(10)
    assert failures == []
    assert sorted(r[0] for r in db.read_all("SELECT n FROM t")) == [1, 2]
    db.close()


def test_a_nested_write_transaction_in_one_thread_still_fails(tmp_path: Path) -> None:
    db = SQLiteDatabase(tmp_path / "n.sqlite")
    with db.transaction(), pytest.raises(Exception, match="within a transaction"):  # noqa: SIM117
        with db.transaction():
            pass
    db.close()


def test_another_process_meets_sqlites_own_lock(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    db = SQLiteDatabase(path)
    other = SQLiteDatabase(path)  # another connection pool, as another process has
    with db.transaction() as cur:
        cur.execute("CREATE TABLE t (n INTEGER)")
    other._connection().execute("PRAGMA busy_timeout = 0")
    with db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(Exception, match="locked"), other.transaction():
            pass
    db.close()
    other.close()
