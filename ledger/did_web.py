"""did:web: issuers published under this ledger's origin, and guarded resolution of others.

An issuer's did:web document lists every key it ever signed with, so credentials
signed before a rotation keep verifying; retired keys stay listed but are no longer
assertion methods. did:web documents of this ledger are built from the events, never
fetched; foreign ones only over HTTPS through the guarded fetcher
(``guarded_fetch.py``: public addresses only, pinned, one deadline, capped).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from credledger.crypto.keys import DID_CONTEXT, MULTIKEY_CONTEXT, public_key_from_multibase

from .guarded_fetch import FetchError, GuardedFetcher

_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?")
_SEGMENT = re.compile(r"[A-Za-z0-9._~%-]{1,255}")


class DidResolutionError(LookupError):
    """The DID could not be resolved (malformed, unreachable, refused or invalid)."""


class DidRetrievalError(DidResolutionError):
    """No usable DID document could be had (unreachable, refused, too slow, not one):
    the verifier cannot decide, rather than finding a forgery."""


def did_web_for(base_url: str, issuer_id: str) -> str:
    parts = urlsplit(base_url)
    host = quote(parts.netloc, safe="")
    path = ":".join(p for p in parts.path.split("/") if p)
    prefix = f"did:web:{host}" + (f":{path}" if path else "")
    return f"{prefix}:v1:issuers:{issuer_id}"


def did_web_url(did: str) -> str:
    """The HTTPS URL a did:web resolves to (did:web method spec §3.2)."""
    if not did.startswith("did:web:"):
        raise DidResolutionError(f"not a did:web DID: {did[:80]}")
    segments = did[len("did:web:") :].split(":")
    host = unquote(segments[0])
    if not _HOST.fullmatch(host):
        raise DidResolutionError("malformed did:web host")
    if any(not _SEGMENT.fullmatch(s) or s in (".", "..") for s in segments[1:]):
        raise DidResolutionError("malformed did:web path")
    path = "/".join(segments[1:]) if len(segments) > 1 else ".well-known"
    return f"https://{host}/{path}/did.json"


def did_web_document(did: str, keys: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A DID document listing every key (multibase -> {"state"}) with Multikey methods."""
    methods, assertion = [], []
    for key_id, info in keys.items():
        public_key_from_multibase(key_id)  # refuse anything that is not an Ed25519 Multikey
        vm = f"{did}#{key_id}"
        methods.append(
            {"id": vm, "type": "Multikey", "controller": did, "publicKeyMultibase": key_id}
        )
        if info.get("state") != "retired":
            assertion.append(vm)
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": assertion,
        "authentication": assertion,
    }


def check_did_document(did: str, document: Any) -> dict[str, Any]:
    """``document`` if it is the DID document of ``did`` (a JSON object with that id)."""
    if not isinstance(document, dict) or document.get("id") != did:
        raise DidRetrievalError(f"not the DID document of {did[:200]}")
    return document


def fetch_did_web(did: str, fetcher: GuardedFetcher) -> dict[str, Any]:
    """Fetch and check a foreign did:web document (HTTPS only, through the guarded fetcher)."""
    url = did_web_url(did)
    try:
        document = fetcher.json(
            url, accept="application/did+json, application/json", https_only=True
        )
    except FetchError as exc:
        raise DidRetrievalError(f"cannot resolve {did[:200]}: {exc}") from exc
    return check_did_document(did, document)


def key_from_document(document: dict[str, Any], vm_id: str, relationship: str) -> bytes:
    """The Ed25519 key of ``vm_id`` if the document lists it under ``relationship``."""
    allowed = {r if isinstance(r, str) else r.get("id") for r in document.get(relationship, [])}
    if vm_id not in allowed:
        raise DidResolutionError(f"{vm_id} is not an {relationship} of {document.get('id')}")
    for method in document.get("verificationMethod", []):
        if isinstance(method, dict) and method.get("id") == vm_id:
            if method.get("controller") != document.get("id"):
                raise DidResolutionError(f"{vm_id} is controlled by someone else")
            return public_key_from_multibase(str(method.get("publicKeyMultibase", "")))
    raise DidResolutionError(f"{vm_id} is not in the DID document")


DidResolver = Callable[[str], dict[str, Any]]
