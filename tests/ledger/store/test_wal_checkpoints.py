"""A SQLite database's commits leave the WAL's checkpoints to a thread of its own: no
commit waits for the copy into the database file and its fsyncs, yet the WAL is copied
back after every few commits, and stays bounded should that thread be unable to run."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from credledger.ledger.store.sqldb import SQLiteDatabase
from credledger.ledger.store.wal_checkpoints import BACKSTOP, WalCheckpointer

PAGE = b"\x5a" * 4096  # a page's worth of row a commit


def _database(tmp_path: Path, every: int) -> tuple[SQLiteDatabase, Path]:
    path = tmp_path / "w.sqlite"
    db = SQLiteDatabase(path, checkpoint_every=every)
    with db.transaction() as cur:
        cur.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, data BLOB)")
    return db, path


def _commit(db: SQLiteDatabase, n: int) -> None:
    with db.transaction() as cur:
        cur.execute("INSERT INTO t VALUES (?, ?)", (n, PAGE))


def _threads(path: Path) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"wal-checkpoints {path}"]


def _until(condition: object, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def test_a_commit_does_not_copy_the_wal_into_the_database_itself(tmp_path: Path) -> None:
    db, path = _database(tmp_path, every=10_000)  # the thread is never woken here
    before = path.stat().st_size
    for n in range(300):  # past SQLite's own threshold of 1,000 pages
        _commit(db, n)
    assert path.stat().st_size == before  # the rows are in the WAL only
    assert len(db.read_all("SELECT n FROM t")) == 300
    db.close()


def test_the_thread_copies_the_wal_after_every_few_commits(tmp_path: Path) -> None:
    db, path = _database(tmp_path, every=8)
    before = path.stat().st_size
    for n in range(8):
        _commit(db, n)
    assert _until(lambda: path.stat().st_size > before)
    assert len(_threads(path)) == 1
    db.close()


def test_closing_the_database_stops_its_thread(tmp_path: Path) -> None:
    db, path = _database(tmp_path, every=2)
    for n in range(4):
        _commit(db, n)
    assert len(_threads(path)) == 1
    db.close()
    assert _threads(path) == []


def test_a_database_reopened_after_close_checkpoints_again(tmp_path: Path) -> None:
    db, path = _database(tmp_path, every=4)
    for n in range(4):
        _commit(db, n)
    db.close()
    size = path.stat().st_size
    for n in range(4, 12):
        _commit(db, n)
    assert _until(lambda: path.stat().st_size > size)
    db.close()


def test_without_its_thread_the_committer_checkpoints_at_the_backstop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WalCheckpointer, "_running", lambda self: False)  # no thread to be had
    db, path = _database(tmp_path, every=2)
    before = path.stat().st_size
    for n in range(BACKSTOP * 2 - 2):  # the table's creation was the first commit
        _commit(db, n)
    assert path.stat().st_size == before
    _commit(db, 10_000)
    assert path.stat().st_size > before + (BACKSTOP * 2 - 2) * len(PAGE)
    assert _threads(path) == []
    db.close()


def test_a_read_only_database_has_no_checkpointer(tmp_path: Path) -> None:
    db, path = _database(tmp_path, every=2)
    db.close()
    reader = SQLiteDatabase(path, read_only=True)
    assert reader.read_one("SELECT count(*) FROM t") == (0,)
    reader.close()
    assert _threads(path) == []


def test_every_must_be_at_least_one_commit() -> None:
    with pytest.raises(ValueError, match="at least one commit"):
        WalCheckpointer("x.sqlite", every=0)


def test_writers_on_many_threads_lose_nothing_while_the_thread_checkpoints(
    tmp_path: Path,
) -> None:
    db, path = _database(tmp_path, every=3)
    before = path.stat().st_size
    failures: list[BaseException] = []

    def write(first: int) -> None:
        try:
            for n in range(first, first + 40):
                _commit(db, n)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(k * 1000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert failures == []
    assert _until(lambda: path.stat().st_size > before)
    assert db.read_one("SELECT count(*) FROM t") == (160,)
    assert db.read_one("PRAGMA integrity_check") == ("ok",)
    db.close()
