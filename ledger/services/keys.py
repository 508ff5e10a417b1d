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
from typing import TYPE_CHECKING, Any
from uuid import UUID

from credledger.crypto.jcs import canonicalize_bytes
from credledger.ledger.domain.acts import ADMIN, Act, acting
from credledger.ledger.domain.credential import REVOKED, Credential
from credledger.ledger.domain.errors import (
    ActorMayNotError,
    AlreadyRecordedError,
    KeyInForceError,
    LedgerError,
    NotKnownError,
    UnknownIssuerError,
    UnknownKeyError,
)
from credledger.ledger.domain.issuer import COMPROMISED, Issuer
from credledger.ledger.store.transcoder import encode_deterministic
from credledger.ledger.store.vault import SubjectErasedError

if TYPE_CHECKING:
    from credledger.ledger.application import CredentialLedger

DID_METHODS = ("web", "key")
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


def _proofs(document: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    raw = (document or {}).get("proof")
    items = raw if isinstance(raw, list) else [raw]
    return [p for p in items if isinstance(p, Mapping)]


def signed_with_key_in_force(document: Mapping[str, Any] | None, issuer: Issuer) -> bool:
    """Whether the document's proof was made with the issuer's key in force now."""
    return any(
        str(p.get("verificationMethod", "")).endswith(f"#{issuer.active_key_id}")
        for p in _proofs(document)
    )


def report_key_compromised(
    ledger: CredentialLedger, act: Act, issuer_id: UUID, key_id: str, reason: str
) -> Issuer:
    """Record that ``key_id`` is compromised; if it is the key in force, rotate first."""
    with acting(act):
        issuer = ledger._owned_issuer(act, issuer_id)
        if issuer.already_done():
            return issuer
        if key_id not in issuer.keys:
            raise UnknownKeyError(f"no key {key_id} of this issuer")
        if issuer.keys[key_id]["state"] == COMPROMISED:
            raise AlreadyRecordedError(f"key {key_id} was already reported compromised")
        if key_id == issuer.active_key_id and issuer.can_rotate:
            from credledger.crypto.keys import Ed25519KeyPair, public_key_multibase

            pair = Ed25519KeyPair.generate()
            new_key = public_key_multibase(pair.public_key)
            ledger.vault.store_signing_key(
                new_key, str(issuer_id), pair.private_bytes(), ledger.clock()
            )
            issuer.rotate_signing_key(key_id=new_key, public_key_multibase=new_key)
        issuer.report_key_compromised(key_id=key_id, reason=reason)
        ledger.save(issuer)
    return issuer


def reissue_signed_by(
    ledger: CredentialLedger, act: Act, issuer_id: UUID, key_id: str, reason: str
) -> Reissue:
    """Re-sign, under the key in force, every unrevoked credential ``key_id`` signed.

    Credentials keep their id, status index and award date (as any re-issue). Running
    it again re-signs only what is still signed by ``key_id``, so an interrupted run is
    finished by the next.
    """
    if act.actor == ADMIN:
        raise ActorMayNotError("the issuer itself re-issues its credentials, with its token")
    if act.actor != str(issuer_id):
        raise UnknownIssuerError(f"no issuer {issuer_id}")
    issuer = ledger.issuer(issuer_id)
    if key_id not in issuer.keys:
        raise UnknownKeyError(f"no key {key_id} of this issuer")
    if key_id == issuer.active_key_id:
        raise KeyInForceError("this key is in force; rotate (or report it compromised) first")
    ledger.signing_method(issuer)  # refuses when nothing can be signed any more
    reissued: list[str] = []
    skipped: dict[str, str] = {}
    batch: list[Credential] = []
    for credential in credentials_signed_by(ledger, issuer_id, key_id):
        try:
            with acting(act):
                _resign(ledger, issuer, credential, reason)
        except SubjectErasedError:
            skipped[credential.vc_id] = "the learner's data was erased"
            continue
        except LedgerError as exc:
            skipped[credential.vc_id] = str(exc)
            continue
        batch.append(credential)
        if len(batch) == REISSUE_BATCH:
            _save_batch(ledger, act, issuer_id, key_id, reason, batch, reissued)
    if batch:
        _save_batch(ledger, act, issuer_id, key_id, reason, batch, reissued)
    return Reissue(key_id, reissued, skipped)


def credentials_signed_by(
    ledger: CredentialLedger, issuer_id: UUID, key_id: str
) -> Iterator[Credential]:
    for credential_id in ledger.read_model.unrevoked_credentials(str(issuer_id)):
        credential = ledger.credential(UUID(credential_id))
        if credential.signing_key_id == key_id and credential.state != REVOKED:
            yield credential


def _resign(ledger: CredentialLedger, issuer: Issuer, credential: Credential, reason: str) -> None:
    """Trigger the credential's Reissued event: the same document, signed anew."""
    now = ledger.clock().replace(microsecond=0)
    payload = ledger._unsealed(credential)
    if credential.achievement_id is not None:
        _, sealed, digest = ledger.reissue_document(credential, payload, now)
    else:  # a VC API credential: the document it was given, signed again
        document = json.loads(payload["credential"])
        proofs = _proofs(document)
        suite = str(proofs[0].get("cryptosuite", "eddsa-rdfc-2022")) if proofs else None
        document.pop("proof", None)
        vc = ledger.sign_as(issuer, document, now, cryptosuite=suite or "eddsa-rdfc-2022")
        canonical = canonicalize_bytes(vc)
        sealed = ledger.vault.seal(
            credential.subject_key_id,
            encode_deterministic({"credential": canonical}),
            credential.id.bytes,
        )
        digest = hashlib.sha256(canonical).digest()
    credential.reissue(sealed, digest, issuer.active_key_id, str(issuer.id), reason)


def _save_batch(
    ledger: CredentialLedger,
    act: Act,
    issuer_id: UUID,
    key_id: str,
    reason: str,
    batch: list[Credential],
    reissued: list[str],
) -> None:
    with acting(act):
        issuer = ledger.issuer(issuer_id)
        ids = [c.vc_id for c in batch]
        issuer.record_reissue(key_id=key_id, reason=reason, credentials=ids)
        ledger.save(issuer, *batch)
    reissued.extend(ids)
    batch.clear()


def signed_in_force(
    ledger: CredentialLedger, document: Mapping[str, Any], vm_id: str
) -> bool | None:
    """Whether this ledger recorded signing ``document`` with ``vm_id`` while in force.

    None when ``vm_id`` is not a key of one of this ledger's issuers (then the DID
    document's periods and the proof's ``created`` are all a verifier has).
    """
    did, _, key_id = vm_id.partition("#")
    own = ledger._own_issuer_of(did)
    if own is None:
        return None
    issuer_id = own[0]
    period = ledger.key_periods(issuer_id).get(key_id)
    if period is None:
        return False
    digest = _digest(document)
    for aggregate_id in _candidate_ids(ledger, issuer_id, document):
        event: Any
        for event in ledger.events.get(aggregate_id):
            if (
                getattr(event, "digest", None) == digest
                and getattr(event, "signing_key_id", key_id) == key_id
                and period.in_force_at(event.timestamp)
            ):
                return True
    return False


def _candidate_ids(
    ledger: CredentialLedger, issuer_id: UUID, document: Mapping[str, Any]
) -> list[UUID]:
    """The aggregates that could have recorded this document: by its id."""
    doc_id = document.get("id")
    if not isinstance(doc_id, str):
        return []
    found: list[UUID] = []
    tail = doc_id.removeprefix("urn:uuid:").rsplit("/", 1)[-1]
    with contextlib.suppress(ValueError):
        found.append(UUID(tail))
    with contextlib.suppress(NotKnownError):
        found.append(ledger.given_credential(issuer_id, doc_id).id)
    return found
