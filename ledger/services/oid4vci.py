"""OpenID4VCI 1.0, pre-authorized code flow, on claims: what the Token, Nonce and
Credential Endpoints do (the HTTP side is api/routes_oid4vci.py).

    redeem(pre-authorized code, tx_code?, client_id?) -> an access token for the claim
    nonce()                                          -> a c_nonce for key proofs
    grant_of(access token)                           -> the claim it is for (or refused)
    issue(grant, proofs)                             -> the award signed for the proven key

The pre-authorized code is the claim URL's secret. Access tokens and nonces are
stateless, as the VC-API exchange's challenges are (``claim_secrets.ChallengeTokens``):
a MAC under a key derived from the ledger's id key over what they say and when they
expire, so redeeming a code or asking for a nonce writes nothing. An access token names
its claim and is good for ten minutes; the claim itself delivers once, so a code redeemed
twice (a wallet that crashed between its token and its credential) still gives one
credential, and once delivered every later redemption is refused (``invalid_grant``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from credledger.crypto.strict_base64 import decode_base64url, encode_base64url
from credledger.ledger.domain.claim import Claim
from credledger.ledger.domain.errors import (
    AccessTokenRefusedError,
    FieldError,
    RequestInvalidError,
)
from credledger.ledger.services.claim_secrets import ACCESS, NONCE
from credledger.ledger.services.claims import Claims, Delivery
from credledger.ledger.verify.key_proofs import NonceVerdict, verify_proofs_parameter

PROTOCOL = "oid4vci"
ACCESS_TOKEN_LIFETIME = timedelta(minutes=10)
NONCE_SUBJECT = UUID(int=0)
"""Whom a c_nonce is minted for: no claim (the Nonce Endpoint is anonymous)."""
_CLIENT_ID = re.compile(r"[\x21-\x7e]{1,200}")
_TOKEN = re.compile(r"([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{0,270})\.([A-Za-z0-9_-]{52})")


@dataclass(frozen=True)
class AccessToken:
    """What the Token Endpoint answers: the token and its lifetime in seconds."""

    access_token: str
    expires_in: int


@dataclass(frozen=True)
class Nonce:
    """What the Nonce Endpoint answers."""

    c_nonce: str
    expires_in: int


@dataclass(frozen=True)
class Grant:
    """What a valid access token says: its claim, the client it was given to, and
    whether the transaction code was given when it was redeemed."""

    claim: Claim
    client_id: str | None
    tx_code_given: bool


class PreAuthorizedIssuance:
    """The pre-authorized code flow over the claims service."""

    def __init__(self, claims: Claims, nonce_lifetime: int) -> None:
        self.claims = claims
        self.nonce_lifetime = nonce_lifetime

    @property
    def credential_issuer(self) -> str:
        """The Credential Issuer Identifier: the ledger's base URL."""
        return self.claims.issuers.identity.base_url

    # -- the Token Endpoint ------------------------------------------------------------------
    def redeem(self, code: str, tx_code: str | None, client_id: str | None) -> AccessToken:
        """An access token for the claim whose secret ``code`` is, once its transaction
        code (if it has one) was given. Raises the claim's errors (unknown, used, expired,
        withdrawn), TxCodeRequiredError / TxCodeMismatchError, or RequestInvalidError."""
        if client_id is not None and not _CLIENT_ID.fullmatch(client_id):
            raise RequestInvalidError([FieldError(("client_id",), "is not a client identifier")])
        claim = self.claims.open(code)
        if claim.guarded:
            self.claims.check_tx_code(claim, tx_code)
        elif tx_code is not None:
            message = "this offer has no transaction code: send none"
            raise RequestInvalidError([FieldError(("tx_code",), message)])
        expires_at = self.claims.clock() + ACCESS_TOKEN_LIFETIME
        client = (client_id or "").encode()
        mac = self.claims.tokens.mint(
            claim.id, ACCESS, expires_at, tx_code_given=claim.guarded, context=client
        )
        token = f"{encode_base64url(claim.id.bytes)}.{encode_base64url(client)}.{mac}"
        return AccessToken(token, int(ACCESS_TOKEN_LIFETIME.total_seconds()))

    # -- the Nonce Endpoint ------------------------------------------------------------------
    def nonce(self) -> Nonce:
        """A fresh c_nonce (writes nothing)."""
        expires_at = self.claims.clock() + timedelta(seconds=self.nonce_lifetime)
        value = self.claims.tokens.mint(NONCE_SUBJECT, NONCE, expires_at, tx_code_given=False)
        return Nonce(value, self.nonce_lifetime)

    def judge_nonce(self, value: str) -> NonceVerdict:
        """Whether a key proof's nonce is a c_nonce of ours, and still good."""
        found = self.claims.tokens.read_expired_too(value, NONCE_SUBJECT)
        if found is None or found.purpose != NONCE:
            return NonceVerdict.UNKNOWN
        return NonceVerdict.FRESH if self.claims.clock() < found.expires_at else NonceVerdict.STALE

    # -- the Credential Endpoint -------------------------------------------------------------
    def grant_of(self, access_token: str | None) -> Grant:
        """The grant an access token carries; AccessTokenRefusedError when it is missing,
        not ours, or expired; the claim's errors when it can no longer be claimed."""
        found = _TOKEN.fullmatch(access_token or "")
        if found is None:
            raise AccessTokenRefusedError("no access token of this issuer was given")
        try:
            claim_id = UUID(bytes=decode_base64url(found[1], "claim"))
            client = decode_base64url(found[2], "client") if found[2] else b""
        except ValueError:
            raise AccessTokenRefusedError("the access token is not one of this issuer's") from None
        said = self.claims.tokens.read(found[3], claim_id, self.claims.clock(), context=client)
        if said is None or said.purpose != ACCESS:
            message = "the access token is not one of this issuer's, or expired"
            raise AccessTokenRefusedError(message)
        claim = self.claims.open_by_id(claim_id)
        return Grant(claim, client.decode() or None, said.tx_code_given)

    def issue(self, grant: Grant, proofs: Any) -> Delivery:
        """The grant's credential signed for the key the wallet proves (one ``jwt`` proof
        over a c_nonce of ours, for this issuer), recorded as its delivery."""
        (proven,) = verify_proofs_parameter(
            proofs,
            credential_issuer=self.credential_issuer,
            now=self.claims.clock(),
            nonce=self.judge_nonce,
            client_id=grant.client_id,
        )
        return self.claims.deliver(
            grant.claim, proven.did, PROTOCOL, tx_code_given=grant.tx_code_given
        )
