"""One verification for the verify page, with the ledger's own verifier and nothing new.

The document (a credential, a presentation, a proof bundle or a VC-JWT) goes through
``ledger.verifier`` exactly as the VC API's verify endpoints send it. What only this
ledger can add, its log, is asked as ``POST /v1/proofs`` asks it: by the digest of the
exact credential presented (``proofs.holder_bundle``), so the page shows no one anything
the API would not give them. The log can make the verdict worse (a credential naming
this ledger that its log does not hold is invalid), never better. Nothing is written:
no event, no leaf, no read-model row (a test keeps it so).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from credledger.api.limits import strict_json_refusal
from credledger.crypto.errors import CryptoError
from credledger.crypto.signed_note import open_note
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.errors import LedgerError
from credledger.ledger.services.recognitions import RecognitionSeen
from credledger.ledger.services.status import StatusChange
from credledger.ledger.store.vault import SubjectErasedError
from credledger.ledger.verify.bundle import credledger_base_url, verify_issuance
from credledger.ledger.verify.bundle_anchors import verify_anchor
from credledger.ledger.verify.bundle_errors import (
    BundleError,
    IssuerUnreachableError,
    UnvouchedLogError,
)
from credledger.ledger.verify.fetch_session import FetchSession
from credledger.ledger.verify.report import Outcome, Report
from credledger.ledger.verify.verifier import CredentialVerifier

BUNDLE_FIELDS = frozenset({"credential", "leaf", "inclusion", "checkpoint", "log_key"})
COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
MAX_ENDORSEMENTS = 8
"""Endorsements verified per credential (each may cost fetches); more are listed only."""


@dataclass
class LogFinding:
    """What this ledger's log (or an uploaded bundle) says about one credential."""

    outcome: str
    """included, not-included, erased, not-applicable, unknown."""
    detail: str = ""
    leaf_index: int | None = None
    leaf_time: str | None = None
    origin: str | None = None
    checkpoint_size: int | None = None
    witnesses: list[str] = field(default_factory=list)
    lists: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Status list URL -> (list version, when it was logged), from the bundle."""
    bundle_here: bool = False
    """This ledger holds the credential's bundle (the holder may download it)."""


@dataclass
class CredentialCheck:
    """One credential's verification: the verifier's report and the log's word."""

    document: Mapping[str, Any]
    report: Report
    log: LogFinding
    endorsements: list[tuple[Mapping[str, Any], Report | None]] = field(default_factory=list)
    jwt: bool = False
    history: list[StatusChange] = field(default_factory=list)
    """Its logged status changes (reasons only where the issuer published them), when
    this ledger recorded exactly this credential."""
    issuer_here: UUID | None = None
    """The institution registered here whose DID issued it, if any."""
    recognitions: list[RecognitionSeen] = field(default_factory=list)
    """Standing recognitions recorded here of exactly this credential."""

    @property
    def outcome(self) -> Outcome:
        return combined(self.report.outcome, self.log)


@dataclass
class Checked:
    """The whole answer the result page shows."""

    kind: str
    """credential, presentation, bundle, jwt, unreadable."""
    outcome: Outcome
    checked_at: datetime
    credentials: list[CredentialCheck] = field(default_factory=list)
    report: Report | None = None
    presentation: Mapping[str, Any] | None = None
    holder_signed: str | None = None
    """For a presentation: signed, failed, unsigned."""
    problem: str | None = None


def fetch_session(ledger: CredentialLedger, limit: int | None = None) -> FetchSession:
    """A budget of fetches for one page, through the ledger's one guarded fetcher."""
    limit = ledger.settings.fetches_per_request if limit is None else limit
    return FetchSession(ledger.ports.fetcher, ledger.ports.fetch_cache, limit=limit)


def combined(outcome: Outcome, log: LogFinding) -> Outcome:
    """The verifier's outcome, made worse (never better) by what the log says."""
    if log.outcome in ("not-included", "erased"):
        return Outcome.INVALID
    if log.outcome == "unknown" and outcome is Outcome.VALID:
        return Outcome.UNDECIDED
    return outcome


def parse(text: str) -> Any:
    """A submitted document: a VC-JWT (a str) or strict JSON; ValueError if neither."""
    stripped = text.strip()
    if COMPACT_JWS.fullmatch(stripped):
        return stripped
    raw = stripped.encode("utf-8", "surrogatepass")
    refusal = strict_json_refusal(raw)
    if refusal is not None:
        raise ValueError(refusal.detail)
    document = json.loads(raw)
    if isinstance(document, str) and COMPACT_JWS.fullmatch(document.strip()):
        return document.strip()
    return document


