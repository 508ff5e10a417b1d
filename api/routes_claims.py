"""Claims over HTTP: an issuer offers (and withdraws) its awards to wallets; a claim URL
answers wallets (JSON: its protocols; the VC-API exchange; the OpenID4VCI credential
offer) and people (the claim page, api/pages/claim_page.py).

Every answer about a claim is the same for everyone who has its URL: 404 for no claim,
410 for a used, expired or withdrawn one.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from uuid import UUID

from credledger.ledger.domain.errors import ClaimWithdrawnError, TxCodeRequiredError
from credledger.ledger.services.claim_exchange import exchange_body
from credledger.ledger.services.claim_secrets import PASS
from credledger.ledger.services.claims import CREDENTIAL_CONFIGURATION, ClaimRequest
from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from .auth import IdempotencyKey, IssuerPrincipal, LedgerDep
from .claim_models import ClaimIn, ClaimOut, ClaimsWithdrawn
from .pages import claim_page

router = APIRouter(tags=["claims"])

Secret = Annotated[str, Path(max_length=64, description="the claim URL's secret")]
PassToken = Annotated[
    str | None,
    Query(alias="p", max_length=100, description="the pass a guarded claim's page gives"),
]
_NO_STORE = {"Cache-Control": "no-store", "Vary": "Accept"}
TX_CODE_DESCRIPTION = "The code the institution sent you with this offer"


@router.post(
    "/v1/credentials/{credential_id}/claims",
    status_code=201,
    response_model=ClaimOut,
    response_model_exclude_none=True,
)
def offer(
    credential_id: UUID,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    body: ClaimIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> ClaimOut:
    """Offer the credential to the learner's wallet: a single-use, expiring claim URL
    (and a transaction code when asked for), answered once (its issuer only)."""
    asked = body or ClaimIn()
    act = principal.act(
        idempotency_key,
        {"claim": str(credential_id), **asked.model_dump(mode="json", exclude_none=True)},
    )
    offered = ledger.claims.offer(act, credential_id, ClaimRequest(asked.tx_code, asked.expires_in))
    return ClaimOut(**offered.as_dict())


@router.delete("/v1/credentials/{credential_id}/claims", response_model=ClaimsWithdrawn)
def withdraw(
    credential_id: UUID,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> ClaimsWithdrawn:
    """Withdraw the credential's open claims (its issuer only); used ones stay used."""
    act = principal.act(idempotency_key, {"withdraw-claims": str(credential_id)})
    withdrawn = ledger.claims.withdraw(act, credential_id, "withdrawn by its issuer")
    return ClaimsWithdrawn(withdrawn=withdrawn)


def wants_html(accept: str | None) -> bool:
    """Whether the client prefers a page (a browser) over JSON (a wallet, or no Accept)."""
    ranked: dict[str, tuple[float, int]] = {}
    for position, item in enumerate((accept or "").split(",")[:30]):
        media, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.setdefault(media.strip().lower(), (quality, position))
    html = ranked.get("text/html", (0.0, 0))
    json_ = ranked.get("application/json", (0.0, 0))
    if html[0] <= 0:
        return False
    return html[0] > json_[0] or (html[0] == json_[0] and html[1] < json_[1])


@router.get(
    "/claims/{secret}",
    responses={
        200: {
            "description": "JSON for wallets: the protocols it can be claimed with; a page "
            "for browsers (Accept: text/html)",
            "content": {"application/json": {}, "text/html": {}},
        }
    },
)
def claim(request: Request, ledger: LedgerDep, secret: Secret) -> Response:
    """The claim's interaction URL: the protocols a wallet can claim it with."""
    if wants_html(request.headers.get("accept")):
        page = claim_page.page(request, ledger, secret)
        page.headers["Vary"] = f"Accept, {page.headers.get('Vary', 'Accept-Language')}"
        return page
    found = ledger.claims.open(secret)
    urls = ledger.claims.urls(secret)
    protocols = {"OID4VCI": urls.offer}
    if not found.guarded:  # a guarded claim's exchange needs the page's pass
        protocols = {"vcapi": urls.exchange, **protocols}
    return JSONResponse({"protocols": protocols}, headers=_NO_STORE)


@router.get("/claims/{secret}/offer", response_model=dict[str, Any])
def credential_offer(ledger: LedgerDep, secret: Secret) -> JSONResponse:
    """The OpenID4VCI credential offer the offer URI points at (pre-authorized code)."""
    found = ledger.claims.open(secret)
    grant: dict[str, Any] = {"pre-authorized_code": secret}
    if found.tx_code is not None:
        grant["tx_code"] = {
            "input_mode": found.tx_code.get("input_mode", "numeric"),
            "length": found.tx_code["length"],
            "description": TX_CODE_DESCRIPTION,
        }
    return JSONResponse(
        {
            "credential_issuer": ledger.identity.base_url,
            "credential_configuration_ids": [CREDENTIAL_CONFIGURATION],
            "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": grant},
        },
        headers=_NO_STORE,
    )


@router.post("/claims/{secret}/exchange", response_model=dict[str, Any])
def exchange(
    ledger: LedgerDep,
    secret: Secret,
    body: dict[str, Any] = Body(
        ...,
        description='{} to start; {"verifiablePresentation": the DID-Auth presentation} to '
        "answer the request (or the bare presentation, as a credential request link posts it)",
    ),
    pass_token: PassToken = None,
) -> JSONResponse:
    """The VC-API exchange: a DIDAuthentication request, then the credential signed for
    the holder's did:key in a presentation. Nothing is recorded but a delivery."""
    kind, vp = exchange_body(body)
    if kind == "start":
        answer = ledger.claim_exchange.request(secret, pass_token)
    else:
        presentation = ledger.claim_exchange.respond(secret, vp)
        answer = presentation if kind == "bare" else {"verifiablePresentation": presentation}
    return JSONResponse(answer, headers=_NO_STORE)


@router.get("/claims/{secret}/credential", response_model=dict[str, Any])
def download(ledger: LedgerDep, secret: Secret, pass_token: PassToken = None) -> Response:
    """The awarded credential as a file (not bound to a wallet; the claim stays open)."""
    found = ledger.claims.open(secret)
    if found.guarded:
        given = ledger.claims.read_challenge(found, pass_token) if pass_token else None
        if given is None or given.purpose != PASS:
            raise TxCodeRequiredError("this claim needs its transaction code: open its page")
    credential = ledger.records.credential(found.credential_id)
    if credential.state == "revoked":
        raise ClaimWithdrawnError("the credential of this claim was revoked")
    document = ledger.records.document(credential)
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8"),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="credential.json"', **_NO_STORE},
    )
