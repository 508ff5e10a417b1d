"""The stored events an audit reads, and the leaves it recomputes from them.

Events are read read-only, in notification order, in batches: through the
eventsourcing recorder (any store), or on SQLite straight from the recorder's table
with a read-only cursor, which skips building a Notification and a UUID per row (the
two readers are compared on the first and last event before the fast one is used).

Leaves are recomputed with the one leaf codec (``ledger/log/leaves.py``): by
:func:`fast_leaf` (its ``leaf_from_row``, which skips building a Notification and
re-checking the stored state's encoding), vouched for by its reference ``leaf_for`` on
the first event of every type; ``leaf_for`` decides every case where the fast leaf and
the stored leaf differ.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Collection, Sequence
from typing import Any, Protocol
from uuid import UUID

from credledger.crypto.errors import CryptoError
from credledger.ledger.audit.report import AuditSetupError, Discrepancy
from credledger.ledger.domain.events import UnknownEventError
from credledger.ledger.log.leaves import decode_leaf, leaf_for, leaf_from_row, uuid_text
from credledger.ledger.store.schema import EVENTS_FILE, STORED_EVENTS
from credledger.ledger.store.settings import Settings
from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, Notification
from eventsourcing.utils import Environment

__all__ = [
    "EventReader",
    "EventRow",
    "LeafRecomputer",
    "RecorderEvents",
    "SQLiteEvents",
    "fast_leaf",
    "open_events",
    "open_recorder",
]

APPLICATION_NAME = "credledger"

EventRow = tuple[int, str, int, str, bytes]
"""(notification id, aggregate id as UUID text, version, topic, stored state)."""


class EventReader(Protocol):
    def rows(self, first: int, last: int) -> list[EventRow]:
        """The events with notification ids in ``[first, last]``, in order."""
        ...

    def count_after(self, last: int) -> int:
        """How many events have a notification id above ``last``."""
        ...

    def close(self) -> None: ...


def open_recorder(settings: Settings) -> ApplicationRecorder:
    """The ledger's event recorder, opened read-only and without creating tables."""
    env = {**os.environ, **settings.eventsourcing_env()}
    if not settings.database_url:
        path = settings.data_dir / EVENTS_FILE
        if not path.is_file():
            raise AuditSetupError(f"no event store in {settings.data_dir}")
        env["SQLITE_DBNAME"] = f"{path.as_uri()}?mode=ro"
    env["CREATE_TABLE"] = env[f"{APPLICATION_NAME.upper()}_CREATE_TABLE"] = "no"
    factory = InfrastructureFactory.construct(Environment(APPLICATION_NAME, env))
    return factory.application_recorder()


def _row(notification: Notification) -> EventRow:
    return (
        notification.id,
        str(notification.originator_id),
        notification.originator_version,
        notification.topic,
        bytes(notification.state),
    )


class RecorderEvents:
    """Events through the eventsourcing recorder (SQLite or PostgreSQL)."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.recorder = recorder

    def rows(self, first: int, last: int) -> list[EventRow]:
        if last < first:
            return []
        found = self.recorder.select_notifications(first, last - first + 1, stop=last)
        return [_row(n) for n in found]

    def count_after(self, last: int) -> int:
        count = 0
        while page := self.recorder.select_notifications(last + 1, 1000):
            count += len(page)
            last = page[-1].id
        return count

    def close(self) -> None:
        datastore = getattr(self.recorder, "datastore", None)
        if datastore is not None:
            datastore.close()


def _uuid_text(value: str) -> str:
    """eventsourcing keeps SQLite UUIDs as 32 hex digits; leaves name them as UUID text."""
    return uuid_text(value) if len(value) == 32 else str(UUID(value))


class SQLiteEvents:
    """Events read straight from the SQLite recorder's table, with a read-only cursor."""

    def __init__(self, settings: Settings) -> None:
        path = settings.data_dir / EVENTS_FILE
        self.conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)

    def rows(self, first: int, last: int) -> list[EventRow]:
        cur = self.conn.execute(
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {STORED_EVENTS} "
            "WHERE rowid >= ? AND rowid <= ? ORDER BY rowid",
            (first, last),
        )
        return [(i, _uuid_text(a), v, t, s) for i, a, v, t, s in cur.fetchall()]

    def count_after(self, last: int) -> int:
        row = self.conn.execute(f"SELECT COUNT(*) FROM {STORED_EVENTS} WHERE rowid > ?", (last,))
        return int(row.fetchone()[0])

    def first_states(self, aggregate_ids: Collection[UUID]) -> dict[UUID, bytes]:
        """The stored state of each aggregate's first event (those without one left out),
        a few hundred aggregates a query."""
        found: dict[UUID, bytes] = {}
        ids = list(aggregate_ids)
        for start in range(0, len(ids), 400):
            chunk = ids[start : start + 400]
            names = {n: a for a in chunk for n in (a.hex, str(a))}  # as eventsourcing
            rows = self.conn.execute(  # writes it, either way
                f"SELECT originator_id, state FROM {STORED_EVENTS} WHERE originator_id IN "
                f"({', '.join('?' * len(names))}) AND originator_version = 1",
                list(names),
            )
            found.update((names[name], bytes(state)) for name, state in rows)
        return found

    def close(self) -> None:
        self.conn.close()


