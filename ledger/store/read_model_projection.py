"""How each event changes the read model's rows (one handler per event kind).

Rows depend only on the events (no clock, no autoincrement), so a rebuild from the
events gives identical tables. Which events a handler takes is said by the event
registry's kinds, and a credential's status by the kind's status effect; an event the
registry does not know is an error, not skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlite_utils
from credledger.crypto.keys import did_key_from_public_key, public_key_from_multibase
from credledger.ledger.domain import events as kinds
from credledger.ledger.domain.events import EventKind, kind_of
from sqlite_utils.db import NotFoundError, jsonify_if_needed, quote_identifier


def _time(event: Any) -> str:
    return str(event.timestamp.isoformat())


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


class RowWriter:
    """INSERT and UPDATE by primary key ``id``, as sqlite-utils' ``insert`` and ``update``
    write them (its ``jsonify_if_needed`` converts the values; an update of a row that is
    not there raises its NotFoundError), with each statement's text made once per shape:
    sqlite-utils looks the table up again on every call, most of a projection's time."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._statements: dict[tuple[str, str, tuple[str, ...]], str] = {}

    def insert(self, table: str, row: dict[str, Any]) -> None:
        key = ("insert", table, tuple(row))
        sql = self._statements.get(key)
        if sql is None:
            columns = ", ".join(quote_identifier(c) for c in row)
            sql = f"INSERT INTO {quote_identifier(table)} ({columns}) VALUES "
            sql = self._statements[key] = sql + f"({', '.join('?' * len(row))})"
        self.db.execute(sql, [jsonify_if_needed(v) for v in row.values()])

    def update(self, table: str, row_id: str, changes: dict[str, Any]) -> None:
        key = ("update", table, tuple(changes))
        sql = self._statements.get(key)
        if sql is None:
            sets = ", ".join(f"{quote_identifier(c)} = ?" for c in changes)
            sql = f"UPDATE {quote_identifier(table)} SET {sets} WHERE id = ?"
            self._statements[key] = sql
        values = [jsonify_if_needed(v) for v in changes.values()]
        if self.db.execute(sql, [*values, row_id]).rowcount != 1:
            raise NotFoundError(f"no row {row_id!r} in {table}")


