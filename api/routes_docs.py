"""Interactive API documentation at ``/docs``: Swagger UI, its files shipped in the package.

Nothing is loaded from a CDN: the page, the bundle and the stylesheet come from
``api/docs_assets/`` (swagger-ui-dist, Apache-2.0), and a Content-Security-Policy keeps
the page to this origin.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "docs-init.js": "text/javascript; charset=utf-8",
}
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
CACHE = "public, max-age=86400"


def _asset(name: str) -> bytes:
    return resources.files("credledger.api").joinpath("docs_assets", name).read_bytes()


@router.get("/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(
        _asset("docs.html"), headers={"Content-Security-Policy": DOCS_CSP, "Cache-Control": CACHE}
    )


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    if name not in ASSETS:
        raise HTTPException(404, "no such asset")
    return Response(
        _asset(name),
        media_type=ASSETS[name],
        headers={"Content-Security-Policy": DOCS_CSP, "Cache-Control": CACHE},
    )
