"""``GET /v1/achievements/{id}/image``: the image every credential of the achievement names.

The definition's own PNG or SVG (checked when it was defined, ledger/domain/badge_images.py),
else a plain badge drawn from the name, so the URL in a credential always answers. An
image kept elsewhere (an http(s) URL in the definition) is named by that URL instead, and
this one answers 404 for it.
"""

from __future__ import annotations

from uuid import UUID

from credledger.ledger.domain.badge_images import BadgeImage, default_badge, parse_data_url
from fastapi import APIRouter, HTTPException, Request, Response

from .auth import LedgerDep

router = APIRouter(prefix="/v1")

IMAGE_HEADERS = {
    "Cache-Control": "public, max-age=86400",
    # An SVG opened on its own must not run anything, even if a check were to miss it.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
}


@router.get(
    "/achievements/{achievement_id}/image",
    tags=["achievements"],
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}, "image/svg+xml": {}}, "description": "The image"},
        304: {"description": "Not modified (If-None-Match)"},
    },
)
def achievement_image(achievement_id: UUID, request: Request, ledger: LedgerDep) -> Response:
    """The achievement's image (PNG or SVG) with its type, ETag and caching headers."""
    definition = ledger.achievements.achievement(achievement_id).definition
    image = definition.get("image")
    if isinstance(image, str) and image.startswith(("https://", "http://")):
        raise HTTPException(404, f"this achievement's image is at {image}")
    badge: BadgeImage = (
        parse_data_url(image) if isinstance(image, str) else default_badge(definition["name"])
    )
    headers = {**IMAGE_HEADERS, "ETag": badge.etag}
    if request.headers.get("if-none-match") == badge.etag:
        return Response(status_code=304, headers=headers)
    return Response(badge.data, media_type=badge.media_type, headers=headers)
