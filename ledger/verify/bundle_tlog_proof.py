"""A credential's C2SP tlog-proof, checked offline against the credential itself.

A tlog-proof (c2sp.org/tlog-proof) proves that one entry is in a log: the index, the
inclusion proof and the checkpoint with its cosignatures. What the entry is, is the
application's: credledger puts the issuance leaf in the ``extra`` line, so the proof
is checked as the spec's steps say, with the credential given beside it:

1. the leaf hash is RFC 6962's hash of the ``extra`` bytes, and the leaf must record
   the issuance of exactly this credential (its RFC 8785 digest);
2. the checkpoint must be signed by a log key that was pinned or that the credential's
   issuer vouches for (as for proof bundles, ``bundle_trust.py``);
3. the cosignatures of the witnesses the verifier names must verify (others are
   ignored, as the spec says, and reported);
4. the inclusion proof must bind the leaf to the checkpoint's root.

The credential's own proof is then checked; a tlog-proof carries no status list, so
a credential with a status entry is left undecided on its status (the report says to
check it online, or to use the JSON proof bundle).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from credledger.crypto.checkpoint import parse_checkpoint
from credledger.crypto.errors import CryptoError
from credledger.crypto.signed_note import (
    NoteVerifier,
    UnverifiedNoteError,
    Verifier,
    open_note,
    parse_note,
    parse_vkey,
)
from credledger.crypto.tlog_proof import TlogProof
from credledger.ledger.verify.bundle import BundleReport, check_credential, check_issuance_leaf
from credledger.ledger.verify.bundle_anchors import verify_anchor
from credledger.ledger.verify.bundle_errors import (
    IssuerUnreachableError,
    MalformedBundleError,
    ProofFailedError,
)
from credledger.ledger.verify.bundle_trust import issuer_named_log_keys, trusted_log
from credledger.ledger.verify.did_web import DidRetrievalError, log_service_of

__all__ = ["verify_tlog_proof"]

NO_STATUS = (
    "a tlog-proof proves the issuance only: it carries no status list ({url}); check the "
    "status online (credledger verify) or with the JSON proof bundle"
)


def verify_tlog_proof(
    proof: TlogProof,
    vc: Mapping[str, Any],
    *,
    trusted_log_key: str | None = None,
    witnesses: Sequence[str] = (),
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    resolve_did: Callable[[str], dict[str, Any]] | None = None,
) -> BundleReport:
    """Verify ``proof`` for the credential ``vc``; raise a BundleError naming what failed."""
    if not isinstance(vc.get("id"), str):
        raise MalformedBundleError("the credential must be a credential object with an id")
    if proof.extra is None:
        raise MalformedBundleError(
            "the tlog-proof has no extra line: credledger's proofs carry the leaf there"
        )
    origin = proof.checkpoint.split("\n", 1)[0]
    key = _log_key_for(vc, origin, trusted_log_key, resolve_did)
    trust = trusted_log(vc, key, pinned=trusted_log_key, resolve_did=resolve_did)
    checkpoint, cosigners, unchecked = _open(proof.checkpoint, trust.key, witnesses)
    anchor = {
        "leaf": {"index": proof.index, "data": base64.b64encode(proof.extra).decode("ascii")},
        "inclusion": {
            "size": checkpoint.size,
            "path": [base64.b64encode(h).decode("ascii") for h in proof.proof],
        },
    }
    index, leaf = verify_anchor(anchor, checkpoint, "credential")
    check_issuance_leaf(vc, index, leaf)
    report = check_credential(vc, {}, clock, resolve_did)
    warnings = [NO_STATUS.format(url=url) for url in _status_lists(vc)]
    warnings += [str(w["message"]) for w in report.warnings if w.get("kind") != "status"]
    if unchecked:
        warnings.append(
            f"{unchecked} signature(s) on the checkpoint are by keys you did not name "
            "(--witness-key): not checked"
        )
    issuer = vc.get("issuer")
    return BundleReport(
        credential_id=str(vc["id"]),
        issuer=str(issuer.get("id") if isinstance(issuer, dict) else issuer),
        log_origin=checkpoint.origin,
        log_key=trust.key,
        log_trust=trust.reason,
        checkpoint_size=checkpoint.size,
        root_hash=checkpoint.root_hash,
        leaf_index=index,
        event=str(leaf["event"]),
        status=dict(report.status),
        warnings=warnings,
        witnesses=cosigners,
    )


def _log_key_for(
    vc: Mapping[str, Any],
    origin: str,
    pinned: str | None,
    resolve_did: Callable[[str], dict[str, Any]] | None,
) -> str:
    """The log key to try: pinned, else the one the issuer names for this origin (in
    the credential, or its DID document); ``trusted_log`` then says why, or refuses."""
    if pinned is not None:
        return pinned.strip()
    named = issuer_named_log_keys(vc)
    for candidate in named:
        if candidate.split("+", 1)[0] == origin:
            return candidate
    issuer = vc.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if isinstance(issuer_id, str) and not issuer_id.startswith("did:key:") and resolve_did:
        try:
            service = log_service_of(resolve_did(issuer_id))
        except DidRetrievalError as exc:
            raise IssuerUnreachableError(str(exc)) from None
        except LookupError:
            service = None
        if service is not None:
            return service.key
    return named[0] if named else ""


def _open(note: str, log_key: str, witnesses: Sequence[str]) -> tuple[Any, list[str], int]:
    """The checkpoint signed by ``log_key``, the named witnesses whose cosignatures
    verified, and how many signature lines no given key could check."""
    try:
        log_verifier = NoteVerifier.from_vkey(log_key)
        cosigners: list[Verifier] = [parse_vkey(v.strip()) for v in witnesses]
        opened = open_note(note, [log_verifier, *cosigners])
        identity = (log_verifier.name, log_verifier.key_id)
        if not any((s.name, s.key_id) == identity for s in opened.signatures):
            raise UnverifiedNoteError("the checkpoint is not signed by the log's key")
        checkpoint = parse_checkpoint(opened.text, origin=log_verifier.name)
    except CryptoError as exc:
        raise ProofFailedError(f"the checkpoint does not verify with the log key: {exc}") from None
    verified = {(s.name, s.key_id) for s in opened.signatures} - {identity}
    names = sorted({name for name, _ in verified})
    unchecked = len(parse_note(note).signatures) - len(opened.signatures)
    return checkpoint, names, unchecked


def _status_lists(vc: Mapping[str, Any]) -> list[str]:
    raw = vc.get("credentialStatus")
    entries = raw if isinstance(raw, list) else [raw] if raw is not None else []
    return [
        str(e["statusListCredential"])
        for e in entries
        if isinstance(e, Mapping) and isinstance(e.get("statusListCredential"), str)
    ]
