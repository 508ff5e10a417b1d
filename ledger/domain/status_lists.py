"""Status lists in the ledger: slots claimed atomically with issuance, versions published as events.

A credential's status index is claimed by a ``StatusSlot`` aggregate whose id is
derived from (list group, index) and which is saved in the same transaction as the
``Credential``: a second claim of the same index is an integrity error, so no two
credentials can ever share an index, across processes and crashes. Each published
version of a list is a ``StatusList.Published`` event holding the signed list
credential and its digest, so the log proves which list was served when.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from credledger.ledger.domain.aggregate import LedgerAggregate, PseudonymousAggregate
from eventsourcing.domain import event

LIST_LENGTH = 131_072
PURPOSES = ("revocation", "suspension")
_NAMESPACE = uuid5(NAMESPACE_URL, "https://credledger.org/ns/status")


def award_purposes(definition: dict[str, Any]) -> tuple[str, ...]:
    """The status entries an award of this definition carries.

    Open Badges 3.0 allows one ``credentialStatus``: revocation. A suspension entry is
    added only for achievements defined ``suspendable`` (a VC 2.0 array, outside OB 3.0's
    schema: docs/status-lists.md).
    """
    return PURPOSES if definition.get("suspendable") is True else ("revocation",)


GROUPS_PER_BASE_URL = 1 << 20
"""List groups are numbered per public base URL: after the n-th move of the base URL an
issuer's new credentials go to groups numbered from n * GROUPS_PER_BASE_URL, whose lists
live under the new base URL. A list keeps its URL for life, because every credential
on it names that URL and a verifier requires the list to name itself by it."""


def first_group_number(epoch: int) -> int:
    """The lowest group number under the ``epoch``-th base URL (0: the first)."""
    return epoch * GROUPS_PER_BASE_URL


def base_url_epoch(group_number: int) -> int:
    """Under which of the ledger's base URLs (0: the first) a group's lists live."""
    return group_number // GROUPS_PER_BASE_URL


def group_id(issuer_id: UUID, number: int) -> UUID:
    """The n-th list group of an issuer: one revocation and one suspension list."""
    return uuid5(_NAMESPACE, f"group:{issuer_id}:{number}")


def list_id(group: UUID, purpose: str) -> UUID:
    return uuid5(_NAMESPACE, f"list:{group}:{purpose}")


def slot_id(group: UUID, index: int) -> UUID:
    return uuid5(_NAMESPACE, f"slot:{group}:{index}")


class StatusSlot(PseudonymousAggregate):
    """Index ``index`` of list group ``group`` belongs to one credential, forever."""

    TOPIC = "credledger.ledger.status_lists:StatusSlot"

    class Event(PseudonymousAggregate.Event):
        TOPIC = "credledger.ledger.status_lists:StatusSlot.Event"

    class Created(Event, PseudonymousAggregate.Created):
        TOPIC = "credledger.ledger.status_lists:StatusSlot.Created"

    @classmethod
    def create_id(cls, group: UUID, index: int) -> UUID:
        return slot_id(group, index)

    @event("Claimed", topic="credledger.ledger.status_lists:StatusSlot.Claimed")
    def __init__(
        self, group: UUID, index: int, number: int, lists: dict[str, UUID], credential_id: UUID
    ) -> None:
        """``number``: the group's ordinal for its issuer; ``lists``: purpose -> list id."""
        self.group = group
        self.index = index
        self.credential_id = credential_id


class StatusList(LedgerAggregate):
    """The published versions of one status list (the newest is served)."""

    TOPIC = "credledger.ledger.status_lists:StatusList"

    class Event(LedgerAggregate.Event):
        TOPIC = "credledger.ledger.status_lists:StatusList.Event"

    class Created(Event, LedgerAggregate.Created):
        TOPIC = "credledger.ledger.status_lists:StatusList.Created"

    @classmethod
    def create_id(cls, list_uuid: UUID) -> UUID:
        return list_uuid

    @event("Opened", topic="credledger.ledger.status_lists:StatusList.Opened")
    def __init__(self, list_uuid: UUID, issuer_id: UUID, group: UUID, purpose: str) -> None:
        self.issuer_id = issuer_id
        self.group = group
        self.purpose = purpose
        self.list_version = 0
        self.document: dict[str, Any] | None = None
        self.digest: bytes | None = None
        self.position = -1

    @event("Published", topic="credledger.ledger.status_lists:StatusList.Published")
    def publish(
        self,
        list_url: str,
        list_version: int,
        digest: bytes,
        document: dict[str, Any],
        position: int,
    ) -> None:
        """``position``: the number of status changes of the group the bits reflect."""
        self.list_version = list_version
        self.digest = digest
        self.document = document
        self.position = position
