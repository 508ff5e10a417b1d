"""Correcting an award: its credential signed anew (same id, index and award date)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from credledger.ledger.credentials.request_checks import check_reason
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.errors import (
    IssuedThroughVcApiError,
)
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.services.award_documents import AwardDocuments, valid_until_in_utc
from credledger.ledger.services.credential_records import CredentialRecords
from credledger.ledger.services.issuance import IssuedCredential
from credledger.ledger.store.aggregates import Aggregates


class Reissues:
    """Re-issues of awards: corrected evidence, result or validity, recorded as an act."""

    def __init__(
        self, aggregates: Aggregates, records: CredentialRecords, documents: AwardDocuments
    ) -> None:
        self.aggregates = aggregates
        self.records = records
        self.documents = documents

    def reissue(
        self,
        act: Act,
        credential_id: UUID,
        reason: str,
        evidence: list[dict[str, Any]] | None = None,
        result: dict[str, Any] | None = None,
        valid_until: datetime | None = None,
    ) -> IssuedCredential:
        """Correct a credential: a newly signed VC, same id, index and award date."""
        check_reason(reason)
        credential = self.records.owned(UUID(act.actor), credential_id)
        if credential.achievement_id is None:
            raise IssuedThroughVcApiError(
                "a credential issued through the VC API is re-issued there"
            )
        with self.aggregates.acting(act) as act:
            if credential.already_done():
                return IssuedCredential(credential, self.records.document(credential))
            now = self.documents.issuers.clock().replace(microsecond=0)
            if valid_until is not None:
                valid_until = valid_until_in_utc(valid_until, now)
            sealed = self.documents.reissue(
                credential,
                self.records.unsealed(credential),
                now,
                evidence=evidence,
                result=result,
                valid_until=valid_until,
            )
            issuer = self.aggregates.get(Issuer, credential.issuer_id)
            credential.reissue(
                sealed.sealed, sealed.digest, issuer.active_key_id, act.actor, reason
            )
            self.aggregates.save(credential)
        return IssuedCredential(credential, sealed.vc)
