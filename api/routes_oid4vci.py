"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow, over HTTP.

    GET  /.well-known/openid-credential-issuer   the Credential Issuer Metadata
    GET  /.well-known/oauth-authorization-server the Authorization Server Metadata
    POST /oid4vci/token        pre-authorized code (+ tx_code) -> a Bearer access token
    POST /oid4vci/nonce        -> a c_nonce for the key proof
    POST /oid4vci/credential   access token + jwt key proof -> the credential, bound to the key

The credential offer these start from is the claim's (``/claims/<secret>/offer``,
api/routes_claims.py). Errors are answered as the specifications define them
(api/oauth_errors.py), not as problem documents. The work is the ledger's
(``ledger.oid4vci``, ledger/services/oid4vci.py); this module reads the requests.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from credledger.ledger.domain.errors import LedgerError
from credledger.ledger.services.claims import CREDENTIAL_CONFIGURATION, Delivery
from credledger.ledger.store.vault import SubjectErasedError
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from .auth import LedgerDep
from .limits import strict_json_refusal
from .oauth_errors import (
    CREDENTIAL_ERRORS,
    NO_STORE,
    TOKEN_ERRORS,
    OAuthError,
    oauth_error_of,
)
from .oid4vci_metadata import (
    CREDENTIAL_PATH,
    NONCE_PATH,
    PRE_AUTHORIZED_GRANT,
    TOKEN_PATH,
    authorization_server_metadata,
    credential_issuer_metadata,
)
from .openapi_oid4vci import (
    CREDENTIAL_REQUEST,
    CREDENTIAL_RESPONSES,
    NONCE_RESPONSES,
    TOKEN_REQUEST,
    TOKEN_RESPONSES,
)

router = APIRouter(tags=["openid4vci"])
_METADATA_CACHE = {"Cache-Control": "public, max-age=300"}
_FORM = "application/x-www-form-urlencoded"
MAX_FIELDS = 20


@router.get("/.well-known/openid-credential-issuer", response_model=dict[str, Any])
def issuer_metadata(ledger: LedgerDep) -> JSONResponse:
    """The Credential Issuer Metadata (OpenID4VCI 1.0 §12.2)."""
    document = credential_issuer_metadata(ledger.identity.base_url)
    return JSONResponse(document, headers=_METADATA_CACHE)


@router.get("/.well-known/oauth-authorization-server", response_model=dict[str, Any])
def authorization_server(ledger: LedgerDep) -> JSONResponse:
    """The Authorization Server Metadata (RFC 8414) of the pre-authorized code flow."""
    document = authorization_server_metadata(ledger.identity.base_url)
    return JSONResponse(document, headers=_METADATA_CACHE)


@router.post(TOKEN_PATH, openapi_extra=TOKEN_REQUEST, responses=TOKEN_RESPONSES)
async def token(request: Request, ledger: LedgerDep) -> Response:
    """Redeem a pre-authorized code (and its transaction code) for an access token."""
    try:
        params = _token_params(request.headers, await request.body())
        code, tx_code, client_id = _pre_authorized(params)
        granted = await run_in_threadpool(ledger.oid4vci.redeem, code, tx_code, client_id)
    except OAuthError as exc:
        return exc.response()
    except (LedgerError, SubjectErasedError) as exc:
        return oauth_error_of(exc, TOKEN_ERRORS).response()
    answer = {
        "access_token": granted.access_token,
        "token_type": "Bearer",
        "expires_in": granted.expires_in,
    }
    return JSONResponse(answer, headers=NO_STORE)


@router.post(NONCE_PATH, responses=NONCE_RESPONSES)
def nonce(ledger: LedgerDep) -> Response:
    """A fresh c_nonce for the key proof of a credential request (writes nothing)."""
    given = ledger.oid4vci.nonce()
    answer = {"c_nonce": given.c_nonce, "c_nonce_expires_in": given.expires_in}
    return JSONResponse(answer, headers=NO_STORE)


