"""The event store: eventsourcing's application machinery, holding no use case.

It saves aggregates atomically, reads them back (cached, fast-forwarded), and tells the
follower after every write (``on_recorded``), so the log and read models catch up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any
from uuid import UUID

from credledger.ledger.store.settings import Settings
from credledger.ledger.store.transcoder import CBORTranscoder
from eventsourcing.application import Application
from eventsourcing.persistence import Transcoder
from eventsourcing.sqlite import SQLiteAggregateRecorder

log = logging.getLogger("credledger.ledger")


class EventStore(Application[UUID]):
    """Aggregates in and out of the store, with the CBOR transcoder every event uses."""

    name = "credledger"  # the prefix eventsourcing reads its environment with

    def __init__(self, settings: Settings) -> None:
        self.on_recorded: Callable[[], None] | None = None
        super().__init__(env=settings.eventsourcing_env())

    def construct_transcoder(self) -> Transcoder:
        return CBORTranscoder()

    def _notify(self, recordings: list[Any]) -> None:
        # The write is already durable; followers that fail catch up on the next call.
        if self.on_recorded is None:
            return
        try:
            self.on_recorded()
        except Exception:  # pragma: no cover - logged, retried on the next act
            log.exception("read model catch-up failed; it resumes on the next act")

    def known_ids(self, ids: Collection[UUID]) -> set[UUID]:
        """Which of ``ids`` name a stored aggregate, without loading any: on SQLite one
        read for them all (an act's lookups for what a retry may have made come back
        empty nearly always), elsewhere one short read each."""
        recorder = self.recorder
        if not ids:
            return set()
        if isinstance(recorder, SQLiteAggregateRecorder):  # it keeps ids as hex text
            marks = ",".join("?" * len(ids))
            sql = (
                f"SELECT DISTINCT originator_id FROM {recorder.events_table_name} "
                f"WHERE originator_id IN ({marks})"
            )
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(sql, [i.hex for i in ids])
                return {UUID(row[0]) for row in cursor.fetchall()}
        return {i for i in ids if recorder.select_events(i, limit=1)}

    def select_notifications(self, start: int, limit: int) -> Any:
        return self.recorder.select_notifications(start, limit)
