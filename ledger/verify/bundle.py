"""Proof bundles: one file that proves, offline, that a credential was issued and logged.

A bundle holds the signed credential, its issuance leaf with an RFC 9162 inclusion
proof, the status list versions in force with theirs, the signed checkpoint they are
all included under, and the log's verifier key (see docs/api.md, "Proof bundle").

Every part of a bundle's content is vouched for: fields nothing vouches for are
refused, the credential and each list credential are bound to their leaves by an RFC
8785 digest, the leaves to the checkpoint by their inclusion proofs, and the checkpoint
to the log key by its signature. So any change to the content makes
:func:`verify_bundle` raise, while any faithful copy (another JSON serialisation of the
same content, as curl saves the server's answer or an editor re-saves it) verifies.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from credledger.crypto.checkpoint import Checkpoint
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.ledger.credentials.signing import document_loader
from credledger.ledger.verify.bundle_anchors import (
    ISSUANCE_EVENTS,
    check_digest,
    open_bundle_checkpoint,
    status_urls,
    verified_lists,
    verify_anchor,
)
from credledger.ledger.verify.bundle_errors import (
    CredentialInvalidError,
    IssuerUnreachableError,
    LeafMismatchError,
    MalformedBundleError,
    UnvouchedLogError,
)
from credledger.ledger.verify.bundle_trust import LogTrust, trusted_log
from credledger.ledger.verify.verifier import CredentialVerifier, Report

EXTENSION_CONTEXT_PATH = "/contexts/edubadges/v1"
REQUIRED_FIELDS = frozenset({"credential", "leaf", "inclusion", "checkpoint", "log_key"})
OPTIONAL_FIELDS = frozenset({"status_lists"})


@dataclass(frozen=True)
class BundleReport:
    """What a bundle proved: where the credential sits in which log, and its status then."""

    credential_id: str
    issuer: str | None
    log_origin: str
    log_key: str
    checkpoint_size: int
    root_hash: bytes
    leaf_index: int
    event: str
    log_trust: str = ""
    """Why the log key was trusted (pinned, or vouched for by the credential's issuer)."""
    status: dict[str, str] = field(default_factory=dict)
    """Per purpose (``revocation``, ``suspension``): ``clear``, ``revoked``, ``suspended``
    or ``unknown``, as of the checkpoint's status list versions."""
    warnings: list[str] = field(default_factory=list)
    witnesses: list[str] = field(default_factory=list)
    """The witnesses whose cosignatures on the checkpoint verified with keys you gave."""

    @property
    def status_set(self) -> list[str]:
        """The statuses that make the credential invalid (``revoked``, ``suspended``)."""
        return sorted(v for v in self.status.values() if v not in ("clear", "unknown"))

    @property
    def undecided(self) -> bool:
        return not self.status_set and "unknown" in self.status.values()

    def as_dict(self) -> dict[str, Any]:
        return {
            "credential": self.credential_id,
            "issuer": self.issuer,
            "log": {
                "origin": self.log_origin,
                "key": self.log_key,
                "checkpoint_size": self.checkpoint_size,
                "root_hash": base64.b64encode(self.root_hash).decode("ascii"),
                "leaf_index": self.leaf_index,
                "event": self.event,
                "trusted_because": self.log_trust,
            },
            "status": self.status,
            "witnesses": self.witnesses,
            "warnings": self.warnings,
        }


def credledger_base_url(document: Mapping[str, Any]) -> str | None:
    """The credledger base URL a document names through its extension context, if any."""
    contexts = document.get("@context")
    for entry in contexts if isinstance(contexts, list) else [contexts]:
        if isinstance(entry, str) and entry.endswith(EXTENSION_CONTEXT_PATH):
            return entry[: -len(EXTENSION_CONTEXT_PATH)]
    return None


def loader_for(document: Mapping[str, Any]) -> DocumentLoader:
    """Bundled contexts, plus credledger's extension context at the URL the document uses."""
    base_url = credledger_base_url(document)
    return document_loader(base_url) if base_url is not None else DocumentLoader()


# -- the whole bundle --------------------------------------------------------------------------


def verify_issuance(
    vc: Mapping[str, Any],
    bundle: Mapping[str, Any],
    *,
    trusted_log_key: str | None = None,
    witnesses: Sequence[str] = (),
    resolve_did: Callable[[str], dict[str, Any]] | None = None,
) -> tuple[Checkpoint, int, dict[str, Any], LogTrust]:
    """Check that ``vc`` is exactly the credential whose issuance leaf the bundle proves,
    in a log its issuer vouches for (or whose key the caller pinned; see trusted_log).

    Only the log part: checkpoint signature, inclusion proof, and the leaf's event,
    credential id and digest against ``vc`` (which may be a copy presented separately).
    Returns the checkpoint, the leaf index, the decoded leaf and why the log was trusted.
    """
    trust = trusted_log(vc, bundle.get("log_key"), pinned=trusted_log_key, resolve_did=resolve_did)
    _, checkpoint = open_bundle_checkpoint(
        bundle.get("checkpoint"),
        bundle.get("log_key"),
        trusted_log_key=trust.key,
        witnesses=witnesses,
    )
    index, leaf = verify_anchor(bundle, checkpoint, "credential")
    check_issuance_leaf(vc, index, leaf)
    return checkpoint, index, leaf, trust


def check_issuance_leaf(vc: Mapping[str, Any], index: int, leaf: Mapping[str, Any]) -> None:
    """Check that the (proved) leaf ``index`` records the issuance of exactly ``vc``."""
    if leaf.get("event") not in ISSUANCE_EVENTS:
        raise LeafMismatchError(f"leaf {index} records {leaf.get('event')!r}, not an issuance")
    # Leaves recorded before aliases also name the VC id; newer ones only its digest.
    if "credential" in leaf and leaf["credential"] != vc.get("id"):
        raise LeafMismatchError(f"leaf {index} is the issuance of {leaf.get('credential')!r}")
    check_digest(leaf, vc, "credential")


def verify_bundle(
    bundle: Mapping[str, Any],
    *,
    trusted_log_key: str | None = None,
    witnesses: Sequence[str] = (),
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    resolve_did: Callable[[str], dict[str, Any]] | None = None,
) -> BundleReport:
    """Verify a parsed bundle; raise a :class:`BundleError` naming what failed.

    Cheap checks run first (shape, checkpoint signature, inclusion, digests), the Data
    Integrity proofs last. A revoked or suspended credential is not an error here: the
    report's ``status`` says so. ``trusted_log_key`` pins the log's vkey; without it the
    bundle's key must be one the credential's issuer vouches for (:func:`trusted_log`).
    ``resolve_did`` resolves issuers other than did:key (nothing else is fetched).
    """
    vc = _credential_of(bundle)
    try:
        checkpoint, index, leaf, trust = verify_issuance(
            vc,
            bundle,
            trusted_log_key=trusted_log_key,
            witnesses=witnesses,
            resolve_did=resolve_did,
        )
    except UnvouchedLogError:
        _refuse_if_forged(vc, clock, resolve_did)
        raise

    lists = verified_lists(bundle.get("status_lists", []), checkpoint, status_urls(vc))
    warnings = [
        f"the bundle holds no status list for {purpose} ({url})"
        for url, purpose in status_urls(vc).items()
        if url not in lists
    ]
    report = check_credential(vc, lists, clock, resolve_did)
    warnings += [str(w["message"]) for w in report.warnings]
    issuer = vc.get("issuer")
    return BundleReport(
        credential_id=vc["id"],
        issuer=str(issuer.get("id") if isinstance(issuer, dict) else issuer),
        log_origin=checkpoint.origin,
        log_key=bundle["log_key"],
        log_trust=trust.reason,
        checkpoint_size=checkpoint.size,
        root_hash=checkpoint.root_hash,
        leaf_index=index,
        event=str(leaf["event"]),
        status=dict(report.status),
        warnings=warnings,
    )


def _credential_of(bundle: Mapping[str, Any]) -> dict[str, Any]:
    """The bundle's credential, once the bundle has exactly the fields a bundle has."""
    present = set(bundle)
    if not present >= REQUIRED_FIELDS or present - REQUIRED_FIELDS - OPTIONAL_FIELDS:
        extra = sorted(present - REQUIRED_FIELDS - OPTIONAL_FIELDS)
        missing = sorted(REQUIRED_FIELDS - present)
        raise MalformedBundleError(
            f"a bundle has {sorted(REQUIRED_FIELDS)} (extra {extra}, missing {missing})"
        )
    vc = bundle["credential"]
    if not isinstance(vc, dict) or not isinstance(vc.get("id"), str):
        raise MalformedBundleError("credential must be a credential object with an id")
    return vc


def check_credential(
    vc: Mapping[str, Any],
    lists: Mapping[str, dict[str, Any]],
    clock: Callable[[], datetime],
    resolve_did: Callable[[str], dict[str, Any]] | None,
) -> Report:
    """The credential's own checks (data model, validity, Data Integrity proof), its
    status read from the bundled lists only; raises when it fails or is undecided."""

    def fetch(url: str) -> dict[str, Any]:
        if url not in lists:
            raise LookupError(f"the bundle holds no status list {url}")
        return lists[url]

    verifier = CredentialVerifier(loader=loader_for(vc), fetch_status_list=fetch, clock=clock)
    if resolve_did is not None:
        verifier.resolve_did = resolve_did
    report = verifier.verify(vc)
    failures = [e["message"] for e in report.errors if e.get("kind") != "status"]
    if failures:
        raise CredentialInvalidError("; ".join(str(m) for m in failures))
    unreachable = [str(u["message"]) for u in report.unsettled if u.get("kind") == "proof"]
    if unreachable:
        raise IssuerUnreachableError("; ".join(unreachable))
    return report


def _refuse_if_forged(
    vc: Mapping[str, Any],
    clock: Callable[[], datetime],
    resolve_did: Callable[[str], dict[str, Any]] | None,
) -> None:
    """A bundle whose log nobody vouches for is undecided, unless the credential itself
    does not verify (a changed byte, say): then it is invalid whatever the log."""

    def no_lists(url: str) -> dict[str, Any]:
        raise LookupError("status is not read here")

    verifier = CredentialVerifier(loader=loader_for(vc), fetch_status_list=no_lists, clock=clock)
    if resolve_did is not None:
        verifier.resolve_did = resolve_did
    failures = [e["message"] for e in verifier.verify(vc).errors if e.get("kind") != "status"]
    if failures:
        raise CredentialInvalidError("; ".join(str(m) for m in failures))
