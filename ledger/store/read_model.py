"""Queryable read model: SQLite tables kept by sqlite-utils from the notification log.

Each batch of notifications is applied in one SQLite transaction together with the
position reached, so a crash never applies an event twice or skips one: the model
catches up from where it stopped. The tables are in ``read_model_schema.py``, how each
event changes them in ``read_model_projection.py``; this module keeps them up to date
and answers the queries.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils
from credledger.ledger.store.projection_follow import follow_in_batches, stored_position
from credledger.ledger.store.read_model_projection import Projection
from credledger.ledger.store.read_model_schema import create_tables, drop_all
from eventsourcing.persistence import Mapper, Notification

BATCH = 500
_WORD = re.compile(r"\w+")


class ReadModel:
    """Projection of the ledger's events into plain tables (one writer, many readers)."""

    def __init__(self, path: Path, mapper: Mapper[Any]) -> None:
        self.path = path
        self.mapper = mapper
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self.projection = Projection(self.db)
        with self._lock:
            create_tables(self.db)

    def rebuild(self, select: Callable[[int, int], Sequence[Notification]]) -> int:
        """Throw the tables away and apply every event again (repairs a damaged model)."""
        with self._lock:
            drop_all(self.db)
            create_tables(self.db)
            return self.catch_up(select)

    @property
    def position(self) -> int:
        """The id of the last notification applied (0: none)."""
        return stored_position(self.db.conn)

    def catch_up(self, select: Callable[[int, int], Sequence[Notification]]) -> int:
        """Apply every notification after the stored position; returns how many were
        applied (``store/projection_follow.py``: processes sharing this file, uvicorn
        workers, never apply the same batch twice)."""
        with self._lock:
            return follow_in_batches(self.db.conn, select, self._apply_batch, BATCH)

    def _apply_batch(self, batch: Sequence[Notification]) -> None:
        for notification in batch:
            self.apply(notification)

    def apply(self, notification: Notification) -> None:
        self.projection.apply(self.mapper.to_domain_event(notification))

    # -- queries -------------------------------------------------------------------------
    def search_achievements(
        self, q: str | None, limit: int = 50, offset: int = 0, issuer_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Published (not archived) achievements matching ``q``, of one issuer if given."""
        where, params = "archived = 0", {}
        if issuer_id is not None:
            where, params = "archived = 0 AND issuer_id = :issuer_id", {"issuer_id": issuer_id}
        if q is not None:
            # Only words reach the full-text engine: its query syntax (quotes, NEAR,
            # column filters, NUL) is not ours, and a malformed query is an error.
            q = " ".join(_WORD.findall(q))
            if not q:
                return []
        with self._lock:
            table = self.db["achievements"]
            if q:
                rows: Iterator[dict[str, Any]] = table.search(  # type: ignore[union-attr]
                    q, limit=limit, offset=offset, where=where, where_args=params, quote=True
                )
            else:
                rows = table.rows_where(
                    where, params, order_by="defined_at, id", limit=limit, offset=offset
                )
            return [dict(r) for r in rows]

    def issuers(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Registered institutions, oldest first (their profiles are public)."""
        with self._lock:
            return [
                dict(r)
                for r in self.db["issuers"].rows_where(
                    select="id, name, url, did, registered_at",
                    order_by="registered_at, id",
                    limit=limit,
                    offset=offset,
                )
            ]

    def credentials_of(
        self, issuer_id: str, limit: int = 100, offset: int = 0
    ) -> list[dict[str, Any]]:
        """An issuer's credentials (no personal data: ids, achievement, status, dates)."""
        with self._lock:
            return [
                dict(r)
                for r in self.db["credentials"].rows_where(
                    "issuer_id = ?",
                    [issuer_id],
                    select="id, achievement_id, status, awarded_at, valid_until, changed_at",
                    order_by="awarded_at, id",
                    limit=limit,
                    offset=offset,
                )
            ]

    def achievements_named(self, issuer_id: str, name: str) -> list[str]:
        """Ids of the issuer's achievements of this name that are not archived."""
        with self._lock:
            return [
                str(r["id"])
                for r in self.db.query(
                    "SELECT id FROM achievements WHERE issuer_id = ? AND name = ? "
                    "AND archived = 0 ORDER BY defined_at, id",
                    [issuer_id, name],
                )
            ]

    def recognitions_of(self, credential_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                dict(r)
                for r in self.db["recognitions"].rows_where(
                    "credential_id = ?", [credential_id], order_by="recorded_at, id"
                )
            ]

    def recognitions_by(self, institution_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                dict(r)
                for r in self.db["recognitions"].rows_where(
                    "institution_id = ?", [institution_id], order_by="recorded_at, id"
                )
            ]

    def claims_of(self, credential_id: str) -> list[str]:
        """Ids of every claim offered for the credential (open, used, withdrawn, expired)."""
        with self._lock:
            return [
                str(r["id"])
                for r in self.db.query(
                    "SELECT id FROM claims WHERE credential_id = ? ORDER BY id", [credential_id]
                )
            ]

    def claims_due(self, now: str, limit: int) -> list[str]:
        """Ids of open claims whose ``expires_at`` (ISO 8601, UTC) is at or before ``now``."""
        with self._lock:
            return [
                str(r["id"])
                for r in self.db.query(
                    "SELECT id FROM claims WHERE state = 'open' AND expires_at <= ? "
                    "ORDER BY expires_at, id LIMIT ?",
                    [now, limit],
                )
            ]

    def current_group(self, issuer_id: str) -> tuple[int, int]:
        """The issuer's newest list group number and how many of its indices are claimed."""
        with self._lock:
            rows = list(
                self.db.query(
                    "SELECT number, claimed FROM status_groups WHERE issuer_id = ? "
                    "ORDER BY number DESC LIMIT 1",
                    [issuer_id],
                )
            )
            if not rows:
                return 0, 0
            return int(rows[0]["number"]), int(rows[0]["claimed"])

    def unrevoked_credentials(self, issuer_id: str) -> list[str]:
        """Ids of the issuer's credentials that are not revoked, oldest award first."""
        with self._lock:
            return [
                str(row["id"])
                for row in self.db.query(
                    "SELECT id FROM credentials WHERE issuer_id = ? AND status != 'revoked' "
                    "ORDER BY awarded_at, id",
                    [issuer_id],
                )
            ]

    def used_indices(self, group: str) -> set[int]:
        with self._lock:
            return {
                int(r["status_index"])
                for r in self.db.query(
                    "SELECT status_index FROM credentials WHERE status_group = ? UNION "
                    "SELECT status_index FROM endorsements WHERE status_group = ?",
                    [group, group],
                )
            }

    def all_status_lists(self) -> list[dict[str, Any]]:
        """Every status list with its group's issuer and number (to schedule publication)."""
        with self._lock:
            return [
                dict(r)
                for r in self.db.query(
                    "SELECT l.id, l.group_id, l.purpose, l.issuer_id, g.number "
                    "FROM status_lists l JOIN status_groups g ON g.id = l.group_id ORDER BY l.id"
                )
            ]

    def status_list(self, list_uuid: str) -> dict[str, Any] | None:
        """The list's group, purpose and issuer, with the group's status-change count and
        the time of the newest event its bits reflect."""
        with self._lock:
            rows = list(
                self.db.query(
                    "SELECT l.id, l.group_id, l.purpose, l.issuer_id, g.number, g.changes, "
                    "g.changed_at "
                    "FROM status_lists l JOIN status_groups g ON g.id = l.group_id WHERE l.id = ?",
                    [list_uuid],
                )
            )
            return dict(rows[0]) if rows else None

    def dump(self) -> list[str]:
        """Every row of every table, for comparing a rebuilt model with a caught-up one."""
        with self._lock:
            return list(self.db.conn.iterdump())

    def close(self) -> None:
        self.db.conn.close()


def rows_to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, sort_keys=True)
