"""Which status bits are set, folded from the ledger's own events (never the read model).

A status list's bits decide whether a credential is revoked, so they are computed only
from the event store: every status change (a credential suspended, reinstated or
revoked, an endorsement withdrawn) is read in notification order and applied to its
list group at the index its credential claimed, which the credential's own events
say. The fold lives in memory and is rebuilt from the events by each process, so a
damaged or lagging read model (one per process on PostgreSQL) cannot change a bit.

``changes`` counts a group's status changes in notification order; a published list
version records how many it reflects (its ``position``), so an audit can recompute
each version from the same prefix of the events (``ledger/audit/status.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from credledger.ledger.domain.events import (
    PURPOSE_REVOCATION,
    StatusEffect,
    changes_bits,
    kind_of,
    topics,
)
from eventsourcing.persistence import Notification

BATCH = 500

STATUS_TOPICS = topics(changes_bits)
"""The stored topics of the events that change a bit of some status list."""


@dataclass(frozen=True)
class SlotOwner:
    """Where a credential's (or endorsement's) status lives: group, index, issuer."""

    group: UUID
    index: int
    issuer_id: UUID
    number: int


@dataclass
class GroupStatus:
    """The set bits of one list group (its revocation and suspension lists)."""

    revoked: set[int] = field(default_factory=set)
    suspended: set[int] = field(default_factory=set)
    changes: int = 0
    changed_at: datetime | None = None
    issuer_id: UUID | None = None
    number: int = 0

    def indices(self, purpose: str) -> set[int]:
        return self.revoked if purpose == PURPOSE_REVOCATION else self.suspended

    def apply(self, effect: StatusEffect, index: int, at: datetime) -> None:
        """One status change, as the event registry defines its effect (a revoked
        credential is no longer shown suspended; a withdrawn endorsement is revoked)."""
        for purpose in effect.sets:
            self.indices(purpose).add(index)
        for purpose in effect.clears:
            self.indices(purpose).discard(index)
        self.changes += 1
        self.changed_at = at


def bit_effect(event: Any) -> StatusEffect | None:
    """What ``event`` does to a status list bit (None: nothing); an event the registry
    does not know is an error."""
    effect = kind_of(event).status
    return effect if effect is not None and effect.changes_bits else None


class StatusFold:
    """Every list group's bits, kept up to date from the event store on demand."""

    def __init__(
        self,
        select: Callable[[int, int, int, Sequence[str]], Sequence[Notification]],
        newest: Callable[[], int],
        to_event: Callable[[Notification], Any],
        slot_of: Callable[[UUID], SlotOwner | None],
    ) -> None:
        """``select(start, limit, stop, topics)`` reads notifications; ``newest`` is the
        highest notification id; ``to_event`` decodes one; ``slot_of`` names the slot of
        the credential or endorsement an event is about."""
        self._select = select
        self._newest = newest
        self._to_event = to_event
        self._slot_of = slot_of
        self._groups: dict[UUID, GroupStatus] = {}
        self._dirty: set[UUID] = set()
        self._lock = threading.RLock()
        self.position = 0

    def catch_up(self) -> None:
        """Apply every status change stored since the last call. The position moves to
        the newest event read, status change or not, so no event is scanned twice."""
        with self._lock:
            while True:
                newest = self._newest()
                if newest <= self.position:
                    return
                batch = self._select(self.position + 1, BATCH, newest, STATUS_TOPICS)
                for notification in batch:
                    self._apply(self._to_event(notification))
                    self.position = notification.id
                if len(batch) < BATCH:
                    self.position = newest
                    return

    def _apply(self, event: Any) -> None:
        effect = bit_effect(event)
        if effect is None:
            return
        owner = self._slot_of(event.originator_id)
        if owner is None:  # a credential given to the VC API without a status entry
            return
        status = self._groups.setdefault(owner.group, GroupStatus())
        status.issuer_id = owner.issuer_id
        status.number = owner.number
        status.apply(effect, owner.index, event.timestamp)
        self._dirty.add(owner.group)

    def group(self, group: UUID) -> GroupStatus:
        """The group's status now (after :meth:`catch_up`); empty if it never changed."""
        with self._lock:
            found = self._groups.get(group)
            if found is None:
                return GroupStatus()
            return GroupStatus(
                set(found.revoked),
                set(found.suspended),
                found.changes,
                found.changed_at,
                found.issuer_id,
                found.number,
            )

    def take_changed(self) -> dict[UUID, tuple[UUID, int]]:
        """Groups changed since the last call, with their issuers and numbers (and
        forget them)."""
        with self._lock:
            changed = {
                g: (issuer, self._groups[g].number)
                for g in self._dirty
                if (issuer := self._groups[g].issuer_id) is not None
            }
            self._dirty.clear()
            return changed
