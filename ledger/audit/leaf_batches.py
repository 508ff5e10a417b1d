"""Checking the log's leaves against their events, a batch at a time, here or in workers.

A batch is the stored leaves ``[start, end)`` and the events they record: those after
event ``after`` (the one the leaf before ``start`` records) up to the one its last leaf
records. Each leaf must record the next event, once, and be the leaf recomputed from it
(``LeafRecomputer``); the batch's leaf hashes go back to the tree replay.

Batches need nothing from one another, so with ``jobs`` above one and a log of at least
:data:`PARALLEL_FROM` leaves they are checked in worker processes (spawned, each
opening the store read-only itself, as a fresh auditor would) while the parent replays
the tree, tiles and checkpoints from their hashes in log order; the first discrepancy in
log order is the one reported, as when checked here.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from credledger.crypto.checkpoint import open_checkpoint
from credledger.crypto.errors import CryptoError
from credledger.crypto.signed_note import NoteVerifier
from credledger.ledger.audit.events import EventReader, LeafRecomputer, match_events, open_events
from credledger.ledger.audit.log_tables import LogTablesReader
from credledger.ledger.audit.replay import Prechecked, TreeReplay, check_consistency, open_signed
from credledger.ledger.audit.report import AuditSetupError, Discrepancy
from credledger.ledger.store.settings import Settings

__all__ = ["PARALLEL_FROM", "LeafBatches", "batch_ranges", "default_jobs", "worth_workers"]

PARALLEL_FROM = 50_000
"""Least work (in leaves) for which worker processes pay for their start (about half a
second): :func:`worth_workers`."""

BatchResult = tuple[list[bytes], int]
"""A batch's leaf hashes, and the id of the event its last leaf records."""


