"""Share links: the issuer makes a link for its learner, or ends every link at once.

``GET /c/<token>`` (api/pages/shared.py) is what the link opens.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from .auth import IdempotencyKey, IssuerPrincipal, LedgerDep
from .models import ShareLinkOut

router = APIRouter(prefix="/v1/credentials", tags=["credentials"])
SHARE_PATH = "/c/"


@router.post("/{credential_id}/share", status_code=201, response_model=ShareLinkOut)
def share(
    credential_id: UUID,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> ShareLinkOut:
    """A new link to the credential for its learner to give to whom they choose (its
    issuer only): whoever holds it sees the credential verified, and may download it and
    its proof bundle. Links do not expire; end them with `DELETE` on this path."""
    act = principal.act(idempotency_key, {"share": str(credential_id)})
    token = ledger.sharing.share(act, credential_id)
    return ShareLinkOut(url=f"{ledger.identity.base_url}{SHARE_PATH}{token}")


@router.delete("/{credential_id}/share", status_code=204)
def unshare(
    credential_id: UUID,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """End every link to the credential made so far (its issuer only); links made
    afterwards work again."""
    act = principal.act(idempotency_key, {"unshare": str(credential_id)})
    ledger.sharing.unshare(act, credential_id)
    return Response(status_code=204)
