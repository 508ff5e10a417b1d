"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from credledger.crypto.merkle_tree import MerkleTreeError
from credledger.ledger.domain import errors
from credledger.ledger.domain.definitions import validate_definition
from credledger.ledger.log.transparency_log import LogRangeError
from credledger.ledger.store.vault import SubjectErasedError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://credledger.org/problems/"
log = logging.getLogger("credledger.api")
DEFINITION_PATHS = ("/v1/achievements", "/v1/achievements/{achievement_id}")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}
"""Sent with every answer. Problem documents carry them themselves: a 500 is written by
Starlette's outermost error middleware, past every middleware that could add them."""

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


class Problem(Exception):  # noqa: N818  (RFC 9457 names it: a problem document)
    """Raise from an endpoint to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind or _TITLES.get(status, "error").lower().replace(" ", "-")
        self.title = title or _TITLES.get(status, "Error")
        self.errors = errors
        self.headers = headers
        self.extra = extra or {}


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + problem.kind,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if instance:
        body["instance"] = instance
    if problem.errors is not None:
        body["errors"] = problem.errors
    body.update(problem.extra)
    return JSONResponse(
        body,
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers={**SECURITY_HEADERS, **(problem.headers or {})},
    )


@dataclass(frozen=True)
class ProblemType:
    """How the API answers one kind of error: its status, its type (a slug under
    PROBLEM_BASE), its title, and a detail that replaces the error's own words when
    those must not be shown (an erased subject's key id)."""

    status: int
    slug: str
    title: str
    detail: str | None = None


def _answered(status: int, slug: str, detail: str | None = None) -> ProblemType:
    return ProblemType(status, slug, _TITLES[status], detail)


PROBLEM_TYPES: dict[type[Exception], ProblemType] = {
    errors.LedgerError: _answered(400, "bad-request"),
    errors.InvalidInputError: _answered(422, "validation"),
    errors.RequestInvalidError: _answered(422, "validation"),
    errors.DefinitionInvalidError: _answered(422, "invalid-definition"),
    errors.IdempotencyKeyReusedError: _answered(422, "idempotency-key-reused"),
    errors.UnverifiableCredentialError: _answered(422, "credential-not-verified"),
    errors.NotAnAchievementCredentialError: _answered(422, "not-an-achievement-credential"),
    errors.PresentedCredentialInvalidError: _answered(422, "credential-invalid"),
    errors.PresentedCredentialUndecidedError: _answered(422, "credential-undecided"),
    errors.KeyProofRefusedError: _answered(400, "invalid-proof"),
    errors.KeyProofMalformedError: _answered(400, "invalid-proof"),
    errors.KeyProofNotTypedError: _answered(400, "invalid-proof"),
    errors.KeyProofAlgorithmError: _answered(400, "invalid-proof"),
    errors.KeyProofKeyError: _answered(400, "invalid-proof"),
    errors.KeyProofSignatureError: _answered(400, "invalid-proof"),
    errors.KeyProofAudienceError: _answered(400, "invalid-proof"),
    errors.KeyProofTimeError: _answered(400, "invalid-proof"),
    errors.KeyProofClientError: _answered(400, "invalid-proof"),
    errors.KeyProofNonceMissingError: _answered(400, "invalid-proof"),
    errors.KeyProofNonceError: _answered(400, "invalid-nonce"),
    errors.NotKnownError: _answered(404, "not-found"),
    errors.UnknownIssuerError: _answered(404, "not-found"),
    errors.UnknownAchievementError: _answered(404, "not-found"),
    errors.UnknownCredentialError: _answered(404, "not-found"),
    errors.UnknownEndorsementError: _answered(404, "not-found"),
    errors.UnknownRecognitionError: _answered(404, "not-found"),
    errors.UnknownKeyError: _answered(404, "not-found"),
    errors.UnknownTokenError: _answered(404, "not-found"),
    errors.UnknownShareLinkError: _answered(404, "not-found"),
    errors.UnknownStatusListError: _answered(404, "not-found"),
    errors.UnknownClaimError: _answered(404, "not-found"),
    errors.NotInSignedTreeError: _answered(404, "not-found"),
    errors.NotAllowedError: _answered(403, "forbidden"),
    errors.ActorMayNotError: _answered(403, "forbidden"),
    errors.NotYourCredentialError: _answered(403, "forbidden"),
    errors.TxCodeRequiredError: _answered(403, "tx-code-required"),
    errors.TxCodeMismatchError: _answered(403, "tx-code-mismatch"),
    errors.TxCodeLockedError: _answered(429, "tx-code-locked"),
    errors.HolderNotAuthenticatedError: _answered(403, "holder-not-authenticated"),
    errors.AccessTokenRefusedError: _answered(401, "invalid-token"),
    errors.UnsupportedHolderError: _answered(422, "unsupported-holder"),
    errors.ContradictsRecordError: _answered(409, "conflict"),
    errors.AlreadyRecordedError: _answered(409, "conflict"),
    errors.AlreadyRevokedError: _answered(409, "already-revoked"),
    errors.InvalidTransitionError: _answered(409, "conflict"),
    errors.NotSuspendableError: _answered(409, "not-suspendable"),
    errors.AchievementArchivedError: _answered(409, "achievement-archived"),
    errors.DefinitionNameTakenError: _answered(409, "conflict"),
    errors.CredentialIdTakenError: _answered(409, "conflict"),
    errors.IssuedThroughVcApiError: _answered(409, "conflict"),
    errors.KeyInForceError: _answered(409, "conflict"),
    errors.KeyBoundToIdentityError: _answered(409, "conflict"),
    errors.SharedSubjectKeyError: _answered(409, "conflict"),
    errors.ConcurrentChangeError: _answered(409, "conflict"),
    errors.NotDeliverableError: _answered(409, "not-deliverable"),
    errors.ClaimClosedError: _answered(410, "claim-closed"),
    errors.ClaimUsedError: _answered(410, "claim-used"),
    errors.ClaimExpiredError: _answered(410, "claim-expired"),
    errors.ClaimWithdrawnError: _answered(410, "claim-withdrawn"),
    SubjectErasedError: _answered(410, "erased", "the personal data of this credential was erased"),
    errors.NotYetAnchoredError: _answered(503, "not-yet-anchored"),
    LogRangeError: _answered(400, "out-of-range"),
    MerkleTreeError: _answered(400, "out-of-range"),
}
"""Every error the ledger raises on purpose, and the problem it is answered with: the
only place where a domain error meets HTTP. Looked up along the class's MRO."""


def problem_type_of(exc: Exception) -> ProblemType:
    """The table's entry for ``exc``: its own class's, or its nearest ancestor's."""
    return next(PROBLEM_TYPES[cls] for cls in type(exc).__mro__ if cls in PROBLEM_TYPES)


def in_body(loc: tuple[str | int, ...]) -> list[str | int]:
    """A field path of a command's input, as the request body's (``["body", ...]``)."""
    # Until ledger/application.py is split (issue 12) some of its paths still start
    # with "body" themselves; they are not prefixed twice.
    return list(loc) if loc[:1] == ("body",) else ["body", *loc]


def listed(items: list[dict[str, Any]]) -> str:
    """``"body.recipient.email: is not an email address; ..."``: every field at fault."""
    return "; ".join(f"{'.'.join(map(str, item['loc']))}: {item['msg']}" for item in items)


def invalid_input(loc: list[str | int], msg: str) -> Problem:
    """A 422 for one field the API itself checks (a query parameter, a header)."""
    items: list[dict[str, Any]] = [{"loc": loc, "msg": msg}]
    return Problem(422, listed(items), kind="validation", errors=items)


def from_ledger_error(exc: Exception) -> Problem:
    """The problem document for an error of the table (field paths in the body)."""
    kind = problem_type_of(exc)
    items = [
        {"loc": in_body(e.loc), "msg": e.msg}
        for e in (exc.errors if isinstance(exc, errors.InvalidInputError) else [])
    ]
    detail = kind.detail or str(exc)
    if isinstance(exc, errors.RequestInvalidError):
        detail = listed(items)  # its message lists the fields, now with their body paths
    retry_after = getattr(exc, "retry_after", None)  # "not yet": when to ask again
    headers = None if retry_after is None else {"Retry-After": str(retry_after)}
    return Problem(
        kind.status,
        detail,
        kind=kind.slug,
        title=kind.title,
        errors=items or None,
        headers=headers,
    )


def _is_definition(request: Request) -> bool:
    route = request.scope.get("route")
    path = getattr(route, "path", "")
    return request.method in ("POST", "PUT") and path in DEFINITION_PATHS


def definition_problem(items: list[dict[str, Any]], body: Any) -> Problem:
    """One 422 naming every field at fault: the model's findings (types, bounds) and the
    variant's rules (what the variant needs), so nothing surfaces a round later."""
    seen = {tuple(item["loc"]) for item in items}
    try:
        validate_definition(body)
    except errors.DefinitionInvalidError as exc:
        for e in exc.errors:
            loc = in_body(e.loc)
            if tuple(loc) not in seen:
                seen.add(tuple(loc))
                items.append({"loc": loc, "msg": e.msg})
    count = f"{len(items)} fields" if len(items) != 1 else "1 field"
    return Problem(
        422, f"the definition has {count} missing or invalid", kind="invalid-definition",
        errors=items,
    )  # fmt: skip


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request.url.path)

    async def _tabled(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(from_ledger_error(exc), request.url.path)

    for error_class in PROBLEM_TYPES:
        app.add_exception_handler(error_class, _tabled)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        items = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "invalid"))}
            for e in exc.errors()
        ]
        if _is_definition(request):
            return problem_response(definition_problem(items, exc.body), request.url.path)
        return problem_response(
            Problem(422, listed(items) or "invalid request", kind="validation", errors=items),
            request.url.path,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(
            Problem(exc.status_code, str(exc.detail), headers=dict(exc.headers or {})),
            request.url.path,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            Problem(500, "the server could not complete the request"),
            request.url.path,
        )
