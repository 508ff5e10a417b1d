"""Issuers (institutions): registration, profile, bearer tokens, and signing as one.

An issuer's identity is the DID recorded at registration (did:web by default, which
survives key rotation; or the did:key of its one key). Tokens carry 256 random bits
and only their SHA-256 is recorded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from credledger.crypto.keys import (
    Ed25519KeyPair,
    did_key_from_public_key,
    public_key_from_multibase,
    public_key_multibase,
)
from credledger.ledger.credentials import rendering
from credledger.ledger.credentials.signing import CredentialSigner
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.domain.errors import (
    ActorMayNotError,
    FieldError,
    KeyBoundToIdentityError,
    RequestInvalidError,
    UnknownIssuerError,
)
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.domain.ledger_identity import LedgerIdentity
from credledger.ledger.store.admin_token import check_admin_token
from credledger.ledger.store.aggregates import Aggregates
from credledger.ledger.store.vault import Vault
from credledger.ledger.verify.did_web import did_web_for

DID_METHODS = ("web", "key")


@dataclass(frozen=True)
class RegisteredIssuer:
    issuer: Issuer
    did: str
    token: str


def token_hash(token: str) -> bytes:
    """Tokens carry 256 random bits, so a plain SHA-256 is a safe one-way store."""
    return hashlib.sha256(token.encode()).digest()


def admin_token_hash(vault: Vault, configured: str | None) -> tuple[bytes, str | None]:
    """The admin token's hash; makes (and returns, once) a token when none exists.

    A configured token (CREDLEDGER_ADMIN_TOKEN) replaces any stored one; a weak one
    is refused (WeakAdminTokenError).
    """
    if configured:
        check_admin_token(configured)
        digest = token_hash(configured)
        vault.set_secret("admin-token-sha256", digest)
        return digest, None
    stored = vault.secret("admin-token-sha256")
    if stored is not None:
        return stored, None
    token = secrets.token_urlsafe(32)
    vault.set_secret("admin-token-sha256", token_hash(token))
    return token_hash(token), token


def new_signing_key(vault: Vault, issuer_id: UUID, now: datetime) -> str:
    """A fresh Ed25519 key for the issuer, kept in the vault; returns its key id."""
    pair = Ed25519KeyPair.generate()
    key_id = public_key_multibase(pair.public_key)
    vault.store_signing_key(key_id, str(issuer_id), pair.private_bytes(), now)
    return key_id


class Issuers:
    """Registering issuers, their profile and tokens, and signing under their identity."""

    def __init__(
        self,
        aggregates: Aggregates,
        vault: Vault,
        signer: CredentialSigner,
        identity: LedgerIdentity,
        log_key: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.aggregates = aggregates
        self.vault = vault
        self.signer = signer
        self.identity = identity
        self.log_key = log_key
        self.clock = clock

    def issuer(self, issuer_id: UUID) -> Issuer:
        return self.aggregates.get(Issuer, issuer_id)

    def owned(self, act: Act, issuer_id: UUID) -> Issuer:
        """The issuer, if the actor is it (or the administrator)."""
        if act.actor not in (str(issuer_id), ADMIN):
            raise UnknownIssuerError(f"no issuer {issuer_id}")
        return self.aggregates.get(Issuer, issuer_id)

    def did(self, issuer: Issuer) -> str:
        """The issuer's identity: the DID recorded at registration (see Issuer), else the
        did:key of its key (issuers registered before identities were recorded)."""
        if issuer.did is not None:
            return issuer.did
        return did_key_from_public_key(
            public_key_from_multibase(issuer.active_public_key_multibase)
        )

    def profile(self, issuer: Issuer, *, with_context: bool = True) -> dict[str, Any]:
        return rendering.issuer_profile(
            self.identity.base_url,
            issuer.id,
            self.did(issuer),
            issuer.name,
            issuer.url,
            issuer.email,
            with_context=with_context,
            log_key=self.log_key,
        )

    # -- signing -------------------------------------------------------------------------
    def signing_method(self, issuer: Issuer) -> str:
        """The verification method the issuer signs with now (its DID's, or did:key's)."""
        if issuer.signing_key_compromised:
            raise KeyBoundToIdentityError(
                "the issuer's signing key was reported compromised and it cannot rotate "
                "(a did:key identity); nothing more can be signed for it"
            )
        if issuer.did is not None and issuer.did.startswith("did:web:"):
            return f"{issuer.did}#{issuer.active_key_id}"
        return self.signer.verification_method(issuer.active_key_id)

    def sign_as(
        self,
        issuer: Issuer,
        document: dict[str, Any],
        created: datetime,
        *,
        cryptosuite: str = "eddsa-rdfc-2022",
        proof_array: bool = False,
    ) -> dict[str, Any]:
        """Sign ``document`` with the issuer's key in force, under its identity."""
        return self.signer.sign(
            document,
            issuer.active_key_id,
            created,
            cryptosuite=cryptosuite,
            verification_method=self.signing_method(issuer),
            proof_array=proof_array,
        )

    # -- acts ----------------------------------------------------------------------------
    def register(
        self,
        act: Act,
        name: str,
        url: str | None = None,
        email: str | None = None,
        *,
        did_method: str = "web",
    ) -> RegisteredIssuer:
        """``did_method``: ``web`` (default; an identity that survives key rotation) or
        ``key`` (the did:key of its one key, for verifiers that resolve nothing else)."""
        if act.actor != ADMIN:
            raise ActorMayNotError("only the administrator registers issuers")
        if did_method not in DID_METHODS:
            raise RequestInvalidError([FieldError(("did_method",), "must be web or key")])
        with self.aggregates.acting(act) as act:
            issuer_id = act.derived_id("issuer")
            existing = self.aggregates.earlier(Issuer, act, "issuer")
            if existing is not None and existing.already_done():
                token = self._token(act, issuer_id)
                return RegisteredIssuer(existing, self.did(existing), token)
            token = self._token(act, issuer_id)
            key_id = new_signing_key(self.vault, issuer_id, self.clock())
            issuer = Issuer(
                name=name,
                url=url,
                email=email,
                token_hash=token_hash(token),
                key_id=key_id,
                public_key_multibase=key_id,
                did=did_web_for(self.identity.base_url, str(issuer_id))
                if did_method == "web"
                else did_key_from_public_key(public_key_from_multibase(key_id)),
            )
            issuer = self.aggregates.save_new(Issuer, issuer_id, issuer) or issuer
            return RegisteredIssuer(issuer, self.did(issuer), token)

    def _token(self, act: Act, issuer_id: UUID) -> str:
        if not act.replayable:
            secret = secrets.token_bytes(32)
        else:  # a retried registration must hand back the same token
            pepper = self.vault.secret("token-pepper", create=32)
            assert pepper is not None
            secret = hmac.new(pepper, act.key, hashlib.sha256).digest()
        return f"{issuer_id}.{base64.urlsafe_b64encode(secret).decode().rstrip('=')}"

    def authenticated(self, token: str) -> Issuer | None:
        """The issuer a bearer token belongs to, or None (constant-time comparison): as
        read to check the token (a private copy), so the request need not read it again."""
        prefix, _, _ = token.partition(".")
        try:
            issuer_id = UUID(prefix)
        except ValueError:
            return None
        issuer = self.aggregates.find(Issuer, issuer_id)
        if issuer is None:
            return None
        presented = token_hash(token)
        found = False
        for stored in issuer.token_hashes:
            found |= hmac.compare_digest(stored, presented)
        return issuer if found else None

    def update_profile(self, act: Act, issuer_id: UUID, changes: dict[str, Any]) -> Issuer:
        allowed = {"name", "url", "email"}
        unknown = set(changes) - allowed
        if unknown or not changes:
            raise RequestInvalidError(
                [FieldError((k,), "unknown field") for k in sorted(unknown)]
                or [FieldError((), "give at least one of name, url, email")]
            )
        with self.aggregates.acting(act) as act:
            issuer = self.owned(act, issuer_id)
            if not issuer.already_done():
                issuer.update_profile(changes)
                self.aggregates.save(issuer)
        return issuer

    def issue_token(self, act: Act, issuer_id: UUID) -> str:
        """A further bearer token for the issuer (shown once; only its hash is kept)."""
        with self.aggregates.acting(act) as act:
            issuer = self.owned(act, issuer_id)
            token = self._token(act, issuer_id)
            if not issuer.already_done():
                issuer.issue_token(token_hash(token))
                self.aggregates.save(issuer)
        return token

    def revoke_token(self, act: Act, issuer_id: UUID, token: str) -> None:
        with self.aggregates.acting(act) as act:
            issuer = self.owned(act, issuer_id)
            if not issuer.already_done():
                issuer.revoke_token(token_hash(token))
                self.aggregates.save(issuer)
