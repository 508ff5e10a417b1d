"""The W3C CCG VC API: issue, verify credentials and presentations, update status."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from credledger.ledger.domain.errors import (
    FieldError,
    IdempotencyKeyReusedError,
    InvalidTransitionError,
    LedgerError,
    RequestInvalidError,
    UnknownIssuerError,
)
from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .auth import IdempotencyKey, IssuerPrincipal, LedgerDep
from .claim_models import ClaimAsked, ClaimOut, claim_out, claim_request
from .problems import from_ledger_error, problem_response

router = APIRouter(prefix="/v1", tags=["VC API"])


class IssueRequest(BaseModel):
    credential: dict[str, Any]
    options: dict[str, Any] | None = None
    claim: ClaimAsked = Field(
        default=None, description="credledger: also offer the credential to a wallet"
    )


class IssueResponse(BaseModel):
    verifiableCredential: dict[str, Any]
    claim: ClaimOut | None = Field(default=None, description="when `claim` was asked for")


class VerifyCredentialRequest(BaseModel):
    verifiableCredential: dict[str, Any] | str
    options: dict[str, Any] | None = None


class VerifyPresentationRequest(BaseModel):
    verifiablePresentation: dict[str, Any]
    options: dict[str, Any] | None = None


class VerificationResult(BaseModel):
    verified: bool = Field(description="true only when the outcome is valid")
    outcome: Literal["valid", "invalid", "undecided"] = Field(
        description="undecided: nothing failed, but something (a DID document, a status "
        "list) could not be established; see docs/verification.md"
    )
    checks: list[str]
    warnings: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    status: dict[str, str] = Field(default_factory=dict)


class StatusUpdate(BaseModel):
    credentialId: str = Field(max_length=2000)
    credentialStatus: Annotated[list[dict[str, Any]], Field(max_length=8)] | dict[str, Any] = Field(
        description="One change or a list: {type: BitstringStatusListEntry, statusPurpose?, "
        "status?: 'revoked' | 'suspended' | 'active' | true | false}; a missing status sets "
        "the purpose's bit"
    )


def _bad_request(exc: LedgerError) -> JSONResponse:
    """The VC API answers invalid input with 400, not 422."""
    problem = from_ledger_error(exc)
    if problem.status == 422:
        problem.status = 400
    return problem_response(problem)


@router.post(
    "/issuers/{issuer_id}/credentials/issue",
    status_code=201,
    response_model=IssueResponse,
    response_model_exclude_unset=True,
)
def issue(
    issuer_id: UUID,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    body: IssueRequest,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Sign exactly the credential given with eddsa-rdfc-2022 and record the issuance
    (with `claim`, and a claim offering it to the holder's wallet: one act)."""
    request = body.model_dump(mode="json")
    if request.get("claim") is None:
        del request["claim"]  # the act of a request without one is what it always was
    try:
        vc, offer = ledger.given.issue_offering(
            principal.act(idempotency_key, request),
            issuer_id,
            body.credential,
            body.options,
            claim_request(body.claim),
            issuer=principal.issuer,  # as authentication read it: no second read
        )
    except (RequestInvalidError, IdempotencyKeyReusedError) as exc:
        return _bad_request(exc)
    if offer is None:  # the answer as IssueResponse has it, without validating it again
        return JSONResponse({"verifiableCredential": vc}, status_code=201)
    return IssueResponse(verifiableCredential=vc, claim=claim_out(offer))


def _result(report: Any) -> JSONResponse:
    body = report.as_dict()
    return JSONResponse(body, status_code=200 if report.verified else 400)


@router.post(
    "/credentials/verify",
    response_model=VerificationResult,
    responses={400: {"model": VerificationResult}},
)
def verify_credential(ledger: LedgerDep, body: VerifyCredentialRequest) -> JSONResponse:
    """Verify a credential: data model, validity, every proof, issuer key, status."""
    vc = body.verifiableCredential
    report = ledger.verifier.verify_jwt(vc) if isinstance(vc, str) else ledger.verifier.verify(vc)
    return _result(report)


@router.post(
    "/presentations/verify",
    response_model=VerificationResult,
    responses={400: {"model": VerificationResult}},
)
def verify_presentation(ledger: LedgerDep, body: VerifyPresentationRequest) -> JSONResponse:
    """Verify a presentation's proof (challenge, domain) and every credential in it."""
    options = body.options or {}
    challenge, domain = options.get("challenge"), options.get("domain")
    if challenge is not None and not isinstance(challenge, str):
        challenge = None
    if domain is not None and not isinstance(domain, str):
        domain = None
    report, _ = ledger.verifier.verify_presentation(
        body.verifiablePresentation, challenge=challenge, domain=domain
    )
    return _result(report)


@router.post("/issuers/{issuer_id}/credentials/status")
def update_status(
    issuer_id: UUID,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    body: StatusUpdate = Body(...),
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Revoke, suspend or reinstate a credential this issuer issued, by its id."""
    if str(issuer_id) != principal.actor:
        raise UnknownIssuerError(f"no issuer {issuer_id}")
    credential = ledger.given.find(issuer_id, body.credentialId)
    status = credential.status_at(ledger.clock())
    changes = (
        body.credentialStatus
        if isinstance(body.credentialStatus, list)
        else [body.credentialStatus]
    )
    # Every change is read and checked against the ones before it first: a request
    # refused halfway must not leave its first changes recorded.
    planned: list[tuple[int, str, Any]] = []
    after = status
    for i, change in enumerate(changes):
        action, wanted = _status_action(i, change)
        if action == "suspend":
            credential.check_suspendable()
        if action == "reinstate" and after != "suspended":
            continue  # clearing a bit that is not set changes nothing
        if planned and (after == "revoked" or (action == "suspend" and after == "suspended")):
            raise InvalidTransitionError(
                f"credentialStatus[{i}] cannot follow the changes before it (status {after})"
            )
        planned.append((i, action, wanted))
        after = {"revoke": "revoked", "suspend": "suspended", "reinstate": "active"}[action]
    for i, action, wanted in planned:
        act = principal.act(
            idempotency_key, {"status": body.credentialId, "change": action, "i": i}
        )
        status = ledger.change_status(act, credential.id, action, f"VC API: {wanted}")
    return {"credentialId": body.credentialId, "status": status}


def _status_action(i: int, change: dict[str, Any]) -> tuple[str, Any]:
    """The change (revoke, suspend, reinstate) one credentialStatus entry asks for."""
    purpose = change.get("statusPurpose")
    wanted = change.get("status", True if purpose in ("revocation", "suspension") else None)
    if change.get("type") != "BitstringStatusListEntry":
        raise RequestInvalidError(
            [FieldError(("credentialStatus", i, "type"), "must be BitstringStatusListEntry")]
        )
    action = {
        "revoked": "revoke",
        "suspended": "suspend",
        "active": "reinstate",
        "reinstated": "reinstate",
    }.get(str(wanted))
    if action is None and isinstance(wanted, bool) and purpose in ("revocation", "suspension"):
        action = ("revoke" if purpose == "revocation" else "suspend") if wanted else "reinstate"
    if action is None:
        raise RequestInvalidError(
            [
                FieldError(
                    ("credentialStatus", i, "status"),
                    "must be 'revoked', 'suspended' or 'active'",
                )
            ]
        )
    return action, wanted
