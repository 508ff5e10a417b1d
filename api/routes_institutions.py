"""Issuers and achievement definitions."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from .auth import Admin, Authenticated, IdempotencyKey, IssuerPrincipal, LedgerDep
from .media_types import DidDocumentResponse
from .models import (
    AchievementCreated,
    AchievementIn,
    AchievementList,
    AchievementSummary,
    IssuerCreated,
    IssuerIn,
    IssuerUpdate,
    KeyCompromised,
    KeyRotated,
    ReasonIn,
    ReissueOut,
    TokenCreated,
    TokenRevoke,
)

router = APIRouter(prefix="/v1")


@router.post("/issuers", status_code=201, response_model=IssuerCreated, tags=["issuers"])
def register_issuer(
    body: IssuerIn, principal: Admin, ledger: LedgerDep, idempotency_key: IdempotencyKey = None
) -> IssuerCreated:
    """Register an institution: gives it a DID (did:web by default) and a bearer token."""
    data = body.model_dump(mode="json", exclude_none=True)
    registered = ledger.register_issuer(
        principal.act(idempotency_key, data),
        data["name"],
        data.get("url"),
        data.get("email"),
        did_method=data.get("did_method", "web"),
    )
    return IssuerCreated(id=str(registered.issuer.id), did=registered.did, token=registered.token)


@router.get("/issuers/{issuer_id}", tags=["issuers"], response_model=dict[str, Any])
def issuer_profile(issuer_id: UUID, ledger: LedgerDep) -> dict[str, Any]:
    """The issuer's Open Badges 3.0 Profile."""
    return ledger.issuers.profile(ledger.issuer(issuer_id))


