"""Which log a proof bundle may be checked against, and why that log is trusted."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from credledger.ledger.credentials.rendering import LOG_KEY_TYPE
from credledger.ledger.verify.bundle_errors import (
    IssuerUnreachableError,
    MalformedBundleError,
    UntrustedKeyError,
    UnvouchedLogError,
)
from credledger.ledger.verify.did_web import DidRetrievalError, log_service_of


@dataclass(frozen=True)
class LogTrust:
    """The log key a bundle was checked against, and why that key was trusted."""

    key: str
    reason: str


def issuer_named_log_keys(vc: Mapping[str, Any]) -> list[str]:
    """The log keys the credential's issuer names in the signed credential itself."""
    issuer = vc.get("issuer")
    entries = issuer.get("otherIdentifier") if isinstance(issuer, Mapping) else None
    return [
        str(e["identifier"])
        for e in (entries if isinstance(entries, list) else [])
        if isinstance(e, Mapping)
        and e.get("identifierType") == LOG_KEY_TYPE
        and isinstance(e.get("identifier"), str)
    ]


def trusted_log(
    vc: Mapping[str, Any],
    log_key: Any,
    *,
    pinned: str | None,
    resolve_did: Callable[[str], dict[str, Any]] | None,
) -> LogTrust:
    """The log key this bundle may be checked against, and why; else a BundleError.

    A bundle proves inclusion in the log whose key signed its checkpoint, and anyone can
    run a log under any name. So the key counts only when the verifier pinned it, or
    the credential's issuer vouches for it: in the signed credential (its profile's
    ``ext:transparencyLogKey`` identifier) or in its DID document (a
    ``CredledgerTransparencyLog`` service). The credential's own proof, checked later
    with the same DID document, makes the first a statement of its issuer.
    """
    if not isinstance(log_key, str):
        raise MalformedBundleError("log_key must be a string")
    if pinned is not None:
        if log_key != pinned.strip():
            raise UntrustedKeyError(f"the bundle's log key {log_key} is not the trusted one")
        return LogTrust(log_key, "pinned by you (--log-key)")
    issuer = _issuer_of(vc)
    named = issuer_named_log_keys(vc)
    if log_key in named:
        return LogTrust(log_key, f"the credential's issuer {issuer} names it in the credential")
    service = None
    if issuer is not None and not issuer.startswith("did:key:") and resolve_did is not None:
        try:
            service = log_service_of(resolve_did(issuer))
        except DidRetrievalError as exc:
            raise IssuerUnreachableError(str(exc)) from None
        except LookupError as exc:
            raise UntrustedKeyError(
                f"the issuer's DID document could not be had ({exc}), so nothing vouches "
                "for the bundle's log"
            ) from None
        if service is not None and service.key == log_key:
            return LogTrust(log_key, f"the DID document of the issuer {issuer} names it")
    if named or service is not None:
        vouched = ", ".join(named + ([service.key] if service is not None else []))
        raise UntrustedKeyError(
            f"the bundle comes from a log its credential's issuer does not vouch for: "
            f"{log_key} is not {vouched}"
        )
    raise UnvouchedLogError(
        f"the credential's issuer {issuer} names no transparency log (a credential issued "
        "before issuers named their log, or not by a credledger): pin the log you trust "
        "with --log-key"
    )


def _issuer_of(vc: Mapping[str, Any]) -> str | None:
    issuer = vc.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return value if isinstance(value, str) else None
