"""The log part of a proof bundle: leaves, their inclusion proofs and the checkpoint.

Each leaf is proved included under the signed checkpoint, and each document bundled is
bound to its leaf by an RFC 8785 digest: the credential to its issuance leaf, each
status list credential to the leaf of its publication (the status in a bundle).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from credledger.crypto.checkpoint import Checkpoint, open_checkpoint
from credledger.crypto.errors import CryptoError
from credledger.crypto.jcs import canonicalize_bytes
from credledger.crypto.merkle_verify import verify_inclusion
from credledger.crypto.rfc9162 import leaf_hash
from credledger.crypto.signed_note import NoteVerifier, Verifier, parse_note, parse_vkey
from credledger.crypto.strict_base64 import Base64Error, decode_base64
from credledger.ledger.domain.events import STATUS_LIST_PUBLISHED, LeafFields, public_names
from credledger.ledger.log.leaves import decode_leaf
from credledger.ledger.verify.bundle_errors import (
    LeafMismatchError,
    MalformedBundleError,
    ProofFailedError,
    UntrustedKeyError,
)

ISSUANCE_EVENTS = public_names(lambda kind: kind.leaf is LeafFields.ISSUANCE)
"""The leaf ``"event"`` names of a credential's issuance (and re-issuance)."""
STATUS_EVENT = STATUS_LIST_PUBLISHED.public_name
"""The leaf ``"event"`` name of a status list version's publication."""
_ANCHOR_FIELDS = {"leaf": frozenset({"index", "data"}), "inclusion": frozenset({"size", "path"})}
_LIST_FIELDS = frozenset({"purpose", "credential", "leaf", "inclusion"})


def b64(text: Any, what: str) -> bytes:
    """Standard padded base64 in its one canonical spelling (so no bit can change unseen)."""
    if not isinstance(text, str):
        raise MalformedBundleError(f"{what} must be a base64 string")
    try:
        return decode_base64(text, what)
    except Base64Error as exc:
        raise MalformedBundleError(str(exc)) from None