def _types(document: Mapping[str, Any]) -> list[str]:
    value = document.get("type")
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def check(
    ledger: CredentialLedger,
    document: Any,
    *,
    challenge: str | None = None,
    domain: str | None = None,
) -> Checked:
    """Verify ``document`` and say what this ledger knows of each credential in it."""
    now = ledger.clock()
    verifier = ledger.verifier
    if isinstance(document, str):
        report = verifier.verify_jwt(document)
        vc = _jwt_credential(document)
        found = CredentialCheck(vc or {}, report, LogFinding("not-applicable"), jwt=True)
        return Checked("jwt", report.outcome, now, [found], report)
    if not isinstance(document, dict):
        return Checked("unreadable", Outcome.INVALID, now, problem="not a JSON object")
    if set(document) >= BUNDLE_FIELDS and isinstance(document.get("credential"), dict):
        vc = document["credential"]
        report = verifier.verify(vc)
        found = CredentialCheck(vc, report, _bundle_log(ledger, vc, document))
        found.endorsements = _endorsements(verifier, vc)
        return Checked("bundle", found.outcome, now, [_since(ledger, found)], report)
    if "VerifiablePresentation" in _types(document):
        report, inner = verifier.verify_presentation(document, challenge=challenge, domain=domain)
        embedded = document.get("verifiableCredential", [])
        items = embedded if isinstance(embedded, list) else [embedded]
        credentials = []
        for item, sub in zip(items, inner, strict=False):
            if isinstance(item, str):
                vc = _jwt_credential(item) or {}
                credentials.append(CredentialCheck(vc, sub, LogFinding("not-applicable"), jwt=True))
                continue
            found = CredentialCheck(item, sub, own_log(ledger, item))
            found.endorsements = _endorsements(verifier, item)
            credentials.append(_since(ledger, found))
        outcome = report.outcome
        for found in credentials:
            outcome = _worse(outcome, combined(Outcome.VALID, found.log))
        return Checked(
            "presentation",
            outcome,
            now,
            credentials,
            report,
            presentation=document,
            holder_signed=_holder_signed(document, report),
        )
    report = verifier.verify(document)
    found = CredentialCheck(document, report, own_log(ledger, document))
    found.endorsements = _endorsements(verifier, document)
    return Checked("credential", found.outcome, now, [_since(ledger, found)], report)


_RANK = {Outcome.VALID: 0, Outcome.UNDECIDED: 1, Outcome.INVALID: 2}


def _worse(a: Outcome, b: Outcome) -> Outcome:
    return a if _RANK[a] >= _RANK[b] else b


def _jwt_credential(token: str) -> dict[str, Any] | None:
    from credledger.ledger.verify.vc_jwt import VcJwtError, decode_vc_jwt

    try:
        return decode_vc_jwt(token).credential
    except VcJwtError:
        return None


def _holder_signed(vp: Mapping[str, Any], report: Report) -> str:
    if "proof" not in vp:
        return "unsigned"
    own = [
        e
        for e in report.errors + report.unsettled
        if e.get("kind") == "proof"
        and not str(e.get("message")).startswith("verifiableCredential[")
    ]
    return "failed" if own else "signed"


def issuer_here(ledger: CredentialLedger, vc: Mapping[str, Any]) -> UUID | None:
    """The institution of this ledger whose DID is the credential's issuer: a did:web
    under this ledger, or a did:key that an institution here has (named by its profile
    URL among the issuer's identifiers, and checked against the institution's DID)."""
    issuer = vc.get("issuer")
    did = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(did, str):
        return None
    own = ledger.dids.own_issuer_of(did)
    if own is not None:
        return own[0]
    others = issuer.get("otherIdentifier") if isinstance(issuer, Mapping) else None
    for other in others if isinstance(others, list) else []:
        url = other.get("identifier") if isinstance(other, Mapping) else None
        base = ledger.identity.base_url_of(url) if isinstance(url, str) else None
        if base is None or not str(url).startswith(f"{base}/v1/issuers/"):
            continue
        try:
            candidate = UUID(str(url).removeprefix(f"{base}/v1/issuers/"))
            if ledger.issuer_did(ledger.issuer(candidate)) == did:
                return candidate
        except (ValueError, LedgerError, LookupError):
            continue
    return None


def _since(ledger: CredentialLedger, found: CredentialCheck) -> CredentialCheck:
    """What this ledger adds: which institution here issued it, which institutions here
    recognised it and, for a credential it recorded, its logged status history."""
    found.issuer_here = issuer_here(ledger, found.document)
    found.recognitions = ledger.recognitions.of_presented(found.document)
    if found.log.bundle_here:
        try:
            credential_id, _ = ledger.proofs.holder_credential(dict(found.document))
            found.history = ledger.statuses.public_history(credential_id)
        except (LedgerError, LookupError):
            found.history = []
    return found


