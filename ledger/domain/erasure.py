"""Erasure: an institution erased one learner's personal data (the act, not the data)."""

from __future__ import annotations

from uuid import UUID

from credledger.ledger.domain.aggregate import LedgerAggregate
from eventsourcing.domain import event


class Erasure(LedgerAggregate):
    """An institution erased one learner's personal data (who, it does not say)."""

    TOPIC = "credledger.ledger.erasure:Erasure"

    class Event(LedgerAggregate.Event):
        TOPIC = "credledger.ledger.erasure:Erasure.Event"

    class Created(Event, LedgerAggregate.Created):
        TOPIC = "credledger.ledger.erasure:Erasure.Created"

    @event("Recorded", topic="credledger.ledger.erasure:Erasure.Recorded")
    def __init__(self, issuer_id: UUID, credentials: list[UUID], copies: int) -> None:
        self.issuer_id = issuer_id
        self.credentials = credentials
        self.copies = copies
