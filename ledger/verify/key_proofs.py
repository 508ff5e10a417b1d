"""OpenID4VCI 1.0 key proofs: a wallet's ``jwt`` proof that it holds the key a credential
is to be bound to (Appendix F.1, checked as Appendix F.4 says).

The Credential Endpoint hands each proof here with what only it knows: the Credential
Issuer Identifier (the ``aud`` it expects), the time, the client the access token was
given to, and a way to judge the proof's ``c_nonce``. What comes back is the proven key
as a did:key DID (for both Ed25519 and P-256, also when the proof carried a ``jwk``), so
the credential's ``credentialSubject.id`` is always a did:key, plus the public JWK.

Checks, all of them before anything is believed:

- a compact JWS in strict form (``credledger.crypto.jws``); ``typ``
  ``openid4vci-proof+jwt`` (RFC 8725 §3.11 explicit typing: no ID token or presentation
  passes as a key proof); ``alg`` EdDSA or ES256;
- exactly one key: ``kid``, a did:key DID URL (``did:key:z…#z…``) of an Ed25519 or a
  P-256 key, or ``jwk``, a public key. ``x5c`` and ``trust_chain`` are refused: nothing
  here evaluates certificate chains or federations;
- the signature under that key; then the claims: ``aud`` the issuer, ``iat`` within
  ``max_age`` in the past and ``clock_skew`` in the future, ``exp``/``nbf`` if present,
  ``iss`` only as the access token's client (and absent when the token was given to no
  client: Appendix F.1 says it MUST then be omitted), and a ``nonce`` the caller judges
  fresh.

Pure: nothing is fetched (did:key resolves locally), nothing is stored; marking a
``c_nonce`` used is the caller's, after the proof is accepted. Here rather than in
``credentials/`` because this verifies what a holder signed, as ``presentations.py``
verifies a holder's DID-Auth presentation (challenge and domain there, nonce and
audience here); it raises the domain's errors, each with its OpenID4VCI error code.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from credledger.crypto.did_keys import (
    UnsupportedDidKeyError,
    did_key_from_jwk,
    did_key_url,
    jwk_from_did_key,
)
from credledger.crypto.errors import InvalidKeyError, InvalidSignatureError
from credledger.crypto.jwk import PublicJwk, parse_public_jwk
from credledger.crypto.jws import (
    CompactJws,
    JwsAlgorithmError,
    JwsError,
    parse_compact_jws,
    verify_jws_signature,
)
from credledger.ledger.domain import errors

__all__ = [
    "KEY_PROOF_ALGORITHMS",
    "KEY_PROOF_TYPE",
    "KeyProofPolicy",
    "NonceVerdict",
    "ProvenKey",
    "expecting_nonce",
    "verify_key_proof",
    "verify_proofs_parameter",
]

KEY_PROOF_TYPE = "openid4vci-proof+jwt"
KEY_PROOF_ALGORITHMS = ("ES256", "EdDSA")
"""What the issuer metadata's ``proof_signing_alg_values_supported`` lists."""


class NonceVerdict(Enum):
    """What the issuer knows of a ``c_nonce``."""

    FRESH = "fresh"
    """Given by this issuer and still good."""
    STALE = "stale"
    """Given by this issuer, but expired (or used, if nonces are single-use)."""
    UNKNOWN = "unknown"
    """Never given by this issuer."""


NonceCheck = Callable[[str], NonceVerdict]
"""Judges the ``nonce`` a proof carries (called only for a validly signed proof)."""


def expecting_nonce(expected: str | None, *, fresh: bool = True) -> NonceCheck:
    """A check for one expected ``c_nonce`` (``None``: none was given), compared in
    constant time; ``fresh=False`` when it has expired."""

    def check(nonce: str) -> NonceVerdict:
        if expected is None or not hmac.compare_digest(nonce.encode(), expected.encode()):
            return NonceVerdict.UNKNOWN
        return NonceVerdict.FRESH if fresh else NonceVerdict.STALE

    return check


@dataclass(frozen=True)
class KeyProofPolicy:
    """How much a proof's time may differ from the server's, and what it may sign with."""

    max_age: timedelta = timedelta(seconds=300)
    """How long after its ``iat`` a proof is still taken."""
    clock_skew: timedelta = timedelta(seconds=60)
    """How far a wallet's clock may run ahead (``iat`` in the future)."""
    algorithms: tuple[str, ...] = field(default=KEY_PROOF_ALGORITHMS)


@dataclass(frozen=True)
class ProvenKey:
    """The key a wallet proved it holds: bind the credential to ``did``."""

    did: str
    """The key's did:key DID (``did:key:z6Mk…`` Ed25519, ``did:key:zDn…`` P-256)."""
    verification_method: str
    """``did:key:z…#z…``, the DID URL of that key."""
    jwk: PublicJwk
    algorithm: str
    issued_at: datetime
    nonce: str
    client_id: str | None
    """The proof's ``iss``, when it named the client."""

    @property
    def public_jwk(self) -> dict[str, str]:
        """The key as JWK members (public only), e.g. for a ``cnf`` claim."""
        return self.jwk.members()

    @property
    def thumbprint(self) -> str:
        """The key's RFC 7638 thumbprint."""
        return self.jwk.thumbprint()


