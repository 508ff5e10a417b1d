"""The read model is derived data: rebuilt from the events it gives identical tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlite_utils
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.store.read_model import ReadModel
from credledger.ledger.store.read_model_projection import RowWriter
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils.db import NotFoundError

from ...http_helpers import microcredential_definition


def populate(ledger: Any) -> None:
    school = ledger.register_issuer(Act(ADMIN), "Hogeschool", "https://hs.example.nl")
    other = ledger.register_issuer(Act(ADMIN), "Universiteit")
    actor = str(school.issuer.id)
    definition = microcredential_definition(suspendable=True)
    achievement = ledger.define_achievement(Act(actor), definition)
    issued = [
        ledger.issue_credential(Act(actor), achievement.id, {"email": f"l{i}@x.nl"})
        for i in range(3)
    ]
    ledger.change_status(Act(actor), issued[0].credential.id, "revoke", "fraud")
    ledger.change_status(Act(actor), issued[1].credential.id, "suspend", "inquiry")
    ledger.endorse(Act(str(other.issuer.id)), str(achievement.id), "Good course")
    ledger.recognise(Act(str(other.issuer.id)), issued[2].vc, "recognised", ects=4)


def test_a_rebuild_from_the_events_gives_identical_tables(ledger: Any, tmp_path: Path) -> None:
    populate(ledger)
    ledger.catch_up()
    rebuilt = ReadModel(tmp_path / "rebuilt.sqlite", ledger.mapper)
    rebuilt.catch_up(ledger.recorder.select_notifications)
    assert rebuilt.dump() == ledger.read_model.dump()
    rebuilt.close()


def test_the_model_tracks_statuses_and_recognitions(ledger: Any) -> None:
    populate(ledger)
    statuses = sorted(
        r["status"] for r in ledger.read_model.db.query("SELECT status FROM credentials")
    )
    assert statuses == ["active", "revoked", "suspended"]
    recognised = list(ledger.read_model.db.query("SELECT credential_id FROM recognitions"))
    assert len(recognised) == 1
    assert ledger.read_model.recognitions_of(recognised[0]["credential_id"])


def test_a_model_that_stopped_half_way_catches_up(ledger: Any, tmp_path: Path) -> None:
    populate(ledger)
    partial = ReadModel(tmp_path / "partial.sqlite", ledger.mapper)
    partial.catch_up(
        lambda start, limit: (
            ledger.recorder.select_notifications(start, min(limit, 4)) if start < 5 else []
        )
    )
    assert partial.position == 4
    partial.catch_up(ledger.recorder.select_notifications)
    assert partial.dump() == ledger.read_model.dump()
    partial.close()


def test_recognitions_resting_on_a_revoked_credential_can_be_listed(ledger: Any) -> None:
    school = ledger.register_issuer(Act(ADMIN), "Hogeschool")
    other = ledger.register_issuer(Act(ADMIN), "Universiteit")
    actor = str(school.issuer.id)
    achievement = ledger.define_achievement(Act(actor), microcredential_definition())
    issued = ledger.issue_credential(Act(actor), achievement.id, {"eduid": "urn:eduid:1"})
    ledger.recognise(Act(str(other.issuer.id)), issued.vc, "recognised", ects=4)
    ledger.change_status(Act(actor), issued.credential.id, "revoke", "fraud")
    affected = ledger.recognitions.resting_on(issued.credential.id)
    assert [r["institution_id"] for r in affected] == [str(other.issuer.id)]
    assert UUID(affected[0]["id"])


def test_erasing_a_learner_leaves_every_leaf_and_event_byte_unchanged(ledger: Any) -> None:
    import pytest
    from credledger.ledger.store.vault import SubjectErasedError

    school = ledger.register_issuer(Act(ADMIN), "Hogeschool")
    actor = str(school.issuer.id)
    achievement = ledger.define_achievement(Act(actor), microcredential_definition())
    issued = ledger.issue_credential(Act(actor), achievement.id, {"email": "gone@x.nl"})
    ledger.catch_up()
    before_leaves = ledger.tlog.leaves(0, ledger.tlog.size() - 1)
    before_events = [n.state for n in ledger.recorder.select_notifications(1, 1000)]
    root = ledger.tlog.make_checkpoint().root_hash
    erased = ledger.erase_learner(Act(actor), {"email": "GONE@x.nl"})
    assert erased.credentials == [issued.credential.id]
    with pytest.raises(SubjectErasedError):
        ledger.credential_document(ledger.credential(issued.credential.id))
    # The erasure is one more act (its leaf appended); nothing recorded before changed.
    ledger.catch_up()
    assert ledger.tlog.leaves(0, ledger.tlog.size() - 1)[: len(before_leaves)] == before_leaves
    events = [n.state for n in ledger.recorder.select_notifications(1, 1000)]
    assert events[: len(before_events)] == before_events
    assert len(events) == len(before_events) + 1
    assert ledger.tlog.root(len(before_leaves)) == root


def test_achievements_can_be_searched_for_one_issuer_only(ledger: Any) -> None:
    school = str(ledger.register_issuer(Act(ADMIN), "Hogeschool").issuer.id)
    other = str(ledger.register_issuer(Act(ADMIN), "Universiteit").issuer.id)
    ledger.define_achievement(Act(school), microcredential_definition(name="Data literacy"))
    ledger.define_achievement(Act(other), microcredential_definition(name="Data ethics"))
    mine = ledger.achievements.search(None, issuer_id=school)
    assert [row["name"] for row in mine] == ["Data literacy"]
    assert [r["name"] for r in ledger.achievements.search("data", issuer_id=other)] == [
        "Data ethics"
    ]


_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.lists(st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_VALUE, _VALUE), min_size=1, max_size=4), _VALUE)
def test_rows_are_written_as_sqlite_utils_writes_them(
    rows: list[tuple[Any, Any]], changed: Any
) -> None:
    # A model built by an older credledger (through sqlite-utils' insert and update)
    # must equal a rebuild by this one, value for value.
    theirs, ours = sqlite_utils.Database(memory=True), sqlite_utils.Database(memory=True)
    for db in (theirs, ours):
        db["t"].create({"id": str, "a": str, "b": str}, pk="id")  # type: ignore[union-attr]
    written = RowWriter(ours)
    for i, (a, b) in enumerate(rows):
        theirs["t"].insert({"id": str(i), "a": a, "b": b})  # type: ignore[union-attr]
        written.insert("t", {"id": str(i), "a": a, "b": b})
    theirs["t"].update("0", {"b": changed})  # type: ignore[union-attr]
    written.update("t", "0", {"b": changed})
    assert list(ours.conn.iterdump()) == list(theirs.conn.iterdump())


def test_updating_a_row_that_is_not_there_is_an_error() -> None:
    db = sqlite_utils.Database(memory=True)
    db["t"].create({"id": str, "a": str}, pk="id")  # type: ignore[union-attr]
    with pytest.raises(NotFoundError):
        RowWriter(db).update("t", "missing", {"a": "x"})
