"""did:web: issuers published under this ledger's origin, and guarded resolution of others.

An issuer's did:web document lists every key it ever signed with, so credentials
signed before a rotation keep verifying; retired keys stay listed but are no longer
assertion methods. did:web documents of this ledger are built from the events, never
fetched; foreign ones are fetched over HTTPS with a timeout, a size limit, no
redirects and no private, loopback or link-local addresses.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from credledger.crypto.keys import DID_CONTEXT, MULTIKEY_CONTEXT, public_key_from_multibase

MAX_DOCUMENT_BYTES = 256 * 1024
TIMEOUT_SECONDS = 5.0


class DidResolutionError(LookupError):
    """The DID could not be resolved (malformed, unreachable, refused or invalid)."""


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
    if not host or "/" in host:
        raise DidResolutionError("malformed did:web host")
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


def _public_address(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DidResolutionError(f"cannot resolve host {host}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise DidResolutionError(f"{host} resolves to a non-public address ({address})")


def fetch_did_web(did: str, *, allow_private: bool = False) -> dict[str, Any]:
    """Fetch and check a foreign did:web document (HTTPS, guarded)."""
    import httpx

    url = did_web_url(did)
    parts = urlsplit(url)
    if not allow_private:
        _public_address(parts.hostname or "", parts.port or 443)
    try:
        with (
            httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client,
            client.stream(
                "GET", url, headers={"Accept": "application/did+json, application/json"}
            ) as response,
        ):
            if response.status_code != 200:
                raise DidResolutionError(f"{url} answered {response.status_code}")
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise DidResolutionError(f"{url} is larger than {MAX_DOCUMENT_BYTES} bytes")
    except httpx.HTTPError as exc:
        raise DidResolutionError(f"cannot fetch {url}: {exc}") from None
    try:
        document = json.loads(body)
    except ValueError:
        raise DidResolutionError(f"{url} is not JSON") from None
    if not isinstance(document, dict) or document.get("id") != did:
        raise DidResolutionError(f"{url} is not the DID document of {did}")
    return document


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