@router.post(
    "/achievements",
    status_code=201,
    response_model=AchievementCreated,
    tags=["achievements"],
    responses={
        200: {
            "model": AchievementCreated,
            "description": "The issuer already had this exact definition: the existing one",
        }
    },
)
def define_achievement(
    body: AchievementIn,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> AchievementCreated:
    """Define a credential (regular, microcredential or extracurricular).

    The same definition again answers 200 with the existing achievement; another
    definition under a name the issuer already uses is a 409 (revise it with PUT).
    """
    data = body.model_dump(mode="json", exclude_none=True)
    achievement, created = ledger.achievements.define_once(
        principal.act(idempotency_key, data), data
    )
    if not created:
        response.status_code = 200
    return AchievementCreated(
        id=str(achievement.id), achievement=ledger.achievement_document(achievement)
    )


@router.get("/achievements", response_model=AchievementList, tags=["achievements"])
def search_achievements(
    ledger: LedgerDep,
    q: str | None = Query(
        default=None,
        max_length=200,
        description="full-text search: achievements holding every word (punctuation is ignored)",
    ),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> AchievementList:
    """Search the catalogue of (not archived) achievements."""
    rows = ledger.achievements.search(q, limit=limit, offset=offset)
    return AchievementList(
        achievements=[AchievementSummary.model_validate(r, from_attributes=False) for r in rows]
    )


@router.get("/achievements/{achievement_id}", tags=["achievements"], response_model=dict[str, Any])
def achievement(achievement_id: UUID, ledger: LedgerDep) -> dict[str, Any]:
    """The Open Badges 3.0 Achievement."""
    return ledger.achievement_document(ledger.achievements.achievement(achievement_id))


@router.patch("/issuers/{issuer_id}", tags=["issuers"], response_model=dict[str, Any])
def update_issuer(
    issuer_id: UUID,
    body: IssuerUpdate,
    principal: Authenticated,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Update the profile (the issuer itself, or the administrator)."""
    data = body.model_dump(mode="json", exclude_none=True)
    issuer = ledger.issuers.update_profile(
        principal.act(idempotency_key, {"issuer": str(issuer_id), **data}), issuer_id, data
    )
    return ledger.issuers.profile(issuer)


@router.post(
    "/issuers/{issuer_id}/tokens", status_code=201, tags=["issuers"], response_model=TokenCreated
)
def issue_token(
    issuer_id: UUID,
    principal: Authenticated,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> TokenCreated:
    """A further bearer token for the issuer (e.g. for a rotation without downtime)."""
    act = principal.act(idempotency_key, {"issuer": str(issuer_id), "token": "new"})
    return TokenCreated(token=ledger.issuers.issue_token(act, issuer_id))


@router.post("/issuers/{issuer_id}/tokens/revoke", tags=["issuers"])
def revoke_token(
    issuer_id: UUID, body: TokenRevoke, principal: Authenticated, ledger: LedgerDep
) -> dict[str, bool]:
    """Revoke one of the issuer's bearer tokens."""
    ledger.issuers.revoke_token(
        principal.act(None, {"issuer": str(issuer_id)}), issuer_id, body.token
    )
    return {"revoked": True}


@router.post("/issuers/{issuer_id}/keys/rotate", tags=["issuers"], response_model=KeyRotated)
def rotate_key(
    issuer_id: UUID,
    principal: Authenticated,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> KeyRotated:
    """Sign with a new Ed25519 key from now on, under the same did:web identity; the old
    key stays in the DID document, so what it signed keeps verifying (409 for a did:key
    issuer, whose identity is its key)."""
    act = principal.act(idempotency_key, {"issuer": str(issuer_id), "rotate": True})
    key_id = ledger.rotate_issuer_key(act, issuer_id)
    return KeyRotated(key_id=key_id, did=ledger.issuer_did(ledger.issuer(issuer_id)))


KeyId = Annotated[str, Path(pattern=r"^z[1-9A-HJ-NP-Za-km-z]{40,60}$", max_length=61)]


@router.post(
    "/issuers/{issuer_id}/keys/{key_id}/compromised",
    tags=["issuers"],
    response_model=KeyCompromised,
)
def report_key_compromised(
    issuer_id: UUID,
    key_id: KeyId,
    body: ReasonIn,
    principal: Authenticated,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> KeyCompromised:
    """Report a signing key compromised: nothing it signed verifies any more (it leaves the
    DID document's assertion methods). If it is the key in force, a new key replaces it
    first. Re-issue what it signed with `.../keys/{key_id}/reissue`."""
    data = {"issuer": str(issuer_id), "compromised": key_id, "reason": body.reason}
    issuer = ledger.keys.report_compromised(
        principal.act(idempotency_key, data), issuer_id, key_id, body.reason
    )
    return KeyCompromised(
        key_id=key_id,
        state=str(issuer.keys[key_id]["state"]),
        active_key_id=issuer.active_key_id,
        did=ledger.issuer_did(issuer),
        affected=len(ledger.keys.credentials_signed_by(issuer_id, key_id)),
    )


@router.post(
    "/issuers/{issuer_id}/keys/{key_id}/reissue", tags=["issuers"], response_model=ReissueOut
)
def reissue_signed_by(
    issuer_id: UUID,
    key_id: KeyId,
    body: ReasonIn,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
) -> ReissueOut:
    """Re-sign, under the key in force, every unrevoked credential this (retired or
    compromised) key signed: same ids, status indices and award dates; each is a
    `CredentialReissued` in the log, each batch an `IssuerCredentialsReissued`. Running it
    again re-signs only what is left."""
    act = principal.act(None, {"issuer": str(issuer_id), "reissue": key_id})
    done = ledger.keys.reissue_signed_by(act, issuer_id, key_id, body.reason)
    return ReissueOut(key_id=done.key_id, reissued=done.reissued, skipped=done.skipped)


@router.post(
    "/achievements/{achievement_id}/archive", tags=["achievements"], response_model=dict[str, Any]
)
def archive(
    achievement_id: UUID,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Archive a definition: nothing more is issued from it (issued credentials stay)."""
    act = principal.act(idempotency_key, {"archive": str(achievement_id)})
    ledger.achievements.archive(act, achievement_id)
    return {"id": str(achievement_id), "archived": True}


@router.put(
    "/achievements/{achievement_id}", tags=["achievements"], response_model=AchievementCreated
)
def revise(
    achievement_id: UUID,
    body: AchievementIn,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> AchievementCreated:
    """Revise a definition; credentials issued before keep what they were issued with."""
    data = body.model_dump(mode="json", exclude_none=True)
    act = principal.act(idempotency_key, {"revise": str(achievement_id), **data})
    achievement = ledger.achievements.revise(act, achievement_id, data)
    return AchievementCreated(
        id=str(achievement.id), achievement=ledger.achievement_document(achievement)
    )


@router.get(
    "/issuers/{issuer_id}/did.json",
    tags=["issuers"],
    response_model=dict[str, Any],
    response_class=DidDocumentResponse,
)
def did_web(issuer_id: UUID, ledger: LedgerDep, request: Request) -> DidDocumentResponse:
    """The issuer's did:web document (did:web:HOST:v1:issuers:ID), every key it ever had.

    Asked on the host of one of the ledger's earlier base URLs, it is the document of
    the DID under that base URL, so credentials issued before a move keep resolving."""
    base_url = ledger.identity.base_url_for_host(request.headers.get("host"))
    return DidDocumentResponse(
        ledger.dids.document(issuer_id, base_url),
        headers={"Cache-Control": "public, max-age=300"},
    )
