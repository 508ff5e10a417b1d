"""Corrections, withdrawals, key rotation and token management over HTTP."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from credledger.crypto import cbor
from credledger.crypto.checkpoint import open_checkpoint
from credledger.crypto.jcs import canonicalize_bytes
from credledger.crypto.merkle_verify import verify_inclusion
from credledger.crypto.rfc9162 import leaf_hash
from credledger.crypto.signed_note import NoteVerifier
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition


@pytest.fixture
def school(client: TestClient) -> dict[str, Any]:
    r = client.post("/v1/issuers", json={"name": "School"}, headers=auth(ADMIN_TOKEN))
    body = dict(r.json())
    body["achievement"] = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(body["token"])
    ).json()["id"]
    return body


def award(client: TestClient, school: dict[str, Any]) -> dict[str, Any]:
    r = client.post(
        "/v1/credentials",
        headers=auth(school["token"]),
        json={
            "achievement_id": school["achievement"],
            "recipient": {"email": "a@b.nl"},
            "result": {"value": "7"},
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_a_reissue_keeps_id_award_date_and_status_index(
    client: TestClient, school: dict[str, Any]
) -> None:
    first = award(client, school)
    r = client.post(
        f"/v1/credentials/{first['id']}/reissue",
        headers=auth(school["token"]),
        json={"reason": "grade corrected", "result": {"value": "8"}},
    )
    assert r.status_code == 200, r.text
    again = r.json()
    old, new = first["credential"], again["credential"]
    assert new["id"] == old["id"]
    assert new["awardedDate"] == old["awardedDate"]
    assert new["credentialStatus"] == old["credentialStatus"]
    assert new["credentialSubject"]["result"][0]["value"] == "8"
    assert again["log_index"] > first["log_index"]
    view = client.get(f"/v1/credentials/{first['id']}", headers=auth(school["token"])).json()
    assert view["credential"] == new


def test_the_proof_bundle_verifies_offline(client: TestClient, school: dict[str, Any]) -> None:
    issued = award(client, school)
    r = client.get(f"/v1/credentials/{issued['id']}/proof", headers=auth(school["token"]))
    assert r.status_code == 200, r.text
    bundle = r.json()
    assert bundle["credential"] == issued["credential"]
    verifier = NoteVerifier.from_vkey(bundle["log_key"])
    checkpoint = open_checkpoint(bundle["checkpoint"], verifier)
    leaf = base64.b64decode(bundle["leaf"]["data"])
    path = [base64.b64decode(h) for h in bundle["inclusion"]["path"]]
    assert bundle["inclusion"]["size"] == checkpoint.size
    verify_inclusion(
        leaf_hash(leaf), bundle["leaf"]["index"], checkpoint.size, path, checkpoint.root_hash
    )
    decoded = cbor.decode(leaf)
    assert decoded["event"] == "CredentialIssued"
    # The leaf names neither the credential nor its aggregate: only its digest.
    assert "credential" not in decoded
    assert decoded["aggregate"] != issued["id"]
    assert decoded["digest"] == hashlib.sha256(canonicalize_bytes(issued["credential"])).digest()
    assert bundle["leaf"]["index"] == issued["log_index"]
    assert [s["purpose"] for s in bundle["status_lists"]] == ["revocation"]
    for status in bundle["status_lists"]:
        status_leaf = base64.b64decode(status["leaf"]["data"])
        assert cbor.decode(status_leaf)["event"] == "StatusListPublished"
        verify_inclusion(
            leaf_hash(status_leaf),
            status["leaf"]["index"],
            checkpoint.size,
            [base64.b64decode(h) for h in status["inclusion"]["path"]],
            checkpoint.root_hash,
        )


def test_credentials_signed_before_a_key_rotation_still_verify(
    client: TestClient, school: dict[str, Any], ledger: Any
) -> None:
    before = award(client, school)
    r = client.post(f"/v1/issuers/{school['id']}/keys/rotate", headers=auth(school["token"]))
    assert r.status_code == 200, r.text
    assert r.json()["did"] == school["did"]  # a rotation keeps the issuer's identity
    after = award(client, school)
    assert before["credential"]["issuer"]["id"] == after["credential"]["issuer"]["id"]
    assert after["credential"]["issuer"]["id"] == school["did"]
    for vc in (before["credential"], after["credential"]):
        assert ledger.verifier.verify(vc).outcome == "valid"


def test_withdrawn_endorsements_and_recognitions(
    client: TestClient, school: dict[str, Any]
) -> None:
    other = client.post("/v1/issuers", json={"name": "Other"}, headers=auth(ADMIN_TOKEN)).json()
    issued = award(client, school)
    endorsement = client.post(
        "/v1/endorsements",
        headers=auth(other["token"]),
        json={"subject": school["id"], "comment": "Trustworthy"},
    ).json()
    recognition = client.post(
        "/v1/recognitions",
        headers=auth(other["token"]),
        json={"credential": issued["credential"], "decision": "rejected"},
    ).json()
    for kind, item in (("endorsements", endorsement), ("recognitions", recognition)):
        path = f"/v1/{kind}/{item['id']}/withdraw"
        assert (
            client.post(path, json={"reason": "x"}, headers=auth(school["token"])).status_code
            == 404
        )
        r = client.post(path, json={"reason": "x"}, headers=auth(other["token"]))
        assert r.json() == {"id": item["id"], "withdrawn": True}
        assert (
            client.post(path, json={"reason": "x"}, headers=auth(other["token"])).status_code == 409
        )


def test_a_tampered_credential_cannot_be_recognised(
    client: TestClient, school: dict[str, Any]
) -> None:
    other = client.post("/v1/issuers", json={"name": "Other"}, headers=auth(ADMIN_TOKEN)).json()
    vc = award(client, school)["credential"]
    vc["credentialSubject"]["result"][0]["value"] = "10"
    r = client.post(
        "/v1/recognitions",
        headers=auth(other["token"]),
        json={"credential": vc, "decision": "recognised", "ects": 4},
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


def test_tokens_can_be_added_and_revoked(client: TestClient, school: dict[str, Any]) -> None:
    extra = client.post(f"/v1/issuers/{school['id']}/tokens", headers=auth(school["token"]))
    assert extra.status_code == 201
    token = extra.json()["token"]
    assert (
        client.post(
            "/v1/achievements",
            json=microcredential_definition(name="Another course"),
            headers=auth(token),
        ).status_code
        == 201
    )
    client.post(
        f"/v1/issuers/{school['id']}/tokens/revoke",
        json={"token": token},
        headers=auth(school["token"]),
    )
    r = client.post("/v1/achievements", json=microcredential_definition(), headers=auth(token))
    assert r.status_code == 401