def exact_object(value: Any, what: str, keys: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise MalformedBundleError(f"{what} must be an object")
    if set(value) != keys:
        extra, missing = sorted(set(value) - keys), sorted(keys - set(value))
        raise MalformedBundleError(
            f"{what} must have exactly {sorted(keys)} (extra {extra}, missing {missing})"
        )
    return value


def _int(value: Any, what: str) -> int:
    if type(value) is not int or value < 0:
        raise MalformedBundleError(f"{what} must be a non-negative integer")
    return value


def document_digest(document: Any) -> bytes:
    """SHA-256 of the RFC 8785 canonical JSON of a document: what a leaf's ``digest`` is."""
    return hashlib.sha256(canonicalize_bytes(document)).digest()


def _python_canonical_digest(document: Any) -> bytes:
    # The ledger's own canonical JSON (sorted keys, compact), which equals RFC 8785 for
    # the documents credledger writes; accepted too so that a credential whose numbers
    # print differently in the two forms still verifies.
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8")).digest()


def check_digest(leaf: Mapping[str, Any], document: Any, what: str) -> None:
    try:
        digests = (document_digest(document), _python_canonical_digest(document))
    except (CryptoError, TypeError, ValueError) as exc:
        raise MalformedBundleError(f"the {what} is not a JSON document: {exc}") from None
    if leaf.get("digest") not in digests:
        raise LeafMismatchError(f"the {what} is not the document its leaf records (digest differs)")


def verify_anchor(
    anchor: Mapping[str, Any], checkpoint: Checkpoint, what: str
) -> tuple[int, dict[str, Any]]:
    """Check that ``anchor`` (``leaf`` and ``inclusion``) is included under ``checkpoint``.

    Returns the leaf index and the decoded leaf map.
    """
    leaf = exact_object(anchor.get("leaf"), f"{what}.leaf", _ANCHOR_FIELDS["leaf"])
    inclusion = exact_object(
        anchor.get("inclusion"), f"{what}.inclusion", _ANCHOR_FIELDS["inclusion"]
    )
    index = _int(leaf["index"], f"{what}.leaf.index")
    data = b64(leaf["data"], f"{what}.leaf.data")
    size = _int(inclusion["size"], f"{what}.inclusion.size")
    if size != checkpoint.size:
        raise ProofFailedError(
            f"{what}: the inclusion proof is for size {size}, the checkpoint for {checkpoint.size}"
        )
    path = inclusion["path"]
    if not isinstance(path, list):
        raise MalformedBundleError(f"{what}.inclusion.path must be a list")
    hashes = [b64(h, f"{what}.inclusion.path[{i}]") for i, h in enumerate(path)]
    try:
        verify_inclusion(leaf_hash(data), index, size, hashes, checkpoint.root_hash)
    except CryptoError as exc:
        raise ProofFailedError(
            f"{what}: leaf {index} is not in the checkpoint's tree: {exc}"
        ) from None
    try:
        decoded = decode_leaf(data)
    except (CryptoError, ValueError) as exc:
        raise LeafMismatchError(
            f"{what}: the leaf is not a deterministic CBOR map: {exc}"
        ) from None
    if decoded.get("seq") != index:
        raise LeafMismatchError(f"{what}: leaf {index} says it is leaf {decoded.get('seq')!r}")
    return index, decoded


def open_bundle_checkpoint(
    note: Any, log_key: Any, *, trusted_log_key: str | None, witnesses: Sequence[str]
) -> tuple[NoteVerifier, Checkpoint]:
    """The log's verifier and the checkpoint it signed; every signature line must verify.

    Signature lines by unknown keys are refused rather than ignored (as a note reader
    otherwise would): a bundle carries nothing that no key vouches for.
    """
    if not isinstance(log_key, str) or not isinstance(note, str):
        raise MalformedBundleError("log_key and checkpoint must be strings")
    if trusted_log_key is not None and log_key != trusted_log_key.strip():
        raise UntrustedKeyError(f"the bundle's log key {log_key} is not the trusted one")
    try:
        verifier = NoteVerifier.from_vkey(log_key)
        cosigners: list[Verifier] = [parse_vkey(v.strip()) for v in witnesses]
        known = {(k.name, k.key_id) for k in [verifier, *cosigners]}
        for signature in parse_note(note).signatures:
            if (signature.name, signature.key_id) not in known:
                raise ProofFailedError(
                    f"the checkpoint carries a signature by an unknown key {signature.name}"
                )
        checkpoint = open_checkpoint(note, verifier, witnesses=cosigners)
    except CryptoError as exc:
        raise ProofFailedError(f"the checkpoint does not verify with the log key: {exc}") from None
    return verifier, checkpoint


def status_urls(vc: Mapping[str, Any]) -> dict[str, str]:
    """statusListCredential URL -> statusPurpose, for the credential's entries."""
    raw = vc.get("credentialStatus")
    entries = raw if isinstance(raw, list) else [raw] if raw is not None else []
    return {
        str(e["statusListCredential"]): str(e.get("statusPurpose"))
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("statusListCredential"), str)
    }


def verified_lists(
    raw: Any, checkpoint: Checkpoint, referenced: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """The bundle's status list credentials by URL, each checked against its leaf."""
    if not isinstance(raw, list):
        raise MalformedBundleError("status_lists must be a list")
    lists: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(raw):
        what = f"status_lists[{i}]"
        entry = exact_object(item, what, _LIST_FIELDS)
        document = entry["credential"]
        if not isinstance(document, dict) or not isinstance(document.get("id"), str):
            raise MalformedBundleError(f"{what}.credential must be a list credential with an id")
        url = document["id"]
        if url in lists:
            raise MalformedBundleError(f"{what}: the list {url} is bundled twice")
        if referenced.get(url) != entry["purpose"]:
            raise LeafMismatchError(
                f"{what}: the credential has no {entry['purpose']!r} entry on the list {url}"
            )
        index, leaf = verify_anchor(entry, checkpoint, what)
        if leaf.get("event") != STATUS_EVENT or leaf.get("list") != url:
            raise LeafMismatchError(f"{what}: leaf {index} is not a publication of {url}")
        check_digest(leaf, document, f"{what} list credential")
        lists[url] = document
    return lists