class Projection:
    """Applies one event at a time to the read model's tables (in the caller's transaction)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.rows = RowWriter(db)
        self.handlers: dict[EventKind, Callable[[Any], None]] = {
            kinds.ISSUER_REGISTERED: self._issuer_registered,
            kinds.ISSUER_PROFILE_UPDATED: self._issuer_profile_updated,
            kinds.ISSUER_SIGNING_KEY_ROTATED: self._issuer_key_rotated,
            kinds.ACHIEVEMENT_DEFINED: self._achievement_defined,
            kinds.ACHIEVEMENT_REVISED: self._achievement_revised,
            kinds.ACHIEVEMENT_ARCHIVED: self._achievement_archived,
            kinds.CREDENTIAL_ISSUED: self._credential_issued,
            kinds.STATUS_SLOT_CLAIMED: self._slot_claimed,
            kinds.CREDENTIAL_SUSPENDED: self._credential_status,
            kinds.CREDENTIAL_REINSTATED: self._credential_status,
            kinds.CREDENTIAL_REVOKED: self._credential_status,
            kinds.ENDORSEMENT_ENDORSED: self._endorsed,
            kinds.ENDORSEMENT_WITHDRAWN: self._withdrawn("endorsements"),
            kinds.RECOGNITION_RECORDED: self._recognition_recorded,
            kinds.RECOGNITION_WITHDRAWN: self._withdrawn("recognitions"),
            kinds.CLAIM_OFFERED: self._claim_offered,
            kinds.CLAIM_CLAIMED: self._claim_state("claimed"),
            kinds.CLAIM_WITHDRAWN: self._claim_state("withdrawn"),
            kinds.CLAIM_EXPIRED: self._claim_state("expired"),
        }

    def apply(self, event: Any) -> None:
        handler = self.handlers.get(kind_of(event))
        if handler is not None:
            handler(event)

    def _issuer_registered(self, e: Any) -> None:
        self.rows.insert(
            "issuers",
            {
                "id": str(e.originator_id),
                "name": e.name,
                "url": e.url,
                "email": e.email,
                "did": did_key_from_public_key(public_key_from_multibase(e.public_key_multibase)),
                "registered_at": _time(e),
            },
        )

    def _issuer_profile_updated(self, e: Any) -> None:
        changes = {k: v for k, v in e.changes.items() if k in ("name", "url", "email")}
        if changes:
            self.rows.update("issuers", str(e.originator_id), changes)

    def _issuer_key_rotated(self, e: Any) -> None:
        did = did_key_from_public_key(public_key_from_multibase(e.public_key_multibase))
        self.rows.update("issuers", str(e.originator_id), {"did": did})

    def _achievement_defined(self, e: Any) -> None:
        self.rows.insert(
            "achievements",
            {
                "id": str(e.originator_id),
                "issuer_id": str(e.issuer_id),
                **_achievement_row(e.definition),
                "archived": 0,
                "defined_at": _time(e),
                "revised_at": None,
            },
        )

    def _achievement_revised(self, e: Any) -> None:
        self.rows.update(
            "achievements",
            str(e.originator_id),
            {**_achievement_row(e.definition), "revised_at": _time(e)},
        )

    def _achievement_archived(self, e: Any) -> None:
        self.rows.update("achievements", str(e.originator_id), {"archived": 1})

    def _credential_issued(self, e: Any) -> None:
        slot = e.status_slot or {}
        self.rows.insert(
            "credentials",
            {
                "status_group": str(slot["group"]) if slot else None,
                "status_index": slot.get("index"),
                "id": str(e.originator_id),
                "issuer_id": str(e.issuer_id),
                "achievement_id": str(e.achievement_id) if e.achievement_id else None,
                "status": kind_of(e).status_after,
                "awarded_at": e.awarded_at.isoformat(),
                "valid_until": e.valid_until.isoformat() if e.valid_until else None,
                "changed_at": _time(e),
                "reason": None,
            },
        )

    def _credential_status(self, e: Any) -> None:
        """A suspension, reinstatement or revocation: the status its kind says it leaves."""
        credential_id = str(e.originator_id)
        status = {"status": kind_of(e).status_after, "changed_at": _time(e), "reason": e.reason}
        self.rows.update("credentials", credential_id, status)
        self.db.execute(
            "UPDATE status_groups SET changes = changes + 1, changed_at = ? WHERE id = "
            "(SELECT status_group FROM credentials WHERE id = ?)",
            [_time(e), credential_id],
        )

    def _slot_claimed(self, e: Any) -> None:
        group = str(e.group)
        issuer_id = e.actor
        rows = list(self.db.query("SELECT id FROM status_groups WHERE id = ?", [group]))
        if rows:
            self.db.execute("UPDATE status_groups SET claimed = claimed + 1 WHERE id = ?", [group])
            return
        number = int(e.number)
        self.rows.insert(
            "status_groups",
            {
                "id": group,
                "issuer_id": issuer_id,
                "number": number,
                "claimed": 1,
                "changes": 0,
                "changed_at": _time(e),
            },
        )
        for purpose, list_uuid in e.lists.items():
            self.rows.insert(
                "status_lists",
                {
                    "id": str(list_uuid),
                    "group_id": group,
                    "purpose": purpose,
                    "issuer_id": issuer_id,
                },
            )

    def _endorsed(self, e: Any) -> None:
        slot = getattr(e, "status_slot", None)
        self.rows.insert(
            "endorsements",
            {
                "id": str(e.originator_id),
                "endorser_id": str(e.endorser_id),
                "subject_kind": e.subject_kind,
                "subject_id": str(e.subject_id),
                "endorsed_at": _time(e),
                "withdrawn": 0,
                "status_group": str(slot["group"]) if slot else None,
                "status_index": slot.get("index") if slot else None,
            },
        )

    def _recognition_recorded(self, e: Any) -> None:
        self.rows.insert(
            "recognitions",
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
            },
        )

    def _claim_offered(self, e: Any) -> None:
        self.rows.insert(
            "claims",
            {
                "id": str(e.originator_id),
                "credential_id": str(e.credential_id),
                "issuer_id": str(e.issuer_id),
                "expires_at": e.expires_at.isoformat(),
                "state": "open",
            },
        )

    def _claim_state(self, state: str) -> Callable[[Any], None]:
        def handler(e: Any) -> None:
            self.rows.update("claims", str(e.originator_id), {"state": state})

        return handler

    def _withdrawn(self, table: str) -> Callable[[Any], None]:
        def handler(e: Any) -> None:
            self.rows.update(table, str(e.originator_id), {"withdrawn": 1})

        return handler