def default_jobs() -> int:
    """One worker per processor this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


WORKER_LEAVES = 5000
"""About how many leaves one worker task checks (several batches, when checkpoints cut
the log finely)."""

CHECKPOINT_WORK = 20
"""About how many leaves' checking one checkpoint's costs (its signature, its proof)."""


def worth_workers(jobs: int, leaves: int, checkpoints: int) -> bool:
    """Whether worker processes pay for a log of ``leaves`` leaves and ``checkpoints``
    checkpoints (a ledger that signs one per act has nearly as many as leaves)."""
    return jobs > 1 and leaves + CHECKPOINT_WORK * checkpoints >= PARALLEL_FROM


def batch_ranges(size: int, batch: int, stops: list[int]) -> Iterator[tuple[int, int]]:
    """``[start, end)`` ranges of at most ``batch`` leaves covering ``size``, cut at every
    tree size in ``stops`` (a checkpoint's), so each checkpoint falls on a batch's end."""
    pending = sorted({s for s in stops if 0 < s < size})
    done = i = 0
    while done < size:
        while i < len(pending) and pending[i] <= done:
            i += 1
        end = min(done + batch, size, pending[i] if i < len(pending) else size)
        yield done, end
        done = end


def leaf_rows(tables: LogTablesReader, start: int, end: int) -> list[Any]:
    """The stored leaves ``start`` to ``end`` (exclusive), every one of them."""
    rows = tables.query(
        f"SELECT idx, notification_id, aggregate, version, data FROM {tables.t.leaves} "
        "WHERE idx >= ? AND idx < ? ORDER BY idx",
        (start, end),
    )
    if len(rows) != end - start:  # idx is the primary key: a short range has a gap
        have = {int(r[0]) for r in rows}
        missing = next(i for i in range(start, end) if i not in have)
        raise Discrepancy("leaf-missing", f"leaf {missing} is not stored", leaf=missing)
    return rows


def check_batch(
    tables: LogTablesReader,
    events: EventReader,
    recompute: LeafRecomputer,
    start: int,
    end: int,
    after: int,
) -> BatchResult:
    """Check the leaves ``[start, end)`` against the events after ``after``."""
    rows = leaf_rows(tables, start, end)
    found = events.rows(after + 1, int(rows[-1][1]))
    match_events(rows, found)
    check, sha256 = recompute.check, hashlib.sha256
    hashes = []
    for (idx, _, _, _, data), event in zip(rows, found, strict=True):
        stored = bytes(data)
        check(idx, event, stored)
        hashes.append(sha256(b"\x00" + stored).digest())
    return hashes, int(rows[-1][1])


class LeafBatches:
    """Checks batches in order: in this process, or ahead of time in worker processes."""

    def __init__(
        self,
        settings: Settings,
        tables: LogTablesReader,
        events: EventReader,
        jobs: int,
        replay: TreeReplay | None = None,
        log_key: str | None = None,
    ) -> None:
        """With ``replay`` and its ``log_key``, workers also verify the signatures of the
        checkpoints that fall in their batches, and the consistency proofs between them,
        for ``replay`` to take (it checks each root against the tree it rebuilds)."""
        self.tables, self.events, self.jobs = tables, events, jobs
        self.settings, self.replay, self.log_key = settings, replay, log_key
        self.recompute = LeafRecomputer()
        self._notes = replay.notes() if replay is not None and not replay.witnesses else []
        self._sizes = [size for size, _ in self._notes]

    def results(self, ranges: list[tuple[int, int]]) -> Iterator[BatchResult]:
        """Each range's result, in order; raises the first range's Discrepancy."""
        if not ranges or not worth_workers(self.jobs, ranges[-1][1], len(self._notes)):
            yield from self._alone(ranges, 0)
        else:
            yield from self._in_workers(ranges)

    def _in_workers(self, ranges: list[tuple[int, int]]) -> Iterator[BatchResult]:
        try:
            yield from self._pooled(ranges)
        except BrokenProcessPool as exc:
            raise AuditSetupError(f"a worker process of the audit stopped: {exc}") from None

    def _pooled(self, ranges: list[tuple[int, int]]) -> Iterator[BatchResult]:
        context = multiprocessing.get_context("spawn")  # no store connection is inherited
        opened = (self.settings, self.log_key if self._notes else None)
        with ProcessPoolExecutor(
            self.jobs, mp_context=context, initializer=_open_in_worker, initargs=opened
        ) as pool:
            waiting: deque[tuple[list[tuple[int, int]], int, Future[Any]]] = deque()
            queued = iter(_groups(ranges, WORKER_LEAVES))
            try:
                for _ in range(2 * self.jobs):
                    self._submit(pool, waiting, queued)
                while waiting:
                    group, after, future = waiting.popleft()
                    self._submit(pool, waiting, queued)
                    try:
                        hashes, last, checked = future.result()
                    except Discrepancy:  # checked again here, range by range, so that
                        yield from self._alone(group, after)  # what comes first is found first
                        continue
                    if self.replay is not None:
                        self.replay.prechecked.update(checked)
                    offset = group[0][0]
                    for start, end in group:
                        yield hashes[start - offset : end - offset], last
            finally:
                for _, _, future in waiting:
                    future.cancel()

    def _alone(self, ranges: list[tuple[int, int]], after: int) -> Iterator[BatchResult]:
        for start, end in ranges:
            hashes, after = check_batch(self.tables, self.events, self.recompute, start, end, after)
            yield hashes, after

    def _submit(
        self,
        pool: ProcessPoolExecutor,
        waiting: deque[tuple[list[tuple[int, int]], int, Future[Any]]],
        queued: Iterator[list[tuple[int, int]]],
    ) -> None:
        group = next(queued, None)
        if group is None:
            return
        start, end = group[0][0], group[-1][1]
        # The event the leaf before this batch records; a missing leaf there is the
        # previous batch's finding, reported before this batch's.
        after = int(
            self.tables.one(
                f"SELECT notification_id FROM {self.tables.t.leaves} WHERE idx = ?", (start - 1,)
            )
            or 0
        )
        first, last = bisect_right(self._sizes, start), bisect_right(self._sizes, end)
        inside = self._notes[first:last]  # the checkpoints this batch ends at or passes
        before = self._notes[first - 1][1] if first else None
        future = pool.submit(_check_in_worker, start, end, after, inside, before)
        waiting.append((group, after, future))


def _groups(ranges: list[tuple[int, int]], leaves: int) -> Iterator[list[tuple[int, int]]]:
    """Consecutive ranges gathered into tasks of about ``leaves`` leaves each (a ledger
    that signs a checkpoint per act cuts its log into ranges of a leaf or two)."""
    group: list[tuple[int, int]] = []
    for span in ranges:
        group.append(span)
        if span[1] - group[0][0] >= leaves:
            yield group
            group = []
    if group:
        yield group


# -- in a worker process ---------------------------------------------------------------------

_worker: tuple[LogTablesReader, EventReader, LeafRecomputer, NoteVerifier | None] | None = None


def _open_in_worker(settings: Settings, log_key: str | None) -> None:
    global _worker
    verifier = None if log_key is None else NoteVerifier.from_vkey(log_key)
    _worker = (LogTablesReader(settings), open_events(settings), LeafRecomputer(), verifier)


def _check_in_worker(
    start: int, end: int, after: int, signed: list[tuple[int, str]], before: str | None
) -> tuple[list[bytes], int, dict[int, Prechecked]]:
    """The batch's leaf hashes, the last event, and the checkpoints checked (a
    Discrepancy reaches the parent as raised: it pickles whole)."""
    if _worker is None:
        raise RuntimeError("the worker did not open the store")
    tables, events, recompute, verifier = _worker
    hashes, last = check_batch(tables, events, recompute, start, end, after)
    checked = {} if verifier is None else _check_signed(tables, verifier, signed, before)
    return hashes, last, checked


def _check_signed(
    tables: LogTablesReader,
    verifier: NoteVerifier,
    signed: list[tuple[int, str]],
    before: str | None,
) -> dict[int, Prechecked]:
    """Each checkpoint's signature, and the consistency proof from the one before it,
    until the first that fails (the parent reports that one, after its root)."""
    checked: dict[int, Prechecked] = {}
    try:
        previous = None if before is None else open_checkpoint(before, verifier)
    except CryptoError:
        return checked  # the parent met that checkpoint first and reported it
    for size, note in signed:
        try:
            checkpoint = open_signed(note, verifier, (), size)
        except Discrepancy as found:
            checked[size] = ("checkpoint-signature", found.message)
            return checked
        if previous is not None:
            try:
                check_consistency(tables.tiles.consistency_proof, previous, checkpoint)
            except Discrepancy as found:
                checked[size] = ("consistency", checkpoint, found.message)
                return checked
        checked[size] = ("ok", checkpoint)
        previous = checkpoint
    return checked
