"""did:web: issuers published under this ledger's origin, and guarded resolution of others.

An issuer's did:web document lists every key it ever signed with, each with the
period it was in force, so credentials signed before a rotation keep verifying; keys
reported compromised stay listed but are no longer assertion methods. The document
also names the transparency log the issuer's credentials are in (a service entry with
the log's origin and note key), so a proof bundle is trusted only for that log.
did:web documents of this ledger are built from the events, never
fetched; foreign ones are fetched over HTTPS with a timeout, a size limit, no
redirects and no private, loopback or link-local addresses.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from credledger.crypto.keys import DID_CONTEXT, MULTIKEY_CONTEXT, public_key_from_multibase

from .issuer_keys import KeyPeriod

LOG_SERVICE_TYPE = "CredledgerTransparencyLog"
LOG_SERVICE_FRAGMENT = "#transparency-log"
MAX_DOCUMENT_BYTES = 256 * 1024
TIMEOUT_SECONDS = 5.0


class DidResolutionError(LookupError):
    """The DID does not resolve to a usable document (malformed, not found, invalid)."""


class DidUnreachableError(DidResolutionError):
    """The DID's document could not be had now (network, refused address, server error):
    a verifier cannot decide, which is not the same as finding the DID false."""


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


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rfc3339_up(moment: datetime) -> str:
    """Rounded up to the next whole second: proofs carry whole seconds, so a proof made
    in the second the key was retired, before the retirement, stays inside the period."""
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return _rfc3339(moment)


def did_web_document(
    did: str, periods: Iterable[KeyPeriod], *, log: LogService | None = None
) -> dict[str, Any]:
    """A DID document listing every key of the issuer as a Multikey method.

    Retired keys stay assertion methods, so what they signed while in force keeps
    verifying everywhere; each method states its period (``activeFrom``/``activeUntil``,
    credledger extension properties) for verifiers that check when a key signed. A key
    reported compromised is listed with ``revoked`` (Multikey) and is no assertion
    method: nothing it signed verifies. Only the key in force authenticates. ``log``
    names the transparency log this issuer's credentials are recorded in.
    """
    methods, assertion, authentication = [], [], []
    for period in periods:
        key_id = period.key_id
        public_key_from_multibase(key_id)  # refuse anything that is not an Ed25519 Multikey
        vm = f"{did}#{key_id}"
        method: dict[str, Any] = {
            "id": vm,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key_id,
            "activeFrom": _rfc3339(period.since),
        }
        if period.until is not None:
            method["activeUntil"] = _rfc3339_up(period.until)
        if period.compromised_at is not None:
            method["revoked"] = _rfc3339(period.compromised_at)
        else:
            assertion.append(vm)
            if period.until is None:
                authentication.append(vm)
        methods.append(method)
    document: dict[str, Any] = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": assertion,
        "authentication": authentication,
    }
    if log is not None:
        document["service"] = [log.service_entry(did)]
    return document


@dataclass(frozen=True)
class LogService:
    """The transparency log an issuer vouches for: where it is, its origin and note key."""

    url: str
    origin: str
    key: str

    def service_entry(self, did: str) -> dict[str, Any]:
        return {
            "id": f"{did}{LOG_SERVICE_FRAGMENT}",
            "type": LOG_SERVICE_TYPE,
            "serviceEndpoint": {"url": self.url, "origin": self.origin, "key": self.key},
        }


def log_service_of(document: Mapping[str, Any]) -> LogService | None:
    """The transparency log a DID document names, if it names exactly one."""
    services = document.get("service")
    found = [
        s
        for s in (services if isinstance(services, list) else [])
        if isinstance(s, Mapping) and s.get("type") == LOG_SERVICE_TYPE
    ]
    if len(found) != 1:
        return None
    endpoint = found[0].get("serviceEndpoint")
    if not isinstance(endpoint, Mapping):
        return None
    fields = [endpoint.get(k) for k in ("url", "origin", "key")]
    if not all(isinstance(f, str) and f for f in fields):
        return None
    return LogService(*(str(f) for f in fields))


def method_of(document: Mapping[str, Any], vm_id: str) -> Mapping[str, Any] | None:
    """The verification method ``vm_id`` as the document lists it."""
    for method in document.get("verificationMethod", []):
        if isinstance(method, Mapping) and method.get("id") == vm_id:
            return method
    return None


def _public_address(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DidUnreachableError(f"cannot resolve host {host}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise DidUnreachableError(f"{host} resolves to a non-public address ({address})")


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
            if response.status_code in (404, 410):
                raise DidResolutionError(f"{url} answered {response.status_code}: no such DID")
            if response.status_code != 200:
                raise DidUnreachableError(f"{url} answered {response.status_code}")
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise DidResolutionError(f"{url} is larger than {MAX_DOCUMENT_BYTES} bytes")
    except httpx.HTTPError as exc:
        raise DidUnreachableError(f"cannot fetch {url}: {exc}") from None
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
