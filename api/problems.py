"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

import logging
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


def _field_errors(items: list[errors.FieldError]) -> list[dict[str, Any]]:
    return [{"loc": list(e.loc), "msg": e.msg} for e in items]


def from_ledger_error(exc: errors.LedgerError) -> Problem:
    if isinstance(exc, errors.DefinitionInvalidError):
        return Problem(422, str(exc), kind="invalid-definition", errors=_field_errors(exc.errors))
    if isinstance(exc, errors.RequestInvalidError):
        return Problem(422, str(exc), kind="validation", errors=_field_errors(exc.errors))
    if isinstance(exc, errors.NotFoundError):
        return Problem(404, str(exc), kind="not-found")
    if isinstance(exc, errors.ForbiddenError):
        return Problem(403, str(exc), kind="forbidden")
    if isinstance(exc, errors.AlreadyRevokedError):
        return Problem(409, str(exc), kind="already-revoked")
    if isinstance(exc, errors.NotSuspendableError):
        return Problem(409, str(exc), kind="not-suspendable")
    if isinstance(exc, errors.AchievementArchivedError):
        return Problem(409, str(exc), kind="achievement-archived")
    if isinstance(exc, errors.ConflictError):
        return Problem(409, str(exc), kind="conflict")
    if isinstance(exc, errors.IdempotencyKeyReusedError):
        return Problem(422, str(exc), kind="idempotency-key-reused")
    if isinstance(exc, errors.UnverifiableCredentialError):
        return Problem(
            422,
            str(exc),
            kind=exc.kind,
            errors=[{"loc": ["body", "credential"], "msg": r} for r in exc.reasons],
        )
    return Problem(400, str(exc))


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
            if tuple(e.loc) not in seen:
                seen.add(tuple(e.loc))
                items.append({"loc": list(e.loc), "msg": e.msg})
    count = f"{len(items)} fields" if len(items) != 1 else "1 field"
    return Problem(
        422, f"the definition has {count} missing or invalid", kind="invalid-definition",
        errors=items,
    )  # fmt: skip


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc, request.url.path)

    @app.exception_handler(errors.LedgerError)
    async def _ledger(request: Request, exc: errors.LedgerError) -> JSONResponse:
        return problem_response(from_ledger_error(exc), request.url.path)

    @app.exception_handler(LogRangeError)
    @app.exception_handler(MerkleTreeError)
    async def _log_range(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(Problem(400, str(exc), kind="out-of-range"), request.url.path)

    @app.exception_handler(SubjectErasedError)
    async def _erased(request: Request, exc: SubjectErasedError) -> JSONResponse:
        return problem_response(
            Problem(410, "the personal data of this credential was erased", kind="erased"),
            request.url.path,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        items = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "invalid"))}
            for e in exc.errors()
        ]
        if _is_definition(request):
            return problem_response(definition_problem(items, exc.body), request.url.path)
        detail = "; ".join(f"{'.'.join(map(str, i['loc']))}: {i['msg']}" for i in items)
        return problem_response(
            Problem(422, detail or "invalid request", kind="validation", errors=items),
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
