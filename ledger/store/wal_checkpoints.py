"""Checkpointing a SQLite database's write-ahead log in a thread of its own.

By default SQLite copies the WAL back into the database file (a checkpoint) at the end
of the commit that takes the WAL past 1,000 pages, in the committing thread, which then
waits for two fsyncs (the WAL's and the database file's) while every other writer of
the process queues behind it. Here commits never checkpoint (``wal_autocheckpoint = 0``
on the writers' connections): a thread of the database's own runs a PASSIVE checkpoint
(it never blocks a writer or a reader) after every ``every`` commits, the arrangement
SQLite documents as application-initiated checkpoints (https://sqlite.org/wal.html).

Nothing is at risk from it: the WAL holds every commit until a checkpoint has copied
it, and a crash at any moment is recovered from the WAL as before. Should the thread
fall behind or be unable to run, the committer checkpoints itself again once the
commits since the last checkpoint reach :data:`BACKSTOP` times ``every``, so the WAL
stays bounded whatever happens to the thread.
"""

from __future__ import annotations

import sqlite3
import threading

__all__ = ["BACKSTOP", "EVERY", "WalCheckpointer"]

EVERY = 64
"""Commits between checkpoints: an act's commit writes a few pages, so a checkpoint
copies some hundreds (SQLite's own threshold is 1,000 pages)."""

BACKSTOP = 16
"""Commits without a checkpoint, in multiples of ``every``, after which the committer
checkpoints itself."""


class WalCheckpointer:
    """Checkpoints the WAL of the SQLite database at ``path`` after every ``every``
    commits this process reports, in a daemon thread started on the first need."""

    def __init__(self, path: str, every: int = EVERY) -> None:
        if every < 1:
            raise ValueError("a checkpoint needs at least one commit before it")
        self.path, self.every = path, every
        self._lock = threading.Lock()
        self._due = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._pending = 0  # commits since the thread was last woken
        self._unchecked = 0  # commits since a checkpoint last ran

    def committed(self) -> bool:
        """Note a write transaction's commit; True when the committer must checkpoint
        itself (the thread has fallen :data:`BACKSTOP` rounds behind, or cannot run)."""
        with self._lock:
            self._unchecked += 1
            if self._unchecked >= BACKSTOP * self.every:
                self._unchecked = 0
                return True
            self._pending += 1
            if self._pending < self.every or self._stopping:
                return False
            self._pending = 0
            if not self._running():
                return False  # the backstop above keeps the WAL bounded meanwhile
        self._due.set()
        return False

    def close(self) -> None:
        """Stop the thread (after the checkpoint it may be running); a commit reported
        later starts it again."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stopping = True
        if thread is not None:
            self._due.set()
            thread.join()
        with self._lock:
            self._stopping = False
            self._due.clear()

    def _running(self) -> bool:
        """Whether the thread runs, starting it if not (also after a fork, which leaves
        the child without it). Called with the lock held."""
        if self._thread is not None and self._thread.is_alive():
            return True
        thread = threading.Thread(
            target=self._run, name=f"wal-checkpoints {self.path}", daemon=True
        )
        try:
            thread.start()
        except RuntimeError:  # no thread to be had: the committers' backstop remains
            return False
        self._thread = thread
        return True

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return
        try:
            while True:
                self._due.wait()
                self._due.clear()
                if self._stopping:
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error:
                    continue  # tried again on the next round; the backstop bounds the WAL
                with self._lock:
                    self._unchecked = 0
        finally:
            conn.close()
