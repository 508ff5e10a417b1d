"""Auditing status lists and the read model against the events (read-only).

Every published status list version (``StatusList.Published``) is recomputed from the
status changes stored before it: its bits must be those of its group after the first
``position`` status changes, in notification order, and its digest the digest of the
document it holds. The first version that differs is reported (a list that cleared a
revoked credential's bit, whoever signed it).

The read model is checked by rebuilding it from the events into a scratch file, up to
the position the stored model reached, and comparing every row; a difference means the
model was changed outside the ledger (repair: ``credledger read-model rebuild``).
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from credledger.crypto.jcs import canonicalize_bytes
from credledger.ledger.audit.report import Discrepancy
from credledger.ledger.domain.events import STATUS_LIST_PUBLISHED, StatusEffect, kind_for_topic
from credledger.ledger.domain.status_fold import STATUS_TOPICS, GroupStatus
from credledger.ledger.store.read_model import ReadModel
from credledger.ledger.store.read_model_schema import SCHEMA_VERSION
from credledger.ledger.store.schema import POSITION, READ_MODEL_FILE
from credledger.ledger.store.transcoder import (
    CBORTranscoder,
    EventEncodingError,
    decode_deterministic,
    decode_stored,
)
from credledger.revocation.bitstring import Bitstring
from credledger.revocation.errors import StatusListError
from eventsourcing.persistence import ApplicationRecorder, Mapper

PUBLISHED_TOPIC = STATUS_LIST_PUBLISHED.topic
BATCH = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class _Group:
    """A group's status changes in order, and its state after ``applied`` of them."""

    changes: list[tuple[StatusEffect, int]] = field(default_factory=list)
    state: GroupStatus = field(default_factory=GroupStatus)

    def state_after(self, count: int) -> GroupStatus | None:
        if count > len(self.changes):
            return None
        while self.state.changes < count:
            effect, index = self.changes[self.state.changes]
            self.state.apply(effect, index, at=_EPOCH)
        if self.state.changes == count:
            return self.state
        replay = GroupStatus()  # an older prefix (published while changes came in)
        for effect, index in self.changes[:count]:
            replay.apply(effect, index, at=_EPOCH)
        return replay


FirstStates = Callable[[Collection[UUID]], "dict[UUID, bytes]"]
"""The stored state of each aggregate's first event (aggregates without one left out)."""


def recorder_first_states(recorder: ApplicationRecorder) -> FirstStates:
    def first(aggregate_ids: Collection[UUID]) -> dict[UUID, bytes]:
        found = {}
        for aggregate_id in aggregate_ids:
            events = recorder.select_events(aggregate_id, lte=1)
            if events:
                found[aggregate_id] = bytes(events[0].state)
        return found

    return first


def _decoded(aggregate_id: UUID, state: bytes | None) -> dict[str, Any]:
    if state is None:
        return {}
    try:  # read after the leaves were checked: their commitments pin these bytes
        return dict(decode_stored(state))
    except EventEncodingError as exc:
        raise Discrepancy(
            "event-undecodable", f"the first event of {aggregate_id}: {exc}"
        ) from None


def _as_uuid(value: Any) -> UUID:
    return value if type(value) is UUID else UUID(str(value))


