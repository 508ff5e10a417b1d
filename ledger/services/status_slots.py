"""Status slots: the index in an issuer's list group that a credential's status bits take.

An index is drawn at random among the free ones of the issuer's current group (a new
group when it is full), and claimed by a ``StatusSlot`` saved with the credential: the
store refuses a second claim of the same index, so a stale view only costs a retry.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from credledger.ledger.domain.ledger_identity import LedgerIdentity
from credledger.ledger.domain.status_lists import (
    LIST_LENGTH,
    PURPOSES,
    StatusSlot,
    base_url_epoch,
    first_group_number,
    group_id,
    list_id,
)
from credledger.ledger.store.read_model import ReadModel
from credledger.revocation.allocation import allocate_index
from credledger.revocation.status_list import status_list_entry


@dataclass(frozen=True)
class Slot:
    """A status index in a list group, with the group's list ids per purpose."""

    group: UUID
    number: int
    index: int
    lists: dict[str, UUID]

    @classmethod
    def of(cls, status_slot: dict[str, Any]) -> Slot:
        """The slot a credential recorded (its ``status_slot``)."""
        group = status_slot["group"]
        lists = {p: list_id(group, p) for p in PURPOSES}
        return cls(group, int(status_slot["number"]), int(status_slot["index"]), lists)

    def recorded(self, purposes: Sequence[str] | None = None) -> dict[str, Any]:
        """The slot as a credential (or endorsement) records it."""
        slot: dict[str, Any] = {"group": self.group, "index": self.index, "number": self.number}
        if purposes is not None:
            slot["purposes"] = list(purposes)
        return slot

    def claim(self, credential_id: UUID) -> StatusSlot:
        """The claim of this index by ``credential_id`` (the store allows one)."""
        return StatusSlot(
            group=self.group,
            index=self.index,
            number=self.number,
            lists=self.lists,
            credential_id=credential_id,
        )


def status_list_url(identity: LedgerIdentity, list_uuid: UUID, group_number: int) -> str:
    """The list's URL, for life: under the base URL in force when its group began."""
    epoch = min(base_url_epoch(group_number), identity.epoch)
    return f"{identity.base_urls[epoch]}/v1/status/{list_uuid}"


class StatusSlots:
    """Draws free status indices, remembering per group which are taken."""

    def __init__(self, read_model: ReadModel, identity: LedgerIdentity) -> None:
        self.read_model = read_model
        self.identity = identity
        self._used: dict[UUID, set[int]] = {}
        self._lock = threading.Lock()

    def allocate(self, issuer_id: UUID, claimed: set[tuple[UUID, int]]) -> Slot:
        """A random free index in the issuer's current list group (a new group when full).

        Used indices are cached per group (loaded once from the read model, extended as
        claims are saved); ``claimed``: indices this batch took but has not saved yet.
        """
        number, _ = self.read_model.current_group(str(issuer_id))
        number = max(number, first_group_number(self.identity.epoch))
        while True:
            group = group_id(issuer_id, number)
            if group not in self._used:
                self.learn_used({group})
            pending = {index for g, index in claimed if g == group}
            with self._lock:  # other threads add to the set while we draw
                used = self._used[group]
                if len(used) + len(pending) < LIST_LENGTH:
                    index = allocate_index(used | pending if pending else used, LIST_LENGTH)
                    break
            number += 1
        return Slot(
            group, number, index, {purpose: list_id(group, purpose) for purpose in PURPOSES}
        )

    def learn_used(self, groups: set[UUID]) -> None:
        """Merge the read model's claimed indices into the cache (never forgetting any:
        several threads share it, and what one learnt from a collision must stay)."""
        for group in groups:
            known = self.read_model.used_indices(str(group))
            with self._lock:
                self._used.setdefault(group, set()).update(known)

    def note_used(self, slot: Slot) -> None:
        with self._lock:
            self._used.setdefault(slot.group, set()).add(slot.index)

    def entries(self, slot: Slot, purposes: Sequence[str]) -> list[dict[str, Any]]:
        """The ``credentialStatus`` entries of a credential in this slot."""
        return [
            status_list_entry(
                status_list_url(self.identity, slot.lists[purpose], slot.number),
                slot.index,
                purpose,
            )
            for purpose in purposes
        ]
