"""The transparency log: every stored event one Merkle leaf, signed checkpoints, proofs.

The log follows the event store's notification log. Each catch-up appends, in one
transaction of the tree store, the leaf rows and the Merkle nodes they complete, and
records which notification each leaf came from; so every event becomes exactly one
leaf, exactly once, across crashes and restarts. Checkpoints (C2SP tlog-checkpoint
bodies in C2SP signed notes) are kept forever and never go backwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from credledger.crypto.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint
from credledger.crypto.rfc9162 import leaf_hash
from credledger.crypto.signed_note import (
    CosignatureVerifier,
    NoteSigner,
    open_note,
    parse_note,
)
from credledger.ledger.log.checkpoint_numbers import add_numbers
from credledger.ledger.log.leaves import leaf_for
from credledger.ledger.store.tree_sqlite import Cursor, TreeStore
from eventsourcing.persistence import Notification

BATCH = 1000
APPENDER_LOCK = 0x63726564  # "cred": the advisory lock key of the log appender
MAX_LEAVES_PER_CALL = 1000


class LogRangeError(ValueError):
    """An index or tree size outside the log (or beyond its newest checkpoint)."""


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root_hash: bytes
    note: str
    created_at: str


def stored_checkpoint_origin(tree: TreeStore) -> str | None:
    """The origin line of the newest checkpoint in ``tree``'s database (None if none).

    Read before the log is opened, so a ledger made before identities were recorded
    keeps the origin its checkpoints were signed for.
    """
    table = tree.nodes_table.removesuffix("merkle_nodes") + "log_checkpoints"
    exists = (
        "SELECT to_regclass(%s) IS NOT NULL"
        if tree.placeholder == "%s"
        else "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)"
    )
    with tree.transaction(write=False) as cur:
        cur.execute(exists, (table,))
        if not cur.fetchone()[0]:
            return None
        cur.execute(f"SELECT note FROM {table} ORDER BY size DESC LIMIT 1")
        row = cur.fetchone()
    if row is None:
        return None
    return parse_note(str(row[0])).text.split("\n", 1)[0]


class TransparencyLog:
    """Leaves, Merkle nodes and checkpoints, in the tree store's database."""

    def __init__(
        self,
        tree: TreeStore,
        signer: NoteSigner,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        every_leaves: int = 1000,
        every_seconds: float = 60.0,
        witnesses: Sequence[CosignatureVerifier] = (),
    ) -> None:
        self.tree = tree
        self.signer = signer
        self.origin = signer.name
        self.clock = clock
        self.every_leaves = every_leaves
        self.every_seconds = every_seconds
        self.witnesses = {w.name: w for w in witnesses}
        self._lock = threading.Lock()
        self._logged_up_to = 0  # newest notification id known to be logged (a hint only)
        p = tree.nodes_table.removesuffix("merkle_nodes")
        self.leaves_table = f"{p}log_leaves"
        self.checkpoints_table = f"{p}log_checkpoints"
        self.cosignatures_table = f"{p}log_cosignatures"
        blob = "BYTEA" if tree.placeholder == "%s" else "BLOB"
        with tree.transaction() as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.leaves_table} (idx BIGINT PRIMARY KEY, "
                f"notification_id BIGINT NOT NULL UNIQUE, aggregate TEXT NOT NULL, "
                f"version BIGINT NOT NULL, data {blob} NOT NULL)"
            )
            cur.execute(
                f"CREATE INDEX IF NOT EXISTS {self.leaves_table}_aggregate "
                f"ON {self.leaves_table} (aggregate, version)"
            )
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.checkpoints_table} (size BIGINT PRIMARY KEY, "
                f"root {blob} NOT NULL, note TEXT NOT NULL, created_at TEXT NOT NULL)"
            )
            add_numbers(cur, self.checkpoints_table, postgres=tree.placeholder == "%s")
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.cosignatures_table} (size BIGINT NOT NULL, "
                f"name TEXT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (size, name))"
            )

    def _q(self, sql: str) -> str:
        return sql.replace("?", self.tree.placeholder)

    # -- following the event store ----------------------------------------------------------
    def catch_up(self, select: Callable[[int, int], Sequence[Notification]]) -> int:
        """Append a leaf for every stored event not yet in the log; returns how many."""
        appended = 0
        if not select(self._logged_up_to + 1, 1):
            return 0  # nothing new: no lock, no write transaction
        with self._lock:
            while True:
                with self.tree.transaction() as cur:
                    if not self._appender_lock(cur):
                        break  # another process is appending: it will log these events
                    size = self.tree.size(cursor=cur)
                    last = self._last_notification(cur)
                    batch = select(last + 1, BATCH)
                    if not batch:
                        self._logged_up_to = last
                        break
                    rows, hashes = [], []
                    for offset, notification in enumerate(batch):
                        data = leaf_for(size + offset, notification)
                        rows.append(
                            (
                                size + offset,
                                notification.id,
                                str(notification.originator_id),
                                notification.originator_version,
                                data,
                            )
                        )
                        hashes.append(leaf_hash(data))
                    cur.executemany(
                        self._q(
                            f"INSERT INTO {self.leaves_table} "
                            "(idx, notification_id, aggregate, version, data) "
                            "VALUES (?, ?, ?, ?, ?)"
                        ),
                        rows,
                    )
                    self.tree.append_leaves(hashes, size, cursor=cur)
                    appended += len(batch)
                self._logged_up_to = batch[-1].id
                if len(batch) < BATCH:
                    break  # that was the tail: no empty transaction to find it out
            if appended:
                self._checkpoint_if_due()
        return appended

    def _appender_lock(self, cur: Cursor, *, wait: bool = False) -> bool:
        """One appender or signer at a time across processes (a PostgreSQL advisory lock
        held until the transaction ends, so a process that dies releases it at once);
        SQLite's BEGIN IMMEDIATE already serialises writers."""
        if self.tree.placeholder != "%s":
            return True
        function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        cur.execute(f"SELECT {function}(%s)", (APPENDER_LOCK,))
        row = cur.fetchone()
        return wait or bool(row and row[0])

    def _last_notification(self, cur: Cursor) -> int:
        cur.execute(f"SELECT MAX(notification_id) FROM {self.leaves_table}")
        row = cur.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def size(self) -> int:
        return self.tree.size()

    def index_of(self, aggregate: str, version: int) -> int | None:
        with self.tree.transaction(write=False) as cur:
            cur.execute(
                self._q(f"SELECT idx FROM {self.leaves_table} WHERE aggregate = ? AND version = ?"),
                (aggregate, version),
            )
            row = cur.fetchone()
        return None if row is None else int(row[0])

    def leaves(self, start: int, end: int) -> list[tuple[int, bytes]]:
        """Leaves ``start`` through ``end`` inclusive (as RFC 9162 get-entries), at most 1000."""
        size = self.size()
        if start < 0 or end < start or start >= size:
            raise LogRangeError(f"need 0 <= start <= end and start < {size} (the log size)")
        end = min(end, size - 1, start + MAX_LEAVES_PER_CALL - 1)
        with self.tree.transaction(write=False) as cur:
            cur.execute(
                self._q(
                    f"SELECT idx, data FROM {self.leaves_table} WHERE idx >= ? AND idx <= ? "
                    "ORDER BY idx"
                ),
                (start, end),
            )
            return [(int(r[0]), bytes(r[1])) for r in cur.fetchall()]

    def leaf(self, index: int) -> bytes:
        found = self.leaves(index, index)
        return found[0][1]

    def events_of_leaves(self, start: int, end: int) -> list[tuple[int, int]]:
        """(leaf index, notification id) pairs, for audits that recompute leaves."""
        with self.tree.transaction(write=False) as cur:
            cur.execute(
                self._q(
                    f"SELECT idx, notification_id FROM {self.leaves_table} "
                    "WHERE idx >= ? AND idx < ? ORDER BY idx"
                ),
                (start, end),
            )
            return [(int(r[0]), int(r[1])) for r in cur.fetchall()]

    # -- proofs -------------------------------------------------------------------------------
    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        self._check_size(size)
        if not 0 <= index < size:
            raise LogRangeError(f"need 0 <= index < size, got index {index}, size {size}")
        return self.tree.inclusion_proof(index, size)

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        self._check_size(second)
        if not 0 < first <= second:
            raise LogRangeError(
                f"need 0 < first <= second, got {first} and {second} "
                "(every tree is consistent with the empty one; there is no proof to give)"
            )
        return self.tree.consistency_proof(first, second)

    def root(self, size: int) -> bytes:
        self._check_size(size)
        return self.tree.root(size)

    def _check_size(self, size: int) -> None:
        current = self.size()
        if not 0 <= size <= current:
            raise LogRangeError(f"the log has {current} leaves; size {size} is out of range")

    # -- checkpoints --------------------------------------------------------------------------
    def _checkpoint_if_due(self) -> None:
        latest = self.latest_checkpoint()
        size = self.size()
        if latest is None:
            self.make_checkpoint()
            return
        if size - latest.size >= self.every_leaves:
            self.make_checkpoint()
            return
        age = self.clock() - datetime.fromisoformat(latest.created_at)
        if size > latest.size and age.total_seconds() >= self.every_seconds:
            self.make_checkpoint()

    def tick(self) -> None:
        """Called periodically: makes the time-based checkpoint when one is due."""
        with self._lock:
            if self.size():
                self._checkpoint_if_due()

    def make_checkpoint(self) -> StoredCheckpoint:
        """Sign the current tree head (or return the stored one for this size)."""
        with self.tree.transaction() as cur:
            self._appender_lock(cur, wait=True)
            size = self.tree.size(cursor=cur)
            cur.execute(
                self._q(
                    f"SELECT size, root, note, created_at, number FROM {self.checkpoints_table} "
                    "ORDER BY size DESC LIMIT 1"
                )
            )
            row = cur.fetchone()
            if row is not None and int(row[0]) >= size:
                return StoredCheckpoint(int(row[0]), bytes(row[1]), str(row[2]), str(row[3]))
            root = self.tree.root(size, cursor=cur)
            note = sign_checkpoint(Checkpoint(self.origin, size, root), self.signer)
            created = self.clock().astimezone(UTC).isoformat()
            number = 1 if row is None else int(row[4]) + 1
            cur.execute(
                self._q(
                    f"INSERT INTO {self.checkpoints_table} (size, root, note, created_at, number) "
                    "VALUES (?, ?, ?, ?, ?)"
                ),
                (size, root, note, created, number),
            )
            return StoredCheckpoint(size, root, note, created)

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        found = self.checkpoints(limit=1, newest_first=True)
        return found[0] if found else None

    def checkpoint_at(self, size: int) -> StoredCheckpoint | None:
        with self.tree.transaction(write=False) as cur:
            cur.execute(
                self._q(
                    f"SELECT size, root, note, created_at FROM {self.checkpoints_table} "
                    "WHERE size = ?"
                ),
                (size,),
            )
            row = cur.fetchone()
        return None if row is None else StoredCheckpoint(int(row[0]), bytes(row[1]), row[2], row[3])

    def checkpoints(
        self, *, limit: int = 100, after: int = -1, newest_first: bool = False
    ) -> list[StoredCheckpoint]:
        order = "DESC" if newest_first else "ASC"
        with self.tree.transaction(write=False) as cur:
            cur.execute(
                self._q(
                    f"SELECT size, root, note, created_at FROM {self.checkpoints_table} "
                    f"WHERE size > ? ORDER BY size {order} LIMIT ?"
                ),
                (after, limit),
            )
            rows = cur.fetchall()
        return [StoredCheckpoint(int(r[0]), bytes(r[1]), str(r[2]), str(r[3])) for r in rows]

    def covering_checkpoint(self, index: int) -> StoredCheckpoint:
        """The newest checkpoint, made anew first if it does not yet cover leaf ``index``."""
        latest = self.latest_checkpoint()
        if latest is None or latest.size <= index:
            latest = self.make_checkpoint()
        return latest

    # -- witnesses -------------------------------------------------------------------------
    def add_cosignatures(self, note: str) -> int:
        """Keep the configured witnesses' valid cosignatures on one of our checkpoints."""
        parsed = parse_note(note)
        checkpoint = parse_checkpoint(parsed.text, origin=self.origin)
        stored = self.checkpoint_at(checkpoint.size)
        if stored is None or parse_note(stored.note).text != parsed.text:
            raise LogRangeError("that is not a checkpoint this log published")
        if not self.witnesses:
            raise LogRangeError("this log has no witnesses configured")
        opened = open_note(note, list(self.witnesses.values()))
        lines = {s.name: s.line() for s in opened.signatures if s.name in self.witnesses}
        with self.tree.transaction() as cur:
            for name, line in lines.items():
                cur.execute(
                    self._q(
                        f"INSERT INTO {self.cosignatures_table} (size, name, line) "
                        "VALUES (?, ?, ?) "
                        "ON CONFLICT (size, name) DO UPDATE SET line = excluded.line"
                    ),
                    (checkpoint.size, name, line),
                )
        return len(lines)

    def cosigned_note(self, stored: StoredCheckpoint) -> str:
        """The checkpoint note with every witness cosignature kept for it appended."""
        with self.tree.transaction(write=False) as cur:
            cur.execute(
                self._q(f"SELECT line FROM {self.cosignatures_table} WHERE size = ? ORDER BY name"),
                (stored.size,),
            )
            lines = [str(r[0]) for r in cur.fetchall()]
        return stored.note + "".join(lines)

    @property
    def vkey(self) -> str:
        return self.signer.verifier().vkey()

    def describe(self) -> dict[str, Any]:
        latest = self.latest_checkpoint()
        return {
            "origin": self.origin,
            "size": self.size(),
            "checkpoint": latest.size if latest else None,
        }
