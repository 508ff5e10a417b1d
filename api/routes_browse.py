"""Lists to look things up by: institutions (public) and an issuer's own credentials."""

from __future__ import annotations

from fastapi import APIRouter, Query

from .auth import IssuerPrincipal, LedgerDep
from .models import CredentialList, CredentialSummary, IssuerList, IssuerSummary

router = APIRouter(prefix="/v1")

Limit = Query(default=100, ge=1, le=1000)
Offset = Query(default=0, ge=0, le=2**31)


@router.get("/issuers", response_model=IssuerList, tags=["issuers"])
def list_issuers(ledger: LedgerDep, limit: int = Limit, offset: int = Offset) -> IssuerList:
    """Registered institutions, oldest first (each one's profile is public anyway)."""
    rows = ledger.read_model.issuers(limit=limit, offset=offset)
    return IssuerList(issuers=[IssuerSummary.model_validate(r) for r in rows])


@router.get("/credentials", response_model=CredentialList, tags=["credentials"])
def list_credentials(
    principal: IssuerPrincipal, ledger: LedgerDep, limit: int = Limit, offset: int = Offset
) -> CredentialList:
    """The calling issuer's credentials, oldest first: ids, achievement, status, dates."""
    rows = ledger.read_model.credentials_of(str(principal.issuer_id), limit=limit, offset=offset)
    return CredentialList(credentials=[CredentialSummary.model_validate(r) for r in rows])
