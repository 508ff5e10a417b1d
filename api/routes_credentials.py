"""Issuing credentials and changing their status (only by the issuer that owns them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from credledger.ledger.errors import FieldError, RequestInvalidError
from fastapi import APIRouter, Query

from .auth import IdempotencyKey, IssuerPrincipal, LedgerDep
from .models import (
    CredentialCreated,
    CredentialIn,
    CredentialView,
    ReasonIn,
    ReissueIn,
    StatusChangeOut,
    StatusHistory,
    StatusOut,
)

router = APIRouter(prefix="/v1/credentials", tags=["credentials"])


def _uuid(text: str, field: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise RequestInvalidError([FieldError(("body", field), "must be a UUID")]) from None


@router.post("", status_code=201, response_model=CredentialCreated)
def issue(
    body: CredentialIn,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> CredentialCreated:
    """Award an achievement of this issuer to a recipient; returns the signed credential."""
    data = body.model_dump(mode="json", exclude_none=True)
    issued = ledger.issue_credential(
        principal.act(idempotency_key, data),
        _uuid(body.achievement_id, "achievement_id"),
        data["recipient"],
        evidence=data.get("evidence"),
        result=data.get("result"),
        valid_until=body.valid_until,
    )
    return CredentialCreated(
        id=str(issued.credential.id),
        credential=issued.vc,
        log_index=ledger.log_index_of(issued.credential.id, 1),
    )


@router.get("/{credential_id}", response_model=CredentialView)
def read(credential_id: UUID, principal: IssuerPrincipal, ledger: LedgerDep) -> CredentialView:
    """The credential and its current status (its issuer only)."""
    credential = ledger.owned_credential(principal.issuer_id, credential_id)
    return CredentialView(
        id=str(credential.id),
        credential=ledger.credential_document(credential),
        status=credential.status_at(ledger.clock()),  # type: ignore[arg-type]
    )


def _change(
    change: Literal["revoke", "suspend", "reinstate"],
) -> object:
    def endpoint(
        credential_id: UUID,
        body: ReasonIn,
        principal: IssuerPrincipal,
        ledger: LedgerDep,
        idempotency_key: IdempotencyKey = None,
    ) -> StatusOut:
        data = body.model_dump(mode="json")
        status = ledger.change_status(
            principal.act(
                idempotency_key, {"change": change, "credential": str(credential_id), **data}
            ),
            credential_id,
            change,
            body.reason,
        )
        return StatusOut(status=status)  # type: ignore[arg-type]

    endpoint.__name__ = change
    endpoint.__doc__ = f"{change.capitalize()} the credential (its issuer only)."
    return endpoint


for _name in ("revoke", "suspend", "reinstate"):
    router.add_api_route(
        f"/{{credential_id}}/{_name}",
        _change(_name),  # type: ignore[arg-type]
        methods=["POST"],
        response_model=StatusOut,
        name=_name,
    )


@router.get("/{credential_id}/status-history", response_model=StatusHistory)
def status_history(
    credential_id: UUID,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    at: datetime | None = Query(default=None, description="also answer the status at this time"),
) -> StatusHistory:
    """Every status change with its time, actor and reason (its issuer only)."""
    changes = ledger.status_history(principal.issuer_id, credential_id)
    status_at = None
    if at is not None:
        if at.tzinfo is None:
            raise RequestInvalidError([FieldError(("query", "at"), "needs a time zone")])
        status_at = ledger.status_at(principal.issuer_id, credential_id, at)
    return StatusHistory(
        id=str(credential_id),
        at=at,
        status_at=status_at,
        history=[
            StatusChangeOut(
                status=c.status, event=c.event, time=c.time, actor=c.actor, reason=c.reason
            )
            for c in changes
        ],
    )


@router.get("/{credential_id}/proof", response_model=dict[str, Any])
def proof(credential_id: UUID, ledger: LedgerDep) -> dict[str, Any]:
    """The proof bundle: credential, issuance leaf, inclusion proof, checkpoint, log key,
    and the status list versions in force with their own leaves (anyone who knows the id)."""
    return ledger.proof_bundle(credential_id)


@router.post("/{credential_id}/reissue", response_model=CredentialCreated)
def reissue(
    credential_id: UUID,
    body: ReissueIn,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> CredentialCreated:
    """Correct a credential: newly signed, same id, status index and award date."""
    data = body.model_dump(mode="json", exclude_none=True)
    issued = ledger.reissue_credential(
        principal.act(idempotency_key, {"reissue": str(credential_id), **data}),
        credential_id,
        body.reason,
        evidence=data.get("evidence"),
        result=data.get("result"),
        valid_until=body.valid_until,
    )
    return CredentialCreated(
        id=str(issued.credential.id),
        credential=issued.vc,
        log_index=ledger.log_index_of(issued.credential.id, issued.credential.issued_version),
    )
