"""Issuers and achievement definitions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from credledger.ledger.errors import NotFoundError
from fastapi import APIRouter, Query

from .auth import Admin, IdempotencyKey, IssuerPrincipal, LedgerDep
from .models import (
    AchievementCreated,
    AchievementIn,
    AchievementList,
    AchievementSummary,
    IssuerCreated,
    IssuerIn,
)

router = APIRouter(prefix="/v1")


@router.post("/issuers", status_code=201, response_model=IssuerCreated, tags=["issuers"])
def register_issuer(
    body: IssuerIn, principal: Admin, ledger: LedgerDep, idempotency_key: IdempotencyKey = None
) -> IssuerCreated:
    """Register an institution: gives it a did:key signing identity and a bearer token."""
    data = body.model_dump(mode="json", exclude_none=True)
    registered = ledger.register_issuer(
        principal.act(idempotency_key, data), data["name"], data.get("url"), data.get("email")
    )
    return IssuerCreated(id=str(registered.issuer.id), did=registered.did, token=registered.token)


@router.get("/issuers/{issuer_id}", tags=["issuers"], response_model=dict[str, Any])
def issuer_profile(issuer_id: UUID, ledger: LedgerDep) -> dict[str, Any]:
    """The issuer's Open Badges 3.0 Profile."""
    return ledger.issuer_profile(ledger.issuer(issuer_id))


@router.post(
    "/achievements", status_code=201, response_model=AchievementCreated, tags=["achievements"]
)
def define_achievement(
    body: AchievementIn,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> AchievementCreated:
    """Define a credential (regular, microcredential or extracurricular)."""
    data = body.model_dump(mode="json", exclude_none=True)
    achievement = ledger.define_achievement(principal.act(idempotency_key, data), data)
    return AchievementCreated(
        id=str(achievement.id), achievement=ledger.achievement_document(achievement)
    )


@router.get("/achievements", response_model=AchievementList, tags=["achievements"])
def search_achievements(
    ledger: LedgerDep,
    q: str | None = Query(default=None, max_length=200, description="full-text search"),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0),
) -> AchievementList:
    """Search the catalogue of (not archived) achievements."""
    rows = ledger.search_achievements(q, limit=limit, offset=offset)
    return AchievementList(
        achievements=[AchievementSummary.model_validate(r, from_attributes=False) for r in rows]
    )


@router.get("/achievements/{achievement_id}", tags=["achievements"], response_model=dict[str, Any])
def achievement(achievement_id: UUID, ledger: LedgerDep) -> dict[str, Any]:
    """The Open Badges 3.0 Achievement."""
    try:
        return ledger.achievement_document(ledger.achievement(achievement_id))
    except NotFoundError:
        raise
