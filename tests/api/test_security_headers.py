"""Every answer carries the security headers; a route's own choice of one is kept; HSTS
only over https."""

from __future__ import annotations

from credledger.api.problems import SECURITY_HEADERS
from credledger.api.security_headers import SecurityHeaders
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/plain")
    def plain() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/own")
    def own() -> PlainTextResponse:
        return PlainTextResponse("x", headers={"Cache-Control": "public, max-age=60"})

    app.add_middleware(SecurityHeaders)
    return app


def test_every_answer_carries_the_security_headers() -> None:
    with TestClient(_app(), base_url="http://127.0.0.1") as client:
        answer = client.get("/plain")
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers[name] == value
        assert client.get("/missing").headers["x-content-type-options"] == "nosniff"


def test_a_header_the_route_set_is_kept() -> None:
    with TestClient(_app(), base_url="http://127.0.0.1") as client:
        answer = client.get("/own")
    assert answer.headers.get_list("cache-control") == ["public, max-age=60"]


def test_hsts_only_over_https() -> None:
    with TestClient(_app(), base_url="http://127.0.0.1") as client:
        assert "strict-transport-security" not in client.get("/plain").headers
    with TestClient(_app(), base_url="https://127.0.0.1") as client:
        assert client.get("/plain").headers["strict-transport-security"] == "max-age=31536000"
