"""The transparency log: every stored event one Merkle leaf, signed checkpoints, proofs.

The log follows the event store's notification log. Each catch-up appends, in one
transaction of the tree store, the leaf rows and the Merkle tiles they change, and
records which notification each leaf came from; so every event becomes exactly one
leaf, exactly once, across crashes and restarts. Checkpoints (C2SP tlog-checkpoint
bodies in C2SP signed notes) are kept forever and never go backwards.

Checkpoints are signed on the write path only: by the follower after an act appended
leaves (in the transaction that appended them, when due: at once with an interval of
0, else at most once per interval), by the server's tick, and by an administrator's
explicit request. Reads never sign: a proof for a leaf no checkpoint covers yet is
:class:`NotYetAnchoredError`.

The log holds no SQL: the node store keeps the tree, ``store/log_records.py`` the
leaves, checkpoints and cosignatures, both in the node store's database; the log opens
the transaction that joins them with :meth:`TreeStore.transaction`.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from credledger.crypto.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint
from credledger.crypto.rfc9162 import HASH_SIZE, leaf_hash
from credledger.crypto.signed_note import (
    CosignatureVerifier,
    NoteSigner,
    open_note,
    parse_note,
)
from credledger.crypto.tlog_tiles import TILE_WIDTH, entry_bundle, tile_width
from credledger.ledger.domain.errors import NotInSignedTreeError, NotYetAnchoredError
from credledger.ledger.log.leaves import leaf_for
from credledger.ledger.store.log_records import (
    LeafRow,
    LogRecords,
    StoredCheckpoint,
    newest_checkpoint_note,
)
from credledger.ledger.store.tree_sqlite import Cursor, TreeStore, TreeStoreError
from eventsourcing.persistence import Notification

__all__ = ["LogRangeError", "StoredCheckpoint", "TransparencyLog", "stored_checkpoint_origin"]

BATCH = 1000
MAX_LEAVES_PER_CALL = 1000


class LogRangeError(ValueError):
    """An index or tree size outside the log (or beyond its newest checkpoint)."""


def stored_checkpoint_origin(tree: TreeStore) -> str | None:
    """The origin line of the newest checkpoint in ``tree``'s database (None if none).

    Read before the log is opened, so a ledger made before identities were recorded
    keeps the origin its checkpoints were signed for.
    """
    note = newest_checkpoint_note(tree)
    return None if note is None else parse_note(note).text.split("\n", 1)[0]


class TransparencyLog:
    """Leaves, Merkle tiles and checkpoints, in the tree store's database; the tiles and
    entry bundles of the signed tree (C2SP tlog-tiles) for readers."""

    def __init__(
        self,
        tree: TreeStore,
        signer: NoteSigner,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        interval: float = 0.0,
        every_leaves: int = 1000,
        witnesses: Sequence[CosignatureVerifier] = (),
    ) -> None:
        self.tree = tree
        self.signer = signer
        self.origin = signer.name
        self.clock = clock
        self.interval = interval
        self.every_leaves = every_leaves
        self.witnesses = {w.name: w for w in witnesses}
        self._lock = threading.Lock()
        self._logged_up_to = 0  # newest notification id known to be logged (a hint only)
        self.records = LogRecords(tree)

    # -- following the event store ----------------------------------------------------------
    def catch_up(self, select: Callable[[int, int], Sequence[Notification]]) -> int:
        """Append a leaf for every stored event not yet in the log, and sign a checkpoint
        over them when one is due (:meth:`checkpoint_if_due`), in the transaction of the
        last batch; returns how many leaves were appended."""
        appended = 0
        with self._lock:
            checked = False  # whether the last transaction signed what was due
            while True:
                # The events after the newest one known logged; read before the write
                # lock, as the other followers of this act read them (a shared read).
                batch = select(self._logged_up_to + 1, BATCH)
                if not batch:
                    break  # nothing new: no write transaction
                with self.tree.transaction() as cur:
                    if not self.records.appender_lock(cur):
                        break  # another process is appending: it logs these
                    size = self.tree.size(cursor=cur)
                    last = self.records.last_notification(cur)
                    if last != self._logged_up_to:  # the hint was behind: read from the log's
                        batch = select(last + 1, BATCH)
                        if not batch:
                            self._logged_up_to = last
                            break
                    self._append(cur, size, batch)
                    tail = checked = len(batch) < BATCH
                    if tail:
                        self._sign_if_due(cur, size + len(batch))
                appended += len(batch)
                self._logged_up_to = batch[-1].id
                if tail:
                    break  # that was the tail: no empty read to find it out
        if appended and not checked:
            self.checkpoint_if_due()  # the last batch held exactly BATCH
        return appended

    def _append(self, cur: Cursor, size: int, batch: Sequence[Notification]) -> None:
        """The leaves of ``batch`` from index ``size`` on: their rows and tiles."""
        rows: list[LeafRow] = []
        hashes: list[bytes] = []
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
        self.records.insert_leaves(cur, rows)
        self.tree.append_leaves(hashes, size, cursor=cur)

    def size(self) -> int:
        return self.tree.size()

    def index_of(self, aggregate: str, version: int) -> int | None:
        return self.records.index_of(aggregate, version)

    def leaves(self, start: int, end: int) -> list[tuple[int, bytes]]:
        """Leaves ``start`` through ``end`` inclusive (as RFC 9162 get-entries), at most 1000."""
        size = self.size()
        if start < 0 or end < start or start >= size:
            raise LogRangeError(f"need 0 <= start <= end and start < {size} (the log size)")
        end = min(end, size - 1, start + MAX_LEAVES_PER_CALL - 1)
        return self.records.leaves(start, end)

    def leaf(self, index: int) -> bytes:
        found = self.leaves(index, index)
        return found[0][1]

    def events_of_leaves(self, start: int, end: int) -> list[tuple[int, int]]:
        """(leaf index, notification id) pairs, for audits that recompute leaves."""
        return self.records.events_of_leaves(start, end)

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

    # -- tiles (C2SP tlog-tiles) ----------------------------------------------------------------
    def tile(self, level: int, index: int, width: int | None = None) -> bytes:
        """Hash tile ``level/index``: whole (``width`` None: 256 hashes) or its first
        ``width`` hashes. Only what the newest signed checkpoint covers is served."""
        want = self._signed_width(level, index, width)
        data = self.tree.read_tile(level, index)
        if data is None or len(data) < want * HASH_SIZE:
            raise TreeStoreError(f"tile {level}/{index} is signed but not stored")
        return data[: want * HASH_SIZE]

    def entries(self, index: int, width: int | None = None) -> bytes:
        """Entry bundle ``index``: the leaves of level-0 tile ``index`` (or its first
        ``width``), each prefixed with its length (big-endian uint16)."""
        want = self._signed_width(0, index, width)
        first = index * TILE_WIDTH
        found = self.records.leaves(first, first + want - 1)
        if len(found) != want:
            raise TreeStoreError(f"entry bundle {index} is signed but not stored")
        return entry_bundle(data for _, data in found)

    def _signed_width(self, level: int, index: int, width: int | None) -> int:
        latest = self.latest_checkpoint()
        want = TILE_WIDTH if width is None else width
        if latest is None or tile_width(level, index, latest.size) < want:
            shown = f"{level}/{index}" + ("" if width is None else f".p/{width}")
            raise NotInSignedTreeError(
                f"the newest signed checkpoint covers no tile {shown} (not yet, or never)"
            )
        return want

    # -- checkpoints --------------------------------------------------------------------------
    def checkpoint_if_due(self) -> StoredCheckpoint | None:
        """Sign the tree head if leaves wait unsigned and a checkpoint is due: with an
        interval of 0 at once; else once ``interval`` seconds passed since the newest
        checkpoint (or ``every_leaves`` leaves wait). Also the very first checkpoint, of
        whatever size. Returns the checkpoint signed, if any. The write path's step."""
        with self._lock:
            if not self._due(self.latest_checkpoint(), self.size()):
                return None
            return self.make_checkpoint()

    def tick(self) -> None:
        """Called periodically (the server's tick): signs what the interval left unsigned."""
        self.checkpoint_if_due()

    def make_checkpoint(self) -> StoredCheckpoint:
        """Sign the current tree head (or return the stored one for this size)."""
        with self.tree.transaction() as cur:
            self.records.appender_lock(cur, wait=True)
            size = self.tree.size(cursor=cur)
            newest = self.records.newest_checkpoint(cur)
            if newest is not None and newest[0].size >= size:
                return newest[0]
            return self._sign(cur, size, newest)

    def _due(self, latest: StoredCheckpoint | None, size: int) -> bool:
        """Whether the log of ``size`` is due a checkpoint after ``latest``."""
        if latest is None:
            return True
        waiting = size - latest.size
        if waiting <= 0:
            return False
        if self.interval > 0 and waiting < self.every_leaves:
            age = self.clock() - datetime.fromisoformat(latest.created_at)
            return age.total_seconds() >= self.interval
        return True

    def _sign_if_due(self, cur: Cursor, size: int) -> StoredCheckpoint | None:
        """:meth:`checkpoint_if_due` in the caller's transaction, the log of ``size``."""
        newest = self.records.newest_checkpoint(cur)
        if not self._due(None if newest is None else newest[0], size):
            return None
        return self._sign(cur, size, newest)

    def _sign(
        self, cur: Cursor, size: int, newest: tuple[StoredCheckpoint, int] | None
    ) -> StoredCheckpoint:
        root = self.tree.root(size, cursor=cur)
        note = sign_checkpoint(Checkpoint(self.origin, size, root), self.signer)
        created = self.clock().astimezone(UTC).isoformat()
        made = StoredCheckpoint(size, root, note, created)
        self.records.insert_checkpoint(cur, made, 1 if newest is None else newest[1] + 1)
        return made

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        found = self.checkpoints(limit=1, newest_first=True)
        return found[0] if found else None

    def checkpoint_at(self, size: int) -> StoredCheckpoint | None:
        return self.records.checkpoint_at(size)

    def checkpoints(
        self, *, limit: int = 100, after: int = -1, newest_first: bool = False
    ) -> list[StoredCheckpoint]:
        return self.records.checkpoints(limit=limit, after=after, newest_first=newest_first)

    def covering_checkpoint(self, index: int) -> StoredCheckpoint:
        """The newest checkpoint, which must cover leaf ``index``. A read: it never signs
        (:class:`NotYetAnchoredError` until the write path's next checkpoint does)."""
        latest = self.latest_checkpoint()
        if latest is None or latest.size <= index:
            raise NotYetAnchoredError(
                f"leaf {index} is in the log but under no signed checkpoint yet",
                retry_after=max(1, math.ceil(self.interval)),
            )
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
        self.records.keep_cosignatures(checkpoint.size, lines)
        return len(lines)

    def cosigned_note(self, stored: StoredCheckpoint) -> str:
        """The checkpoint note with every witness cosignature kept for it appended."""
        return stored.note + "".join(self.records.cosignature_lines(stored.size))

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
