"""Credentials made by someone other than this ledger: VC-JWTs and Data Integrity
credentials signed with any key under any verification method, as an attacker or a
foreign issuer would make them."""

from __future__ import annotations

import base64
import json
from typing import Any

from credledger.crypto.data_integrity import add_proof
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.keys import Ed25519KeyPair, did_key_from_public_key, verification_method_id

VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
CREATED = "2026-01-01T00:00:00Z"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def vc_jwt(key: Ed25519KeyPair, kid: str, payload: dict[str, Any]) -> str:
    """A compact JWS (EdDSA) over ``payload`` naming ``kid``."""
    header = _b64url(json.dumps({"alg": "EdDSA", "kid": kid}).encode())
    body = _b64url(json.dumps(payload).encode())
    signature = key.sign(f"{header}.{body}".encode("ascii"))
    return f"{header}.{body}.{_b64url(signature)}"


def jwt_payload(issuer: str, **vc_extra: Any) -> dict[str, Any]:
    """A VC Data Model 1.1 JWT payload (the credential in the ``vc`` claim)."""
    return {
        "iss": issuer,
        "nbf": 1704067200,
        "sub": "did:example:123",
        "vc": {
            "@context": [VC1],
            "type": ["VerifiableCredential"],
            "issuer": issuer,
            "issuanceDate": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:123"},
            **vc_extra,
        },
    }


def did_key(key: Ed25519KeyPair) -> tuple[str, str]:
    """(did, verification method id) of ``key`` as a did:key."""
    did = did_key_from_public_key(key.public_key)
    return did, verification_method_id(did)


def di_credential(
    key: Ed25519KeyPair,
    verification_method: str,
    issuer: str,
    *,
    types: tuple[str, ...] = (),
    contexts: tuple[str, ...] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A VC 2.0 credential with an eddsa-rdfc-2022 proof by ``key`` under the given method."""
    vc = {
        "@context": [VC2, *contexts],
        "type": ["VerifiableCredential", *types],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:123"},
        **extra,
    }
    return add_proof(vc, key, verification_method, created=CREATED, loader=DocumentLoader())
