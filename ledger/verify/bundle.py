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
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from credledger.crypto import cbor
from credledger.crypto.checkpoint import Checkpoint, open_checkpoint
from credledger.crypto.errors import CryptoError
from credledger.crypto.jcs import canonicalize_bytes
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.merkle_verify import verify_inclusion
from credledger.crypto.rfc9162 import leaf_hash
from credledger.crypto.signed_note import NoteVerifier, Verifier, parse_note, parse_vkey
from credledger.crypto.strict_base64 import Base64Error, decode_base64
from credledger.ledger.credentials.rendering import LOG_KEY_TYPE
from credledger.ledger.credentials.signing import document_loader
from credledger.ledger.log.leaves import decode_leaf
from credledger.ledger.verify.did_web import DidRetrievalError, log_service_of
from credledger.ledger.verify.verifier import CredentialVerifier

__all__ = [
    "BundleError",
    "BundleReport",
    "CredentialInvalidError",
    "IssuerUnreachableError",
    "LeafMismatchError",
    "MalformedBundleError",
    "NotABundleError",
    "ProofFailedError",
    "UntrustedKeyError",
    "UnvouchedLogError",
    "credledger_base_url",
    "dump_cbor",
    "dump_json",
    "load_bundle",
    "trusted_log",
    "verify_anchor",
    "verify_bundle",
    "verify_issuance",
]

EXTENSION_CONTEXT_PATH = "/contexts/edubadges/v1"
ISSUANCE_EVENTS = frozenset({"CredentialIssued", "CredentialReissued"})
STATUS_EVENT = "StatusListPublished"
REQUIRED_FIELDS = frozenset({"credential", "leaf", "inclusion", "checkpoint", "log_key"})
OPTIONAL_FIELDS = frozenset({"status_lists"})
_ANCHOR_FIELDS = {"leaf": frozenset({"index", "data"}), "inclusion": frozenset({"size", "path"})}
_LIST_FIELDS = frozenset({"purpose", "credential", "leaf", "inclusion"})


class BundleError(Exception):
    """The proof bundle does not prove what it claims; the message says which part failed."""


class MalformedBundleError(BundleError):
    """The file is not a bundle in its canonical form, or holds a field nothing vouches for."""


class UntrustedKeyError(BundleError):
    """The bundle's log key is not the one the verifier trusts, nor one the credential's
    issuer vouches for."""


class UnvouchedLogError(BundleError):
    """Nothing says which log the credential belongs in: its issuer names none (a
    credential issued before issuers named their log) and no key was pinned."""


class IssuerUnreachableError(BundleError):
    """The issuer's DID document could not be had now, so the bundle can be neither
    accepted nor refused (undecided)."""


@dataclass(frozen=True)
class LogTrust:
    """The log key a bundle was checked against, and why that key was trusted."""

    key: str
    reason: str


class ProofFailedError(BundleError):
    """A checkpoint signature or an inclusion proof does not verify."""


class LeafMismatchError(BundleError):
    """A leaf is not the issuance (or list publication) of the document it is bundled with."""


class CredentialInvalidError(BundleError):
    """The credential itself fails: data model, validity period or Data Integrity proof."""


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
            "warnings": self.warnings,
        }


# -- the file -------------------------------------------------------------------------------


def dump_json(bundle: Mapping[str, Any]) -> bytes:
    """The canonical JSON file of a bundle: sorted keys, two-space indent, UTF-8, final newline."""
    text = json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def dump_cbor(bundle: Mapping[str, Any]) -> bytes:
    """The same structure as deterministic CBOR (RFC 8949 §4.2.1)."""
    return cbor.encode(dict(bundle))


def load_bundle(data: bytes) -> dict[str, Any]:
    """Parse a bundle file: JSON in any serialisation, or deterministic CBOR.

    A bundle is judged by its content, not its bytes: re-indented, without the final
    newline, with CRLF line ends or a byte order mark it is the same bundle, and every
    change to its content fails a digest, proof or signature in :func:`verify_bundle`.
    What a parser would have to guess at is refused: duplicate keys, NaN, lone
    surrogates.
    """
    text = data.removeprefix(BOM).lstrip(b" \t\r\n")
    if text[:1] == b"{":
        try:
            value = json.loads(
                text.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_no_constant
            )
            dump_json(value)  # refuses what JSON cannot carry (lone surrogates)
        except (UnicodeError, ValueError) as exc:
            raise MalformedBundleError(f"not valid JSON: {exc}") from None
        return _a_bundle(value, "JSON object")
    try:
        value = cbor.decode(data)
    except CryptoError as exc:
        raise MalformedBundleError(f"neither JSON nor deterministic CBOR: {exc}") from None
    return _a_bundle(value, "CBOR map")