def check_status_lists(
    recorder: ApplicationRecorder, first_states: FirstStates | None = None
) -> int:
    """Recompute every published status list version; returns how many were checked.
    ``first_states`` reads aggregates' first events, a batch at a time (default: one by
    one through the recorder).

    Raises Discrepancy(kind="status-list") at the first version whose bits are not
    those the events give.
    """
    first = first_states or recorder_first_states(recorder)
    groups: dict[UUID, _Group] = {}
    slots: dict[UUID, tuple[UUID, int] | None] = {}
    lists: dict[UUID, tuple[UUID, str]] = {}
    checked = 0
    position = 0
    wanted = (*STATUS_TOPICS, PUBLISHED_TOPIC)
    while batch := recorder.select_notifications(position + 1, BATCH, topics=wanted):
        position = batch[-1].id
        found = [(n, _as_uuid(n.originator_id), kind_for_topic(n.topic).status) for n in batch]
        new = {a for _, a, _ in found if a not in slots and a not in lists}
        states = first(new) if new else {}
        for n, aggregate, effect in found:
            if effect is not None and effect.changes_bits:
                if aggregate not in slots:
                    slot = _decoded(aggregate, states.get(aggregate)).get("status_slot")
                    slots[aggregate] = (
                        (_as_uuid(slot["group"]), int(slot["index"])) if slot else None
                    )
                owner = slots[aggregate]
                if owner is not None:
                    groups.setdefault(owner[0], _Group()).changes.append((effect, owner[1]))
                continue
            if aggregate not in lists:
                opened = _decoded(aggregate, states.get(aggregate))
                lists[aggregate] = (_as_uuid(opened["group"]), str(opened["purpose"]))
            group, purpose = lists[aggregate]
            _check_version(
                n.id, decode_deterministic(n.state), groups.setdefault(group, _Group()), purpose
            )
            checked += 1
    return checked


def _check_version(event: int, state: dict[str, Any], group: _Group, purpose: str) -> None:
    url, version = state.get("list_url"), state.get("list_version")
    where = f"status list {url} version {version}"
    document = state.get("document") or {}
    if canonical_digest(document) != state.get("digest"):
        raise Discrepancy("status-list", f"{where}: its digest is not its document's", event=event)
    expected = group.state_after(int(state.get("position", -1)))
    if expected is None:
        raise Discrepancy(
            "status-list",
            f"{where} claims {state.get('position')} status changes; the events hold "
            f"{len(group.changes)} before it",
            event=event,
        )
    try:
        published = Bitstring.decode(document["credentialSubject"]["encodedList"])
    except (KeyError, TypeError, StatusListError) as exc:
        raise Discrepancy("status-list", f"{where}: unreadable list ({exc})", event=event) from None
    want = expected.indices(purpose)
    for index in want:
        if not published.get(index):
            raise Discrepancy(
                "status-list",
                f"{where} shows index {index} clear; the events say it is set ({purpose})",
                event=event,
            )
    if published.count() != len(want):
        extra = next(i for i in range(len(published)) if published.get(i) and i not in want)
        raise Discrepancy(
            "status-list",
            f"{where} shows index {extra} set; the events say it is clear ({purpose})",
            event=event,
        )


def canonical_digest(document: Any) -> bytes:
    return hashlib.sha256(canonicalize_bytes(document)).digest()


# -- the read model ---------------------------------------------------------------------------


def check_read_model(recorder: ApplicationRecorder, path: Path) -> str | None:
    """Rebuild the read model from the events (to the position the stored one reached)
    and compare; raises Discrepancy(kind="read-model") naming the first differing row.
    Returns a warning when there is nothing comparable (no model, an older version)."""
    if not path.is_file():
        return f"no read model at {path} to compare"
    stored = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        rows = stored.execute(
            f"SELECT name, notification_id FROM {POSITION} WHERE name IN ('events', 'schema')"
        ).fetchall()
        marks = {str(name): int(value) for name, value in rows}
        if marks.get("schema", 1) != SCHEMA_VERSION:
            return "the read model is of an older version; the ledger rebuilds it at its next start"
        reached = marks.get("events", 0)
        live = list(stored.iterdump())
    except sqlite3.Error as exc:
        raise Discrepancy("read-model", f"the read model cannot be read: {exc}") from None
    finally:
        stored.close()
    with tempfile.TemporaryDirectory(prefix="credledger-audit-") as scratch:
        rebuilt = ReadModel(Path(scratch) / READ_MODEL_FILE, Mapper(transcoder=CBORTranscoder()))
        try:
            rebuilt.catch_up(
                lambda start, limit: (
                    recorder.select_notifications(start, limit, stop=reached)
                    if start <= reached
                    else []
                )
            )
            expected = rebuilt.dump()
        finally:
            rebuilt.close()
    if live != expected:
        differing = sorted(set(live) ^ set(expected))
        raise Discrepancy(
            "read-model",
            "the read model differs from a rebuild from the events (repair it with "
            f"`credledger read-model rebuild`): first differing row {differing[0][:200]!r}",
        )
    return None
