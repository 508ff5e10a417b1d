"""Achievement: a credential definition owned by one issuer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from credledger.ledger.domain.aggregate import LedgerAggregate
from credledger.ledger.domain.errors import AchievementArchivedError
from eventsourcing.domain import event


class Achievement(LedgerAggregate):
    """A definition (name, criteria, EU standard elements) credentials are awarded for."""

    TOPIC = "credledger.ledger.achievement:Achievement"

    class Event(LedgerAggregate.Event):
        TOPIC = "credledger.ledger.achievement:Achievement.Event"

    class Created(Event, LedgerAggregate.Created):
        TOPIC = "credledger.ledger.achievement:Achievement.Created"

    @event("Defined", topic="credledger.ledger.achievement:Achievement.Defined")
    def __init__(self, issuer_id: UUID, definition: dict[str, Any]) -> None:
        self.issuer_id = issuer_id
        self.definition = definition
        self.archived = False

    def check_not_archived(self) -> None:
        if self.archived:
            raise AchievementArchivedError(
                "this achievement is archived; nothing is issued from it"
            )

    def revise(self, definition: dict[str, Any]) -> None:
        self.check_not_archived()
        self._revised(definition)

    @event("Revised", topic="credledger.ledger.achievement:Achievement.Revised")
    def _revised(self, definition: dict[str, Any]) -> None:
        self.definition = definition

    def archive(self) -> None:
        self.check_not_archived()
        self._archived()

    @event("Archived", topic="credledger.ledger.achievement:Achievement.Archived")
    def _archived(self) -> None:
        self.archived = True
