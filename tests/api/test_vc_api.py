"""The W3C VC API: issue what is given, verify credentials and presentations, update status."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from credledger.crypto.data_integrity import add_proof
from credledger.crypto.keys import Ed25519KeyPair, did_key_from_public_key, verification_method_id
from credledger.ledger.credentials.signing import document_loader
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.store.aggregates import Aggregates
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth

VC2 = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture
def issuer(client: TestClient) -> dict[str, Any]:
    r = client.post("/v1/issuers", json={"name": "VC API School"}, headers=auth(ADMIN_TOKEN))
    return dict(r.json())


def credential(issuer: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "@context": [VC2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "issuer": issuer["did"],
        "credentialSubject": {"id": "did:example:abc", "alumniOf": "Example University"},
        **extra,
    }


def issue(client: TestClient, issuer: dict[str, Any], body: dict[str, Any]) -> Any:
    return client.post(
        f"/v1/issuers/{issuer['id']}/credentials/issue", json=body, headers=auth(issuer["token"])
    )


def test_it_signs_exactly_what_it_is_given(client: TestClient, issuer: dict[str, Any]) -> None:
    given = credential(issuer, id="urn:uuid:0b6c1c2a-5a6e-4e1f-9f0a-7f6b5e4d3c2b")
    r = issue(client, issuer, {"credential": given})
    assert r.status_code == 201, r.text
    vc = r.json()["verifiableCredential"]
    assert {k: v for k, v in vc.items() if k != "proof"} == given
    assert vc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    verified = client.post("/v1/credentials/verify", json={"verifiableCredential": vc})
    assert verified.status_code == 200
    assert verified.json()["verified"] is True


def test_a_changed_byte_fails_verification(client: TestClient, issuer: dict[str, Any]) -> None:
    vc = issue(client, issuer, {"credential": credential(issuer)}).json()["verifiableCredential"]
    tampered = copy.deepcopy(vc)
    tampered["credentialSubject"]["alumniOf"] = "Exemple University"
    r = client.post("/v1/credentials/verify", json={"verifiableCredential": tampered})
    assert r.status_code == 400
    assert r.json()["verified"] is False
    assert r.json()["errors"]


def test_vc_1_1_credentials_are_signed_too(client: TestClient, issuer: dict[str, Any]) -> None:
    given = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://www.w3.org/2018/credentials/examples/v1",
        ],
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "issuer": issuer["did"],
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:abc",
            "degree": {"type": "BachelorDegree", "name": "Bachelor of Arts"},
        },
    }
    vc = issue(client, issuer, {"credential": given}).json()["verifiableCredential"]
    r = client.post("/v1/credentials/verify", json={"verifiableCredential": vc})
    assert r.json()["verified"] is True, r.text


@pytest.mark.parametrize(
    "body",
    [
        {"credential": {"type": ["VerifiableCredential"]}},
        {"credential": "not an object"},
        {
            "credential": {
                "@context": [VC2, "https://attacker.example/context.jsonld"],
                "type": ["VerifiableCredential"],
                "credentialSubject": {"id": "did:example:abc"},
            }
        },
    ],
)
def test_bad_input_is_a_400(
    client: TestClient, issuer: dict[str, Any], ledger: Any, body: dict[str, Any]
) -> None:
    before = ledger.recorder.max_notification_id()
    r = issue(client, issuer, body)
    assert r.status_code in (400, 422), r.text
    assert ledger.recorder.max_notification_id() == before


def test_a_status_entry_is_added_on_request_and_the_status_can_change(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    given = credential(issuer, id="https://school.example/credentials/42")
    options = {
        "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}
    }
    vc = issue(client, issuer, {"credential": given, "options": options}).json()[
        "verifiableCredential"
    ]
    assert vc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert client.post("/v1/credentials/verify", json={"verifiableCredential": vc}).json()[
        "verified"
    ]
    r = client.post(
        f"/v1/issuers/{issuer['id']}/credentials/status",
        headers=auth(issuer["token"]),
        json={
            "credentialId": given["id"],
            "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "revoked"}],
        },
    )
    assert r.status_code == 200, r.text
    after = client.post("/v1/credentials/verify", json={"verifiableCredential": vc}).json()
    assert after["verified"] is False
    assert after["status"]["revocation"] == "revoked"


def test_suspending_a_credential_with_only_a_revocation_entry_is_refused_recording_nothing(
    client: TestClient, issuer: dict[str, Any], ledger: Any
) -> None:
    given = credential(issuer, id="https://school.example/credentials/44")
    options = {"credentialStatus": {"type": "BitstringStatusListEntry"}}
    assert issue(client, issuer, {"credential": given, "options": options}).status_code == 201
    before = ledger.recorder.max_notification_id()
    r = client.post(
        f"/v1/issuers/{issuer['id']}/credentials/status",
        headers=auth(issuer["token"]),
        json={
            "credentialId": given["id"],
            "credentialStatus": {"type": "BitstringStatusListEntry", "status": "suspended"},
        },
    )
    assert r.status_code == 409
    assert r.json()["type"].endswith("not-suspendable")
    assert ledger.recorder.max_notification_id() == before


def test_presentations_are_verified_with_challenge_and_domain(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    vc = issue(client, issuer, {"credential": credential(issuer)}).json()["verifiableCredential"]
    holder = Ed25519KeyPair.from_seed(bytes(range(32)))
    did = did_key_from_public_key(holder.public_key)
    vp = {
        "@context": [VC2],
        "type": ["VerifiablePresentation"],
        "holder": did,
        "verifiableCredential": [vc],
    }
    signed = add_proof(
        vp,
        holder,
        verification_method_id(did),
        proof_purpose="authentication",
        created="2026-01-01T00:00:00Z",
        loader=document_loader("http://x"),
        challenge="c-123",
        domain="verifier.example",
    )
    ok = client.post(
        "/v1/presentations/verify",
        json={
            "verifiablePresentation": signed,
            "options": {"challenge": "c-123", "domain": "verifier.example"},
        },
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["verified"], ok.text
    wrong = client.post(
        "/v1/presentations/verify",
        json={"verifiablePresentation": signed, "options": {"challenge": "other"}},
    )
    assert wrong.status_code == 400


def test_vc_jwt_credentials_are_verified_with_didkit(client: TestClient) -> None:
    import asyncio
    import json

    import didkit

    key = didkit.generate_ed25519_key()
    did = didkit.key_to_did("key", key)

    async def make() -> str:
        vm = await didkit.key_to_verification_method("key", key)
        cred = {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential"],
            "issuer": did,
            "issuanceDate": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:123"},
        }
        options = {
            "proofFormat": "jwt",
            "verificationMethod": vm,
            "proofPurpose": "assertionMethod",
        }
        token: str = await didkit.issue_credential(json.dumps(cred), json.dumps(options), key)
        return token

    token = asyncio.run(make())
    assert client.post("/v1/credentials/verify", json={"verifiableCredential": token}).json()[
        "verified"
    ]
    bad = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    assert (
        client.post("/v1/credentials/verify", json={"verifiableCredential": bad}).status_code == 400
    )


def test_a_status_update_may_be_one_object_naming_only_its_purpose(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    given = credential(issuer, id="https://school.example/credentials/43")
    options = {
        "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"}
    }
    vc = issue(client, issuer, {"credential": given, "options": options}).json()[
        "verifiableCredential"
    ]
    r = client.post(
        f"/v1/issuers/{issuer['id']}/credentials/status",
        headers=auth(issuer["token"]),
        json={
            "credentialId": given["id"],
            "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"},
        },
    )
    assert r.json()["status"] == "suspended", r.text
    list_path = vc["credentialStatus"]["statusListCredential"].split("ledger.example.test")[1]
    assert client.post(f"{list_path}/publish").status_code == 204
    after = client.post("/v1/credentials/verify", json={"verifiableCredential": vc}).json()
    assert after["status"]["suspension"] == "suspended"


def test_a_status_both_given_and_asked_for_is_refused(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    given = credential(
        issuer,
        credentialStatus={
            "id": "https://x.example/status/1#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "5",
            "statusListCredential": "https://x.example/status/1",
        },
    )
    options = {"credentialStatus": {"type": "BitstringStatusListEntry"}}
    assert issue(client, issuer, {"credential": given, "options": options}).status_code == 400


def test_a_proof_chain_with_a_cosigner_verifies_when_the_issuer_signed_too(
    client: TestClient, issuer: dict[str, Any], ledger: Any
) -> None:
    notary = Ed25519KeyPair.from_seed(bytes(range(1, 33)))
    notary_vm = verification_method_id(did_key_from_public_key(notary.public_key))
    loader = document_loader("https://ledger.example.test")
    by_notary = add_proof(
        credential(issuer),
        notary,
        notary_vm,
        created="2026-01-01T00:00:00Z",
        loader=loader,
        proof_id="urn:uuid:1",
    )
    assert not ledger.verifier.verify(by_notary).verified  # nobody of the issuer signed
    signer = ledger.issuer(__import__("uuid").UUID(issuer["id"]))
    chained = add_proof(
        by_notary,
        ledger.signer.key_pair(signer.active_key_id),
        ledger.issuers.signing_method(signer),
        created="2026-01-01T00:00:01Z",
        loader=loader,
        previous_proof="urn:uuid:1",
    )
    assert ledger.verifier.verify(chained).verified


def test_eddsa_jcs_2022_is_an_option(client: TestClient, issuer: dict[str, Any]) -> None:
    r = issue(
        client,
        issuer,
        {"credential": credential(issuer), "options": {"cryptosuite": "eddsa-jcs-2022"}},
    )
    vc = r.json()["verifiableCredential"]
    assert vc["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert client.post("/v1/credentials/verify", json={"verifiableCredential": vc}).json()[
        "verified"
    ]
    bad = issue(
        client, issuer, {"credential": credential(issuer), "options": {"cryptosuite": "rsa-2048"}}
    )
    assert bad.status_code == 400


def test_foreign_vc_1_1_with_ed25519signature2020_is_checked(
    client: TestClient, test_data: Any
) -> None:
    """The W3C vector's signature verifies; its issuer (https://vc.example/...) does not
    control the did:key that signed, so the credential is still refused, for that
    reason alone; a changed claim breaks the signature itself."""
    import json

    signed = json.loads(
        (test_data / "vectors/di-eddsa/Ed25519Signature2020/signedEdSig.json").read_text()
    )
    errors = client.post("/v1/credentials/verify", json={"verifiableCredential": signed}).json()[
        "errors"
    ]
    assert [e["message"] for e in errors] == [
        f"no proof is made by a key of the issuer {signed['issuer']}"
    ]
    signed["credentialSubject"] = {**signed["credentialSubject"], "extra": "claim"}
    errors = client.post("/v1/credentials/verify", json={"verifiableCredential": signed}).json()[
        "errors"
    ]
    assert errors
    assert "no proof is made" not in errors[0]["message"]


def test_an_issue_reads_its_issuer_once_to_authenticate_and_sign(
    client: TestClient, issuer: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[object] = []
    real_get = Aggregates.get

    def counting_get(self: Aggregates, cls: type[Any], aggregate_id: Any) -> Any:
        found = real_get(self, cls, aggregate_id)
        if isinstance(found, Issuer):
            reads.append(aggregate_id)
        return found

    monkeypatch.setattr(Aggregates, "get", counting_get)
    r = issue(client, issuer, {"credential": credential(issuer)})
    assert r.status_code == 201, r.text
    assert len(reads) == 1
