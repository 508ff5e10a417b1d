"""Bitstring Status List credentials, served with validators so unchanged lists cost little."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from .auth import LedgerDep
from .media_types import CredentialResponse

router = APIRouter(prefix="/v1/status", tags=["status lists"])
MAX_AGE = 60


@router.get("/{list_id}", response_model=dict[str, object], response_class=CredentialResponse)
def status_list(list_id: UUID, request: Request, ledger: LedgerDep) -> Response:
    """The newest signed BitstringStatusListCredential (VC 2.0) of a list."""
    current = ledger.current_status_list(list_id)
    assert current.digest is not None
    assert current.document is not None
    etag = f'"{current.digest.hex()}"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={MAX_AGE}",
        "X-Status-List-Version": str(current.list_version),
    }
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return CredentialResponse(current.document, headers=headers)


@router.post("/{list_id}/publish", status_code=204)
def publish(list_id: UUID, ledger: LedgerDep) -> Response:
    """Publish the list's current bits now (a no-op when nothing changed); anyone may ask,
    since publication only reflects what the events already say."""
    ledger.status_lists.publish(list_id)
    return Response(status_code=204)
