"""An award's credential as a document: rendered, signed by its issuer, sealed.

The signed VC and the learner's personal data (recipient, evidence, result, the VC
itself) are sealed under the subject key (the issuer's key for this learner), so the
events hold no personal data and erasing the key erases it everywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from credledger.ledger.credentials import rendering
from credledger.ledger.credentials.canonical import canonical_json
from credledger.ledger.credentials.request_checks import check_evidence, check_result
from credledger.ledger.domain.achievement import Achievement
from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.errors import FieldError, RequestInvalidError
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.domain.results import fit_result
from credledger.ledger.services.achievements import Achievements
from credledger.ledger.services.issuers import Issuers
from credledger.ledger.services.status_slots import Slot, StatusSlots
from credledger.ledger.store.aggregates import Aggregates
from credledger.ledger.store.transcoder import encode_deterministic
from credledger.ledger.store.vault import Vault


@dataclass(frozen=True)
class Award:
    """What one award's credential says: to whom, for what, when, in which slot."""

    credential_id: UUID
    issuer: Issuer
    achievement: Achievement
    recipient: dict[str, str]
    """kind, identity and the salt of its OB 3.0 identity hash."""
    awarded_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    evidence: list[dict[str, Any]]
    result_value: str | None
    slot: Slot
    purposes: tuple[str, ...]


@dataclass(frozen=True)
class SealedAward:
    vc: dict[str, Any]
    sealed: bytes
    subject_key_id: str
    digest: bytes


def valid_until_in_utc(moment: datetime, now: datetime) -> datetime:
    """A requested end of validity, in UTC whole seconds; it must be in the future."""
    try:
        moment = moment.astimezone(UTC).replace(microsecond=0)
    except (OverflowError, ValueError):
        raise RequestInvalidError([FieldError(("valid_until",), "is out of range")]) from None
    if moment <= now:
        raise RequestInvalidError([FieldError(("valid_until",), "must be in the future")])
    return moment


class AwardDocuments:
    """Renders, signs and seals award credentials (new ones and re-issues)."""

    def __init__(
        self,
        aggregates: Aggregates,
        vault: Vault,
        issuers: Issuers,
        achievements: Achievements,
        slots: StatusSlots,
    ) -> None:
        self.aggregates = aggregates
        self.vault = vault
        self.issuers = issuers
        self.achievements = achievements
        self.slots = slots

    def render_and_seal(self, award: Award, subject_key_id: str | None = None) -> SealedAward:
        """The signed VC, the personal data sealed under the subject key (the issuer's
        key for this learner, or ``subject_key_id`` when re-issuing), and its digest."""
        vc = self.issuers.sign_as(
            award.issuer, self._render(award), award.valid_from, proof_array=True
        )
        canonical = canonical_json(vc)
        recipient = award.recipient
        subject_key_id = subject_key_id or self.vault.subject_key_id(
            recipient["kind"], recipient["identity"], str(award.issuer.id)
        )
        payload = {
            "recipient": recipient,
            "evidence": award.evidence,
            "result": award.result_value,
            "credential": canonical,
        }
        sealed = self.vault.seal(
            subject_key_id, encode_deterministic(payload), award.credential_id.bytes
        )
        return SealedAward(vc, sealed, subject_key_id, hashlib.sha256(canonical).digest())

    def _render(self, award: Award) -> dict[str, Any]:
        return rendering.achievement_credential(
            base_url=self.issuers.identity.base_url,
            credential_id=award.credential_id,
            issuer=self.issuers.profile(award.issuer, with_context=False),
            achievement=self.achievements.document(
                award.achievement, with_context=False, issuer=award.issuer
            ),
            definition=award.achievement.definition,
            recipient_kind=award.recipient["kind"],
            recipient=award.recipient["identity"],
            recipient_salt=award.recipient["salt"],
            awarded_at=award.awarded_at,
            valid_from=award.valid_from,
            valid_until=award.valid_until,
            evidence=award.evidence,
            result_value=award.result_value,
            credential_status=self.slots.entries(award.slot, award.purposes),
        )

    def reissue(
        self,
        credential: Credential,
        payload: dict[str, Any],
        now: datetime,
        *,
        evidence: list[dict[str, Any]] | None = None,
        result: dict[str, Any] | None = None,
        valid_until: datetime | None = None,
    ) -> SealedAward:
        """An award's credential signed anew by its issuer's key in force: same id,
        index and award date (``payload``: what it sealed; the other arguments replace
        their part of it)."""
        assert credential.achievement_id is not None
        achievement = self.aggregates.get(Achievement, credential.achievement_id)
        award = Award(
            credential_id=credential.id,
            issuer=self.aggregates.get(Issuer, credential.issuer_id),
            achievement=achievement,
            recipient=payload["recipient"],
            awarded_at=credential.awarded_at,
            valid_from=now,
            valid_until=valid_until or credential.valid_until,
            evidence=check_evidence(evidence)
            if evidence is not None
            else payload.get("evidence", []),
            result_value=fit_result(achievement.definition, check_result(result))
            if result is not None
            else payload.get("result"),
            slot=Slot.of(credential.status_slot or {}),
            purposes=credential.status_purposes,
        )
        return self.render_and_seal(award, subject_key_id=credential.subject_key_id)
