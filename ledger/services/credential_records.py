"""Credentials as recorded: found by id (their issuer's only), opened from the vault.

Personal data is only ever stored sealed under the learner's subject key; opening a
credential whose key was erased raises SubjectErasedError.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.errors import (
    UnknownCredentialError,
)
from credledger.ledger.store.aggregates import Aggregates
from credledger.ledger.store.transcoder import decode_deterministic
from credledger.ledger.store.vault import Vault


class CredentialRecords:
    """Recorded credentials and the sealed payload each carries."""

    def __init__(self, aggregates: Aggregates, vault: Vault) -> None:
        self.aggregates = aggregates
        self.vault = vault

    def credential(self, credential_id: UUID) -> Credential:
        return self.aggregates.get(Credential, credential_id)

    def owned(self, issuer_id: UUID, credential_id: UUID) -> Credential:
        """The credential, if ``issuer_id`` issued it (else as unknown as a missing one)."""
        credential = self.aggregates.find(Credential, credential_id)
        if credential is None or credential.issuer_id != issuer_id:
            raise UnknownCredentialError(f"no credential {credential_id}")
        return credential

    def unsealed(self, credential: Credential) -> dict[str, Any]:
        """The sealed payload: recipient, evidence, result and the signed VC's bytes."""
        payload = decode_deterministic(
            self.vault.unseal(credential.subject_key_id, credential.sealed, credential.id.bytes)
        )
        return dict(payload)

    def document(self, credential: Credential) -> dict[str, Any]:
        """The signed VC as issued (unsealed); raises SubjectErasedError after erasure."""
        return dict(json.loads(self.unsealed(credential)["credential"]))
