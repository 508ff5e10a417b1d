"""Verifying credentials: data model, validity window, every proof, issuer key, status.

One verifier serves the recognition use case, the VC API verify endpoints and the CLI,
and gives one of three outcomes (:class:`Outcome`): valid, invalid or undecided.
Nothing is fetched behind the caller's back: JSON-LD contexts come from the bundle,
did:key is resolved locally, everything else through the resolvers the verifier is
given (the ledger's: its own did:web and status lists from its events, others through
the one guarded fetcher). What cannot be had (a DID document, a status list, an entry
of a type not read here) makes the credential *undecided*, never valid.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from credledger.crypto import data_integrity
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.keys import did_key_document, public_key_from_did_key, verify_ed25519
from credledger.ledger.credentials.vc_data_model import (
    data_model_violations,
    presentation_violations,
)
from credledger.ledger.verify.did_web import DidRetrievalError
from credledger.ledger.verify.vc_jwt import VcJwtError, decode_vc_jwt
from credledger.revocation.cache import StatusListCache
from credledger.revocation.check import (
    FetchList,
    check_status,
    status_by_purpose,
    unread_status_types,
)
from credledger.revocation.errors import (
    StatusListError,
    StatusRetrievalError,
    StatusVerificationError,
)

log = logging.getLogger("credledger.ledger")
VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"


class Outcome(StrEnum):
    """The three results of every verification: HTTP, CLI and library alike."""

    VALID = "valid"
    """Every check ran and passed: data model, validity, proofs, issuer, every status entry."""
    INVALID = "invalid"
    """A check failed: malformed, expired, forged, not the issuer's, revoked or suspended."""
    UNDECIDED = "undecided"
    """Nothing failed, but something could not be established (a key, a status list)."""


