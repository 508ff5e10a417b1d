"""The FastAPI application factory."""

from __future__ import annotations

import inspect
from typing import Any

from credledger.ledger.application import CredentialLedger
from credledger.ledger.credentials.signing import extension_context
from credledger.ledger.store.settings import Network
from fastapi import FastAPI

from . import (
    openapi,
    problems,
    routes_browse,
    routes_claims,
    routes_credentials,
    routes_docs,
    routes_endorsements,
    routes_erasures,
    routes_images,
    routes_institutions,
    routes_log,
    routes_oid4vci,
    routes_proofs,
    routes_sharing,
    routes_status,
    routes_tiles,
    routes_vcapi,
)
from .auth import FailureLimiter
from .client_address import ForwardedHeaders
from .limits import MAX_BODY_BYTES, RequestLimits
from .media_types import JsonLdResponse
from .pages import claim_page
from .pages import routes as pages
from .pages import shared as shared_pages
from .security_headers import SecurityHeaders


def create_app(
    ledger: CredentialLedger,
    admin_token_hash: bytes,
    trusted_proxies: tuple[Network, ...] = (),
) -> FastAPI:
    """An app serving ``ledger``; the admin token is known only by its SHA-256.

    ``trusted_proxies``: the only peers whose X-Forwarded-For/-Proto headers count.
    """
    app = FastAPI(
        **_without_native_telemetry(),
        title="credledger",
        version="0.1.0",
        docs_url=None,  # FastAPI's pages load scripts from a CDN: routes_docs serves its own
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
    openapi.install(app)

    # Added last, so they run first: nothing past RequestLimits sees an over-large or
    # non-JSON body; ForwardedHeaders (outermost) only sets the client and scheme, which
    # SecurityHeaders (innermost) reads for HSTS.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        RequestLimits, max_body_bytes=MAX_BODY_BYTES, form_refusal=pages.refused_form
    )
    app.add_middleware(ForwardedHeaders, trusted_proxies=trusted_proxies)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, Any]:
        return {"status": "ok"}  # async: no worker thread for a liveness probe

    # The routes are matched in this order, first match wins; no two claim the same
    # request except the tile routes, whose order is kept (tests/api/test_route_order.py),
    # so the order only decides speed: the VC API, awards and status lists first. They
    # are added flat, not as included routers, which FastAPI would otherwise walk
    # router by router for every request.
    for module in (
        routes_vcapi,
        routes_credentials,
        routes_status,
        routes_log,
        routes_tiles,
        routes_browse,
        routes_institutions,
        routes_claims,
        routes_oid4vci,
        routes_sharing,
        routes_endorsements,
        routes_erasures,
        routes_proofs,
        routes_images,
        routes_docs,
        pages,
        claim_page,
        shared_pages,
    ):
        app.router.routes.extend(module.router.routes)

    @app.get(
        "/contexts/edubadges/v1",
        tags=["contexts"],
        response_model=dict[str, Any],
        response_class=JsonLdResponse,
    )
    def edubadges_context() -> JsonLdResponse:
        """credledger's JSON-LD context for the edubadges extension terms."""
        return JsonLdResponse(
            extension_context(), headers={"Cache-Control": "public, max-age=86400"}
        )

    return app


def _without_native_telemetry() -> dict[str, Any]:
    """FastAPI's own OpenTelemetry (0.16x) off: it would hand request bodies (credentials,
    personal data) and exception messages to whatever tracing pipeline a host installs,
    which is not for this server to decide; and its check costs every request a look at
    three global providers. The access log is the server's record of requests."""
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}  # an older FastAPI: it has none
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
