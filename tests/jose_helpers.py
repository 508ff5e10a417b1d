"""JWS and key proofs made the way a wallet makes them: with ``cryptography`` alone.

Nothing here calls credledger's JOSE or did:key code, so a test that verifies what
these helpers make checks credledger against an independent writer: the ES256 ``R || S``
form, the JWK members and the did:key encoding are written out again below, from the
RFCs and the did:key method.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey

ISSUER = "https://ledger.example.edu"
"""The Credential Issuer Identifier the proofs in tests are made for."""

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def segment(value: dict[str, Any] | bytes | str) -> str:
    """A JWS segment: JSON objects compactly, text and bytes as they are."""
    if isinstance(value, dict):
        value = json.dumps(value, separators=(",", ":"))
    if isinstance(value, str):
        value = value.encode("utf-8")
    return b64url(value)


def signature(key: PrivateKey, signing_input: bytes) -> bytes:
    """Ed25519's 64 bytes, or ES256's ``R || S`` (RFC 7518 §3.4) from the DER that
    ``cryptography`` makes."""
    if isinstance(key, Ed25519PrivateKey):
        return key.sign(signing_input)
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sign_jws(
    header: dict[str, Any] | bytes | str, payload: dict[str, Any] | bytes | str, key: PrivateKey
) -> str:
    """A compact JWS of exactly these header and payload bytes, signed by ``key``."""
    signing_input = f"{segment(header)}.{segment(payload)}"
    return f"{signing_input}.{b64url(signature(key, signing_input.encode('ascii')))}"


def algorithm(key: PrivateKey) -> str:
    return "EdDSA" if isinstance(key, Ed25519PrivateKey) else "ES256"


def public_jwk(key: PrivateKey) -> dict[str, str]:
    """The public JWK (RFC 8037 §2, RFC 7518 §6.2.1) of a private key."""
    if isinstance(key, Ed25519PrivateKey):
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}
    numbers = key.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }


def private_jwk(key: PrivateKey) -> dict[str, str]:
    """The same JWK with its private member ``d`` (what a wallet must never send)."""
    if isinstance(key, Ed25519PrivateKey):
        seed = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return {**public_jwk(key), "d": b64url(seed)}
    return {**public_jwk(key), "d": b64url(key.private_numbers().private_value.to_bytes(32, "big"))}


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = ""
    while number:
        number, remainder = divmod(number, 58)
        digits = _BASE58[remainder] + digits
    return "z" + "1" * (len(data) - len(data.lstrip(b"\0"))) + digits


def did_key(key: PrivateKey) -> str:
    """The did:key of a key: multicodec ``ed25519-pub`` (0xed, varint ed 01) or
    ``p256-pub`` (0x1200, varint 80 24) and the raw key or compressed point."""
    public = key.public_key()
    if isinstance(key, Ed25519PrivateKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return "did:key:" + base58btc(b"\xed\x01" + raw)
    point = public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    return "did:key:" + base58btc(b"\x80\x24" + point)


def did_key_url(key: PrivateKey) -> str:
    did = did_key(key)
    return f"{did}#{did.removeprefix('did:key:')}"


def key_proof(
    key: PrivateKey,
    *,
    nonce: str | None,
    iat: float,
    by: str = "kid",
    aud: str = ISSUER,
    header: dict[str, Any] | None = None,
    claims: dict[str, Any] | None = None,
    signer: PrivateKey | None = None,
) -> str:
    """An OpenID4VCI ``jwt`` key proof for ``key``, named ``by`` its did:key ``kid`` or
    its ``jwk``; ``header`` and ``claims`` add to (or, with ``None`` values, remove from)
    what a conforming wallet sends; ``signer`` signs in the key's place."""
    made_header: dict[str, Any] = {"typ": "openid4vci-proof+jwt", "alg": algorithm(key)}
    made_header.update({"kid": did_key_url(key)} if by == "kid" else {"jwk": public_jwk(key)})
    made_claims: dict[str, Any] = {"aud": aud, "iat": iat}
    if nonce is not None:
        made_claims["nonce"] = nonce
    for made, extra in ((made_header, header), (made_claims, claims)):
        for name, value in (extra or {}).items():
            if value is None:
                made.pop(name, None)
            else:
                made[name] = value
    return sign_jws(made_header, made_claims, signer or key)