def _endorsements(
    verifier: CredentialVerifier, vc: Mapping[str, Any]
) -> list[tuple[Mapping[str, Any], Report | None]]:
    """Every EndorsementCredential the credential carries (on itself, its achievement or
    its issuer), the first few verified in turn (within the request's one fetch budget)."""
    places: list[Any] = [vc.get("endorsement")]
    subject = vc.get("credentialSubject")
    if isinstance(subject, Mapping) and isinstance(subject.get("achievement"), Mapping):
        places.append(subject["achievement"].get("endorsement"))
    if isinstance(vc.get("issuer"), Mapping):
        places.append(vc["issuer"].get("endorsement"))
    found: list[tuple[Mapping[str, Any], Report | None]] = []
    for place in places:
        for item in place if isinstance(place, list) else []:
            if isinstance(item, Mapping):
                verified = len(found) < MAX_ENDORSEMENTS
                found.append((item, verifier.verify(dict(item)) if verified else None))
    return found


def own_log(ledger: CredentialLedger, vc: Mapping[str, Any]) -> LogFinding:
    """This ledger's log about a credential naming this ledger, asked as a holder asks."""
    base = credledger_base_url(vc)
    if base is None or base not in ledger.identity.base_urls:
        return LogFinding("not-applicable")
    try:
        bundle = ledger.proofs.holder_bundle(dict(vc))
    except SubjectErasedError:
        return LogFinding("erased")
    except (LedgerError, LookupError):
        return LogFinding("not-included")
    finding = _anchored(ledger, vc, bundle, pinned=ledger.tlog.vkey)
    finding.bundle_here = finding.outcome == "included"
    return finding


def _bundle_log(
    ledger: CredentialLedger, vc: Mapping[str, Any], bundle: Mapping[str, Any]
) -> LogFinding:
    """An uploaded bundle's log proof: this ledger's own log pinned, another's as its
    issuer vouches for it (its DID resolved through the guarded fetcher)."""
    own = bundle.get("log_key") == ledger.tlog.vkey
    finding = _anchored(ledger, vc, bundle, pinned=ledger.tlog.vkey if own else None)
    if own and finding.outcome == "included":
        finding.bundle_here = own_log(ledger, vc).bundle_here
    return finding


def _anchored(
    ledger: CredentialLedger,
    vc: Mapping[str, Any],
    bundle: Mapping[str, Any],
    *,
    pinned: str | None,
) -> LogFinding:
    session = fetch_session(ledger)
    try:
        checkpoint, index, leaf, _trust = verify_issuance(
            vc,
            bundle,
            trusted_log_key=pinned,
            resolve_did=lambda did: ledger.dids.resolve(did, session),
        )
    except (UnvouchedLogError, IssuerUnreachableError) as exc:
        return LogFinding("unknown", str(exc))
    except BundleError as exc:
        return LogFinding("not-included", str(exc))
    except (CryptoError, ValueError, TypeError, KeyError, AttributeError) as exc:
        # a bundle shaped in a way the bundle reader did not foresee: it proves nothing
        return LogFinding("not-included", f"the proof bundle is malformed ({type(exc).__name__})")
    finding = LogFinding(
        "included",
        leaf_index=index,
        leaf_time=str(leaf.get("time")),
        origin=checkpoint.origin,
        checkpoint_size=checkpoint.size,
    )
    items = bundle.get("status_lists")
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, Mapping):
            continue
        try:
            _, list_leaf = verify_anchor(item, checkpoint, f"status_lists[{i}]")
        except (BundleError, AttributeError):
            continue
        if isinstance(list_leaf.get("list"), str):
            finding.lists[list_leaf["list"]] = (
                int(list_leaf.get("list_version") or 0),
                str(list_leaf.get("time")),
            )
    if pinned == ledger.tlog.vkey:
        finding.witnesses = _witnesses(ledger, checkpoint.size)
    return finding


def _witnesses(ledger: CredentialLedger, size: int) -> list[str]:
    """The configured witnesses whose cosignatures on that checkpoint verify."""
    stored = ledger.tlog.checkpoint_at(size)
    witnesses = list(ledger.tlog.witnesses.values())
    if stored is None or not witnesses:
        return []
    try:
        opened = open_note(ledger.tlog.cosigned_note(stored), witnesses)
    except CryptoError:
        return []
    return sorted({s.name for s in opened.signatures})
