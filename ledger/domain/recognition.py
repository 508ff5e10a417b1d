"""Recognition: an institution's decision about a credential it was shown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from credledger.ledger.domain.aggregate import PseudonymousAggregate
from credledger.ledger.domain.errors import ActorMayNotError, AlreadyRecordedError
from eventsourcing.domain import event

DECISIONS = ("recognised", "rejected")


class Recognition(PseudonymousAggregate):
    """Bound to the exact credential seen (its digest), with the verification result.

    The credential itself is kept sealed (it holds the learner's data); the decision,
    credits and the digest stay readable for auditors.
    """

    TOPIC = "credledger.ledger.recognition:Recognition"

    class Event(PseudonymousAggregate.Event):
        TOPIC = "credledger.ledger.recognition:Recognition.Event"

    class Created(Event, PseudonymousAggregate.Created):
        TOPIC = "credledger.ledger.recognition:Recognition.Created"

    @event("Recorded", topic="credledger.ledger.recognition:Recognition.Recorded")
    def __init__(
        self,
        institution_id: UUID,
        credential_id: str,
        credential_issuer: str,
        credential_digest: bytes,
        subject_key_id: str,
        sealed: bytes,
        decision: str,
        ects: Decimal | None,
        exemption: str | None,
        note: str | None,
        verification: dict[str, Any],
    ) -> None:
        self.institution_id = institution_id
        self.credential_id = credential_id
        self.credential_issuer = credential_issuer
        self.credential_digest = credential_digest
        self.subject_key_id = subject_key_id
        self.sealed = sealed
        self.decision = decision
        self.ects = ects
        self.exemption = exemption
        self.note = note
        self.verification = verification
        self.withdrawn = False

    def withdraw(self, reason: str, actor: str) -> None:
        if actor != str(self.institution_id):
            raise ActorMayNotError("only the recognising institution may withdraw its decision")
        if self.withdrawn:
            raise AlreadyRecordedError("the recognition is already withdrawn")
        self._withdrawn(reason=reason)

    @event("Withdrawn", topic="credledger.ledger.recognition:Recognition.Withdrawn")
    def _withdrawn(self, reason: str) -> None:
        self.withdrawn = True
