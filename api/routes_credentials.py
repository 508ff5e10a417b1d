"""Issuing credentials and changing their status (only by the issuer that owns them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from credledger.ledger.application import AwardRequest
from credledger.ledger.domain.errors import FieldError, LedgerError, RequestInvalidError
from fastapi import APIRouter, Query
from pydantic import ValidationError

from .auth import IdempotencyKey, IssuerPrincipal, LedgerDep
from .claim_models import claim_out, claim_request
from .models import (
    BatchIn,
    BatchItemResult,
    BatchResult,
    CredentialCreated,
    CredentialIn,
    CredentialView,
    ReissueIn,
    StatusChangeIn,
    StatusChangeOut,
    StatusHistory,
    StatusOut,
)
from .problems import PROBLEM_BASE, from_ledger_error, invalid_input
from .tlog_proofs import TLOG_PROOF, ProofFormat, tlog_proof_response

router = APIRouter(prefix="/v1/credentials", tags=["credentials"])


def _uuid(text: str, field: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise RequestInvalidError([FieldError((field,), "must be a UUID")]) from None


@router.post(
    "", status_code=201, response_model=CredentialCreated, response_model_exclude_unset=True
)
def issue(
    body: CredentialIn,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    idempotency_key: IdempotencyKey = None,
) -> CredentialCreated:
    """Award an achievement of this issuer to a recipient; returns the signed credential
    (and, with `claim`, the claim that offers it to the learner's wallet: one act)."""
    data = body.model_dump(mode="json", exclude_none=True)
    issued = ledger.issuance.issue(
        AwardRequest(
            principal.act(idempotency_key, data),
            _uuid(body.achievement_id, "achievement_id"),
            data["recipient"],
            data.get("evidence"),
            data.get("result"),
            body.valid_until,
            claim_request(body.claim),
        ),
        issuer=principal.issuer,  # as authentication read it: no second read
    )
    created = CredentialCreated(
        id=str(issued.credential.id),
        credential=issued.vc,
        log_index=ledger.log_index_of(issued.credential.id, 1),
    )
    if issued.claim is not None:
        created.claim = claim_out(issued.claim)
    return created


@router.get("/{credential_id}", response_model=CredentialView)
def read(credential_id: UUID, principal: IssuerPrincipal, ledger: LedgerDep) -> CredentialView:
    """The credential and its current status (its issuer only)."""
    credential = ledger.records.owned(principal.issuer_id, credential_id)
    return CredentialView(
        id=str(credential.id),
        credential=ledger.credential_document(credential),
        status=credential.status_at(ledger.clock()),  # type: ignore[arg-type]
        log_index=ledger.log_index_of(credential.id, credential.issued_version),
    )


def _change(
    change: Literal["revoke", "suspend", "reinstate"],
) -> object:
    def endpoint(
        credential_id: UUID,
        body: StatusChangeIn,
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
            publish_reason=body.publish_reason,
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
    changes = ledger.statuses.history(principal.issuer_id, credential_id)
    status_at = None
    if at is not None:
        if at.tzinfo is None:
            raise invalid_input(["query", "at"], "needs a time zone")
        status_at = ledger.statuses.status_at(principal.issuer_id, credential_id, at)
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


@router.get("/{credential_id}/proof", response_model=dict[str, Any], responses=TLOG_PROOF)
def proof(
    credential_id: UUID,
    principal: IssuerPrincipal,
    ledger: LedgerDep,
    format: ProofFormat = "json",
) -> Any:
    """The proof bundle: credential, issuance leaf, inclusion proof, checkpoint, log key,
    and the status list versions in force with their own leaves (its issuer only; a
    holder presents the credential to `POST /v1/proofs`). With `format=tlog-proof`: the
    issuance's C2SP tlog-proof, as text (leaf, inclusion proof, cosigned checkpoint)."""
    ledger.records.owned(principal.issuer_id, credential_id)
    if format == "tlog-proof":
        return tlog_proof_response(ledger.proofs.tlog_proof(credential_id))
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
    issued = ledger.reissues.reissue(
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


@router.post("/batch", response_model=BatchResult)
def issue_batch(body: BatchIn, principal: IssuerPrincipal, ledger: LedgerDep) -> BatchResult:
    """Award many at once (a cohort sheet): one transaction for all that pass their checks.

    Each item is its own act with its own optional `idempotency_key` (the same as the
    Idempotency-Key header of a single award, so a row sent either way is issued once).
    Each result carries the status a single award would have had, and for a refused
    item its problem document.
    """
    results: list[BatchItemResult | None] = [None] * len(body.credentials)
    requests: list[tuple[int, AwardRequest]] = []
    for i, item in enumerate(body.credentials):
        raw = dict(item)
        key = raw.pop("idempotency_key", None)
        try:
            parsed = CredentialIn.model_validate(raw)
            if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 255):
                raise RequestInvalidError(
                    [FieldError(("idempotency_key",), "must be 1 to 255 characters")]
                )
            data = parsed.model_dump(mode="json", exclude_none=True)
            requests.append(
                (
                    i,
                    AwardRequest(
                        principal.act(key, data),
                        _uuid(parsed.achievement_id, "achievement_id"),
                        data["recipient"],
                        data.get("evidence"),
                        data.get("result"),
                        parsed.valid_until,
                        claim_request(parsed.claim),
                    ),
                )
            )
        except ValidationError as exc:
            errors = [{"loc": ["body", *e["loc"]], "msg": e["msg"]} for e in exc.errors()]
            results[i] = BatchItemResult(
                status=422,
                problem={
                    "type": "https://credledger.org/problems/validation",
                    "title": "Validation failed",
                    "status": 422,
                    "detail": "; ".join(f"{e['loc']}: {e['msg']}" for e in errors),
                    "errors": errors,
                },
            )
        except LedgerError as exc:
            results[i] = _item_problem(exc)
    outcomes = ledger.issue_credentials([request for _, request in requests])
    for (i, _), outcome in zip(requests, outcomes, strict=True):
        if isinstance(outcome, LedgerError):
            results[i] = _item_problem(outcome)
        else:
            results[i] = BatchItemResult(
                status=201,
                id=str(outcome.credential.id),
                credential=outcome.vc,
                log_index=ledger.log_index_of(outcome.credential.id, 1),
                replayed=outcome.replayed,
                claim=claim_out(outcome.claim),
            )
    return BatchResult(results=[r for r in results if r is not None])


def _item_problem(exc: LedgerError) -> BatchItemResult:
    problem = from_ledger_error(exc)
    document: dict[str, Any] = {
        "type": PROBLEM_BASE + problem.kind,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.errors is not None:
        document["errors"] = problem.errors
    return BatchItemResult(status=problem.status, problem=document)
