"""GET /v1/issuers and GET /v1/credentials: public institutions, an issuer's own
credentials only, bounded pages; hostile queries change nothing and leak nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition


def school(client: TestClient, name: str) -> dict[str, Any]:
    created = client.post("/v1/issuers", json={"name": name}, headers=auth(ADMIN_TOKEN)).json()
    achievement = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(created["token"])
    ).json()
    client.post(
        "/v1/credentials",
        json={"achievement_id": achievement["id"], "recipient": {"email": "a@example.nl"}},
        headers=auth(created["token"]),
    )
    return dict(created)


def test_anyone_lists_the_institutions(client: TestClient) -> None:
    first, second = school(client, "Hogeschool"), school(client, "Universiteit")
    listed = client.get("/v1/issuers").json()["issuers"]
    assert [i["id"] for i in listed] == [first["id"], second["id"]]
    assert set(listed[0]) == {"id", "name", "url", "did", "registered_at"}


def test_an_issuer_lists_only_its_own_credentials(client: TestClient) -> None:
    first, second = school(client, "Hogeschool"), school(client, "Universiteit")
    mine = client.get("/v1/credentials", headers=auth(first["token"])).json()["credentials"]
    theirs = client.get("/v1/credentials", headers=auth(second["token"])).json()["credentials"]
    assert len(mine) == len(theirs) == 1
    assert mine[0]["id"] != theirs[0]["id"]
    assert "recipient" not in mine[0]


def test_credentials_are_listed_to_nobody_else(client: TestClient) -> None:
    school(client, "Hogeschool")
    assert client.get("/v1/credentials").status_code == 401
    assert client.get("/v1/credentials", headers=auth("guess")).status_code == 401


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "offset=-1", "limit=x", "offset=1e99"])
def test_out_of_range_pages_are_a_problem(client: TestClient, query: str) -> None:
    r = client.get(f"/v1/issuers?{query}")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