BOM = b"\xef\xbb\xbf"


class NotABundleError(MalformedBundleError):
    """The file holds a credential (or another document), not a proof bundle."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("a key appears twice in one object")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _a_bundle(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedBundleError(f"a bundle is a {what}")
    if "leaf" not in value and ({"@context", "proof", "credentialSubject"} & set(value)):
        raise NotABundleError(
            "this is a credential, not a proof bundle: check it with `credledger verify FILE` "
            "(a proof bundle comes from `credledger proof export`)"
        )
    return value


# -- pieces ---------------------------------------------------------------------------------


def _b64(text: Any, what: str) -> bytes:
    """Standard padded base64 in its one canonical spelling (so no bit can change unseen)."""
    if not isinstance(text, str):
        raise MalformedBundleError(f"{what} must be a base64 string")
    try:
        return decode_base64(text, what)
    except Base64Error as exc:
        raise MalformedBundleError(str(exc)) from None


def _object(value: Any, what: str, keys: frozenset[str]) -> Mapping[str, Any]:
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


def _check_digest(leaf: Mapping[str, Any], document: Any, what: str) -> None:
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
    leaf = _object(anchor.get("leaf"), f"{what}.leaf", _ANCHOR_FIELDS["leaf"])
    inclusion = _object(anchor.get("inclusion"), f"{what}.inclusion", _ANCHOR_FIELDS["inclusion"])
    index = _int(leaf["index"], f"{what}.leaf.index")
    data = _b64(leaf["data"], f"{what}.leaf.data")
    size = _int(inclusion["size"], f"{what}.inclusion.size")
    if size != checkpoint.size:
        raise ProofFailedError(
            f"{what}: the inclusion proof is for size {size}, the checkpoint for {checkpoint.size}"
        )
    path = inclusion["path"]
    if not isinstance(path, list):
        raise MalformedBundleError(f"{what}.inclusion.path must be a list")
    hashes = [_b64(h, f"{what}.inclusion.path[{i}]") for i, h in enumerate(path)]
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


def _status_urls(vc: Mapping[str, Any]) -> dict[str, str]:
    """statusListCredential URL -> statusPurpose, for the credential's entries."""
    raw = vc.get("credentialStatus")
    entries = raw if isinstance(raw, list) else [raw] if raw is not None else []
    return {
        str(e["statusListCredential"]): str(e.get("statusPurpose"))
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("statusListCredential"), str)
    }


# -- which log -----------------------------------------------------------------------------


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
    if leaf.get("event") not in ISSUANCE_EVENTS:
        raise LeafMismatchError(f"leaf {index} records {leaf.get('event')!r}, not an issuance")
    # Leaves recorded before aliases also name the VC id; newer ones only its digest.
    if "credential" in leaf and leaf["credential"] != vc.get("id"):
        raise LeafMismatchError(f"leaf {index} is the issuance of {leaf.get('credential')!r}")
    _check_digest(leaf, vc, "credential")
    return checkpoint, index, leaf, trust


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

    lists = _verified_lists(bundle.get("status_lists", []), checkpoint, _status_urls(vc))
    warnings = [
        f"the bundle holds no status list for {purpose} ({url})"
        for url, purpose in _status_urls(vc).items()
        if url not in lists
    ]

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


def _verified_lists(
    raw: Any, checkpoint: Checkpoint, referenced: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """The bundle's status list credentials by URL, each checked against its leaf."""
    if not isinstance(raw, list):
        raise MalformedBundleError("status_lists must be a list")
    lists: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(raw):
        what = f"status_lists[{i}]"
        entry = _object(item, what, _LIST_FIELDS)
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
        _check_digest(leaf, document, f"{what} list credential")
        lists[url] = document
    return lists
