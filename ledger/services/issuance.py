"""Awarding an achievement: one pipeline, for one award or a cohort in one transaction.

    check the request -> allocate a status slot -> render, sign, seal the credential
    -> record Credential.Issued + StatusSlot.Claimed (one transaction)
    -> (follower) the issuance leaf in the log, a checkpoint when due; the read model
    -> publish the first versions of the lists of a group the award opened

A retried act (same Idempotency-Key) finds its earlier credential and records nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from credledger.ledger.credentials.request_checks import check_evidence, check_result
from credledger.ledger.domain.achievement import Achievement
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.aggregate import LedgerAggregate
from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.errors import (
    ConcurrentChangeError,
    LedgerError,
    UnknownAchievementError,
)
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.domain.recipients import parse_recipient
from credledger.ledger.domain.results import fit_result
from credledger.ledger.domain.status_lists import StatusSlot, award_purposes
from credledger.ledger.log.follower import Follower
from credledger.ledger.services.award_documents import Award, AwardDocuments, valid_until_in_utc
from credledger.ledger.services.claims import ClaimOffer, ClaimRequest, Claims, checked_request
from credledger.ledger.services.credential_records import CredentialRecords
from credledger.ledger.services.status_lists import StatusLists
from credledger.ledger.services.status_slots import Slot, StatusSlots
from credledger.ledger.store.aggregates import Aggregates, BatchReads
from credledger.ledger.store.vault import Vault
from eventsourcing.persistence import IntegrityError


@dataclass(frozen=True)
class AwardRequest:
    """One award: the act (actor, idempotency) and what the issuer asked for."""

    act: Act
    achievement_id: UUID
    recipient: Any
    evidence: list[dict[str, Any]] | None = None
    result: dict[str, Any] | None = None
    valid_until: datetime | None = None
    claim: ClaimRequest | None = None
    """Offer the award to the learner's wallet in the same act (``services/claims.py``)."""


@dataclass(frozen=True)
class IssuedCredential:
    credential: Credential
    vc: dict[str, Any]
    replayed: bool = False
    """True when a retried act (same Idempotency-Key) found its earlier credential."""
    claim: ClaimOffer | None = None
    """The claim offered with the award, when one was asked for."""


@dataclass(frozen=True)
class PreparedAward:
    """One award's events, ready to be saved (with the signed VC they commit to)."""

    credential: Credential
    claim: StatusSlot
    vc: dict[str, Any]
    slot: Slot
    offer: tuple[LedgerAggregate, ClaimOffer] | None = None
    """The claim offered with the award (its Claim, and what the issuer is told)."""

    @property
    def aggregates(self) -> tuple[LedgerAggregate, ...]:
        offered = () if self.offer is None else (self.offer[0],)
        return (self.credential, self.claim, *offered)

    @property
    def issued(self) -> IssuedCredential:
        offer = None if self.offer is None else self.offer[1]
        return IssuedCredential(self.credential, self.vc, claim=offer)


Outcome = IssuedCredential | LedgerError


def _group_of(issued: IssuedCredential) -> tuple[UUID, UUID, int]:
    """(group, issuer, group number) of an issued credential's status slot."""
    slot = issued.credential.status_slot or {}
    return slot["group"], issued.credential.issuer_id, int(slot["number"])


