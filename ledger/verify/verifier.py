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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from credledger.crypto import data_integrity
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.keys import verify_ed25519
from credledger.ledger.verify.credential_checks import check_data_model, issuer_id_of
from credledger.ledger.verify.did_web import DidRetrievalError
from credledger.ledger.verify.key_checks import (
    SignedInForce,
    failure_reason,
    made_while_in_force,
    no_other_dids,
    no_records,
    resolve_did_key_method,
    retrieval_error,
)
from credledger.ledger.verify.presentations import verify_presentation
from credledger.ledger.verify.report import Outcome, Report
from credledger.ledger.verify.status_checks import check_status_entries
from credledger.ledger.verify.vc_jwt import VcJwtError, decode_vc_jwt
from credledger.revocation.cache import StatusListCache
from credledger.revocation.check import FetchList

__all__ = ["CredentialVerifier", "Outcome", "Report", "check_data_model"]

log = logging.getLogger("credledger.ledger")


@dataclass
class CredentialVerifier:
    """Verifies credentials with the bundled loader and the resolvers it is given.

    did:key is resolved locally; any other DID through ``resolve_did`` (the ledger
    passes one that builds its own did:web documents and fetches others, guarded).
    """

    loader: DocumentLoader
    fetch_status_list: FetchList
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    resolve_did: Callable[[str], dict[str, Any]] = no_other_dids
    signed_in_force: SignedInForce = no_records
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
        issuer = issuer_id_of(vc)
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
                self.proof_failed(report, exc)
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

    def proof_failed(self, report: Report, exc: Exception) -> None:
        retrieval = retrieval_error(exc)
        if retrieval is not None:
            self._unreachable(report, "proof", "the signer's DID document", retrieval)
        else:
            report.fail("proof", failure_reason(exc))

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
            key, controller, method = self.resolve_method(key_id, "assertionMethod")
            verify_ed25519(key, jwt.signature, jwt.signing_input)
        except Exception as exc:  # every failure is a reason, never a crash
            self.proof_failed(report, exc)
            return report
        if controller != issuer_id_of(vc):
            report.fail("proof", f"the JWT is not signed by a key of the issuer {issuer_id_of(vc)}")
            return report
        if method is not None and "activeUntil" in method:  # a retired key: as for proofs
            why = made_while_in_force(method, jwt.issued_at, self.signed_in_force(vc, key_id))
            if why is not None:
                report.fail("proof", why)
                return report
        self._check_status(vc, report, now)
        return report

    def verify_presentation(
        self, vp: Any, *, challenge: str | None, domain: str | None
    ) -> tuple[Report, list[Report]]:
        """The presentation's own proof (authentication, challenge, domain), then each VC."""
        return verify_presentation(self, vp, challenge=challenge, domain=domain)

    def _check_status(self, vc: Mapping[str, Any], report: Report, now: datetime) -> None:
        check_status_entries(
            vc,
            report,
            now,
            fetch_list=self.fetch_status_list,
            verify_list_credential=self._verify_list_credential,
            cache=self.status_cache,
            disclose_fetch_errors=self.disclose_fetch_errors,
        )

    def _verify_list_credential(self, document: Mapping[str, Any]) -> None:
        inner = Report()
        self._check_proofs(document, inner, purpose="assertionMethod", challenge=None, domain=None)
        if inner.outcome is not Outcome.VALID:
            raise ValueError("; ".join(e["message"] for e in inner.errors + inner.unsettled))
