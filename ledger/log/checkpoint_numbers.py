"""Checkpoints are numbered 1, 2, 3, … in the order they were signed, so a deleted one
leaves a gap the audit finds.

Sizes alone cannot show a missing checkpoint (they grow by any amount), so each stored
checkpoint carries its ordinal in a ``number`` column. Logs made before the column
existed get it on open, numbered in size order (their checkpoints never went back);
the signed notes are untouched.
"""

from __future__ import annotations

from typing import Any


def add_numbers(cur: Any, table: str, *, postgres: bool) -> None:
    """Give ``table`` (the checkpoints) its ``number`` column, filled for existing rows."""
    if postgres:
        cur.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS number BIGINT")
    else:
        cur.execute(f"PRAGMA table_info({table})")
        if not any(row[1] == "number" for row in cur.fetchall()):
            cur.execute(f"ALTER TABLE {table} ADD COLUMN number BIGINT")
    cur.execute(
        f"UPDATE {table} SET number = "
        f"(SELECT COUNT(*) FROM {table} AS earlier WHERE earlier.size <= {table}.size) "
        "WHERE number IS NULL"
    )
    cur.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_number ON {table} (number)")
