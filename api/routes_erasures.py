"""Erasing a learner's personal data: the learner asks their institution, which erases."""

from __future__ import annotations

from fastapi import APIRouter

from .auth import IdempotencyKey, IssuerPrincipal, LedgerDep
from .models import ErasureIn, ErasureOut

router = APIRouter(prefix="/v1/erasures", tags=["credentials"])


@router.post("", response_model=ErasureOut)
def erase(
    body: ErasureIn,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> ErasureOut:
    """Erase what this institution holds of a learner (their credentials, the copies shown
    for recognitions, VC API credentials naming them): those credentials answer 410 to
    everyone from now on; the log and every other learner stay as they were. Recorded as
    an act without personal data. Answers the credentials it touched."""
    data = body.model_dump(mode="json")
    result = ledger.erase_learner(principal.act(idempotency_key, data), data["recipient"])
    return ErasureOut(
        id=str(result.id),
        credentials=[str(c) for c in result.credentials],
        copies=result.copies,
    )
