"""Endorsements: an issuer vouches for an achievement, another issuer or a credential.

An endorsement is itself a signed credential (OB 3.0 EndorsementCredential) with a
revocation entry in the endorser's list group, so its withdrawal reaches verifiers.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from credledger.ledger.credentials import rendering
from credledger.ledger.credentials.canonical import vc_digest
from credledger.ledger.credentials.request_checks import check_reason
from credledger.ledger.domain.achievement import Achievement
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.endorsement import Endorsement
from credledger.ledger.domain.errors import (
    ConcurrentChangeError,
    FieldError,
    NotKnownError,
    RequestInvalidError,
    UnknownEndorsementError,
)
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.services.issuers import Issuers
from credledger.ledger.services.status_lists import StatusLists
from credledger.ledger.services.status_slots import StatusSlots
from credledger.ledger.store.aggregates import Aggregates
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError


class Endorsements:
    """Endorsing (signed, with a revocation entry) and withdrawing an endorsement."""

    def __init__(
        self,
        aggregates: Aggregates,
        issuers: Issuers,
        slots: StatusSlots,
        status_lists: StatusLists,
    ) -> None:
        self.aggregates = aggregates
        self.issuers = issuers
        self.slots = slots
        self.status_lists = status_lists

    def endorse(self, act: Act, subject: str, comment: str) -> tuple[Endorsement, dict[str, Any]]:
        endorser = self.aggregates.get(Issuer, UUID(act.actor))
        if not isinstance(comment, str) or not comment.strip() or len(comment) > 10_000:
            raise RequestInvalidError([FieldError(("comment",), "must be a non-empty string")])
        kind, subject_uuid, subject_ref = self._subject(subject)
        with self.aggregates.acting(act) as act:
            endorsement_id = act.derived_id("endorsement")
            existing = self.aggregates.earlier(Endorsement, act, "endorsement")
            if existing is not None and existing.already_done():
                return existing, existing.document
            for _attempt in range(32):
                endorsement = self._record(
                    endorsement_id, endorser, kind, subject_uuid, subject_ref, comment.strip()
                )
                if endorsement is not None:
                    return endorsement, endorsement.document
            raise ConcurrentChangeError("could not claim a free status index; try again")

    def _record(
        self,
        endorsement_id: UUID,
        endorser: Issuer,
        kind: str,
        subject_id: UUID,
        subject_ref: str,
        comment: str,
    ) -> Endorsement | None:
        """Sign and save the endorsement in a freshly drawn slot; None when the index
        was taken meanwhile (draw another)."""
        now = self.issuers.clock().replace(microsecond=0)
        # A withdrawal must be visible to verifiers: the endorsement carries a
        # revocation entry in the endorser's list group.
        slot = self.slots.allocate(endorser.id, set())
        unsigned = rendering.endorsement_credential(
            base_url=self.issuers.identity.base_url,
            endorsement_id=endorsement_id,
            endorser=self.issuers.profile(endorser, with_context=False),
            subject_id=subject_ref,
            comment=comment,
            issued_at=now,
            credential_status=self.slots.entries(slot, ("revocation",)),
        )
        document = self.issuers.sign_as(endorser, unsigned, now, proof_array=True)
        endorsement = Endorsement(
            endorser_id=endorser.id,
            subject_kind=kind,
            subject_id=subject_id,
            comment=comment,
            document=document,
            digest=vc_digest(document),
            status_slot=slot.recorded(),
        )
        try:
            self.aggregates.save(endorsement, slot.claim(endorsement_id))
        except IntegrityError:
            self.slots.note_used(slot)
            winner = self.aggregates.find(Endorsement, endorsement_id)
            if winner is not None:
                winner.already_done()
            return winner
        self.slots.note_used(slot)
        self.status_lists.after_award({(slot.group, endorser.id, slot.number)})
        return endorsement

    def _subject(self, subject: Any) -> tuple[str, UUID, str]:
        loc = ("subject",)
        if not isinstance(subject, str):
            raise RequestInvalidError([FieldError(loc, "must be an id string")])
        text = subject.removeprefix("urn:uuid:")
        try:
            subject_id = UUID(text.rsplit("/", 1)[-1])
        except ValueError:
            raise RequestInvalidError(
                [FieldError(loc, "must be an achievement, issuer or credential id")]
            ) from None
        try:
            aggregate: Any = self.aggregates.any(subject_id)
        except AggregateNotFoundError:
            raise NotKnownError(f"nothing with id {subject_id} to endorse") from None
        base = self.issuers.identity.base_url
        if isinstance(aggregate, Achievement):
            return "achievement", subject_id, rendering.achievement_url(base, subject_id)
        if isinstance(aggregate, Issuer):
            return "issuer", subject_id, self.issuers.did(aggregate)
        if isinstance(aggregate, Credential):
            return "credential", subject_id, aggregate.vc_id
        raise NotKnownError(f"nothing with id {subject_id} to endorse")

    def withdraw(self, act: Act, endorsement_id: UUID, reason: str) -> Endorsement:
        check_reason(reason)
        endorsement = self.aggregates.find(Endorsement, endorsement_id)
        if endorsement is None or str(endorsement.endorser_id) != act.actor:
            raise UnknownEndorsementError(f"no endorsement {endorsement_id}")
        with self.aggregates.acting(act) as act:
            if not endorsement.already_done():
                endorsement.withdraw(reason, act.actor)
                self.aggregates.save(endorsement)
        self.status_lists.after_change()
        return endorsement
