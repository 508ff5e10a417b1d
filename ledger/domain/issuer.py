"""Issuer: an institution that issues, endorses and recognises credentials."""

from __future__ import annotations

from typing import Any

from credledger.ledger.domain.aggregate import LedgerAggregate
from credledger.ledger.domain.errors import (
    AlreadyRecordedError,
    KeyInForceError,
    UnknownKeyError,
    UnknownTokenError,
)
from eventsourcing.domain import event

COMPROMISED = "compromised"


class Issuer(LedgerAggregate):
    """An institution with a profile, bearer tokens (hashed) and Ed25519 signing keys.

    Keys are never deleted: a rotated or retired key stays listed so that credentials
    it signed keep verifying and the ledger can say which key signed what; a key
    reported compromised stays listed too, but nothing it signed verifies any more.

    ``did`` is the issuer's identity, recorded when it registered (a did:web under the
    ledger's base URL then), so neither a rotation nor a new base URL changes it.
    Issuers registered before identities were recorded have none: theirs is the
    did:key of their key, which a rotation would change, so they cannot rotate.
    """

    TOPIC = "credledger.ledger.issuer:Issuer"

    class Event(LedgerAggregate.Event):
        TOPIC = "credledger.ledger.issuer:Issuer.Event"

    class Created(Event, LedgerAggregate.Created):
        TOPIC = "credledger.ledger.issuer:Issuer.Created"

    @event("Registered", topic="credledger.ledger.issuer:Issuer.Registered")
    def __init__(
        self,
        name: str,
        url: str | None,
        email: str | None,
        token_hash: bytes,
        key_id: str,
        public_key_multibase: str,
        did: str | None = None,
    ) -> None:
        self.name = name
        self.did = did
        self.url = url
        self.email = email
        self.token_hashes: list[bytes] = [token_hash]
        self.keys: dict[str, dict[str, Any]] = {
            key_id: {"public_key_multibase": public_key_multibase, "state": "active"}
        }
        self.active_key_id = key_id

    @event("ProfileUpdated", topic="credledger.ledger.issuer:Issuer.ProfileUpdated")
    def update_profile(self, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    @event("SigningKeyRotated", topic="credledger.ledger.issuer:Issuer.SigningKeyRotated")
    def rotate_signing_key(self, key_id: str, public_key_multibase: str) -> None:
        if key_id in self.keys:
            raise AlreadyRecordedError(f"key {key_id} is already registered")
        if self.keys[self.active_key_id]["state"] != COMPROMISED:
            self.keys[self.active_key_id]["state"] = "rotated"
        self.keys[key_id] = {"public_key_multibase": public_key_multibase, "state": "active"}
        self.active_key_id = key_id

    @event("SigningKeyCompromised", topic="credledger.ledger.issuer:Issuer.SigningKeyCompromised")
    def report_key_compromised(self, key_id: str, reason: str) -> None:
        if key_id not in self.keys:
            raise UnknownKeyError(f"no key {key_id}")
        if self.keys[key_id]["state"] == COMPROMISED:
            raise AlreadyRecordedError(f"key {key_id} was already reported compromised")
        self.keys[key_id]["state"] = COMPROMISED

    @event("CredentialsReissued", topic="credledger.ledger.issuer:Issuer.CredentialsReissued")
    def record_reissue(self, key_id: str, reason: str, credentials: list[str]) -> None:
        """A batch of a bulk re-issue: the credentials ``key_id`` had signed, re-signed."""

    @event("SigningKeyRetired", topic="credledger.ledger.issuer:Issuer.SigningKeyRetired")
    def retire_signing_key(self, key_id: str) -> None:
        if key_id not in self.keys:
            raise UnknownKeyError(f"no key {key_id}")
        if key_id == self.active_key_id:
            raise KeyInForceError("rotate to a new key before retiring the active one")
        if self.keys[key_id]["state"] != COMPROMISED:
            self.keys[key_id]["state"] = "retired"

    @event("TokenIssued", topic="credledger.ledger.issuer:Issuer.TokenIssued")
    def issue_token(self, token_hash: bytes) -> None:
        self.token_hashes.append(token_hash)

    @event("TokenRevoked", topic="credledger.ledger.issuer:Issuer.TokenRevoked")
    def revoke_token(self, token_hash: bytes) -> None:
        if token_hash not in self.token_hashes:
            raise UnknownTokenError("no such token")
        self.token_hashes.remove(token_hash)

    @property
    def can_rotate(self) -> bool:
        """Only an issuer with a recorded identity (did:web) keeps it across keys."""
        return self.did is not None and self.did.startswith("did:web:")

    @property
    def signing_key_compromised(self) -> bool:
        return bool(self.keys[self.active_key_id]["state"] == COMPROMISED)

    @property
    def active_public_key_multibase(self) -> str:
        return str(self.keys[self.active_key_id]["public_key_multibase"])
