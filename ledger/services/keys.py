"""Keys after issuance: a key reported compromised, the re-issue of what it signed, and
whether this ledger recorded signing a document with a key while that key was in force.

A rotation keeps the issuer's did:web identity: the old key stays an assertion method
of the DID document, so what it signed keeps verifying everywhere. A key reported
compromised leaves ``assertionMethod`` (nothing it signed verifies, at any verifier
that reads the DID document) and its credentials are re-issued, in bulk, under the key
in force: one ``Credential.Reissued`` per credential, and one
``Issuer.CredentialsReissued`` per batch naming them, all in the log.

A thief holding a retired key can put any ``created`` date in a proof. So the ledger's
own verifier does not take a retired key's proof on its word: it accepts one only for a
document whose digest this ledger recorded (issuance, re-issue, status list version,
endorsement) while that key was in force; see :func:`signed_in_force`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from credledger.crypto.jcs import canonicalize_bytes
from credledger.ledger.credentials.proof_keys import proofs_of
from credledger.ledger.credentials.request_checks import check_reason
from credledger.ledger.domain.acts import ADMIN, Act, acting
from credledger.ledger.domain.credential import REVOKED, Credential
from credledger.ledger.domain.errors import (
    ActorMayNotError,
    AlreadyRecordedError,
    KeyBoundToIdentityError,
    KeyInForceError,
    LedgerError,
    NotKnownError,
    UnknownIssuerError,
    UnknownKeyError,
)
from credledger.ledger.domain.issuer import COMPROMISED, Issuer
from credledger.ledger.services.award_documents import AwardDocuments
from credledger.ledger.services.credential_records import CredentialRecords
from credledger.ledger.services.dids import Dids
from credledger.ledger.services.given import GivenCredentials
from credledger.ledger.services.issuers import Issuers, new_signing_key
from credledger.ledger.services.status_lists import StatusLists
from credledger.ledger.store.aggregates import Aggregates
from credledger.ledger.store.read_model import ReadModel
from credledger.ledger.store.transcoder import encode_deterministic
from credledger.ledger.store.vault import SubjectErasedError

REISSUE_BATCH = 200
CANNOT_ROTATE = (
    "this issuer's identity is the did:key of its signing key (it was registered before "
    "did:web identities, or chose did:key): a new key would be a new identity, leaving its "
    "credentials' status lists unverifiable. Register a new issuer to change keys."
)


@dataclass(frozen=True)
class Reissue:
    """What a bulk re-issue did: the credentials re-signed, and those it could not."""

    key_id: str
    reissued: list[str]
    skipped: dict[str, str]


def _digest(document: Any) -> bytes:
    return hashlib.sha256(canonicalize_bytes(document)).digest()


class Keys:
    """An issuer's signing keys: rotation, compromise, re-issue, records of signing."""

    def __init__(
        self,
        aggregates: Aggregates,
        issuers: Issuers,
        dids: Dids,
        records: CredentialRecords,
        documents: AwardDocuments,
        given: GivenCredentials,
        status_lists: StatusLists,
        read_model: ReadModel,
    ) -> None:
        self.aggregates = aggregates
        self.issuers = issuers
        self.dids = dids
        self.records = records
        self.documents = documents
        self.given = given
        self.status_lists = status_lists
        self.read_model = read_model

    def rotate(self, act: Act, issuer_id: UUID) -> str:
        """A new signing key in force; the old one stays in the DID document."""
        with self.aggregates.acting(act) as act:
            issuer = self.issuers.owned(act, issuer_id)
            if issuer.already_done():
                return issuer.active_key_id
            if not issuer.can_rotate:
                raise KeyBoundToIdentityError(CANNOT_ROTATE)
            key_id = new_signing_key(self.issuers.vault, issuer_id, self.issuers.clock())
            issuer.rotate_signing_key(key_id=key_id, public_key_multibase=key_id)
            self.aggregates.save(issuer)
        # New credentials name the new key: their lists must be signed by it now, not at
        # the next change of a bit.
        self.status_lists.republish_lists_of(issuer_id)
        return key_id

    def report_compromised(self, act: Act, issuer_id: UUID, key_id: str, reason: str) -> Issuer:
        """Record that ``key_id`` is compromised (nothing it signed verifies any more);
        if it is the key in force, rotate first."""
        check_reason(reason)
        with acting(act):
            issuer = self.issuers.owned(act, issuer_id)
            if issuer.already_done():
                return issuer
            if key_id not in issuer.keys:
                raise UnknownKeyError(f"no key {key_id} of this issuer")
            if issuer.keys[key_id]["state"] == COMPROMISED:
                raise AlreadyRecordedError(f"key {key_id} was already reported compromised")
            if key_id == issuer.active_key_id and issuer.can_rotate:
                new_key = new_signing_key(self.issuers.vault, issuer_id, self.issuers.clock())
                issuer.rotate_signing_key(key_id=new_key, public_key_multibase=new_key)
            issuer.report_key_compromised(key_id=key_id, reason=reason)
            self.aggregates.save(issuer)
        self.status_lists.republish_lists_of(issuer_id)
        return issuer

    def reissue_signed_by(self, act: Act, issuer_id: UUID, key_id: str, reason: str) -> Reissue:
        """Re-sign, under the key in force, every unrevoked credential ``key_id`` signed.

        Credentials keep their id, status index and award date (as any re-issue). Running
        it again re-signs only what is still signed by ``key_id``, so an interrupted run is
        finished by the next.
        """
        check_reason(reason)
        if act.actor == ADMIN:
            raise ActorMayNotError("the issuer itself re-issues its credentials, with its token")
        if act.actor != str(issuer_id):
            raise UnknownIssuerError(f"no issuer {issuer_id}")
        issuer = self.issuers.issuer(issuer_id)
        if key_id not in issuer.keys:
            raise UnknownKeyError(f"no key {key_id} of this issuer")
        if key_id == issuer.active_key_id:
            raise KeyInForceError("this key is in force; rotate (or report it compromised) first")
        self.issuers.signing_method(issuer)  # refuses when nothing can be signed any more
        reissued: list[str] = []
        skipped: dict[str, str] = {}
        batch: list[Credential] = []
        for credential in self._signed_by(issuer_id, key_id):
            try:
                with acting(act):
                    self._resign(issuer, credential, reason)
            except SubjectErasedError:
                skipped[credential.vc_id] = "the learner's data was erased"
                continue
            except LedgerError as exc:
                skipped[credential.vc_id] = str(exc)
                continue
            batch.append(credential)
            if len(batch) == REISSUE_BATCH:
                self._save_batch(act, issuer_id, key_id, reason, batch, reissued)
        if batch:
            self._save_batch(act, issuer_id, key_id, reason, batch, reissued)
        return Reissue(key_id, reissued, skipped)

    def credentials_signed_by(self, issuer_id: UUID, key_id: str) -> list[str]:
        """Ids of the issuer's unrevoked credentials whose signature is by ``key_id``."""
        return [c.vc_id for c in self._signed_by(issuer_id, key_id)]

    def _signed_by(self, issuer_id: UUID, key_id: str) -> Iterator[Credential]:
        for credential_id in self.read_model.unrevoked_credentials(str(issuer_id)):
            credential = self.records.credential(UUID(credential_id))
            if credential.signing_key_id == key_id and credential.state != REVOKED:
                yield credential

    def _resign(self, issuer: Issuer, credential: Credential, reason: str) -> None:
        """Trigger the credential's Reissued event: the same document, signed anew."""
        now = self.issuers.clock().replace(microsecond=0)
        payload = self.records.unsealed(credential)
        if credential.achievement_id is not None:
            resealed = self.documents.reissue(credential, payload, now)
            sealed, digest = resealed.sealed, resealed.digest
        else:  # a VC API credential: the document it was given, signed again
            document = json.loads(payload["credential"])
            proofs = proofs_of(document)
            suite = str(proofs[0].get("cryptosuite", "eddsa-rdfc-2022")) if proofs else None
            document.pop("proof", None)
            vc = self.issuers.sign_as(issuer, document, now, cryptosuite=suite or "eddsa-rdfc-2022")
            canonical = canonicalize_bytes(vc)
            sealed = self.issuers.vault.seal(
                credential.subject_key_id,
                encode_deterministic({"credential": canonical}),
                credential.id.bytes,
            )
            digest = hashlib.sha256(canonical).digest()
        credential.reissue(sealed, digest, issuer.active_key_id, str(issuer.id), reason)

    def _save_batch(
        self,
        act: Act,
        issuer_id: UUID,
        key_id: str,
        reason: str,
        batch: list[Credential],
        reissued: list[str],
    ) -> None:
        with acting(act):
            issuer = self.issuers.issuer(issuer_id)
            ids = [c.vc_id for c in batch]
            issuer.record_reissue(key_id=key_id, reason=reason, credentials=ids)
            self.aggregates.save(issuer, *batch)
        reissued.extend(ids)
        batch.clear()

    def signed_in_force(self, document: Mapping[str, Any], vm_id: str) -> bool | None:
        """Whether this ledger recorded signing ``document`` with ``vm_id`` while in force.

        None when ``vm_id`` is not a key of one of this ledger's issuers (then the DID
        document's periods and the proof's ``created`` are all a verifier has).
        """
        did, _, key_id = vm_id.partition("#")
        own = self.dids.own_issuer_of(did)
        if own is None:
            return None
        issuer_id = own[0]
        period = self.dids.key_periods(issuer_id).get(key_id)
        if period is None:
            return False
        digest = _digest(document)
        for aggregate_id in self._candidate_ids(issuer_id, document):
            event: Any
            for event in self.aggregates.events_of(aggregate_id):
                if (
                    getattr(event, "digest", None) == digest
                    and getattr(event, "signing_key_id", key_id) == key_id
                    and period.in_force_at(event.timestamp)
                ):
                    return True
        return False

    def _candidate_ids(self, issuer_id: UUID, document: Mapping[str, Any]) -> list[UUID]:
        """The aggregates that could have recorded this document: by its id."""
        doc_id = document.get("id")
        if not isinstance(doc_id, str):
            return []
        found: list[UUID] = []
        tail = doc_id.removeprefix("urn:uuid:").rsplit("/", 1)[-1]
        with contextlib.suppress(ValueError):
            found.append(UUID(tail))
        with contextlib.suppress(NotKnownError):
            found.append(self.given.find(issuer_id, doc_id).id)
        return found
