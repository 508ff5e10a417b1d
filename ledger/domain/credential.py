"""Credential: one award of an achievement to one recipient, and its status over time."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from credledger.ledger.domain.aggregate import PseudonymousAggregate
from credledger.ledger.domain.errors import (
    AlreadyRevokedError,
    InvalidTransitionError,
    NotSuspendableError,
    NotYourCredentialError,
)
from eventsourcing.domain import event

ACTIVE = "active"
SUSPENDED = "suspended"
REVOKED = "revoked"
EXPIRED = "expired"
LEGACY_PURPOSES = ("revocation", "suspension")
"""Credentials recorded before ``status_slot`` named its purposes carry both entries."""


class Credential(PseudonymousAggregate):
    """An issued credential. Personal data lives only inside ``sealed`` (per-subject key).

    The status changes only through its issuer; revocation is final; a re-issue is a
    new event on the same credential that keeps the original award date.
    """

    TOPIC = "credledger.ledger.credential:Credential"

    class Event(PseudonymousAggregate.Event):
        TOPIC = "credledger.ledger.credential:Credential.Event"

    class Created(Event, PseudonymousAggregate.Created):
        TOPIC = "credledger.ledger.credential:Credential.Created"

    @event("Issued", topic="credledger.ledger.credential:Credential.Issued")
    def __init__(
        self,
        issuer_id: UUID,
        achievement_id: UUID | None,
        achievement_version: int,
        subject_key_id: str,
        sealed: bytes,
        digest: bytes,
        awarded_at: datetime,
        valid_until: datetime | None,
        signing_key_id: str,
        status_slot: dict[str, Any] | None,
        vc_id: str | None = None,
    ) -> None:
        """``vc_id``: the credential's own id when it was given (VC API); else urn:uuid."""
        self.issuer_id = issuer_id
        self.achievement_id = achievement_id
        self.achievement_version = achievement_version
        self.subject_key_id = subject_key_id
        self.sealed = sealed
        self.digest = digest
        self.awarded_at = awarded_at
        self.valid_until = valid_until
        self.signing_key_id = signing_key_id
        self.status_slot = status_slot
        self.given_vc_id = vc_id
        self.state = ACTIVE
        self.issued_version = 1
        self.sharing_round = 0
        self.public_reasons: frozenset[int] = frozenset()

    @property
    def vc_id(self) -> str:
        return self.given_vc_id or f"urn:uuid:{self.id}"

    @property
    def status_purposes(self) -> tuple[str, ...]:
        """The status purposes the signed credential carries an entry for."""
        if self.status_slot is None:
            return ()
        return tuple(self.status_slot.get("purposes", LEGACY_PURPOSES))

    def check_suspendable(self) -> None:
        """Refuse a suspension no verifier could see (no suspension entry in the VC)."""
        if "suspension" not in self.status_purposes:
            raise NotSuspendableError(
                "the credential carries no suspension status entry (its achievement is not "
                "defined 'suspendable'), so a suspension could not be seen by any verifier; "
                "revoke it, or re-define the achievement with suspendable: true for new awards"
            )

    def status_at(self, now: datetime) -> str:
        """The status a verifier should see at ``now`` (expiry is derived, not recorded)."""
        if self.state == ACTIVE and self.valid_until is not None and now >= self.valid_until:
            return EXPIRED
        return self.state

    def check_issuer(self, actor: str) -> None:
        if actor != str(self.issuer_id):
            raise NotYourCredentialError("only the issuer of a credential may change its status")

    def suspend(self, reason: str, actor: str, *, publish_reason: bool = False) -> None:
        self.check_issuer(actor)
        if self.state == REVOKED:
            raise AlreadyRevokedError("the credential is revoked; revocation is final")
        if self.state == SUSPENDED:
            raise InvalidTransitionError("the credential is already suspended")
        self.check_suspendable()
        self._suspended(reason=reason)
        self._publish_reason(publish_reason)

    def reinstate(self, reason: str, actor: str, *, publish_reason: bool = False) -> None:
        self.check_issuer(actor)
        if self.state == REVOKED:
            raise AlreadyRevokedError("the credential is revoked; revocation is final")
        if self.state != SUSPENDED:
            raise InvalidTransitionError("only a suspended credential can be reinstated")
        self._reinstated(reason=reason)
        self._publish_reason(publish_reason)

    def revoke(self, reason: str, actor: str, *, publish_reason: bool = False) -> None:
        self.check_issuer(actor)
        if self.state == REVOKED:
            raise AlreadyRevokedError("the credential is already revoked")
        self._revoked(reason=reason)
        self._publish_reason(publish_reason)

    def _publish_reason(self, publish: bool) -> None:
        if publish:
            self._reason_published(status_version=self.version)

    def end_sharing(self, actor: str) -> None:
        """End every share link made so far (the learner withdrew them)."""
        self.check_issuer(actor)
        self._sharing_ended()

    def reissue(
        self, sealed: bytes, digest: bytes, signing_key_id: str, actor: str, reason: str
    ) -> None:
        self.check_issuer(actor)
        if self.state == REVOKED:
            raise AlreadyRevokedError("a revoked credential cannot be re-issued")
        self._reissued(sealed=sealed, digest=digest, signing_key_id=signing_key_id, reason=reason)

    @event("Suspended", topic="credledger.ledger.credential:Credential.Suspended")
    def _suspended(self, reason: str) -> None:
        self.state = SUSPENDED

    @event("Reinstated", topic="credledger.ledger.credential:Credential.Reinstated")
    def _reinstated(self, reason: str) -> None:
        self.state = ACTIVE

    @event("Revoked", topic="credledger.ledger.credential:Credential.Revoked")
    def _revoked(self, reason: str) -> None:
        self.state = REVOKED

    @event("ReasonPublished", topic="credledger.ledger.credential:Credential.ReasonPublished")
    def _reason_published(self, status_version: int) -> None:
        """The issuer chose to show the reason of its status change (the event at
        ``status_version``) to anyone who checks the credential."""
        self.public_reasons = self.public_reasons | {status_version}

    @event("SharingEnded", topic="credledger.ledger.credential:Credential.SharingEnded")
    def _sharing_ended(self) -> None:
        self.sharing_round += 1

    @event("Reissued", topic="credledger.ledger.credential:Credential.Reissued")
    def _reissued(self, sealed: bytes, digest: bytes, signing_key_id: str, reason: str) -> None:
        self.issued_version = self.version + 1
        self.sealed = sealed
        self.digest = digest
        self.signing_key_id = signing_key_id
