"""Key rotation keeps an issuer's identity and its credentials' status; a retired key
signs nothing new; a compromised key invalidates what it signed until it is re-issued."""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID, uuid4

import pytest
from credledger.crypto.data_integrity import add_proof
from credledger.ledger.audit.local import audit_store
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.domain.issuer import Issuer
from fastapi.testclient import TestClient

from ...foreign_issuer import jwt_payload, vc_jwt
from ...http_helpers import ADMIN_TOKEN, auth, microcredential_definition


def register(client: TestClient, name: str = "School", **extra: Any) -> dict[str, Any]:
    r = client.post("/v1/issuers", json={"name": name, **extra}, headers=auth(ADMIN_TOKEN))
    assert r.status_code == 201, r.text
    body = dict(r.json())
    body["achievement"] = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(body["token"])
    ).json()["id"]
    return body


def award(client: TestClient, school: dict[str, Any], email: str = "a@b.nl") -> dict[str, Any]:
    r = client.post(
        "/v1/credentials",
        headers=auth(school["token"]),
        json={"achievement_id": school["achievement"], "recipient": {"email": email}},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def verify(client: TestClient, vc: dict[str, Any]) -> dict[str, Any]:
    return dict(client.post("/v1/credentials/verify", json={"verifiableCredential": vc}).json())


def rotate(client: TestClient, school: dict[str, Any]) -> str:
    r = client.post(f"/v1/issuers/{school['id']}/keys/rotate", headers=auth(school["token"]))
    assert r.status_code == 200, r.text
    return str(r.json()["key_id"])


def proof_of(vc: dict[str, Any]) -> dict[str, Any]:
    """The (first) proof: OB 3.0 credentials carry ``proof`` as an array."""
    proof = vc["proof"]
    return dict(proof[0] if isinstance(proof, list) else proof)


def forged_with(ledger: Any, original: dict[str, Any], key_id: str, created: str) -> Any:
    """What a thief holding ``key_id`` makes: a new credential, signed like the original."""
    unsigned = copy.deepcopy(original)
    vm = proof_of(unsigned)["verificationMethod"]
    del unsigned["proof"]
    unsigned["id"] = f"urn:uuid:{uuid4()}"
    return add_proof(
        unsigned, ledger.signer.key_pair(key_id), vm, created=created, loader=ledger.signer.loader
    )


def test_a_rotation_keeps_the_issuers_identity_for_old_and_new_credentials(
    client: TestClient,
) -> None:
    school = register(client)
    before = award(client, school)
    rotate(client, school)
    after = award(client, school)
    assert before["credential"]["issuer"]["id"] == after["credential"]["issuer"]["id"]
    assert before["credential"]["issuer"]["id"] == school["did"]
    for issued in (before, after):
        assert verify(client, issued["credential"])["verified"] is True


def test_revoking_after_a_rotation_shows_it_revoked_and_it_cannot_be_recognised(
    client: TestClient,
) -> None:
    school, other = register(client), register(client, "Other")
    revoked, untouched = award(client, school), award(client, school, "c@d.nl")
    rotate(client, school)
    r = client.post(
        f"/v1/credentials/{revoked['id']}/revoke",
        json={"reason": "fraud"},
        headers=auth(school["token"]),
    )
    assert r.status_code == 200, r.text
    report = verify(client, revoked["credential"])
    assert report["verified"] is False
    assert report["status"]["revocation"] == "revoked"
    clear = verify(client, untouched["credential"])
    assert clear["verified"] is True
    assert clear["status"] == {"revocation": "clear"}
    r = client.post(
        "/v1/recognitions",
        headers=auth(other["token"]),
        json={"credential": revoked["credential"], "decision": "recognised", "ects": 5},
    )
    assert r.status_code == 422, r.text


def test_the_status_list_is_republished_under_the_new_key(client: TestClient) -> None:
    school = register(client)
    issued = award(client, school)
    url = issued["credential"]["credentialStatus"]["statusListCredential"]
    path = url.removeprefix("https://ledger.example.test")
    first = client.get(path).json()
    key = rotate(client, school)
    second = client.get(path).json()
    assert second["proof"]["verificationMethod"] == f"{school['did']}#{key}"
    assert second["issuer"] == first["issuer"] == school["did"]


def test_a_new_credential_signed_with_the_rotated_out_key_is_invalid(
    client: TestClient, ledger: Any
) -> None:
    school, other = register(client), register(client, "Other")
    issued = award(client, school)
    old_key = ledger.issuer(UUID(school["id"])).active_key_id
    rotate(client, school)
    forged = forged_with(ledger, issued["credential"], old_key, "2099-01-01T00:00:00Z")
    r = client.post("/v1/credentials/verify", json={"verifiableCredential": forged})
    assert r.status_code == 400, r.text
    assert "retired" in r.text
    r = client.post(
        "/v1/recognitions",
        headers=auth(other["token"]),
        json={"credential": forged, "decision": "recognised"},
    )
    assert r.status_code == 422, r.text


def test_a_backdated_proof_by_a_retired_key_is_invalid_at_the_ledger(
    client: TestClient, ledger: Any
) -> None:
    """A thief can write any `created`; the ledger goes by what its log recorded."""
    school = register(client)
    issued = award(client, school)
    old_key = ledger.issuer(UUID(school["id"])).active_key_id
    rotate(client, school)
    backdated = forged_with(
        ledger, issued["credential"], old_key, proof_of(issued["credential"])["created"]
    )
    report = verify(client, backdated)
    assert report["verified"] is False
    assert any("never recorded" in e["message"] for e in report["errors"])
    assert verify(client, issued["credential"])["verified"] is True


def test_the_did_document_lists_every_key_with_its_period(client: TestClient) -> None:
    school = register(client)
    first = client.get(f"/v1/issuers/{school['id']}/did.json").json()
    assert first["id"] == school["did"]
    rotate(client, school)
    document = client.get(f"/v1/issuers/{school['id']}/did.json").json()
    old, new = document["verificationMethod"]
    assert old["activeFrom"] <= new["activeFrom"] <= old["activeUntil"]
    assert "activeUntil" not in new
    assert document["assertionMethod"] == [old["id"], new["id"]]
    assert document["authentication"] == [new["id"]]
    (log,) = document["service"]
    assert log["type"] == "CredledgerTransparencyLog"
    assert log["serviceEndpoint"]["key"] == client.get("/v1/log/key").text.strip()


def test_a_compromised_key_invalidates_what_it_signed_until_reissued(
    client: TestClient, ledger: Any
) -> None:
    school = register(client)
    first, second = award(client, school), award(client, school, "c@d.nl")
    revoked = award(client, school, "e@f.nl")
    client.post(
        f"/v1/credentials/{revoked['id']}/revoke",
        json={"reason": "error"},
        headers=auth(school["token"]),
    )
    key = ledger.issuer(UUID(school["id"])).active_key_id
    r = client.post(
        f"/v1/issuers/{school['id']}/keys/{key}/compromised",
        json={"reason": "laptop stolen"},
        headers=auth(school["token"]),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "compromised"
    assert body["active_key_id"] != key
    assert body["did"] == school["did"]
    assert body["affected"] == 2
    document = client.get(f"/v1/issuers/{school['id']}/did.json").json()
    assert f"{school['did']}#{key}" not in document["assertionMethod"]
    assert "revoked" in document["verificationMethod"][0]
    assert verify(client, first["credential"])["verified"] is False

    r = client.post(
        f"/v1/issuers/{school['id']}/keys/{key}/reissue",
        json={"reason": "key compromised"},
        headers=auth(school["token"]),
    )
    assert r.status_code == 200, r.text
    assert sorted(r.json()["reissued"]) == sorted(
        [first["credential"]["id"], second["credential"]["id"]]
    )
    for issued in (first, second):
        now = client.get(f"/v1/credentials/{issued['id']}", headers=auth(school["token"])).json()
        vc = now["credential"]
        assert vc["id"] == issued["credential"]["id"]
        assert vc["credentialStatus"] == issued["credential"]["credentialStatus"]
        assert proof_of(vc)["verificationMethod"].endswith(body["active_key_id"])
        assert verify(client, vc)["verified"] is True
    again = client.post(
        f"/v1/issuers/{school['id']}/keys/{key}/reissue",
        json={"reason": "key compromised"},
        headers=auth(school["token"]),
    )
    assert again.json()["reissued"] == []
    history = client.get(
        f"/v1/credentials/{first['id']}/status-history", headers=auth(school["token"])
    )
    assert history.status_code == 200
    client.post("/v1/log/checkpoint", headers=auth(ADMIN_TOKEN))
    report = audit_store(ledger.settings)
    assert report.intact, report.discrepancy


def test_the_bulk_reissue_is_in_the_log(client: TestClient, ledger: Any) -> None:
    school = register(client)
    award(client, school)
    key = ledger.issuer(UUID(school["id"])).active_key_id
    client.post(
        f"/v1/issuers/{school['id']}/keys/{key}/compromised",
        json={"reason": "leak"},
        headers=auth(ADMIN_TOKEN),
    )
    size = int(client.get("/v1/log/checkpoint").text.splitlines()[1])
    client.post(
        f"/v1/issuers/{school['id']}/keys/{key}/reissue",
        json={"reason": "leak"},
        headers=auth(school["token"]),
    )
    client.post("/v1/log/checkpoint", headers=auth(ADMIN_TOKEN))
    r = client.get(f"/v1/log/leaves?start={size}&end={size + 50}")
    from base64 import b64decode

    from credledger.crypto import cbor

    events = [cbor.decode(b64decode(leaf["data"]))["event"] for leaf in r.json()["leaves"]]
    assert "CredentialReissued" in events
    assert "IssuerCredentialsReissued" in events


def test_only_the_issuer_reissues_and_unknown_keys_are_404(client: TestClient, ledger: Any) -> None:
    school, other = register(client), register(client, "Other")
    key = ledger.issuer(UUID(school["id"])).active_key_id
    path = f"/v1/issuers/{school['id']}/keys/{key}"
    reason = {"reason": "x"}
    assert (
        client.post(f"{path}/compromised", json=reason, headers=auth(other["token"])).status_code
        == 404
    )
    assert (
        client.post(f"{path}/reissue", json=reason, headers=auth(other["token"])).status_code == 404
    )
    assert (
        client.post(f"{path}/reissue", json=reason, headers=auth(school["token"])).status_code
        == 409
    )
    missing = f"/v1/issuers/{school['id']}/keys/z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    assert (
        client.post(
            f"{missing}/compromised", json=reason, headers=auth(school["token"])
        ).status_code
        == 404
    )
    bad = client.post(
        f"/v1/issuers/{school['id']}/keys/not-a-key/compromised",
        json=reason,
        headers=auth(school["token"]),
    )
    assert bad.status_code in (400, 422)
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert client.post(
        f"{path}/compromised", json={}, headers=auth(school["token"])
    ).status_code in (400, 422)


def test_a_did_key_issuer_cannot_rotate(client: TestClient) -> None:
    school = register(client, did_method="key")
    assert school["did"].startswith("did:key:z6Mk")
    r = client.post(f"/v1/issuers/{school['id']}/keys/rotate", headers=auth(school["token"]))
    assert r.status_code == 409
    assert "did:key" in r.json()["detail"]
    assert verify(client, award(client, school)["credential"])["verified"] is True


def test_an_issuer_registered_before_identities_were_recorded_keeps_its_did_key(
    ledger: Any,
) -> None:
    """A Registered event without ``did`` (as stored by earlier versions) replays as before."""
    from credledger.crypto.keys import Ed25519KeyPair, public_key_multibase
    from credledger.ledger.domain.acts import acting

    act = Act(ADMIN)
    pair = Ed25519KeyPair.generate()
    key_id = public_key_multibase(pair.public_key)
    with acting(act):
        ledger.vault.store_signing_key(key_id, "legacy", pair.private_bytes(), ledger.clock())
        legacy = Issuer(
            name="Legacy",
            url=None,
            email=None,
            token_hash=b"x" * 32,
            key_id=key_id,
            public_key_multibase=key_id,
        )
    ledger.save(legacy)
    stored = ledger.issuer(legacy.id)
    assert stored.did is None
    assert ledger.issuer_did(stored) == f"did:key:{key_id}"
    with pytest.raises(Exception, match="did:key"):
        ledger.rotate_issuer_key(Act(str(legacy.id)), legacy.id)


def test_the_registration_records_the_did_so_a_new_base_url_does_not_change_it(
    ledger: Any,
) -> None:
    from dataclasses import replace

    from credledger.ledger.application import CredentialLedger
    from credledger.ledger.services.identity import move_base_url

    school = ledger.register_issuer(Act(ADMIN), "S")
    move_base_url(ledger, "https://new.example.test", Act(ADMIN))
    ledger.close()
    moved = CredentialLedger(replace(ledger.settings, base_url=None))
    try:
        assert moved.identity.base_url == "https://new.example.test"
        assert moved.issuer_did(moved.issuer(school.issuer.id)) == school.did
        assert moved.dids.resolve(school.did)["id"] == school.did
        later = moved.register_issuer(Act(ADMIN), "Later")
        assert later.did.startswith("did:web:new.example.test:")
    finally:
        moved.close()


def test_refused_key_requests_record_nothing(client: TestClient, ledger: Any) -> None:
    school = register(client)
    key = ledger.issuer(UUID(school["id"])).active_key_id
    path = f"/v1/issuers/{school['id']}/keys/{key}"
    client.post("/v1/log/checkpoint", headers=auth(ADMIN_TOKEN))
    before = client.get("/v1/log/checkpoint").text.splitlines()[1]
    for url, body, headers in (
        (f"{path}/compromised", {"reason": "x"}, {}),
        (f"{path}/compromised", {"reason": "x" * 2001}, auth(school["token"])),
        (f"{path}/compromised", {"reason": "x", "extra": 1}, auth(school["token"])),
        (f"{path}/reissue", {"reason": ""}, auth(school["token"])),
        (f"{path}/reissue", {"reason": "x"}, auth(ADMIN_TOKEN)),
    ):
        r = client.post(url, json=body, headers=headers)
        assert 400 <= r.status_code < 500, (url, body, r.status_code)
        assert r.headers["content-type"].startswith("application/problem+json")
    client.post("/v1/log/checkpoint", headers=auth(ADMIN_TOKEN))
    assert client.get("/v1/log/checkpoint").text.splitlines()[1] == before
    assert key in client.get(f"/v1/issuers/{school['id']}/did.json").json()["authentication"][0]


def test_a_vc_jwt_signed_with_the_rotated_out_key_is_invalid(
    client: TestClient, ledger: Any
) -> None:
    """A thief holding a retired key may sign a VC-JWT instead of a Data Integrity proof;
    the ledger never signs JWTs, so none by a retired key of its issuers is theirs."""
    school = register(client)
    issued = award(client, school)
    old_key = ledger.issuer(UUID(school["id"])).active_key_id
    vm = proof_of(issued["credential"])["verificationMethod"]
    did = vm.split("#", 1)[0]
    rotate(client, school)
    payload = jwt_payload(did)
    payload["iat"] = payload["nbf"]  # claims to be made long before the rotation
    token = vc_jwt(ledger.signer.key_pair(old_key), vm, payload)
    r = client.post("/v1/credentials/verify", json={"verifiableCredential": token})
    assert r.status_code == 400, r.text
    assert "retired" in r.text
