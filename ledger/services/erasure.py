"""Erasing a learner's personal data at their institution's request.

The learner asks their institution; the institution erases (``POST /v1/erasures``,
``credledger erase``). Personal data is only ever stored sealed, so erasing it means
deleting the keys that open it (crypto-shredding): the events, the log and every
other learner stay byte for byte as they were. The keys deleted are

- the institution's key for this learner, which seals every credential it awarded them
  (and, for credentials from before per-institution keys, the ledger-wide key, unless
  another institution's credentials share it);
- the key of each copy of those credentials that other institutions were shown for a
  recognition;
- the keys of credentials the institution signed through the VC API, and of copies it
  was shown for a recognition, whose subject is this learner (checked by opening them).

Each key is read from the store whenever sealed data is opened, so every process stops
serving the erased data at once. The erasure is recorded as an act (its leaf in the
public log, no personal data): the credentials it touched and how many copies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.erasure import Erasure
from credledger.ledger.domain.errors import ActorMayNotError, SharedSubjectKeyError
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.domain.recipients import Recipient, parse_recipient
from credledger.ledger.domain.recognition import Recognition
from credledger.ledger.log.follower import Follower
from credledger.ledger.services.credential_records import CredentialRecords
from credledger.ledger.store.aggregates import Aggregates
from credledger.ledger.store.credential_digests import CredentialDigests
from credledger.ledger.store.read_model import ReadModel
from credledger.ledger.store.vault import SubjectErasedError, Vault

__all__ = ["Erasure", "ErasureResult", "Erasures"]


@dataclass(frozen=True)
class ErasureResult:
    id: UUID
    credentials: list[UUID]
    """The institution's credentials whose personal data is gone (they answer 410)."""
    copies: int
    """Recognition copies of them, and of the learner's other credentials, erased too."""


class Erasures:
    """Erasing a learner's personal data held for an institution (see the module)."""

    def __init__(
        self,
        aggregates: Aggregates,
        vault: Vault,
        records: CredentialRecords,
        read_model: ReadModel,
        digests: CredentialDigests,
        follower: Follower,
    ) -> None:
        self.aggregates = aggregates
        self.vault = vault
        self.records = records
        self.read_model = read_model
        self.digests = digests
        self.follower = follower

    def erase_learner(self, act: Act, recipient: Any) -> ErasureResult:
        """Erase what ``act.actor`` (an institution) holds of this learner: keys go,
        every stored byte and hash stays."""
        to = parse_recipient(recipient)
        try:
            issuer_id = UUID(act.actor)
        except ValueError:
            raise ActorMayNotError("an institution erases its learners' data") from None
        self.aggregates.get(Issuer, issuer_id)
        own = self.vault.subject_key_id(to.kind, to.identity, str(issuer_id))
        # The act's digest is keyed (not a hash of the address): the recorded act must not
        # let anyone with the events test guesses of who was erased.
        act = replace(act, digest=bytes.fromhex(own))
        with self.aggregates.acting(act) as act:
            earlier = self.aggregates.earlier(Erasure, act, "erasure")
            if earlier is not None and earlier.already_done():
                return ErasureResult(earlier.id, list(earlier.credentials), earlier.copies)
            self.follower.catch_up()
            keys, credentials = self._awarded(issuer_id, to)
            for credential in self._given_to(issuer_id, to):
                credentials.append(credential.id)
                keys.add(credential.subject_key_id)
            copies = self._copies(issuer_id, to, credentials)
            keys |= set(copies.values())
            self.vault.erase_subjects(sorted(keys))  # first: a retry erases nothing twice
            erasure = Erasure(
                issuer_id=issuer_id, credentials=sorted(credentials), copies=len(copies)
            )
            erasure = self.aggregates.save_new(Erasure, erasure.id, erasure) or erasure
            return ErasureResult(erasure.id, list(erasure.credentials), erasure.copies)

    def _copies(self, issuer_id: UUID, to: Recipient, credentials: list[UUID]) -> dict[UUID, str]:
        """Recognition copies to erase, each with the key sealing it: of these credentials
        (shown to other institutions), and of the learner's others the issuer was shown."""
        copies: dict[UUID, str] = {}
        for credential_id in credentials:
            vc_id = self.records.credential(credential_id).vc_id
            for row in self.read_model.recognitions_of(vc_id):
                recognition = self.aggregates.find(Recognition, UUID(row["id"]))
                if recognition is not None:
                    copies[recognition.id] = recognition.subject_key_id
        for recognition in self._recognitions_of_learner(issuer_id, to):
            copies[recognition.id] = recognition.subject_key_id
        return copies

    def _awarded(self, issuer_id: UUID, to: Recipient) -> tuple[set[str], list[UUID]]:
        """The subject keys of this learner's awards by the issuer, and those credentials."""
        own = self.vault.subject_key_id(to.kind, to.identity, str(issuer_id))
        shared = self.vault.subject_key_id(to.kind, to.identity)  # before per-issuer keys
        sealed = self.digests.sealed_under([own, shared])
        if any(key == shared and issuer != issuer_id for _, issuer, key in sealed):
            raise SharedSubjectKeyError(
                "this learner's older credentials share one key with another institution's: "
                "erasing them would erase that institution's too; ask the administrator"
            )
        return {own, shared}, [credential_id for credential_id, _, _ in sealed]

    def _given_to(self, issuer_id: UUID, to: Recipient) -> list[Credential]:
        """The issuer's VC API credentials whose subject is this learner."""
        found = []
        for credential_id in self.digests.given_by(issuer_id):
            credential = self.records.credential(credential_id)
            try:
                vc = self.records.document(credential)
            except SubjectErasedError:
                continue
            if _names(vc.get("credentialSubject"), to):
                found.append(credential)
        return found

    def _recognitions_of_learner(self, issuer_id: UUID, to: Recipient) -> list[Recognition]:
        """Recognitions the issuer recorded of any credential whose subject is this learner."""
        found = []
        for row in self.read_model.recognitions_by(str(issuer_id)):
            recognition = self.aggregates.find(Recognition, UUID(row["id"]))
            if recognition is None:
                continue
            try:
                vc = json.loads(
                    self.vault.unseal(
                        recognition.subject_key_id, recognition.sealed, recognition.id.bytes
                    )
                )
            except SubjectErasedError:
                continue
            if isinstance(vc, dict) and _names(vc.get("credentialSubject"), to):
                found.append(recognition)
        return found


def _names(subject: Any, to: Recipient) -> bool:
    """Whether a credential subject is this learner: their DID as ``id``, an OB 3.0
    identity hash of their address, or the identity itself as a value."""
    if isinstance(subject, list):
        return any(_names(s, to) for s in subject)
    if isinstance(subject, str):
        return subject.strip().lower() == to.identity.lower()
    if not isinstance(subject, dict):
        return False
    salt = subject.get("salt")
    hashed = subject.get("identityHash")
    if isinstance(hashed, str) and isinstance(salt, str | type(None)):
        digest = hashlib.sha256((to.identity + (salt or "")).encode()).hexdigest()
        if hashed.lower() in (f"sha256${digest}", digest):
            return True
    return any(_names(value, to) for value in subject.values())
