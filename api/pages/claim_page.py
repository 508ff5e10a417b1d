"""The claim page: what a learner's browser shows at a claim URL (``/claims/<id>``).

A QR code of the claim's interaction URL (any wallet), the OpenID4VCI offer as an
"open in wallet" link, the Learner Credential Wallet's deep links (its credential
request with a challenge for this claim, and its universal link to the VC-API
exchange), and a download of the credential. A claim guarded by a transaction code
first asks for the code (a form posted here, which records nothing); the links it then
shows carry a pass that says the code was given.

Reading the page writes nothing: challenges and passes are stateless (MAC'd). Unknown,
used, expired and withdrawn claims get the same error page as anyone would (404, 410).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from credledger.api.auth import LedgerDep
from credledger.api.pages.qr import qr_svg
from credledger.api.pages.routes import error_page, messages_for, render
from credledger.api.pages.view import day
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.claim import Claim
from credledger.ledger.domain.errors import (
    ClaimClosedError,
    ClaimExpiredError,
    ClaimUsedError,
    TxCodeLockedError,
    TxCodeMismatchError,
    TxCodeRequiredError,
    UnknownClaimError,
)
from credledger.ledger.services.claim_secrets import PASS
from credledger.ledger.store.vault import SubjectErasedError
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

LCW_SCHEME = "dccrequest://request"
LCW_UNIVERSAL = "https://lcw.app/mobile"
"""The Learner Credential Wallet's custom scheme and universal link prefix (its
``config.ts``; ``lcw.app/.well-known/apple-app-site-association`` claims ``/mobile/*``)."""


def _closed_key(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, UnknownClaimError):
        return 404, "claim.unknown"
    if isinstance(exc, SubjectErasedError):
        return 410, "claim.erased"
    if isinstance(exc, ClaimUsedError):
        return 410, "claim.used"
    if isinstance(exc, ClaimExpiredError):
        return 410, "claim.expired"
    return 410, "claim.withdrawn"


def _opened(ledger: CredentialLedger, secret: str) -> tuple[Claim, dict[str, Any]]:
    """The open claim and the award's document (raises what closes the page)."""
    claim = ledger.claims.open(secret)
    document = ledger.records.document(ledger.records.credential(claim.credential_id))
    return claim, document


def page(request: Request, ledger: LedgerDep, secret: str) -> Response:
    """The claim page (GET): the wallet links, or the code form for a guarded claim."""
    try:
        claim, document = _opened(ledger, secret)
    except (UnknownClaimError, ClaimClosedError, SubjectErasedError) as exc:
        status, key = _closed_key(exc)
        return error_page(request, status, key)
    if claim.guarded:
        return _code_form(request, ledger, secret, claim, document)
    return _links(request, ledger, secret, claim, document, None)


@router.post("/claims/{secret}")
async def code_given(request: Request, ledger: LedgerDep, secret: str) -> Response:
    """The code form posted: the wallet links with a pass, or the form again."""
    try:
        claim, document = _opened(ledger, secret)
    except (UnknownClaimError, ClaimClosedError, SubjectErasedError) as exc:
        status, key = _closed_key(exc)
        return error_page(request, status, key)
    code = _form_code(request.headers.get("content-type", ""), await request.body())
    try:
        ledger.claims.check_tx_code(claim, code)
    except TxCodeLockedError:
        return _code_form(request, ledger, secret, claim, document, "claim.code.locked", 429)
    except TxCodeRequiredError:
        return _code_form(request, ledger, secret, claim, document, "claim.code.missing", 400)
    except TxCodeMismatchError:
        return _code_form(request, ledger, secret, claim, document, "claim.code.wrong", 403)
    pass_token = ledger.claims.challenge(claim, PASS, tx_code_given=True)
    return _links(request, ledger, secret, claim, document, pass_token)


def _form_code(content_type: str, body: bytes) -> str | None:
    if not content_type.lower().startswith("application/x-www-form-urlencoded"):
        return None
    try:
        fields = parse_qs(body.decode("ascii"), max_num_fields=4)
    except (UnicodeDecodeError, ValueError):
        return None
    values = fields.get("tx_code") or [""]
    return values[0].strip()[:64] or None


def _about(document: dict[str, Any]) -> tuple[str, str]:
    issuer = document.get("issuer")
    name = issuer.get("name") if isinstance(issuer, dict) else None
    return str(document.get("name") or ""), str(name or issuer or "")


def _code_form(
    request: Request,
    ledger: CredentialLedger,
    secret: str,
    claim: Claim,
    document: dict[str, Any],
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    t = messages_for(request)
    name, issuer = _about(document)
    return render(
        request,
        "claim.html",
        status_code=status,
        name=name,
        issuer=issuer,
        expires=day(claim.expires_at, t),
        ask_code=True,
        action=f"/claims/{secret}",
        problem=t(problem) if problem else None,
    )


def _links(
    request: Request,
    ledger: CredentialLedger,
    secret: str,
    claim: Claim,
    document: dict[str, Any],
    pass_token: str | None,
) -> HTMLResponse:
    t = messages_for(request)
    urls = ledger.claims.urls(secret)
    exchange = ledger.claim_exchange.endpoint(secret, pass_token)
    challenge = ledger.claim_exchange.link_challenge(claim, tx_code_given=pass_token is not None)
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    request_params = urlencode(
        {
            "issuer": str(issuer_id or ledger.identity.base_url),
            "vc_request_url": exchange,
            "challenge": challenge,
            "auth_type": "bearer",
        },
        quote_via=quote,
    )
    chapi = {"credentialRequestOrigin": ledger.identity.base_url, "protocols": {"vcapi": exchange}}
    interaction = f"{urls.url}?iuv=1"
    download = f"/claims/{secret}/credential" + (f"?p={quote(pass_token)}" if pass_token else "")
    name, issuer_name = _about(document)
    return render(
        request,
        "claim.html",
        name=name,
        issuer=issuer_name,
        expires=day(claim.expires_at, t),
        ask_code=False,
        qr=qr_svg(interaction, title=t("claim.qr.title")),
        interaction=interaction,
        offer=urls.offer,
        lcw_universal=f"{LCW_UNIVERSAL}?request={quote(json.dumps(chapi), safe='')}",
        lcw_link=f"{LCW_SCHEME}?{request_params}",
        download=download,
        problem=None,
    )
