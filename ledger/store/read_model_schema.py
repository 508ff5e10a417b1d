"""The read model's tables made and dropped: their indexes and version (one SQLite file).

The tables and columns are named in ``store/schema.py`` with every other table.

Bumping :data:`SCHEMA_VERSION` makes every process throw an older model away and
rebuild it from the events (its rows depend only on the events).
"""

from __future__ import annotations

import sqlite_utils
from credledger.ledger.store.schema import POSITION, READ_MODEL_FTS_COLUMNS, READ_MODEL_TABLES

SCHEMA_VERSION = 3
"""Bumped when the tables change; a model of another version is rebuilt from the events."""

TABLES = READ_MODEL_TABLES
FTS_COLUMNS = READ_MODEL_FTS_COLUMNS


def create_tables(db: sqlite_utils.Database) -> None:
    """Make the tables of this version (first dropping those of another version)."""
    if stored_schema(db) != SCHEMA_VERSION:
        drop_all(db)
    for name, columns in TABLES.items():
        if not db[name].exists():
            db[name].create(columns, pk="id")  # type: ignore[union-attr]
    if not db["achievements_fts"].exists():
        db["achievements"].enable_fts(FTS_COLUMNS, create_triggers=True)  # type: ignore[union-attr]
    db["credentials"].create_index(["issuer_id"], if_not_exists=True)  # type: ignore[union-attr]
    db["recognitions"].create_index(["credential_id"], if_not_exists=True)  # type: ignore[union-attr]
    db["claims"].create_index(["credential_id"], if_not_exists=True)  # type: ignore[union-attr]
    db["credentials"].create_index(  # type: ignore[union-attr]
        ["status_group", "status"], if_not_exists=True
    )
    if not db[POSITION].exists():
        db[POSITION].create({"name": str, "notification_id": int}, pk="name")  # type: ignore[union-attr]
        db[POSITION].insert(  # type: ignore[union-attr]
            {"name": "schema", "notification_id": SCHEMA_VERSION}
        )


def stored_schema(db: sqlite_utils.Database) -> int | None:
    """The version of the tables on disk: None for a new file, 1 before versions."""
    names = set(db.table_names())
    if not names:
        return None
    if POSITION not in names:
        return 1
    rows = list(db.query(f"SELECT notification_id FROM {POSITION} WHERE name = 'schema'"))
    return int(rows[0]["notification_id"]) if rows else 1


def drop_all(db: sqlite_utils.Database) -> None:
    conn = db.conn
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    for name in db.table_names():
        if not name.startswith("achievements_fts_"):
            conn.execute(f'DROP TABLE IF EXISTS "{name}"')
