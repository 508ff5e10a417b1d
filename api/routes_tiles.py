"""The transparency log as C2SP tlog-tiles: hash tiles and entry bundles under /v1/log/.

``/v1/log/tile/<L>/<N>[.p/<W>]`` and ``/v1/log/tile/entries/<N>[.p/<W>]``, with ``<N>``
in the spec's path encoding (``x001/x234/067``); the checkpoint is ``/v1/log/checkpoint``
(routes_log.py). Only what the newest signed checkpoint covers is served: anything
else is a 404 (it may exist later). A path not in the spec's one canonical form is a
400. Full tiles never change and are cached for a year; a partial tile is superseded
by a wider one, so it is cached briefly. Reads only: nothing here writes.
"""

from __future__ import annotations

from typing import Any

from credledger.crypto.tlog_tiles import TilePathError, parse_tile_index, parse_tile_level
from fastapi import APIRouter, Path
from fastapi.responses import Response

from .auth import LedgerDep
from .problems import Problem

router = APIRouter(prefix="/v1/log", tags=["transparency log"])

OCTETS = "application/octet-stream"
FULL_TILE_CACHE = "public, max-age=31536000, immutable"
PARTIAL_TILE_CACHE = "public, max-age=60"
MAX_PATH = 40
"""No canonical tile index path the store can hold is longer (7 groups and a width)."""

_TILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The tile's bytes",
        "content": {OCTETS: {"schema": {"type": "string", "format": "binary"}}},
    },
    400: {"description": "Not a tile path in the canonical form of C2SP tlog-tiles"},
    404: {"description": "No such tile under the newest signed checkpoint (not yet, or never)"},
}
_INDEX = Path(
    description="The tile index in groups of three digits, all but the last prefixed with "
    "x (1234067 is x001/x234/067), then .p/<W> for a partial tile of W (1-255) entries",
)


def _octets(data: bytes, width: int | None) -> Response:
    cache = FULL_TILE_CACHE if width is None else PARTIAL_TILE_CACHE
    return Response(data, media_type=OCTETS, headers={"Cache-Control": cache})


def _parse(index: str) -> tuple[int, int | None]:
    try:
        if len(index) > MAX_PATH:
            raise TilePathError("a tile index path is not that long")
        return parse_tile_index(index)
    except TilePathError as exc:
        raise Problem(400, str(exc), kind="bad-tile-path") from None


@router.get(
    "/tile/entries/{index:path}",
    response_class=Response,
    responses=_TILE_RESPONSES,
    summary="An entry bundle (C2SP tlog-tiles)",
)
def entry_bundle(ledger: LedgerDep, index: str = _INDEX) -> Response:
    """The leaves of level-0 tile N (the existing deterministic-CBOR leaves), each
    prefixed with its length as a big-endian uint16."""
    number, width = _parse(index)
    return _octets(ledger.tlog.entries(number, width), width)


@router.get(
    "/tile/{level}/{index:path}",
    response_class=Response,
    responses=_TILE_RESPONSES,
    summary="A Merkle tree tile (C2SP tlog-tiles)",
)
def tile(
    ledger: LedgerDep,
    level: str = Path(description="The tile level, 0 to 63, without leading zeros"),
    index: str = _INDEX,
) -> Response:
    """Tile N of level L: 256 consecutive Merkle tree hashes (8,192 bytes), leaf hashes
    at level 0, roots of full tiles below at higher levels; or its first W hashes."""
    try:
        tile_level = parse_tile_level(level)
    except TilePathError as exc:
        raise Problem(400, str(exc), kind="bad-tile-path") from None
    number, width = _parse(index)
    return _octets(ledger.tlog.tile(tile_level, number, width), width)
