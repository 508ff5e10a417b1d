"""VC-JWT: decoding a JWS-secured credential into the credential it secures.

Verified here rather than by a library that resolves DIDs and fetches on its own: the
key is found through the verifier's resolvers (did:key locally, did:web through the
guarded fetcher), and the credential then goes through the same data model, issuer and
status checks as a Data Integrity one. Two shapes are read: VC Data Model 1.1 §6.3.1
(the credential in the ``vc`` claim, ``iss``/``nbf``/``exp``/``jti``/``sub`` standing
for its properties) and VC-JOSE-COSE (the payload is the credential). Only ``EdDSA``
(Ed25519) signatures are accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from credledger.crypto.strict_base64 import Base64Error, decode_base64url

MAX_TOKEN_CHARS = 512 * 1024
ALGORITHMS = frozenset({"EdDSA", "Ed25519"})


class VcJwtError(ValueError):
    """The token is not a VC-JWT this verifier accepts (malformed, algorithm, claims)."""


@dataclass(frozen=True)
class VcJwt:
    """A decoded (not yet verified) VC-JWT."""

    header: dict[str, Any]
    credential: dict[str, Any]
    signing_input: bytes
    signature: bytes
    issued_at: str | None = None
    """When the token says it was made (``iat``, else ``nbf``): what a retired key's
    period is compared with, as a Data Integrity proof's ``created`` is."""

    @property
    def key_id(self) -> str:
        """The verification method that must have signed: ``kid``, else a did:key ``iss``."""
        kid = self.header.get("kid")
        if isinstance(kid, str) and kid:
            return kid
        issuer = self.credential.get("issuer")
        if isinstance(issuer, str) and issuer.startswith("did:key:"):
            return f"{issuer}#{issuer[len('did:key:') :]}"
        raise VcJwtError("the JWT header names no key (kid)")


def _segment(text: str, what: str) -> bytes:
    # The signature covers the segments as sent: their unused bits are not checked.
    try:
        if text:
            return decode_base64url(text, what, canonical=False)
    except Base64Error:
        pass
    raise VcJwtError(f"the JWT {what} is not base64url")


def _object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise VcJwtError(f"the JWT {what} is not JSON") from None
    if not isinstance(value, dict):
        raise VcJwtError(f"the JWT {what} is not a JSON object")
    return value


def _time(value: Any, claim: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise VcJwtError(f"the JWT claim {claim} must be a number of seconds")
    try:
        moment = datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise VcJwtError(f"the JWT claim {claim} is out of range") from None
    return moment.isoformat().replace("+00:00", "Z")


def _claims_into(credential: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    """VC 1.1 §6.3.1: registered claims stand for credential properties and must agree."""
    vc = dict(credential)

    def merge(key: str, value: Any, claim: str) -> None:
        if key in vc and vc[key] != value:
            raise VcJwtError(f"the JWT claim {claim} disagrees with the credential's {key}")
        vc[key] = value

    if "iss" in claims:
        issuer = vc.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        if issuer is not None and issuer_id != claims["iss"]:
            raise VcJwtError("the JWT claim iss disagrees with the credential's issuer")
        if issuer is None:
            vc["issuer"] = claims["iss"]
    if "nbf" in claims and "issuanceDate" not in vc:
        vc["issuanceDate"] = _time(claims["nbf"], "nbf")
    if "exp" in claims:
        expires = _time(claims["exp"], "exp")
        if "expirationDate" not in vc:
            vc["expirationDate"] = expires
    if "jti" in claims:
        merge("id", claims["jti"], "jti")
    if "sub" in claims:
        subject = vc.get("credentialSubject")
        if isinstance(subject, dict):
            if "id" in subject and subject["id"] != claims["sub"]:
                raise VcJwtError("the JWT claim sub disagrees with credentialSubject.id")
            vc["credentialSubject"] = {**subject, "id": claims["sub"]}
    return vc


def decode_vc_jwt(token: str) -> VcJwt:
    """Split and decode a compact JWS; the signature is checked by the caller."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise VcJwtError("a VC-JWT is a compact JWS string")
    parts = token.split(".")
    if len(parts) != 3:
        raise VcJwtError("a VC-JWT has three dot-separated parts")
    header = _object(_segment(parts[0], "header"), "header")
    payload = _object(_segment(parts[1], "payload"), "payload")
    signature = _segment(parts[2], "signature")
    if header.get("alg") not in ALGORITHMS:
        raise VcJwtError(f"JWT algorithm {str(header.get('alg'))[:40]!r} is not accepted (EdDSA)")
    if "crit" in header:
        raise VcJwtError("JWT critical header parameters are not understood")
    if isinstance(payload.get("vc"), dict):
        credential = _claims_into(payload["vc"], payload)
    elif "@context" in payload:
        credential = payload
    else:
        raise VcJwtError("the JWT carries no credential (no vc claim)")
    made = payload.get("iat", payload.get("nbf"))
    issued_at = None if made is None else _time(made, "iat" if "iat" in payload else "nbf")
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    return VcJwt(header, credential, signing_input, signature, issued_at)