def verify_key_proof(
    proof: Any,
    *,
    credential_issuer: str,
    now: datetime,
    nonce: NonceCheck,
    client_id: str | None = None,
    policy: KeyProofPolicy = KeyProofPolicy(),
) -> ProvenKey:
    """Check one ``jwt`` key proof and return the key it proves; raise a
    :class:`~credledger.ledger.domain.errors.KeyProofRefusedError` naming what failed.

    ``credential_issuer`` is the Credential Issuer Identifier (``aud``); ``now`` an aware
    datetime; ``nonce`` judges the proof's ``c_nonce`` (:func:`expecting_nonce` for one
    known value); ``client_id`` the client the access token was given to, ``None`` for
    anonymous pre-authorized access.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    jws = _parsed(proof, policy)
    _check_type(jws.header)
    jwk = _proven_key(jws.header)
    claims = _claims(jws)
    try:
        verify_jws_signature(jws, jwk)
    except JwsAlgorithmError as exc:
        raise errors.KeyProofAlgorithmError(str(exc)) from None
    except InvalidSignatureError:
        raise errors.KeyProofSignatureError(
            f"the proof's {jws.algorithm} signature does not verify under the key its "
            f"header names ({'kid' if 'kid' in jws.header else 'jwk'})"
        ) from None
    _check_audience(claims, credential_issuer)
    issued_at = _check_times(claims, now, policy)
    _check_client(claims, client_id)
    proven_nonce = _check_nonce(claims, nonce)
    return ProvenKey(
        did=did_key_from_jwk(jwk),
        verification_method=did_key_url(jwk),
        jwk=jwk,
        algorithm=jws.algorithm,
        issued_at=issued_at,
        nonce=proven_nonce,
        client_id=client_id if "iss" in claims else None,
    )


def verify_proofs_parameter(
    proofs: Any,
    *,
    credential_issuer: str,
    now: datetime,
    nonce: NonceCheck,
    client_id: str | None = None,
    policy: KeyProofPolicy = KeyProofPolicy(),
    batch_size: int = 1,
) -> list[ProvenKey]:
    """Check a Credential Request's ``proofs`` parameter (§8.2): exactly one proof type,
    ``jwt``, a non-empty array of at most ``batch_size`` proofs, each for another key.
    ``None`` (the parameter missing) is refused: this issuer binds every credential."""
    if proofs is None:
        raise errors.KeyProofMalformedError(
            "the Credential Request carries no proofs: a jwt key proof is required"
        )
    if not isinstance(proofs, Mapping) or len(proofs) != 1:
        raise errors.KeyProofMalformedError("proofs must be an object with one proof type")
    (proof_type, items), *_ = proofs.items()
    if proof_type != "jwt":
        raise errors.KeyProofMalformedError(
            f"proof type {str(proof_type)[:30]!r} is not accepted (jwt)"
        )
    if not isinstance(items, list) or not items:
        raise errors.KeyProofMalformedError("proofs.jwt must be a non-empty array of JWTs")
    if len(items) > batch_size:
        raise errors.KeyProofMalformedError(
            f"proofs.jwt holds {len(items)} proofs; this issuer takes at most {batch_size}"
        )
    proven = [
        verify_key_proof(
            item,
            credential_issuer=credential_issuer,
            now=now,
            nonce=nonce,
            client_id=client_id,
            policy=policy,
        )
        for item in items
    ]
    if len({key.did for key in proven}) != len(proven):
        raise errors.KeyProofMalformedError("two proofs in one request prove the same key")
    return proven


def _parsed(proof: Any, policy: KeyProofPolicy) -> CompactJws:
    if not isinstance(proof, str):
        raise errors.KeyProofMalformedError("a jwt key proof is a compact JWS string")
    try:
        return parse_compact_jws(proof, algorithms=policy.algorithms)
    except JwsAlgorithmError as exc:
        raise errors.KeyProofAlgorithmError(str(exc)) from None
    except JwsError as exc:
        raise errors.KeyProofMalformedError(str(exc)) from None


def _check_type(header: Mapping[str, Any]) -> None:
    typ = header.get("typ")
    # RFC 7515 §4.1.9: the "application/" prefix may be left out; media types ignore case.
    if not isinstance(typ, str) or typ.lower().removeprefix("application/") != KEY_PROOF_TYPE:
        shown = repr(typ[:40]) if isinstance(typ, str) else "absent"
        raise errors.KeyProofNotTypedError(
            f"the proof's typ is {shown}, not {KEY_PROOF_TYPE}: it is not a key proof"
        )


def _proven_key(header: Mapping[str, Any]) -> PublicJwk:
    """The one key the header names, by ``kid`` (did:key) or ``jwk``."""
    for refused, reason in (
        ("x5c", "x5c certificate chains are not accepted"),
        ("trust_chain", "OpenID Federation trust chains are not accepted"),
    ):
        if refused in header:
            raise errors.KeyProofKeyError(f"{reason}: name the key by jwk or a did:key kid")
    if "kid" in header and "jwk" in header:
        raise errors.KeyProofKeyError("the proof names its key twice (kid and jwk): give one")
    if "jwk" in header:
        try:
            return parse_public_jwk(header["jwk"])
        except InvalidKeyError as exc:
            raise errors.KeyProofKeyError(f"the proof's jwk is refused: {exc}") from None
    if "kid" not in header:
        raise errors.KeyProofKeyError("the proof names no key: give a did:key kid or a jwk")
    return _did_key_of(header["kid"])


def _did_key_of(kid: Any) -> PublicJwk:
    if not isinstance(kid, str) or not kid.startswith("did:key:") or "#" not in kid:
        shown = repr(kid[:60]) if isinstance(kid, str) else type(kid).__name__
        raise errors.KeyProofKeyError(
            f"kid {shown} is not a did:key DID URL (did:key:z...#z...): only did:key is "
            "resolved here; send another key as jwk"
        )
    try:
        return jwk_from_did_key(kid)
    except UnsupportedDidKeyError as exc:
        raise errors.KeyProofKeyError(f"the proof's kid is refused: {exc}") from None
    except InvalidKeyError as exc:
        raise errors.KeyProofKeyError(f"the proof's kid is not a valid did:key: {exc}") from None


def _claims(jws: CompactJws) -> dict[str, Any]:
    try:
        return jws.payload_object()
    except JwsError as exc:
        raise errors.KeyProofMalformedError(str(exc)) from None


def _check_audience(claims: Mapping[str, Any], credential_issuer: str) -> None:
    aud = claims.get("aud")
    if not isinstance(aud, str):
        raise errors.KeyProofAudienceError(
            f"the proof's aud must be the credential issuer identifier as a string "
            f"({credential_issuer})"
        )
    if aud != credential_issuer:
        raise errors.KeyProofAudienceError(
            f"the proof is for {aud[:80]!r}, not for this credential issuer ({credential_issuer})"
        )


def _check_times(claims: Mapping[str, Any], now: datetime, policy: KeyProofPolicy) -> datetime:
    if "iat" not in claims:
        raise errors.KeyProofTimeError("the proof carries no iat (when it was made)")
    issued_at = _moment(claims["iat"], "iat")
    if issued_at < now - policy.max_age:
        raise errors.KeyProofTimeError(
            f"the proof was made at {_iso(issued_at)}, more than "
            f"{int(policy.max_age.total_seconds())} s ago: make a new one"
        )
    if issued_at > now + policy.clock_skew:
        raise errors.KeyProofTimeError(
            f"the proof says it was made at {_iso(issued_at)}, in the future "
            f"(more than {int(policy.clock_skew.total_seconds())} s ahead of the server)"
        )
    if "exp" in claims and _moment(claims["exp"], "exp") <= now - policy.clock_skew:
        raise errors.KeyProofTimeError("the proof has expired (exp)")
    if "nbf" in claims and _moment(claims["nbf"], "nbf") > now + policy.clock_skew:
        raise errors.KeyProofTimeError("the proof is not valid yet (nbf)")
    return issued_at


def _moment(value: Any, claim: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise errors.KeyProofTimeError(f"the proof's {claim} must be a number of seconds")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise errors.KeyProofTimeError(f"the proof's {claim} is out of range") from None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _check_client(claims: Mapping[str, Any], client_id: str | None) -> None:
    if "iss" not in claims:
        return
    iss = claims["iss"]
    if client_id is None:
        raise errors.KeyProofClientError(
            "the proof names a client (iss), but the access token was given to none "
            "(anonymous pre-authorized code): iss must be left out"
        )
    if iss != client_id:
        raise errors.KeyProofClientError("the proof's iss is not the client the token was given to")


def _check_nonce(claims: Mapping[str, Any], check: NonceCheck) -> str:
    if "nonce" not in claims:
        raise errors.KeyProofNonceMissingError(
            "the proof carries no nonce: fetch a c_nonce from the Nonce Endpoint and sign it"
        )
    value = claims["nonce"]
    if not isinstance(value, str):
        raise errors.KeyProofMalformedError("the proof's nonce must be a string")
    verdict = check(value)
    if verdict is NonceVerdict.STALE:
        raise errors.KeyProofNonceError(
            "the proof's c_nonce is no longer fresh: fetch a new one from the Nonce Endpoint"
        )
    if verdict is not NonceVerdict.FRESH:
        raise errors.KeyProofNonceError(
            "the proof's nonce is not a c_nonce this issuer gave: fetch one from the Nonce Endpoint"
        )
    return value
