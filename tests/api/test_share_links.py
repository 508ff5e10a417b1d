"""Share links over HTTP: the issuer makes and ends them; the link opens the credential
for whoever holds it, and nothing opens it for anyone else."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition

LINK = re.compile(r"^(https?://[^/]+)/c/([A-Za-z0-9_-]{43})$")


def _school(client: TestClient, name: str = "School") -> dict[str, Any]:
    r = client.post("/v1/issuers", json={"name": name}, headers=auth(ADMIN_TOKEN))
    body = dict(r.json())
    body["achievement"] = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(body["token"])
    ).json()["id"]
    return body


@pytest.fixture
def school(client: TestClient) -> dict[str, Any]:
    return _school(client)


@pytest.fixture
def awarded(client: TestClient, school: dict[str, Any]) -> dict[str, Any]:
    r = client.post(
        "/v1/credentials",
        headers=auth(school["token"]),
        json={"achievement_id": school["achievement"], "recipient": {"email": "a@b.nl"}},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def share(client: TestClient, school: dict[str, Any], awarded: dict[str, Any]) -> str:
    r = client.post(f"/v1/credentials/{awarded['id']}/share", headers=auth(school["token"]))
    assert r.status_code == 201, r.text
    return str(r.json()["url"])


def path_of(url: str) -> str:
    found = LINK.match(url)
    assert found, url
    return f"/c/{found.group(2)}"


def test_sharing_answers_201_with_a_link_under_the_ledgers_base(
    client: TestClient, school: dict[str, Any], awarded: dict[str, Any]
) -> None:
    url = share(client, school, awarded)
    assert LINK.match(url)
    assert url.startswith("https://ledger.example.test/c/")


def test_the_link_gives_the_credential_as_json_ld_when_asked(
    client: TestClient, school: dict[str, Any], awarded: dict[str, Any]
) -> None:
    path = path_of(share(client, school, awarded))
    r = client.get(path, headers={"Accept": "application/ld+json"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/ld+json")
    assert r.json() == awarded["credential"]
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in r.headers["x-robots-tag"]


def test_the_link_gives_the_verify_page_to_a_browser(
    client: TestClient, school: dict[str, Any], awarded: dict[str, Any]
) -> None:
    path = path_of(share(client, school, awarded))
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert 'data-verdict="valid"' in r.text
    assert "<svg" in r.text
    assert "QR" in r.text


def test_ending_the_sharing_makes_every_link_a_404(
    client: TestClient, school: dict[str, Any], awarded: dict[str, Any]
) -> None:
    paths = [path_of(share(client, school, awarded)) for _ in range(2)]
    r = client.delete(f"/v1/credentials/{awarded['id']}/share", headers=auth(school["token"]))
    assert r.status_code == 204
    for path in paths:
        for accept in ("text/html", "application/ld+json"):
            assert client.get(path, headers={"Accept": accept}).status_code == 404


def test_an_ended_link_and_an_unknown_one_get_the_same_answer(
    client: TestClient, school: dict[str, Any], awarded: dict[str, Any]
) -> None:
    ended = path_of(share(client, school, awarded))
    client.delete(f"/v1/credentials/{awarded['id']}/share", headers=auth(school["token"]))
    unknown = "/c/" + "A" * 43
    for accept in ("text/html", "application/ld+json"):
        a = client.get(ended, headers={"Accept": accept})
        b = client.get(unknown, headers={"Accept": accept})
        assert (a.status_code, a.headers["content-type"]) == (
            b.status_code,
            b.headers["content-type"],
        )
        same = a.text.replace(ended, "/c/TOKEN"), b.text.replace(unknown, "/c/TOKEN")
        assert same[0] == same[1]


def test_only_the_issuer_that_owns_it_shares_it(
    client: TestClient, awarded: dict[str, Any]
) -> None:
    other = _school(client, "Other")
    for method in ("post", "delete"):
        r = client.request(
            method, f"/v1/credentials/{awarded['id']}/share", headers=auth(other["token"])
        )
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"


def test_sharing_needs_an_issuer_token(client: TestClient, awarded: dict[str, Any]) -> None:
    assert client.post(f"/v1/credentials/{awarded['id']}/share").status_code == 401
    assert client.delete(f"/v1/credentials/{awarded['id']}/share").status_code == 401


def test_no_public_route_shows_a_credential_without_a_token(
    client: TestClient, awarded: dict[str, Any]
) -> None:
    """Every GET route the app has, tried anonymously with the credential's id, digest
    and alias where it takes a parameter: none answers with the credential's data."""
    vc = awarded["credential"]
    proofs = vc["proof"] if isinstance(vc["proof"], list) else [vc["proof"]]
    secrets = [p["proofValue"] for p in proofs] + [json.dumps(vc["credentialSubject"])[:60]]
    ids = [awarded["id"], vc["id"], vc["id"].removeprefix("urn:uuid:")]
    app: Any = client.app
    for route in app.routes:
        if "GET" not in getattr(route, "methods", set()):
            continue
        for value in ids:
            path = re.sub(r"\{[^}]+\}", value, route.path)
            for accept in ("text/html", "application/json", "application/ld+json"):
                r = client.get(path, headers={"Accept": accept})
                for secret in secrets:
                    assert secret not in r.text, (route.path, path)


def test_a_retry_with_the_same_idempotency_key_gets_the_same_link(
    client: TestClient, school: dict[str, Any], awarded: dict[str, Any]
) -> None:
    headers = {**auth(school["token"]), "Idempotency-Key": "share-1"}
    first = client.post(f"/v1/credentials/{awarded['id']}/share", headers=headers)
    again = client.post(f"/v1/credentials/{awarded['id']}/share", headers=headers)
    assert first.json() == again.json()


def test_the_downloads_give_the_credential_and_its_proof_bundle(
    client: TestClient, school: dict[str, Any], awarded: dict[str, Any]
) -> None:
    path = path_of(share(client, school, awarded))
    credential = client.get(f"{path}/credential")
    assert credential.status_code == 200
    assert "attachment" in credential.headers["content-disposition"]
    assert credential.json() == awarded["credential"]
    bundle = client.get(f"{path}/proof")
    assert bundle.status_code == 200
    assert bundle.json()["credential"] == awarded["credential"]
    assert set(bundle.json()) >= {"leaf", "inclusion", "checkpoint", "log_key"}


def test_the_downloads_of_an_ended_link_are_404(
    client: TestClient, school: dict[str, Any], awarded: dict[str, Any]
) -> None:
    path = path_of(share(client, school, awarded))
    client.delete(f"/v1/credentials/{awarded['id']}/share", headers=auth(school["token"]))
    assert client.get(f"{path}/credential").status_code == 404
    assert client.get(f"{path}/proof").status_code == 404


def test_a_revoked_credential_shared_shows_not_valid(
    client: TestClient, school: dict[str, Any], awarded: dict[str, Any]
) -> None:
    path = path_of(share(client, school, awarded))
    r = client.post(
        f"/v1/credentials/{awarded['id']}/revoke",
        headers=auth(school["token"]),
        json={"reason": "issued in error", "publish_reason": True},
    )
    assert r.status_code == 200, r.text
    page = client.get(path, headers={"Accept": "text/html"}).text
    assert 'data-verdict="invalid"' in page
    assert "issued in error" in page
