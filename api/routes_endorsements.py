"""Endorsements by third parties, and recognition decisions by other institutions."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from .auth import IdempotencyKey, IssuerPrincipal, LedgerDep
from .models import (
    EndorsementCreated,
    EndorsementIn,
    ReasonIn,
    RecognitionCreated,
    RecognitionIn,
    Withdrawn,
)

router = APIRouter(prefix="/v1")


@router.post(
    "/endorsements", status_code=201, response_model=EndorsementCreated, tags=["endorsements"]
)
def endorse(
    body: EndorsementIn,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> EndorsementCreated:
    """Endorse an achievement, an issuer or a credential (an OB 3.0 EndorsementCredential)."""
    data = body.model_dump(mode="json")
    endorsement, document = ledger.endorse(
        principal.act(idempotency_key, data), body.subject, body.comment
    )
    return EndorsementCreated(id=str(endorsement.id), credential=document)


@router.post(
    "/recognitions", status_code=201, response_model=RecognitionCreated, tags=["recognitions"]
)
def recognise(
    body: RecognitionIn,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> RecognitionCreated:
    """Record a decision on a credential; it must verify first (else 422)."""
    data = body.model_dump(mode="json", exclude_none=True)
    recognition = ledger.recognise(
        principal.act(idempotency_key, data),
        body.credential,
        body.decision,
        ects=body.ects,
        exemption=body.exemption,
        note=body.note,
    )
    return RecognitionCreated(id=str(recognition.id), verification=recognition.verification)


@router.post(
    "/endorsements/{endorsement_id}/withdraw", response_model=Withdrawn, tags=["endorsements"]
)
def withdraw_endorsement(
    endorsement_id: UUID,
    body: ReasonIn,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> Withdrawn:
    """Withdraw an endorsement (its endorser only)."""
    act = principal.act(idempotency_key, {"withdraw": str(endorsement_id), "reason": body.reason})
    ledger.endorsements.withdraw(act, endorsement_id, body.reason)
    return Withdrawn(id=str(endorsement_id), withdrawn=True)


@router.post(
    "/recognitions/{recognition_id}/withdraw", response_model=Withdrawn, tags=["recognitions"]
)
def withdraw_recognition(
    recognition_id: UUID,
    body: ReasonIn,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> Withdrawn:
    """Withdraw a recognition decision (the recognising institution only)."""
    act = principal.act(idempotency_key, {"withdraw": str(recognition_id), "reason": body.reason})
    ledger.recognitions.withdraw(act, recognition_id, body.reason)
    return Withdrawn(id=str(recognition_id), withdrawn=True)
