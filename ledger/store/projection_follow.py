"""How a projection in a SQLite file of its own follows the notification log.

The read model and the digest index each keep, beside their tables, the id of the last
notification they applied (``position``, name ``events``), written in the transaction
that applies the batch; so a crash never applies an event twice or skips one.

The batch is read before the write lock is taken, and the position read again under
it: only if no other process moved it meanwhile is the batch applied (otherwise it is
read again from the new position). So one catch-up costs one read of the event store,
which the followers of one act share (``log/follower.py``), and one write transaction;
a batch shorter than asked for was the tail, and nothing is read to find that out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from credledger.ledger.store.schema import POSITION
from eventsourcing.persistence import Notification

_READ = f"SELECT notification_id FROM {POSITION} WHERE name = 'events'"
_WRITE = (
    f"INSERT INTO {POSITION} (name, notification_id) VALUES ('events', ?) "
    "ON CONFLICT (name) DO UPDATE SET notification_id = excluded.notification_id"
)


def stored_position(conn: sqlite3.Connection) -> int:
    """The id of the last notification the projection in ``conn`` applied (0: none)."""
    row = conn.execute(_READ).fetchone()
    return int(row[0]) if row else 0


def follow_in_batches(
    conn: sqlite3.Connection,
    select: Callable[[int, int], Sequence[Notification]],
    apply: Callable[[Sequence[Notification]], None],
    batch_size: int,
) -> int:
    """Apply every notification after the stored position, ``batch_size`` at a time,
    each batch in one transaction with the position it reaches; returns how many were
    applied. The caller holds its own lock, so one thread of a process follows at once
    (``conn`` is in autocommit mode: this function begins and ends every transaction)."""
    applied = 0
    while True:
        start = stored_position(conn) + 1
        batch = select(start, batch_size)
        if not batch:
            return applied  # nothing new: no write transaction at all
        conn.execute("BEGIN IMMEDIATE")
        try:
            if stored_position(conn) + 1 != start:  # another process applied it meanwhile
                conn.execute("ROLLBACK")
                continue
            apply(batch)
            conn.execute(_WRITE, (batch[-1].id,))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied += len(batch)
        if len(batch) < batch_size:
            return applied  # that was the tail