@router.post(CREDENTIAL_PATH, openapi_extra=CREDENTIAL_REQUEST, responses=CREDENTIAL_RESPONSES)
async def credential(request: Request, ledger: LedgerDep) -> Response:
    """The credential of the access token's claim, bound to the key the proof proves."""
    access_token = _bearer(request.headers.get("authorization"))
    try:
        proofs: Any = _credential_request(request.headers, await request.body())
    except OAuthError as exc:
        proofs = exc  # answered once the access token is known good (RFC 6750 first)

    def issue() -> Delivery:
        grant = ledger.oid4vci.grant_of(access_token)
        if isinstance(proofs, OAuthError):
            raise proofs
        return ledger.oid4vci.issue(grant, proofs)

    try:
        delivered = await run_in_threadpool(issue)
    except OAuthError as exc:
        return exc.response()
    except (LedgerError, SubjectErasedError) as exc:
        return oauth_error_of(exc, CREDENTIAL_ERRORS).response()
    return JSONResponse({"credentials": [{"credential": delivered.vc}]}, headers=NO_STORE)


# -- reading the requests -----------------------------------------------------------------


def _token_params(headers: Any, body: bytes) -> dict[str, str]:
    """The Token Request's parameters: a form, each parameter at most once (RFC 6749 §3.2)."""
    if headers.get("authorization"):
        raise OAuthError(401, "invalid_client", "this issuer has no registered clients")
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if media != _FORM:
        raise OAuthError(400, "invalid_request", f"send the token request as {_FORM}")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        message = "the form is not UTF-8 or has too many fields"
        raise OAuthError(400, "invalid_request", message) from None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise OAuthError(400, "invalid_request", f"parameter {name[:40]} given twice")
        params[name] = value
    return params


def _pre_authorized(params: dict[str, str]) -> tuple[str, str | None, str | None]:
    grant_type = params.get("grant_type")
    if not grant_type:
        raise OAuthError(400, "invalid_request", "grant_type is missing")
    if grant_type != PRE_AUTHORIZED_GRANT:
        raise OAuthError(
            400, "unsupported_grant_type", f"this issuer gives only {PRE_AUTHORIZED_GRANT}"
        )
    code = params.get("pre-authorized_code")
    if not code:
        raise OAuthError(400, "invalid_request", "pre-authorized_code is missing")
    return code, params.get("tx_code"), params.get("client_id")


def _bearer(authorization: str | None) -> str | None:
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None  # refused as invalid_token by the service, with the same words
    return value.strip()


def _credential_request(headers: Any, body: bytes) -> Any:
    """The ``proofs`` of a Credential Request (§8.2) for ``openbadge_credential``."""
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise OAuthError(400, "invalid_credential_request", "send the request as application/json")
    refused = strict_json_refusal(body)
    try:
        request = json.loads(body) if refused is None else None
    except ValueError:
        request = None
    if not isinstance(request, dict):
        detail = refused.detail if refused is not None else "the request is not a JSON object"
        raise OAuthError(400, "invalid_credential_request", detail)
    _check_credential_asked(request)
    return request.get("proofs")


def _check_credential_asked(request: dict[str, Any]) -> None:
    if "credential_response_encryption" in request:
        message = "this issuer does not encrypt credential responses"
        raise OAuthError(400, "invalid_encryption_parameters", message)
    if "proof" in request:
        raise OAuthError(
            400, "invalid_credential_request", "send key proofs as proofs: {jwt: [...]} (1.0)"
        )
    if "credential_identifier" in request:
        raise OAuthError(
            400, "unknown_credential_identifier", "this issuer gives no credential identifiers"
        )
    asked = request.get("credential_configuration_id")
    if asked is None:
        message = "credential_configuration_id is missing"
        raise OAuthError(400, "invalid_credential_request", message)
    if asked != CREDENTIAL_CONFIGURATION:
        raise OAuthError(
            400,
            "unknown_credential_configuration",
            f"this issuer offers only {CREDENTIAL_CONFIGURATION}",
        )