def open_events(settings: Settings) -> EventReader:
    """The fastest reader that agrees with the recorder."""
    recorded = RecorderEvents(open_recorder(settings))
    if settings.database_url:
        return recorded
    direct = SQLiteEvents(settings)
    try:
        newest = recorded.recorder.max_notification_id() or 0
        agree = all(direct.rows(i, i) == recorded.rows(i, i) for i in {1, newest} if newest)
    except sqlite3.Error:
        agree = False
    if agree:
        recorded.close()
        return direct
    direct.close()
    return recorded


# -- leaves ------------------------------------------------------------------------------------


fast_leaf = leaf_from_row
"""The leaf of a stored row, from the one leaf codec without its reference checks."""


class LeafRecomputer:
    """Compares stored leaves with recomputed ones: :func:`fast_leaf`, vouched for by
    ``leaf_for`` on the first event of each type and on every disagreement."""

    def __init__(self) -> None:
        self.fast = True
        self._vouched: set[str] = set()

    def check(self, seq: int, event: EventRow, stored: bytes) -> None:
        """Raise a Discrepancy unless ``stored`` is the leaf of ``event`` at ``seq``."""
        _, aggregate, version, topic, state = event
        if self.fast and topic in self._vouched:
            try:
                if fast_leaf(seq, aggregate, version, topic, state) == stored:
                    return
            except Exception:
                pass
        expected = self._reference(seq, event)
        if self.fast and topic not in self._vouched:
            try:
                fast = fast_leaf(seq, aggregate, version, topic, state)
            except Exception:
                fast = b""  # a fast path that raises is broken: never use it
            if fast is not None:  # None: undecided for this event, vouch on a later one
                self._vouched.add(topic)
                self.fast = fast == expected
        if expected != stored:
            raise Discrepancy(
                "leaf-mismatch",
                f"leaf {seq} is not the leaf of event {event[0]} ({aggregate} v{version}): "
                f"{_differences(expected, stored)}",
                leaf=seq,
                event=event[0],
            )

    def vouched(self, topic: str) -> bool:
        """Whether the fast path may decide events of ``topic`` on its own."""
        return self.fast and topic in self._vouched

    @staticmethod
    def _reference(seq: int, event: EventRow) -> bytes:
        notification_id, aggregate, version, topic, state = event
        try:
            notification = Notification(
                id=notification_id,
                originator_id=UUID(aggregate),
                originator_version=version,
                topic=topic,
                state=state,
            )
            return leaf_for(seq, notification)
        except UnknownEventError as exc:
            raise Discrepancy(
                "event-unknown",
                f"event {notification_id} has a type the log does not know: {exc}",
                leaf=seq,
                event=notification_id,
            ) from None
        except Exception as exc:
            raise Discrepancy(
                "event-undecodable",
                f"event {notification_id} ({aggregate} v{version}) cannot be read back: "
                f"{type(exc).__name__}: {exc}",
                leaf=seq,
                event=notification_id,
            ) from None


def _differences(expected: bytes, stored: bytes) -> str:
    """Which leaf fields differ (or that the stored leaf does not even decode)."""
    try:
        want, got = decode_leaf(expected), decode_leaf(stored)
    except (CryptoError, ValueError):
        return "the stored leaf is not a deterministic CBOR map"
    fields = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    return f"differing fields: {', '.join(fields)}" if fields else "their encodings differ"


def match_events(leaves: Sequence[Any], events: Sequence[EventRow]) -> None:
    """Each leaf row ``(idx, notification id, aggregate, version, data)`` records the next
    event, in order, exactly once; raise the first Discrepancy otherwise."""
    for position, (idx, notification_id, aggregate, version, _) in enumerate(leaves):
        event = events[position] if position < len(events) else None
        if event is None or event[0] > notification_id:
            raise Discrepancy(
                "leaf-orphan",
                f"leaf {idx} records event {notification_id}, which the event store does not hold",
                leaf=idx,
                event=notification_id,
            )
        if event[0] < notification_id:
            raise Discrepancy(
                "event-unlogged",
                f"event {event[0]} ({event[1]} v{event[2]}) has no leaf: "
                f"leaf {idx} records event {notification_id}",
                leaf=idx,
                event=event[0],
            )
        if aggregate != event[1] or version != event[2]:
            raise Discrepancy(
                "leaf-index",
                f"leaf {idx} is filed under {aggregate} v{version}, but records event "
                f"{event[0]} of {event[1]} v{event[2]}",
                leaf=idx,
                event=event[0],
            )
    if len(events) > len(leaves):
        extra = events[len(leaves)]
        raise Discrepancy(
            "event-unlogged",
            f"event {extra[0]} ({extra[1]} v{extra[2]}) has no leaf",
            event=extra[0],
        )
