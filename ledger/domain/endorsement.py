"""Endorsement: a third party vouches for an achievement, an issuer or a credential."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from credledger.ledger.domain.aggregate import LedgerAggregate
from credledger.ledger.domain.errors import ActorMayNotError, AlreadyRecordedError
from eventsourcing.domain import event

SUBJECT_KINDS = ("achievement", "issuer", "credential")


class Endorsement(LedgerAggregate):
    """An EndorsementCredential signed by the endorser; it can be withdrawn, never edited."""

    TOPIC = "credledger.ledger.endorsement:Endorsement"

    class Event(LedgerAggregate.Event):
        TOPIC = "credledger.ledger.endorsement:Endorsement.Event"

    class Created(Event, LedgerAggregate.Created):
        TOPIC = "credledger.ledger.endorsement:Endorsement.Created"

    @event("Endorsed", topic="credledger.ledger.endorsement:Endorsement.Endorsed")
    def __init__(
        self,
        endorser_id: UUID,
        subject_kind: str,
        subject_id: UUID,
        comment: str,
        document: dict[str, Any],
        digest: bytes,
        status_slot: dict[str, Any] | None = None,
    ) -> None:
        """``status_slot``: the revocation index the endorsement claimed (group, index,
        number); endorsements recorded before they carried a status entry have none."""
        self.status_slot = status_slot
        self.endorser_id = endorser_id
        self.subject_kind = subject_kind
        self.subject_id = subject_id
        self.comment = comment
        self.document = document
        self.digest = digest
        self.withdrawn = False

    def withdraw(self, reason: str, actor: str) -> None:
        if actor != str(self.endorser_id):
            raise ActorMayNotError("only the endorser may withdraw an endorsement")
        if self.withdrawn:
            raise AlreadyRecordedError("the endorsement is already withdrawn")
        self._withdrawn(reason=reason)

    @event("Withdrawn", topic="credledger.ledger.endorsement:Endorsement.Withdrawn")
    def _withdrawn(self, reason: str) -> None:
        self.withdrawn = True
