"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from credledger.ledger.application import CredentialLedger
from credledger.ledger.signing import extension_context
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from . import (
    problems,
    routes_credentials,
    routes_endorsements,
    routes_institutions,
    routes_log,
    routes_status,
    routes_vcapi,
)
from .auth import FailureLimiter
from .problems import Problem, problem_response

MAX_BODY_BYTES = 1_048_576

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


def create_app(ledger: CredentialLedger, admin_token_hash: bytes) -> FastAPI:
    """An app serving ``ledger``; the admin token is known only by its SHA-256."""
    app = FastAPI(
        title="credledger",
        version="0.1.0",
        docs_url=None,  # the interactive pages load scripts from a CDN; serve the document only
        redoc_url=None,
        description=(
            "An event-sourced, Merkle-anchored ledger for microcredentials: Open Badges 3.0 "
            "on W3C VC 2.0, Bitstring Status Lists, an RFC 9162 transparency log."
        ),
    )
    app.state.ledger = ledger
    app.state.admin_token_hash = admin_token_hash
    app.state.auth_failures = FailureLimiter()
    problems.install(app)

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return problem_response(
                Problem(413, f"request bodies are limited to {MAX_BODY_BYTES} bytes"),
                request.url.path,
            )
        if request.method in ("POST", "PUT", "PATCH"):
            ctype = request.headers.get("content-type", "")
            text_ok = request.url.path == "/v1/log/cosignatures" and ctype.startswith("text/plain")
            if ctype and "json" not in ctype and not text_ok:
                return problem_response(
                    Problem(415, "send JSON (Content-Type: application/json)"), request.url.path
                )
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    for module in (
        routes_institutions,
        routes_credentials,
        routes_endorsements,
        routes_status,
        routes_log,
        routes_vcapi,
    ):
        app.include_router(module.router)

    @app.get("/contexts/edubadges/v1", tags=["contexts"], include_in_schema=True)
    def edubadges_context() -> JSONResponse:
        """credledger's JSON-LD context for the edubadges extension terms."""
        return JSONResponse(
            extension_context(),
            media_type="application/ld+json",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, Any]:
        return {"status": "ok"}

    return app