@dataclass
class Report:
    """A verification result: the outcome, the checks run, warnings, errors and status.

    ``undecided`` holds what could not be established; it never makes a credential
    valid, and the VC API's ``verified`` is true only for :attr:`Outcome.VALID`.
    """

    checks: list[str] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)
    unsettled: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, kind: str, message: str) -> None:
        self.errors.append({"kind": kind, "message": message})

    def warn(self, kind: str, message: str) -> None:
        self.warnings.append({"kind": kind, "message": message})

    def undecide(self, kind: str, message: str) -> None:
        """Record what could not be established (shown as a warning too)."""
        self.unsettled.append({"kind": kind, "message": message})
        self.warn(kind, message)

    @property
    def outcome(self) -> Outcome:
        if self.errors:
            return Outcome.INVALID
        if self.unsettled or any(v == "unknown" for v in self.status.values()):
            return Outcome.UNDECIDED
        return Outcome.VALID

    @property
    def verified(self) -> bool:
        return self.outcome is Outcome.VALID

    @property
    def undecided(self) -> bool:
        return self.outcome is Outcome.UNDECIDED

    def as_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "outcome": str(self.outcome),
            "checks": self.checks,
            "warnings": self.warnings,
            "errors": self.errors,
            "status": self.status,
        }


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _types(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def _issuer_id(vc: Mapping[str, Any]) -> str | None:
    issuer = vc.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def check_data_model(vc: Any, report: Report, now: datetime) -> bool:
    """VC Data Model 1.1 / 2.0 structure and the validity window."""
    report.checks.append("data-model")
    if not isinstance(vc, Mapping):
        report.fail("data-model", "a credential is a JSON object")
        return False
    contexts = vc.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first not in (VC_V1, VC_V2):
        report.fail("data-model", "the first @context must be the VC v1 or v2 context")
        return False
    if "VerifiableCredential" not in _types(vc.get("type")):
        report.fail("data-model", "type must include VerifiableCredential")
    violations = data_model_violations(vc)
    for violation in violations:
        report.fail("data-model", f"{'.'.join(map(str, violation.loc))}: {violation.msg}")
    report.checks.append("validity")
    start_key, end_key = (
        ("validFrom", "validUntil") if first == VC_V2 else ("issuanceDate", "expirationDate")
    )
    if first == VC_V1 and start_key not in vc:
        report.fail("data-model", "a VC 1.1 credential needs issuanceDate")
    for key in (start_key, end_key):
        if key in vc and _parse_time(vc[key]) is None and all(v.loc != (key,) for v in violations):
            report.fail("data-model", f"{key} must be an RFC 3339 date-time with a time zone")
    start, end = _parse_time(vc.get(start_key)), _parse_time(vc.get(end_key))
    if start is not None and now < start:
        report.fail("validity", f"not valid before {vc[start_key]}")
    if end is not None and now >= end:
        report.fail("validity", f"expired at {vc[end_key]}")
    return not report.errors


def _reason(exc: Exception) -> str:
    """Our own errors explain themselves; anything else is logged, not shown."""
    from credledger.crypto.errors import CryptoError

    if isinstance(exc, CryptoError | LookupError):
        return str(exc) or type(exc).__name__
    log.warning("unexpected error while verifying a proof", exc_info=exc)
    return "the proof could not be verified"


def _retrieval_error(exc: BaseException | None) -> DidRetrievalError | None:
    """The DID document retrieval failure behind ``exc``, if that is what it was."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, DidRetrievalError):
            return exc
        exc, seen = exc.__cause__, seen + 1
    return None


def resolve_did_key_method(vm_id: str) -> tuple[bytes, str]:
    """Public key and controller of a did:key verification method (resolved locally)."""
    did = vm_id.split("#", 1)[0]
    document = did_key_document(did)
    if vm_id not in document["assertionMethod"] and vm_id != did:
        raise LookupError(f"{vm_id} is not an assertion method of {did}")
    return public_key_from_did_key(vm_id), did


def _no_other_dids(did: str) -> dict[str, Any]:
    # Not having a resolver says nothing about the DID: the verdict is undecided.
    raise DidRetrievalError(f"cannot resolve {did}: only did:key is resolved here")


SignedInForce = Callable[[Mapping[str, Any], str], "bool | None"]
"""(document, verification method) -> whether the verifier's own records show that key
signing that document while in force; None when it keeps no records of that key."""


def _no_records(document: Mapping[str, Any], vm_id: str) -> bool | None:
    return None


def made_while_in_force(
    method: Mapping[str, Any], created: str | None, recorded: bool | None
) -> str | None:
    """Why a proof by a retired key is not the issuer's doing, or None when it is.

    A key's DID document entry may end its period (``activeUntil``). The verifier's own
    records (``recorded``) decide when it has them; otherwise the proof must say it was
    created before the end, which a thief holding the key could backdate: that is what
    reporting a key compromised is for.
    """
    until = method.get("activeUntil")
    if until is None:
        return None
    if recorded is not None:
        if recorded:
            return None
        return (
            f"{method.get('id')} was retired at {until}, and this ledger never recorded "
            "it signing this document while in force"
        )
    end, made = _parse_time(until), _parse_time(created)
    if end is None:
        return f"{method.get('id')} has an unreadable end of period"
    if made is None or made >= end:
        return f"{method.get('id')} was retired at {until}; this proof was made at {created}"
    return None


@dataclass
class CredentialVerifier:
    """Verifies credentials with the bundled loader and the resolvers it is given.

    did:key is resolved locally; any other DID through ``resolve_did`` (the ledger
    passes one that builds its own did:web documents and fetches others, guarded).
    """

    loader: DocumentLoader
    fetch_status_list: FetchList
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    resolve_did: Callable[[str], dict[str, Any]] = _no_other_dids
    signed_in_force: SignedInForce = _no_records
    status_cache: StatusListCache | None = None
    disclose_fetch_errors: bool = False
    """Show why a fetch failed (for a local user); anonymous callers get a generic reason."""

    def public_key(self, vm_id: str, relationship: str) -> tuple[bytes, str]:
        """The key of a verification method and the DID controlling it."""
        key, did, _ = self.resolve_method(vm_id, relationship)
        return key, did

    def resolve_method(
        self, vm_id: str, relationship: str
    ) -> tuple[bytes, str, Mapping[str, Any] | None]:
        """The key, the controlling DID and the method as its DID document lists it."""
        did = vm_id.split("#", 1)[0]
        if did.startswith("did:key:"):
            return (*resolve_did_key_method(vm_id), None)
        from credledger.ledger.verify.did_web import key_from_document, method_of

        document = self.resolve_did(did)
        key = key_from_document(document, vm_id, relationship)
        return key, did, method_of(document, vm_id)

    def verify(
        self,
        vc: Any,
        *,
        challenge: str | None = None,
        domain: str | None = None,
        purpose: str = "assertionMethod",
    ) -> Report:
        report = Report()
        now = self.clock()
        if not check_data_model(vc, report, now):
            return report
        self._check_proofs(vc, report, purpose=purpose, challenge=challenge, domain=domain)
        if not report.errors:
            self._check_status(vc, report, now)
        return report

    def _unreachable(self, report: Report, kind: str, what: str, exc: BaseException) -> None:
        """Something needed could not be had: undecided, the detail only where allowed."""
        log.info("verification undecided: %s: %s", what, exc)
        detail = f": {exc}" if self.disclose_fetch_errors else ""
        report.undecide(kind, f"{what} could not be retrieved{detail}")

    def _check_proofs(
        self,
        vc: Mapping[str, Any],
        report: Report,
        *,
        purpose: str,
        challenge: str | None,
        domain: str | None,
    ) -> None:
        report.checks.append("proof")
        if "proof" not in vc:
            report.fail("proof", "the credential carries no proof")
            return
        issuer = _issuer_id(vc)
        controllers: dict[str, str] = {}
        methods: dict[str, Mapping[str, Any]] = {}
        unreachable: list[DidRetrievalError] = []

        def resolve_key(vm_id: str) -> bytes:
            try:
                key, controller, method = self.resolve_method(vm_id, purpose)
            except DidRetrievalError as exc:
                unreachable.append(exc)
                raise
            controllers[vm_id] = controller
            if method is not None:
                methods[vm_id] = method
            return key

        try:
            verified = data_integrity.verify_proof(
                dict(vc),
                loader=self.loader,
                resolve_key=resolve_key,
                expected_purpose=purpose,
                challenge=challenge,
                domain=domain,
            )
        except Exception as exc:  # every failure is a reason, never a crash
            if unreachable:
                self._unreachable(report, "proof", "the signer's DID document", unreachable[0])
            else:
                self._proof_failed(report, exc)
            return
        # Every proof verified; in a set or chain others (a notary, a witness) may sign
        # too, but at least one proof must be the issuer's own.
        signers = {controllers.get(p.verification_method) for p in verified.proofs}
        if purpose == "assertionMethod" and issuer not in signers:
            report.fail("proof", f"no proof is made by a key of the issuer {issuer}")
        for proof in verified.proofs:
            method = methods.get(proof.verification_method)
            if method is None or "activeUntil" not in method:
                continue
            why = made_while_in_force(
                method, proof.created, self.signed_in_force(vc, proof.verification_method)
            )
            if why is not None:
                report.fail("proof", why)

    def _proof_failed(self, report: Report, exc: Exception) -> None:
        retrieval = _retrieval_error(exc)
        if retrieval is not None:
            self._unreachable(report, "proof", "the signer's DID document", retrieval)
        else:
            report.fail("proof", _reason(exc))

    def verify_jwt(self, token: str) -> Report:
        """A VC-JWT (EdDSA): the signature with the key the resolvers give, then the
        credential it secures like any other (data model, validity, issuer, status)."""
        report = Report()
        try:
            jwt = decode_vc_jwt(token)
            key_id = jwt.key_id
        except VcJwtError as exc:
            report.checks.append("proof")
            report.fail("proof", f"not a verifiable VC-JWT: {exc}")
            return report
        vc = jwt.credential
        now = self.clock()
        if not check_data_model(vc, report, now):
            return report
        report.checks.append("proof")
        try:
            key, controller = self.public_key(key_id, "assertionMethod")
            verify_ed25519(key, jwt.signature, jwt.signing_input)
        except Exception as exc:  # every failure is a reason, never a crash
            self._proof_failed(report, exc)
            return report
        if controller != _issuer_id(vc):
            report.fail("proof", f"the JWT is not signed by a key of the issuer {_issuer_id(vc)}")
            return report
        self._check_status(vc, report, now)
        return report

    def verify_presentation(
        self, vp: Any, *, challenge: str | None, domain: str | None
    ) -> tuple[Report, list[Report]]:
        """The presentation's own proof (authentication, challenge, domain), then each VC."""
        report = Report()
        report.checks.append("data-model")
        if not isinstance(vp, Mapping):
            report.fail("data-model", "a presentation is a JSON object")
            return report, []
        violations = presentation_violations(vp)
        for violation in violations:
            report.fail("data-model", f"{'.'.join(map(str, violation.loc))}: {violation.msg}")
        if violations:
            return report, []
        if "proof" in vp:
            report.checks.append("proof")
            holder = vp.get("holder")
            holder_id = holder.get("id") if isinstance(holder, Mapping) else holder

            def resolve_key(vm_id: str) -> bytes:
                key, controller = self.public_key(vm_id, "authentication")
                if holder_id is not None and controller != holder_id:
                    raise LookupError(f"{vm_id} is not controlled by the holder {holder_id}")
                return key

            try:
                data_integrity.verify_proof(
                    dict(vp),
                    loader=self.loader,
                    resolve_key=resolve_key,
                    expected_purpose="authentication",
                    challenge=challenge,
                    domain=domain,
                )
            except Exception as exc:
                self._proof_failed(report, exc)
        elif challenge is not None:
            report.fail("proof", "a challenge was given but the presentation is not signed")
        embedded = vp.get("verifiableCredential", [])
        items = embedded if isinstance(embedded, list) else [embedded]
        inner = [
            self.verify_jwt(item) if isinstance(item, str) else self.verify(item) for item in items
        ]
        for i, sub in enumerate(inner):
            for error in sub.errors:
                report.fail(error["kind"], f"verifiableCredential[{i}]: {error['message']}")
            if sub.outcome is Outcome.UNDECIDED:
                reasons = sub.unsettled or [{"kind": "status", "message": "status unknown"}]
                for reason in reasons:
                    report.undecide(
                        reason["kind"], f"verifiableCredential[{i}]: {reason['message']}"
                    )
        return report, inner

    def _check_status(self, vc: Mapping[str, Any], report: Report, now: datetime) -> None:
        """Every status entry must be read: one that is not leaves the credential undecided."""
        if "credentialStatus" not in vc:
            return
        report.checks.append("status")
        for kind in unread_status_types(vc.get("credentialStatus")):
            report.undecide("status", f"a status entry of type {kind[:80]!r} cannot be read here")
        results = check_status(
            vc,
            fetch_list=self.fetch_status_list,
            verify_list_credential=self._verify_list_credential,
            now=now,
            cache=self.status_cache,
        )
        for purpose, is_set in status_by_purpose(results).items():
            if is_set is None:
                report.status[purpose] = "unknown"
                errors = [r.error for r in results if r.purpose == purpose and r.error]
                self._status_unknown(report, purpose, errors)
            elif is_set:
                report.status[purpose] = {"revocation": "revoked", "suspension": "suspended"}.get(
                    purpose, "set"
                )
                report.fail("status", f"the credential is {report.status[purpose]}")
            else:
                report.status[purpose] = "clear"

    def _status_unknown(self, report: Report, purpose: str, errors: list[StatusListError]) -> None:
        fetched = any(isinstance(e, StatusRetrievalError | StatusVerificationError) for e in errors)
        if fetched and not self.disclose_fetch_errors:
            for error in errors:
                log.info("status %s undecided: %s", purpose, error)
            reasons = "its list could not be retrieved, was stale or did not verify"
        else:
            reasons = "; ".join(str(e) for e in errors) or "no list was read"
        report.undecide("status", f"the {purpose} status could not be determined: {reasons}")

    def _verify_list_credential(self, document: Mapping[str, Any]) -> None:
        inner = Report()
        self._check_proofs(document, inner, purpose="assertionMethod", challenge=None, domain=None)
        if inner.outcome is not Outcome.VALID:
            raise ValueError("; ".join(e["message"] for e in inner.errors + inner.unsettled))
