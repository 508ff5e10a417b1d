"""The app's routes are matched in a fixed order, busiest first; the order may decide
speed, never which endpoint answers: no two routes claim the same request, but for the
tile routes, where the entry bundles come before the hash tiles as the spec reads."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

import pytest
from credledger.api.app import create_app
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Route

SAMPLES = {
    "UUIDConvertor": str(uuid.UUID(int=7)),
    "IntegerConvertor": "1",
    "FloatConvertor": "1.5",
    "PathConvertor": "x001/067.p/8",
}
RESOLVED_BY_ORDER = {("/v1/log/tile/entries/{index:path}", "/v1/log/tile/{level}/{index:path}")}


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(object(), hashlib.sha256(b"route order").digest())  # type: ignore[arg-type]


def routes(app: FastAPI) -> list[Route]:
    return [r for r in app.router.routes if isinstance(r, Route)]


def sample_path(route: Route) -> str:
    """A concrete path this route matches: each parameter by its convertor's kind."""
    path = route.path
    for name, convertor in route.param_convertors.items():
        value = SAMPLES.get(type(convertor).__name__, "sample")
        path = re.sub("{" + name + "(:[a-z]+)?}", value, path)
    return path


def claimants(app: FastAPI, method: str, path: str) -> list[str]:
    return [
        r.path
        for r in routes(app)
        if method in (r.methods or set()) and r.path_regex.fullmatch(path) is not None
    ]


def test_every_route_is_matched_directly_not_through_included_routers(app: FastAPI) -> None:
    assert all(isinstance(r, Route) for r in app.router.routes)
    assert len([r for r in routes(app) if isinstance(r, APIRoute)]) > 60


def test_the_busiest_routes_come_first(app: FastAPI) -> None:
    first = [r.path for r in routes(app)[:6]]  # FastAPI's /openapi.json is added first
    assert "/healthz" in first
    assert "/v1/issuers/{issuer_id}/credentials/issue" in first
    assert "/v1/credentials/verify" in first


def test_no_two_routes_claim_the_same_request(app: FastAPI) -> None:
    shared: set[tuple[str, ...]] = set()
    for route in routes(app):
        for method in route.methods or ():
            found = claimants(app, method, sample_path(route))
            assert route.path in found
            if len(found) > 1:
                shared.add(tuple(found))
    assert shared == RESOLVED_BY_ORDER


def test_a_literal_path_is_never_taken_by_a_parameter_route(app: FastAPI) -> None:
    for route in routes(app):
        if route.param_convertors:
            continue
        for method in route.methods or ():
            assert claimants(app, method, route.path) == [route.path]


def test_tile_entry_bundles_are_matched_before_hash_tiles(app: FastAPI) -> None:
    paths = [r.path for r in routes(app)]
    (entries, tiles), *_ = RESOLVED_BY_ORDER
    assert paths.index(entries) < paths.index(tiles)


def test_the_health_probe_needs_no_worker_thread(app: FastAPI) -> None:
    import inspect

    health: Any = next(r for r in routes(app) if r.path == "/healthz")
    assert inspect.iscoroutinefunction(health.endpoint)
