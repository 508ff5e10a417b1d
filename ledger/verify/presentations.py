"""Verifiable presentations: the holder's proof (authentication, challenge, domain),
then every credential it carries, each verified on its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from credledger.crypto import data_integrity
from credledger.ledger.credentials.vc_data_model import presentation_violations
from credledger.ledger.verify.report import Outcome, Report

if TYPE_CHECKING:
    from credledger.ledger.verify.verifier import CredentialVerifier


def verify_presentation(
    verifier: CredentialVerifier, vp: Any, *, challenge: str | None, domain: str | None
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
        _check_holder_proof(verifier, vp, report, challenge=challenge, domain=domain)
    elif challenge is not None:
        report.fail("proof", "a challenge was given but the presentation is not signed")
    embedded = vp.get("verifiableCredential", [])
    items = embedded if isinstance(embedded, list) else [embedded]
    inner = [
        verifier.verify_jwt(item) if isinstance(item, str) else verifier.verify(item)
        for item in items
    ]
    for i, sub in enumerate(inner):
        for error in sub.errors:
            report.fail(error["kind"], f"verifiableCredential[{i}]: {error['message']}")
        if sub.outcome is Outcome.UNDECIDED:
            reasons = sub.unsettled or [{"kind": "status", "message": "status unknown"}]
            for reason in reasons:
                report.undecide(reason["kind"], f"verifiableCredential[{i}]: {reason['message']}")
    return report, inner


def _check_holder_proof(
    verifier: CredentialVerifier,
    vp: Mapping[str, Any],
    report: Report,
    *,
    challenge: str | None,
    domain: str | None,
) -> None:
    """The presentation's proof: by a key its holder controls, for this challenge."""
    report.checks.append("proof")
    holder = vp.get("holder")
    holder_id = holder.get("id") if isinstance(holder, Mapping) else holder

    def resolve_key(vm_id: str) -> bytes:
        key, controller = verifier.public_key(vm_id, "authentication")
        if holder_id is not None and controller != holder_id:
            raise LookupError(f"{vm_id} is not controlled by the holder {holder_id}")
        return key

    try:
        data_integrity.verify_proof(
            dict(vp),
            loader=verifier.loader,
            resolve_key=resolve_key,
            expected_purpose="authentication",
            challenge=challenge,
            domain=domain,
        )
    except Exception as exc:
        verifier.proof_failed(report, exc)
