"""Recognitions: an institution records its decision on a credential a learner showed.

Only a valid achievement credential, every status read and clear, is recognised; the
copy shown is sealed under a key of its own (erased with the learner's data).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from credledger.ledger.credentials.canonical import canonical_json, vc_digest
from credledger.ledger.credentials.request_checks import check_reason
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.errors import (
    FieldError,
    RequestInvalidError,
    UnknownRecognitionError,
)
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.domain.recognition import DECISIONS, Recognition
from credledger.ledger.store.aggregates import Aggregates
from credledger.ledger.store.read_model import ReadModel
from credledger.ledger.store.vault import Vault
from credledger.ledger.verify.recognition_checks import (
    refuse_unless_achievement,
    refuse_unless_valid,
)
from credledger.ledger.verify.verifier import CredentialVerifier


def check_decision(decision: Any, ects: Any, exemption: Any, note: Any) -> Decimal | None:
    """The decision's fields checked (all errors at once); returns the ECTS credits."""
    errors = []
    if decision not in DECISIONS:
        errors.append(FieldError(("decision",), "must be 'recognised' or 'rejected'"))
    credits: Decimal | None = None
    if ects is not None:
        try:
            credits = Decimal(str(ects))
            if isinstance(ects, bool) or not credits.is_finite() or credits < 0:
                raise ValueError
        except (ArithmeticError, ValueError):
            errors.append(FieldError(("ects",), "must be a non-negative number"))
    for name, value in (("exemption", exemption), ("note", note)):
        if value is not None and (not isinstance(value, str) or len(value) > 10_000):
            errors.append(FieldError((name,), "must be a string"))
    if errors:
        raise RequestInvalidError(errors)
    return credits


@dataclass(frozen=True)
class RecognitionSeen:
    """A standing recognition as a verifier of the very credential may see it: no note,
    no seal, and neither rejections nor withdrawn ones (those are the learner's business
    with the institution, not part of what the credential is worth elsewhere)."""

    institution: str
    institution_id: str
    ects: str | None
    exemption: str | None
    recorded_at: str


class Recognitions:
    """Recording and withdrawing recognitions of credentials shown by learners."""

    def __init__(
        self,
        aggregates: Aggregates,
        vault: Vault,
        read_model: ReadModel,
        verifier: Callable[[], CredentialVerifier],
    ) -> None:
        self.aggregates = aggregates
        self.vault = vault
        self.read_model = read_model
        self.verifier = verifier

    def verify(self, vc: Any) -> dict[str, Any]:
        """Only a valid achievement, every status read and clear, is recognised (else 422)."""
        refuse_unless_achievement(vc)
        report = self.verifier().verify(vc)
        refuse_unless_valid(report)
        return report.as_dict()

    def recognise(
        self,
        act: Act,
        vc: Any,
        decision: Any,
        ects: Any = None,
        exemption: Any = None,
        note: Any = None,
    ) -> Recognition:
        institution = self.aggregates.get(Issuer, UUID(act.actor))
        verification = self.verify(vc)
        credits = check_decision(decision, ects, exemption, note)
        issuer_field = vc.get("issuer")
        credential_issuer = (
            issuer_field.get("id") if isinstance(issuer_field, dict) else issuer_field
        )
        credential_id = str(vc.get("id") or "")
        subject_key_id = self.vault.subject_key_id(
            "credential", credential_id or canonical_json(vc).hex()
        )
        with self.aggregates.acting(act) as act:
            recognition_id = act.derived_id("recognition")
            existing = self.aggregates.earlier(Recognition, act, "recognition")
            if existing is not None and existing.already_done():
                return existing
            recognition = Recognition(
                institution_id=institution.id,
                credential_id=credential_id,
                credential_issuer=str(credential_issuer),
                credential_digest=vc_digest(vc),
                subject_key_id=subject_key_id,
                sealed=self.vault.seal(subject_key_id, canonical_json(vc), recognition_id.bytes),
                decision=str(decision),
                ects=credits,
                exemption=exemption,
                note=note,
                verification=verification,
            )
            saved = self.aggregates.save_new(Recognition, recognition_id, recognition)
            return saved or recognition

    def withdraw(self, act: Act, recognition_id: UUID, reason: str) -> Recognition:
        check_reason(reason)
        recognition = self.aggregates.find(Recognition, recognition_id)
        if recognition is None or str(recognition.institution_id) != act.actor:
            raise UnknownRecognitionError(f"no recognition {recognition_id}")
        with self.aggregates.acting(act) as act:
            if not recognition.already_done():
                recognition.withdraw(reason, act.actor)
                self.aggregates.save(recognition)
        return recognition

    def resting_on(self, credential_id: UUID) -> list[dict[str, Any]]:
        """Recognitions made on the strength of this credential (e.g. after its revocation),
        from the read model (a read catches nothing up)."""
        return self.read_model.recognitions_of(f"urn:uuid:{credential_id}")

    def of_presented(self, vc: Mapping[str, Any]) -> list[RecognitionSeen]:
        """Standing recognitions recorded here of exactly this credential (its digest, not
        only its id: a forged copy under the same id learns nothing), for whoever presents
        it. The note and the sealed copy stay private; a read that writes nothing."""
        credential_id = vc.get("id")
        if not isinstance(credential_id, str):
            return []
        digest = vc_digest(dict(vc))
        seen = []
        for row in self.read_model.recognitions_of(credential_id):
            recognition = self.aggregates.find(Recognition, UUID(row["id"]))
            if (
                recognition is None
                or recognition.credential_digest != digest
                or recognition.decision != "recognised"
                or recognition.withdrawn
            ):
                continue
            institution = self.aggregates.find(Issuer, recognition.institution_id)
            seen.append(
                RecognitionSeen(
                    institution=institution.name if institution else str(row["institution_id"]),
                    institution_id=str(recognition.institution_id),
                    ects=str(recognition.ects) if recognition.ects is not None else None,
                    exemption=recognition.exemption,
                    recorded_at=str(row["recorded_at"]),
                )
            )
        return seen
