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
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from credledger.ledger.audit.events import EventReader, LeafRecomputer, match_events, open_events
from credledger.ledger.audit.log_tables import LogTablesReader
from credledger.ledger.audit.report import AuditSetupError, Discrepancy
from credledger.ledger.store.settings import Settings

__all__ = ["PARALLEL_FROM", "LeafBatches", "batch_ranges", "default_jobs", "worth_workers"]

PARALLEL_FROM = 50_000
"""Fewest leaves for which worker processes pay for their start (about half a second)."""

BatchResult = tuple[list[bytes], int]
"""A batch's leaf hashes, and the id of the event its last leaf records."""


def default_jobs() -> int:
    """One worker per processor this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def worth_workers(jobs: int, leaves: int) -> bool:
    """Whether worker processes pay for a log of ``leaves`` leaves."""
    return jobs > 1 and leaves >= PARALLEL_FROM


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
        self, settings: Settings, tables: LogTablesReader, events: EventReader, jobs: int
    ) -> None:
        self.tables, self.events, self.jobs = tables, events, jobs
        self.settings = settings
        self.recompute = LeafRecomputer()

    def results(self, ranges: list[tuple[int, int]]) -> Iterator[BatchResult]:
        """Each range's result, in order; raises the first range's Discrepancy."""
        if not ranges or not worth_workers(self.jobs, ranges[-1][1]):
            after = 0
            for start, end in ranges:
                hashes, after = check_batch(
                    self.tables, self.events, self.recompute, start, end, after
                )
                yield hashes, after
            return
        yield from self._in_workers(ranges)

    def _in_workers(self, ranges: list[tuple[int, int]]) -> Iterator[BatchResult]:
        try:
            yield from self._pooled(ranges)
        except BrokenProcessPool as exc:
            raise AuditSetupError(f"a worker process of the audit stopped: {exc}") from None

    def _pooled(self, ranges: list[tuple[int, int]]) -> Iterator[BatchResult]:
        context = multiprocessing.get_context("spawn")  # no store connection is inherited
        with ProcessPoolExecutor(
            self.jobs, mp_context=context, initializer=_open_in_worker, initargs=(self.settings,)
        ) as pool:
            waiting: deque[Future[Any]] = deque()
            queued = iter(ranges)
            try:
                for _ in range(2 * self.jobs):
                    self._submit(pool, waiting, queued)
                while waiting:
                    outcome = waiting.popleft().result()
                    self._submit(pool, waiting, queued)
                    if outcome[0] == "found":
                        _, kind, message, where = outcome
                        raise Discrepancy(kind, message, **where)
                    yield outcome[1], outcome[2]
            finally:
                for future in waiting:
                    future.cancel()

    def _submit(
        self,
        pool: ProcessPoolExecutor,
        waiting: deque[Future[Any]],
        queued: Iterator[tuple[int, int]],
    ) -> None:
        span = next(queued, None)
        if span is None:
            return
        start, end = span
        # The event the leaf before this batch records; a missing leaf there is the
        # previous batch's finding, reported before this batch's.
        after = self.tables.one(
            f"SELECT notification_id FROM {self.tables.t.leaves} WHERE idx = ?", (start - 1,)
        )
        waiting.append(pool.submit(_check_in_worker, start, end, int(after or 0)))


# -- in a worker process ---------------------------------------------------------------------

_worker: tuple[LogTablesReader, EventReader, LeafRecomputer] | None = None


def _open_in_worker(settings: Settings) -> None:
    global _worker
    _worker = (LogTablesReader(settings), open_events(settings), LeafRecomputer())


def _check_in_worker(start: int, end: int, after: int) -> tuple[Any, ...]:
    """``("ok", hashes, last event)`` or ``("found", kind, message, where)``: plain
    values, which cross back to the parent whatever the finding."""
    if _worker is None:
        raise RuntimeError("the worker did not open the store")
    tables, events, recompute = _worker
    try:
        hashes, last = check_batch(tables, events, recompute, start, end, after)
    except Discrepancy as found:
        where = {"leaf": found.leaf, "event": found.event, "checkpoint": found.checkpoint}
        return ("found", found.kind, found.message, where)
    return ("ok", hashes, last)
