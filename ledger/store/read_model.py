"""Queryable read model: SQLite tables kept by sqlite-utils from the notification log.

Each batch of notifications is applied in one SQLite transaction together with the
position reached, so a crash never applies an event twice or skips one: the model
catches up from where it stopped. Its rows depend only on the events (no clock, no
autoincrement), so a rebuild from the events gives identical tables.
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
from credledger.crypto.keys import did_key_from_public_key, public_key_from_multibase
from credledger.ledger.store.schema import READ_MODEL_FTS_COLUMNS, READ_MODEL_TABLES
from eventsourcing.persistence import Mapper, Notification

BATCH = 500
SCHEMA_VERSION = 2
"""Bumped when the tables change; a model of another version is rebuilt from the events."""
_WORD = re.compile(r"\w+")

TABLES = READ_MODEL_TABLES
FTS_COLUMNS = READ_MODEL_FTS_COLUMNS


def _time(event: Any) -> str:
    return str(event.timestamp.isoformat())


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
        self._create()
        self.handlers: dict[str, Callable[[Any], None]] = {
            "Issuer.Registered": self._issuer_registered,
            "Issuer.ProfileUpdated": self._issuer_profile_updated,
            "Issuer.SigningKeyRotated": self._issuer_key_rotated,
            "Achievement.Defined": self._achievement_defined,
            "Achievement.Revised": self._achievement_revised,
            "Achievement.Archived": self._achievement_archived,
            "Credential.Issued": self._credential_issued,
            "StatusSlot.Claimed": self._slot_claimed,
            "Credential.Suspended": self._credential_status("suspended"),
            "Credential.Reinstated": self._credential_status("active"),
            "Credential.Revoked": self._credential_status("revoked"),
            "Endorsement.Endorsed": self._endorsed,
            "Endorsement.Withdrawn": self._withdrawn("endorsements"),
            "Recognition.Recorded": self._recognition_recorded,
            "Recognition.Withdrawn": self._withdrawn("recognitions"),
        }

    def _create(self) -> None:
        with self._lock:
            if self._stored_schema() != SCHEMA_VERSION:
                self._drop_all()
            for name, columns in TABLES.items():
                if not self.db[name].exists():
                    self.db[name].create(columns, pk="id")  # type: ignore[union-attr]
            if not self.db["achievements_fts"].exists():
                self.db["achievements"].enable_fts(FTS_COLUMNS, create_triggers=True)  # type: ignore[union-attr]
            self.db["credentials"].create_index(["issuer_id"], if_not_exists=True)  # type: ignore[union-attr]
            self.db["recognitions"].create_index(["credential_id"], if_not_exists=True)  # type: ignore[union-attr]
            self.db["credentials"].create_index(  # type: ignore[union-attr]
                ["status_group", "status"], if_not_exists=True
            )
            if not self.db["position"].exists():
                self.db["position"].create({"name": str, "notification_id": int}, pk="name")  # type: ignore[union-attr]
                self.db["position"].insert(  # type: ignore[union-attr]
                    {"name": "schema", "notification_id": SCHEMA_VERSION}
                )

    def _stored_schema(self) -> int | None:
        """The version of the tables on disk: None for a new file, 1 before versions."""
        names = set(self.db.table_names())
        if not names:
            return None
        if "position" not in names:
            return 1
        rows = list(self.db.query("SELECT notification_id FROM position WHERE name = 'schema'"))
        return int(rows[0]["notification_id"]) if rows else 1

    def _drop_all(self) -> None:
        conn = self.db.conn
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall():
            conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        for name in self.db.table_names():
            if not name.startswith("achievements_fts_"):
                conn.execute(f'DROP TABLE IF EXISTS "{name}"')

    def rebuild(self, select: Callable[[int, int], Sequence[Notification]]) -> int:
        """Throw the tables away and apply every event again (repairs a damaged model)."""
        with self._lock:
            self._drop_all()
            self._create()
            return self.catch_up(select)

    @property
    def position(self) -> int:
        rows = list(self.db.query("SELECT notification_id FROM position WHERE name = 'events'"))
        return int(rows[0]["notification_id"]) if rows else 0

    def catch_up(self, select: Callable[[int, int], Sequence[Notification]]) -> int:
        """Apply every notification after the stored position; returns how many were applied."""
        applied = 0
        with self._lock:
            while True:
                if not select(self.position + 1, 1):
                    return applied  # nothing new: no write transaction at all
                conn = self.db.conn
                # The position is read inside the write transaction, so processes sharing
                # this file (uvicorn workers) never apply the same batch twice.
                conn.execute("BEGIN IMMEDIATE")
                try:
                    batch = select(self.position + 1, BATCH)
                    if not batch:
                        conn.execute("ROLLBACK")
                        return applied
                    for notification in batch:
                        self.apply(notification)
                    self.db["position"].upsert(  # type: ignore[union-attr]
                        {"name": "events", "notification_id": batch[-1].id}, pk="name"
                    )
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                applied += len(batch)

    def apply(self, notification: Notification) -> None:
        event = self.mapper.to_domain_event(notification)
        handler = self.handlers.get(type(event).__qualname__)
        if handler is not None:
            handler(event)

    # -- handlers ------------------------------------------------------------------------
    def _issuer_registered(self, e: Any) -> None:
        self.db["issuers"].insert(  # type: ignore[union-attr]
            {
                "id": str(e.originator_id),
                "name": e.name,
                "url": e.url,
                "email": e.email,
                "did": did_key_from_public_key(public_key_from_multibase(e.public_key_multibase)),
                "registered_at": _time(e),
            }
        )

    def _issuer_profile_updated(self, e: Any) -> None:
        changes = {k: v for k, v in e.changes.items() if k in ("name", "url", "email")}
        if changes:
            self.db["issuers"].update(str(e.originator_id), changes)  # type: ignore[union-attr]

    def _issuer_key_rotated(self, e: Any) -> None:
        did = did_key_from_public_key(public_key_from_multibase(e.public_key_multibase))
        self.db["issuers"].update(str(e.originator_id), {"did": did})  # type: ignore[union-attr]

    @staticmethod
    def _achievement_row(definition: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": definition["name"],
            "description": definition["description"],
            "criteria": definition["criteria"],
            "variant": definition["variant"],
            "language": definition.get("language"),
            "ects": str(definition["ects"]) if "ects" in definition else None,
            "sbu": definition.get("sbu"),
            "eqf_level": definition.get("eqf_level"),
            "learning_outcomes": "\n".join(definition.get("learning_outcomes", [])),
        }

    def _achievement_defined(self, e: Any) -> None:
        self.db["achievements"].insert(  # type: ignore[union-attr]
            {
                "id": str(e.originator_id),
                "issuer_id": str(e.issuer_id),
                **self._achievement_row(e.definition),
                "archived": 0,
                "defined_at": _time(e),
                "revised_at": None,
            }
        )

    def _achievement_revised(self, e: Any) -> None:
        self.db["achievements"].update(  # type: ignore[union-attr]
            str(e.originator_id), {**self._achievement_row(e.definition), "revised_at": _time(e)}
        )

    def _achievement_archived(self, e: Any) -> None:
        self.db["achievements"].update(str(e.originator_id), {"archived": 1})  # type: ignore[union-attr]

    def _credential_issued(self, e: Any) -> None:
        slot = e.status_slot or {}
        self.db["credentials"].insert(  # type: ignore[union-attr]
            {
                "status_group": str(slot["group"]) if slot else None,
                "status_index": slot.get("index"),
                "id": str(e.originator_id),
                "issuer_id": str(e.issuer_id),
                "achievement_id": str(e.achievement_id) if e.achievement_id else None,
                "status": "active",
                "awarded_at": e.awarded_at.isoformat(),
                "valid_until": e.valid_until.isoformat() if e.valid_until else None,
                "changed_at": _time(e),
                "reason": None,
            }
        )

    def _credential_status(self, status: str) -> Callable[[Any], None]:
        def handler(e: Any) -> None:
            credential_id = str(e.originator_id)
            self.db["credentials"].update(  # type: ignore[union-attr]
                credential_id, {"status": status, "changed_at": _time(e), "reason": e.reason}
            )
            self.db.execute(
                "UPDATE status_groups SET changes = changes + 1, changed_at = ? WHERE id = "
                "(SELECT status_group FROM credentials WHERE id = ?)",
                [_time(e), credential_id],
            )

        return handler

    def _slot_claimed(self, e: Any) -> None:
        group = str(e.group)
        issuer_id = e.actor
        rows = list(self.db.query("SELECT id FROM status_groups WHERE id = ?", [group]))
        if rows:
            self.db.execute("UPDATE status_groups SET claimed = claimed + 1 WHERE id = ?", [group])
            return
        number = int(e.number)
        self.db["status_groups"].insert(  # type: ignore[union-attr]
            {
                "id": group,
                "issuer_id": issuer_id,
                "number": number,
                "claimed": 1,
                "changes": 0,
                "changed_at": _time(e),
            }
        )
        for purpose, list_uuid in e.lists.items():
            self.db["status_lists"].insert(  # type: ignore[union-attr]
                {
                    "id": str(list_uuid),
                    "group_id": group,
                    "purpose": purpose,
                    "issuer_id": issuer_id,
                }
            )

    def _endorsed(self, e: Any) -> None:
        self.db["endorsements"].insert(  # type: ignore[union-attr]
            {
                "id": str(e.originator_id),
                "endorser_id": str(e.endorser_id),
                "subject_kind": e.subject_kind,
                "subject_id": str(e.subject_id),
                "endorsed_at": _time(e),
                "withdrawn": 0,
                "status_group": str(slot["group"])
                if (slot := getattr(e, "status_slot", None))
                else None,
                "status_index": slot.get("index") if slot else None,
            }
        )

    def _recognition_recorded(self, e: Any) -> None:
        self.db["recognitions"].insert(  # type: ignore[union-attr]
            {
                "id": str(e.originator_id),
                "institution_id": str(e.institution_id),
                "credential_id": e.credential_id,
                "credential_issuer": e.credential_issuer,
                "decision": e.decision,
                "ects": str(e.ects) if e.ects is not None else None,
                "exemption": e.exemption,
                "recorded_at": _time(e),
                "withdrawn": 0,
            }
        )

    def _withdrawn(self, table: str) -> Callable[[Any], None]:
        def handler(e: Any) -> None:
            self.db[table].update(str(e.originator_id), {"withdrawn": 1})  # type: ignore[union-attr]

        return handler

    # -- queries -------------------------------------------------------------------------
    def search_achievements(
        self, q: str | None, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
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
                    q, limit=limit, offset=offset, where="archived = 0", quote=True
                )
            else:
                rows = table.rows_where(
                    "archived = 0", order_by="defined_at, id", limit=limit, offset=offset
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
