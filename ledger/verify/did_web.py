"""did:web: issuers published under this ledger's origin, and guarded resolution of others.

An issuer's did:web document lists every key it ever signed with, each with the
period it was in force, so credentials signed before a rotation keep verifying; keys
reported compromised stay listed but are no longer assertion methods. The document
also names the transparency log the issuer's credentials are in (a service entry with
the log's origin and note key), so a proof bundle is trusted only for that log.
did:web documents of this ledger are built from the events, never fetched; foreign
ones only over HTTPS through the guarded fetcher (``guarded_fetch.py``: public
addresses only, pinned, one deadline, capped).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from credledger.crypto.keys import DID_CONTEXT, MULTIKEY_CONTEXT, public_key_from_multibase
from credledger.ledger.domain.issuer_keys import KeyPeriod
from credledger.ledger.verify.guarded_fetch import FetchError, GuardedFetcher

LOG_SERVICE_TYPE = "CredledgerTransparencyLog"
LOG_SERVICE_FRAGMENT = "#transparency-log"
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?")
_SEGMENT = re.compile(r"[A-Za-z0-9._~%-]{1,255}")


class DidResolutionError(LookupError):
    """The DID does not resolve to a usable document (malformed, not found, invalid)."""


class DidRetrievalError(DidResolutionError):
    """No usable DID document could be had (unreachable, refused, too slow, a server
    error, not one): the verifier cannot decide, rather than finding a forgery."""


class DidGoneError(DidResolutionError):
    """The DID's own host says it has no document for it: the DID does not exist or was
    deactivated (did:web deactivates a DID by removing its did.json). Nothing verifies
    under it: invalid."""


GONE = frozenset({404, 410})
"""did:web: 404 Not Found and 410 Gone from the DID's host (the one authority on it)."""


def unresolved(did: str, exc: BaseException) -> DidResolutionError:
    """What a failed fetch of a did:web document means (one rule for the server and the
    CLI, docs/verification.md): the host answering 404 or 410 is the method's own word
    that there is no such DID (invalid); anything else (no answer, a refused address, a
    server error, too slow, not a DID document) is a document that could not be had now
    (undecided)."""
    if isinstance(exc, FetchError) and exc.status in GONE:
        return DidGoneError(
            f"{did[:200]} does not exist or was deactivated: its host has no DID document for it"
        )
    return DidRetrievalError(f"cannot resolve {did[:200]}: {exc}")


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
        raise unresolved(did, exc) from exc
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
