"""Who can look a credential's proof up, and how (issue 11.3): by id only its issuer; a
holder by presenting the credential; the log's inclusion lookup by what a leaf already
shows. Hostile requests to these endpoints are problems that record nothing."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from credledger.api.app import create_app
from credledger.crypto import cbor
from credledger.crypto.jcs import canonicalize_bytes
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition

PROBLEM = "application/problem+json"


@pytest.fixture
def client(ledger: Any) -> Iterator[TestClient]:
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        yield c


def register(client: TestClient, name: str) -> dict[str, Any]:
    r = client.post("/v1/issuers", json={"name": name}, headers=auth(ADMIN_TOKEN))
    body = dict(r.json())
    r = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(body["token"])
    )
    body["achievement_id"] = r.json()["id"]
    return body


@pytest.fixture
def issued(client: TestClient) -> dict[str, Any]:
    school = register(client, "School")
    r = client.post(
        "/v1/credentials",
        headers=auth(school["token"]),
        json={"achievement_id": school["achievement_id"], "recipient": {"email": "a@b.nl"}},
    )
    assert r.status_code == 201, r.text
    return {"school": school, "other": register(client, "Other"), **r.json()}


def refused(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert "Traceback" not in r.text
    return dict(r.json())


def test_a_bundle_by_id_needs_the_issuers_token(client: TestClient, issued: dict[str, Any]) -> None:
    path = f"/v1/credentials/{issued['id']}/proof"
    refused(client.get(path), 401)
    refused(client.get(path, headers=auth(issued["other"]["token"])), 404)
    refused(client.get(path, headers=auth(ADMIN_TOKEN)), 403)
    r = client.get(path, headers=auth(issued["school"]["token"]))
    assert r.status_code == 200
    assert r.json()["credential"] == issued["credential"]


def test_a_holder_presenting_the_credential_gets_the_same_bundle(
    client: TestClient, issued: dict[str, Any]
) -> None:
    r = client.post("/v1/proofs", json={"credential": issued["credential"]})
    assert r.status_code == 200, r.text
    by_id = client.get(
        f"/v1/credentials/{issued['id']}/proof", headers=auth(issued["school"]["token"])
    ).json()
    assert r.json() == by_id


@pytest.mark.parametrize(
    "body",
    [
        {"credential": "urn:uuid:00000000-0000-4000-8000-000000000000"},
        {"credential": None},
        {"credential": [1, 2]},
        {"credential": {}, "extra": 1},
        {},
    ],
)
def test_a_malformed_presentation_is_a_422_that_records_nothing(
    client: TestClient, ledger: Any, issued: dict[str, Any], body: Any
) -> None:
    before = ledger.recorder.max_notification_id()
    refused(client.post("/v1/proofs", json=body), 422)
    assert ledger.recorder.max_notification_id() == before


def test_what_the_log_shows_opens_nothing(
    client: TestClient, ledger: Any, issued: dict[str, Any]
) -> None:
    leaf = cbor.decode(
        base64.b64decode(
            client.get(
                "/v1/log/leaves", params={"start": issued["log_index"], "end": issued["log_index"]}
            ).json()["leaves"][0]["data"]
        )
    )
    before = ledger.recorder.max_notification_id()
    for credential in (
        {"digest": leaf["digest"].hex()},
        {"id": issued["credential"]["id"]},
        {"id": f"urn:uuid:{leaf['aggregate']}"},
        {**issued["credential"], "name": "changed"},
        {"n": 2**52, "f": 1.5e308, "deep": [[[[["x"]]]]]},
    ):
        refused(client.post("/v1/proofs", json={"credential": credential}), 404)
    # A number no double holds is refused before any lookup (input rules), also recording nothing.
    refused(client.post("/v1/proofs", json={"credential": {"n": 2**80}}), 422)
    assert ledger.recorder.max_notification_id() == before


def test_an_inclusion_proof_by_digest_gives_the_leaf_the_log_shows(
    client: TestClient, issued: dict[str, Any]
) -> None:
    digest = hashlib.sha256(canonicalize_bytes(issued["credential"])).hexdigest()
    note = client.post("/v1/log/checkpoint", headers=auth(ADMIN_TOKEN)).text
    size = int(note.splitlines()[1])
    r = client.get("/v1/log/proof/inclusion", params={"digest": digest, "size": size})
    assert r.status_code == 200, r.text
    assert r.json()["index"] == issued["log_index"]
    refused(client.get("/v1/log/proof/inclusion", params={"digest": "0" * 64, "size": size}), 404)


@pytest.mark.parametrize(
    "params",
    [
        {"digest": "zz" * 32, "size": 1},
        {"digest": "AB" * 32, "size": 1},
        {"digest": "0" * 63, "size": 1},
        {"digest": "0" * 64 + "\x00", "size": 1},
        {"credential": "00000000-0000-4000-8000-000000000000", "size": 1},
    ],
)
def test_a_malformed_inclusion_lookup_is_refused(
    client: TestClient, issued: dict[str, Any], params: dict[str, Any]
) -> None:
    r = client.get("/v1/log/proof/inclusion", params=params)
    assert r.status_code in (400, 422), r.text
    assert r.headers["content-type"].startswith(PROBLEM)


def test_index_and_digest_together_are_a_400(client: TestClient, issued: dict[str, Any]) -> None:
    refused(
        client.get("/v1/log/proof/inclusion", params={"index": 0, "digest": "0" * 64, "size": 1}),
        400,
    )
