"""Claim: an award offered to the learner's wallet, to be picked up once, before it expires.

A claim is reached through an unguessable URL whose secret is never recorded: the
claim's id is a keyed hash of it (``services/claim_secrets.py``), so the events hold
nothing that opens the claim. A transaction code, when one guards the claim, is kept
only as a salted, slow hash. Who claimed it (the holder's DID) is personal data and is
sealed under the learner's subject key like every other, so the log shows only that
the claim was offered, claimed, withdrawn or expired.

A claim past ``expires_at`` is refused from the time alone (as a credential past its
``validUntil`` is shown expired); the server's tick then records its expiry (``Expired``,
by the clock), so the log says how every offer ended.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from credledger.ledger.domain.aggregate import PseudonymousAggregate
from credledger.ledger.domain.errors import (
    ClaimExpiredError,
    ClaimUsedError,
    ClaimWithdrawnError,
    NotYourCredentialError,
)
from eventsourcing.domain import event

OPEN = "open"
CLAIMED = "claimed"
WITHDRAWN = "withdrawn"
EXPIRED = "expired"


class Claim(PseudonymousAggregate):
    """One offer of one award to a wallet: open until claimed, withdrawn or expired."""

    TOPIC = "credledger.ledger.claim:Claim"

    class Event(PseudonymousAggregate.Event):
        TOPIC = "credledger.ledger.claim:Claim.Event"

    class Created(Event, PseudonymousAggregate.Created):
        TOPIC = "credledger.ledger.claim:Claim.Created"

    @event("Offered", topic="credledger.ledger.claim:Claim.Offered")
    def __init__(
        self,
        credential_id: UUID,
        issuer_id: UUID,
        expires_at: datetime,
        tx_code: dict[str, Any] | None,
    ) -> None:
        """``tx_code``: how the transaction code guarding the claim is hashed (salt, hash,
        length, KDF parameters), never the code; None when no code guards it."""
        self.credential_id = credential_id
        self.issuer_id = issuer_id
        self.expires_at = expires_at
        self.tx_code = tx_code
        self.state = OPEN

    @classmethod
    def offer(
        cls,
        claim_id: UUID,
        *,
        credential_id: UUID,
        issuer_id: UUID,
        expires_at: datetime,
        tx_code: dict[str, Any] | None,
    ) -> Claim:
        """A new claim under ``claim_id`` (the keyed hash of its URL's secret)."""
        return cls._create(
            cls.Offered,  # type: ignore[attr-defined]
            id=claim_id,
            credential_id=credential_id,
            issuer_id=issuer_id,
            expires_at=expires_at,
            tx_code=tx_code,
        )

    @property
    def guarded(self) -> bool:
        """Whether a transaction code must be given to claim it."""
        return self.tx_code is not None

    def status_at(self, now: datetime) -> str:
        """open, claimed, withdrawn, or expired (an open claim past its time)."""
        if self.state == OPEN and now >= self.expires_at:
            return EXPIRED
        return str(self.state)

    def check_open(self, now: datetime) -> None:
        """Raise the error that says why the claim can no longer be used, if it cannot."""
        status = self.status_at(now)
        if status == CLAIMED:
            raise ClaimUsedError("this claim was used already; a claim delivers once")
        if status == WITHDRAWN:
            raise ClaimWithdrawnError("the issuer withdrew this claim")
        if status == EXPIRED:
            raise ClaimExpiredError("this claim has expired; ask the issuer for a new one")

    def claim(self, now: datetime, *, subject_key_id: str, holder: bytes, protocol: str) -> None:
        """Record the delivery: ``holder`` is the holder's identifier, sealed under
        ``subject_key_id`` (the learner's key); ``protocol`` the wallet protocol used."""
        self.check_open(now)
        self._claimed(subject_key_id=subject_key_id, holder=holder, protocol=protocol)

    def expire(self, now: datetime) -> bool:
        """Record that the open claim's time ran out (False: not open, or not yet due)."""
        if self.state != OPEN or now < self.expires_at:
            return False
        self._expired()
        return True

    def withdraw(self, actor: str, reason: str) -> None:
        """The issuer takes the offer back (an open or expired claim; not a used one)."""
        if actor != str(self.issuer_id):
            raise NotYourCredentialError("only the issuer of a credential withdraws its claims")
        if self.state == CLAIMED:
            raise ClaimUsedError("this claim was used already")
        if self.state == WITHDRAWN:
            raise ClaimWithdrawnError("this claim was withdrawn already")
        self._withdrawn(reason=reason)

    @event("Expired", topic="credledger.ledger.claim:Claim.Expired")
    def _expired(self) -> None:
        self.state = EXPIRED

    @event("Claimed", topic="credledger.ledger.claim:Claim.Claimed")
    def _claimed(self, subject_key_id: str, holder: bytes, protocol: str) -> None:
        self.state = CLAIMED

    @event("Withdrawn", topic="credledger.ledger.claim:Claim.Withdrawn")
    def _withdrawn(self, reason: str) -> None:
        self.state = WITHDRAWN
