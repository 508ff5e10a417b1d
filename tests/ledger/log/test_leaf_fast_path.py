"""The audit's fast leaf: a leaf it returns is the reference's leaf, or it returns None.

``leaf_from_row`` reads UUIDs and times as their stored bytes and text and writes the map
in key order itself; ``leaf_for`` (the reference) decodes everything into objects and
prints them back. Every event kind the ledger records (the pinned golden events) is
decided by the fast path, and for events whose leaf fields were changed to values of
another type or form, the fast path either gives the reference's very leaf or declines.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import cbor2
import pytest
from credledger.ledger.log.leaves import leaf_for, leaf_from_row
from eventsourcing.persistence import Notification
from hypothesis import given, settings
from hypothesis import strategies as st

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "golden" / "events.json"
MADE_NOW: list[dict[str, Any]] = json.loads(GOLDEN.read_text())["made_now"]

# The fields a leaf is made from, and values of every other type and form for them.
LEAF_FIELDS = (
    "timestamp",
    "salt",
    "log_alias",
    "digest",
    "vc_id",
    "list_url",
    "list_version",
    "base_url",
    "log_origin",
)
OTHER_VALUES = st.sampled_from(
    [
        cbor2.CBORTag(0, "2026-12-04T04:11:36Z"),  # no microseconds
        cbor2.CBORTag(0, "2026-12-04T04:11:36.320321+00:00"),
        cbor2.CBORTag(0, "2026-02-30T00:00:00.000000Z"),  # no such day
        cbor2.CBORTag(0, "2026-12-04T04:11:60.000000Z"),  # no such second
        cbor2.CBORTag(0, "0999-01-01T00:00:00.000000Z"),
        cbor2.CBORTag(0, "2026-12-04T04:11:36.32032\u0661Z"),  # an Arabic-Indic digit
        cbor2.CBORTag(0, 1_700_000_000),
        cbor2.CBORTag(37, b"short"),
        cbor2.CBORTag(37, "not bytes"),
        cbor2.CBORTag(37, UUID(int=7).bytes),
        UUID(int=7).bytes,  # a UUID's bytes, untagged
        str(UUID(int=7)),
        "",
        "https://ledger.example/other",
        b"",
        b"\x00" * 32,
        0,
        7,
        -1,
        2**63,
        True,
        None,
        1.5,
        [1, 2],
        {"a": 1},
    ]
)


def _stored(value: Any) -> Any:
    """The value as the ledger's transcoder writes it (UUID tag 37, time tag 0)."""
    if isinstance(value, UUID):
        return cbor2.CBORTag(37, value.bytes)
    if isinstance(value, datetime):
        return cbor2.CBORTag(0, value.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    if isinstance(value, dict):
        return {k: _stored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stored(v) for v in value]
    return value


def _reference(seq: int, event: dict[str, Any], state: bytes) -> bytes | None:
    notification = Notification(
        id=seq + 1,
        originator_id=UUID(event["aggregate"]),
        originator_version=event["version"],
        topic=event["topic"],
        state=state,
    )
    try:
        return leaf_for(seq, notification)
    except Exception:
        return None


@pytest.mark.parametrize("event", MADE_NOW, ids=[e["topic"].split(":")[1] for e in MADE_NOW])
def test_every_kind_recorded_now_is_decided_by_the_fast_path(event: dict[str, Any]) -> None:
    state = bytes.fromhex(event["state"])
    fast = leaf_from_row(9, event["aggregate"], event["version"], event["topic"], state)
    assert fast is not None
    assert fast == _reference(9, event, state)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(MADE_NOW),
    st.dictionaries(st.sampled_from(LEAF_FIELDS), OTHER_VALUES, min_size=1, max_size=3),
    st.sets(st.sampled_from(LEAF_FIELDS), max_size=2),
)
def test_a_leaf_from_changed_fields_is_the_references_or_none(
    event: dict[str, Any], changed: dict[str, Any], removed: set[str]
) -> None:
    fields = _stored(dict(cbor2.loads(bytes.fromhex(event["state"]))))
    fields.update(changed)
    for name in removed:
        fields.pop(name, None)
    # Deterministic CBOR (text keys: cbor2's canonical order is RFC 8949's), so that the
    # reference refuses an event only for what was changed, not for its encoding.
    state = cbor2.dumps(fields, canonical=True)
    fast = leaf_from_row(3, event["aggregate"], event["version"], event["topic"], state)
    if fast is not None:
        assert fast == _reference(3, event, state)


def test_an_unknown_event_type_is_left_to_the_reference() -> None:
    event = MADE_NOW[0]
    state = bytes.fromhex(event["state"])
    unknown = "credledger.nowhere:Thing.Happened"
    assert leaf_from_row(0, event["aggregate"], 1, unknown, state) is None


def test_bytes_that_are_not_cbor_are_left_to_the_reference() -> None:
    event = MADE_NOW[0]
    assert leaf_from_row(0, event["aggregate"], 1, event["topic"], b"\xff\x00") is None
