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
from typing import TYPE_CHECKING, Any
from uuid import UUID

from credledger.ledger.domain.erasure import Erasure
from credledger.ledger.domain.errors import ActorMayNotError, SharedSubjectKeyError
from credledger.ledger.domain.recipients import Recipient, parse_recipient
from credledger.ledger.domain.recognition import Recognition
from credledger.ledger.store.vault import SubjectErasedError

if TYPE_CHECKING:
    from credledger.ledger.application import CredentialLedger
    from credledger.ledger.domain.acts import Act
    from credledger.ledger.domain.credential import Credential


@dataclass(frozen=True)
class ErasureResult:
    id: UUID
    credentials: list[UUID]
    """The institution's credentials whose personal data is gone (they answer 410)."""
    copies: int
    """Recognition copies of them, and of the learner's other credentials, erased too."""


def erase_learner(ledger: CredentialLedger, act: Act, recipient: Any) -> ErasureResult:
    """Erase what ``act.actor`` (an institution) holds of this learner; see the module."""
    to = parse_recipient(recipient)
    try:
        issuer_id = UUID(act.actor)
    except ValueError:
        raise ActorMayNotError("an institution erases its learners' data") from None
    ledger.issuer(issuer_id)
    own = ledger.vault.subject_key_id(to.kind, to.identity, str(issuer_id))
    # The act's digest is keyed (not a hash of the address): the recorded act must not
    # let anyone with the events test guesses of who was erased.
    act = replace(act, digest=bytes.fromhex(own))
    with ledger._acting(act) as act:
        earlier = ledger._earlier(Erasure, act, "erasure")
        if earlier is not None and earlier.already_done():
            return ErasureResult(earlier.id, list(earlier.credentials), earlier.copies)
        ledger.catch_up()
        keys, credentials = _awarded(ledger, issuer_id, to)
        for credential in _given_to(ledger, issuer_id, to):
            credentials.append(credential.id)
            keys.add(credential.subject_key_id)
        copies: dict[UUID, str] = {}  # recognition -> the key sealing its copy
        for credential_id in credentials:  # copies other institutions were shown
            for row in ledger.read_model.recognitions_of(ledger.credential(credential_id).vc_id):
                recognition = ledger._find(Recognition, UUID(row["id"]))
                if recognition is not None:
                    copies[recognition.id] = recognition.subject_key_id
        for recognition in _recognitions_of_learner(ledger, issuer_id, to):
            copies[recognition.id] = recognition.subject_key_id
        keys |= set(copies.values())
        ledger.vault.erase_subjects(sorted(keys))  # first: a retry erases nothing twice
        erasure = Erasure(issuer_id=issuer_id, credentials=sorted(credentials), copies=len(copies))
        winner = ledger._save_new(Erasure, erasure.id, erasure)
        erasure = winner or erasure
        return ErasureResult(erasure.id, list(erasure.credentials), erasure.copies)


def _awarded(
    ledger: CredentialLedger, issuer_id: UUID, to: Recipient
) -> tuple[set[str], list[UUID]]:
    """The subject keys of this learner's awards by the issuer, and those credentials."""
    own = ledger.vault.subject_key_id(to.kind, to.identity, str(issuer_id))
    shared = ledger.vault.subject_key_id(to.kind, to.identity)  # before per-issuer keys
    sealed = ledger.digests.sealed_under([own, shared])
    if any(key == shared and issuer != issuer_id for _, issuer, key in sealed):
        raise SharedSubjectKeyError(
            "this learner's older credentials share one key with another institution's: "
            "erasing them would erase that institution's too; ask the administrator"
        )
    return {own, shared}, [credential_id for credential_id, _, _ in sealed]


def _given_to(ledger: CredentialLedger, issuer_id: UUID, to: Recipient) -> list[Credential]:
    """The issuer's VC API credentials whose subject is this learner."""
    found = []
    for credential_id in ledger.digests.given_by(issuer_id):
        credential = ledger.credential(credential_id)
        try:
            vc = ledger.credential_document(credential)
        except SubjectErasedError:
            continue
        if _names(vc.get("credentialSubject"), to):
            found.append(credential)
    return found


def _recognitions_of_learner(
    ledger: CredentialLedger, issuer_id: UUID, to: Recipient
) -> list[Recognition]:
    """Recognitions the issuer recorded of any credential whose subject is this learner."""
    found = []
    for row in ledger.read_model.recognitions_by(str(issuer_id)):
        recognition = ledger._find(Recognition, UUID(row["id"]))
        if recognition is None:
            continue
        try:
            vc = json.loads(
                ledger.vault.unseal(
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