class Issuance:
    """Awards achievements: each award checked, given a status slot, signed, recorded."""

    def __init__(
        self,
        aggregates: Aggregates,
        vault: Vault,
        documents: AwardDocuments,
        slots: StatusSlots,
        status_lists: StatusLists,
        records: CredentialRecords,
        follower: Follower,
        claims: Claims,
    ) -> None:
        self.aggregates = aggregates
        self.claims = claims
        self.vault = vault
        self.documents = documents
        self.slots = slots
        self.status_lists = status_lists
        self.records = records
        self.follower = follower
        self.clock = documents.issuers.clock

    def issue(self, request: AwardRequest, *, issuer: Issuer | None = None) -> IssuedCredential:
        """Award an achievement to one recipient: one act, one transaction. ``issuer``:
        the acting issuer as the request's authentication just read it."""
        outcome = self.issue_many([request], known=() if issuer is None else (issuer,))[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def issue_many(
        self, requests: list[AwardRequest], *, known: Sequence[LedgerAggregate] = ()
    ) -> list[Outcome]:
        """Award many (one act each, e.g. the rows of a cohort sheet) in one transaction.

        Each request is checked and prepared on its own; refused ones come back as their
        error, in order, and the rest are saved together (all or nothing). A replayed act
        returns its earlier credential and records nothing. ``known``: aggregates read
        moments ago (see :class:`BatchReads`).
        """
        outcomes: list[Outcome | None] = [None] * len(requests)
        # check -> status slot -> render, sign, seal (nothing saved yet)
        prepared = self._prepare_all(requests, outcomes, known)
        if prepared:
            # Credential.Issued + StatusSlot.Claimed, one transaction; once saved, the
            # follower appends their leaves to the log (a checkpoint when due) and
            # updates the read model, before this returns
            self._record(requests, prepared, outcomes)
        # the first versions of the status lists of every group these awards opened
        issued = [o for o in outcomes if isinstance(o, IssuedCredential)]
        self.status_lists.after_award({_group_of(o) for o in issued if o.credential.status_slot})
        return [o for o in outcomes if o is not None]

    def _prepare_all(
        self,
        requests: list[AwardRequest],
        outcomes: list[Outcome | None],
        known: Sequence[LedgerAggregate] = (),
    ) -> list[tuple[int, PreparedAward]]:
        """Each award checked and prepared (its slot distinct from the batch's others)."""
        prepared: list[tuple[int, PreparedAward]] = []
        subjects = [self._subject_of(r) for r in requests]
        claimed: set[tuple[UUID, int]] = set()
        reads = BatchReads(self.aggregates, known)  # the batch's issuers and achievements, once
        with self.vault.subject_keys([s for s in subjects if s]):
            for i, request in enumerate(requests):
                try:
                    award = self.prepare(request, claimed, reads)
                except LedgerError as exc:
                    outcomes[i] = exc
                    continue
                if isinstance(award, IssuedCredential):
                    outcomes[i] = award
                else:
                    claimed.add((award.slot.group, award.slot.index))
                    prepared.append((i, award))
        return prepared

    def _record(
        self,
        requests: list[AwardRequest],
        prepared: list[tuple[int, PreparedAward]],
        outcomes: list[Outcome | None],
    ) -> None:
        """Save the prepared awards in one transaction; on a collision, one by one."""
        try:
            self.aggregates.save(*[a for _, award in prepared for a in award.aggregates])
        except IntegrityError:
            # A concurrent writer took an index (or replayed an act): learn what the
            # store holds now and redo these one by one.
            self.follower.catch_up()
            self.slots.learn_used({award.slot.group for _, award in prepared})
            for i, _ in prepared:
                outcomes[i] = self._issue_one_retrying(requests[i])
        else:
            for i, award in prepared:
                self.slots.note_used(award.slot)
                outcomes[i] = award.issued

    def _subject_of(self, request: AwardRequest) -> str:
        try:
            to = parse_recipient(request.recipient)
        except LedgerError:
            return ""
        return self.vault.subject_key_id(to.kind, to.identity, request.act.actor)

    def _issue_one_retrying(self, request: AwardRequest) -> Outcome:
        for _attempt in range(32):
            try:
                award = self.prepare(request, set())
            except LedgerError as exc:
                return exc
            if isinstance(award, IssuedCredential):
                return award
            try:
                self.aggregates.save(*award.aggregates)
            except IntegrityError:
                # Either a retry of this act won (the next prepare returns it) or the
                # index was claimed by someone else: remember it and draw again.
                self.slots.note_used(award.slot)
                continue
            self.slots.note_used(award.slot)
            return award.issued
        return ConcurrentChangeError("could not claim a free status index; try again")

    def prepare(
        self,
        request: AwardRequest,
        claimed: set[tuple[UUID, int]],
        reads: BatchReads | None = None,
    ) -> PreparedAward | IssuedCredential:
        """Check one award and build its events (nothing saved). Raises LedgerError.
        ``reads``: the issuers and achievements the batch already read."""
        reads = reads or BatchReads(self.aggregates)
        act = request.act
        to = parse_recipient(request.recipient)
        evidence = check_evidence(request.evidence)
        result_value = check_result(request.result)
        if request.claim is not None:
            checked_request(request.claim)
        issuer = reads.get(Issuer, UUID(act.actor))
        achievement = reads.find(Achievement, request.achievement_id)
        if achievement is None or achievement.issuer_id != issuer.id:
            # Another issuer's achievement is as unknown to this caller as a missing one.
            raise UnknownAchievementError(f"no achievement {request.achievement_id} of this issuer")
        with self.aggregates.acting(act) as act:
            credential_id = act.derived_id("credential")
            existing = self.aggregates.earlier(Credential, act, "credential")
            if existing is not None and existing.already_done():
                offer = self.claims.offered(act) if request.claim is not None else None
                return IssuedCredential(existing, self.records.document(existing), True, offer)
            achievement.check_not_archived()
            result_value = fit_result(achievement.definition, result_value)
            now = self.clock().replace(microsecond=0)
            valid_until = self._valid_until(request, achievement, now)
            award = Award(
                credential_id=credential_id,
                issuer=issuer,
                achievement=achievement,
                recipient={"kind": to.kind, "identity": to.identity, "salt": secrets.token_hex(16)},
                awarded_at=now,
                valid_from=now,
                valid_until=valid_until,
                evidence=evidence,
                result_value=result_value,
                slot=self.slots.allocate(issuer.id, claimed),
                purposes=award_purposes(achievement.definition),
            )
            prepared = self._events_of(award)
            if request.claim is not None:
                claim = self.claims.prepare(act, credential_id, issuer.id, request.claim)
                prepared = replace(prepared, offer=claim)
            return prepared

    @staticmethod
    def _valid_until(
        request: AwardRequest, achievement: Achievement, now: datetime
    ) -> datetime | None:
        valid_until = request.valid_until
        if valid_until is None and "valid_for_days" in achievement.definition:
            valid_until = now + timedelta(days=int(achievement.definition["valid_for_days"]))
        return None if valid_until is None else valid_until_in_utc(valid_until, now)

    def _events_of(self, award: Award) -> PreparedAward:
        """The award signed and sealed, as its Credential and its StatusSlot claim."""
        sealed = self.documents.render_and_seal(award)
        credential = Credential(
            issuer_id=award.issuer.id,
            achievement_id=award.achievement.id,
            achievement_version=award.achievement.version,
            subject_key_id=sealed.subject_key_id,
            sealed=sealed.sealed,
            digest=sealed.digest,
            awarded_at=award.awarded_at,
            valid_until=award.valid_until,
            signing_key_id=award.issuer.active_key_id,
            status_slot=award.slot.recorded(award.purposes),
        )
        return PreparedAward(
            credential, award.slot.claim(award.credential_id), sealed.vc, award.slot
        )
