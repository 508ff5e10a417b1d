"""Holders: the key a claimed credential is bound to, named as the DID its subject gets.

A wallet proves a key (VC-API: a did:key signing its DID-Auth presentation; OpenID4VCI:
a key proof naming a did:key or carrying a JWK). The delivered copy names that key as
``credentialSubject.id``: a did:key as it is, a bare public JWK as its did:jwk (the DID
whose document is that key), so every delivered copy names its holder by a DID.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from credledger.crypto.jcs import canonicalize_bytes
from credledger.crypto.strict_base64 import encode_base64url
from credledger.ledger.domain.errors import FieldError, UnsupportedHolderError

_DID_KEY = re.compile(r"did:key:z[1-9A-HJ-NP-Za-km-z]{30,200}")
_DID_JWK = re.compile(r"did:jwk:[A-Za-z0-9_-]{20,1000}")
_PUBLIC_MEMBERS = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y")}
_CURVES = {"OKP": ("Ed25519",), "EC": ("P-256", "P-384", "secp256k1")}


def _refused(message: str) -> UnsupportedHolderError:
    return UnsupportedHolderError(message, [FieldError(("holder",), message)])


def holder_did(binding: str | Mapping[str, Any]) -> str:
    """The DID a delivered copy names for this holder binding: a did:key (or did:jwk)
    as given, or a public JWK as its did:jwk. Raises UnsupportedHolderError."""
    if isinstance(binding, Mapping):
        return did_jwk(binding)
    if not isinstance(binding, str):
        raise _refused("the holder is a DID or a public JWK")
    did = binding.split("#", 1)[0]
    if _DID_KEY.fullmatch(did) or _DID_JWK.fullmatch(did):
        return did
    method = did.split(":")[1] if did.startswith("did:") and did.count(":") >= 2 else None
    if method is None:
        raise _refused("the holder is not a DID")
    raise _refused(f"DID method {method!r} is not supported for holders: use did:key")


def did_jwk(jwk: Mapping[str, Any]) -> str:
    """did:jwk of a public key JWK: its required public members, JCS-ordered."""
    kty = jwk.get("kty")
    if kty not in _PUBLIC_MEMBERS:
        raise _refused("a holder JWK has kty OKP or EC")
    if "d" in jwk:
        raise _refused("a holder JWK is a public key (it carries a private part 'd')")
    members = {name: jwk.get(name) for name in _PUBLIC_MEMBERS[str(kty)]}
    if not all(isinstance(v, str) and v for v in members.values()):
        raise _refused(f"a {kty} JWK needs {', '.join(_PUBLIC_MEMBERS[str(kty)])}")
    if members["crv"] not in _CURVES[str(kty)]:
        raise _refused(f"curve {members['crv']!r} is not supported for {kty} keys")
    return "did:jwk:" + encode_base64url(canonicalize_bytes(members))
