"""A ledger made by an earlier credledger stays readable and audits clean.

tests/data/ledgers/ledger-0.1 holds the events and the log (no vault: no keys) of a
ledger made before ledger/ was reorganised, with events of every kind. Code may move
and be renamed; what is stored and what is anchored in the log may not change.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from credledger.ledger.audit.local import audit_store
from credledger.ledger.store.settings import Settings
from credledger.ledger.store.transcoder import CBORTranscoder
from eventsourcing.persistence import Mapper, StoredEvent

MADE_BEFORE = Path(__file__).parents[2] / "data" / "ledgers" / "ledger-0.1"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(MADE_BEFORE, target)
    target.chmod(0o700)
    for path in target.iterdir():
        path.chmod(0o600)
    return target


def stored_events(data: Path) -> list[tuple[int, StoredEvent]]:
    with sqlite3.connect(data / "events.sqlite") as db:
        rows = db.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid"
        ).fetchall()
    return [(row[0], StoredEvent(row[1], row[2], row[3], row[4])) for row in rows]


def test_it_audits_clean_with_the_log_key_it_was_made_with(copy: Path) -> None:
    log_key = (copy / "log.vkey").read_text().strip()
    report = audit_store(
        Settings(data_dir=copy, base_url="https://ledger.example.nl"), log_key=log_key
    )
    assert report.intact, report.discrepancy
    assert report.events == report.leaves == len(stored_events(copy))


def test_every_stored_event_loads_and_stores_again_to_the_same_bytes(copy: Path) -> None:
    mapper: Mapper[object] = Mapper(transcoder=CBORTranscoder())
    for _, stored in stored_events(copy):
        event = mapper.to_domain_event(stored)
        again = mapper.to_stored_event(event)
        assert (again.topic, again.state) == (stored.topic, stored.state), stored.topic
