"""Another issuer's status lists are read, checked and enforced, never taken for clear.

A foreign issuer (a did:key we hold) serves its status lists on 127.0.0.1, so the
ledger's private-address allowance is switched on for these tests only. Each case the
issue reproduced: an unread, foreign, stale, tampered or revoked status never reads
`verified: true`, and a recognition needs a valid AchievementCredential whose every
status entry was read and is clear.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from credledger.api.app import create_app
from credledger.crypto.data_integrity import add_proof
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.keys import Ed25519KeyPair
from credledger.ledger.application import CredentialLedger
from credledger.ledger.store.settings import Settings
from credledger.revocation.bitstring import Bitstring
from credledger.revocation.status_list import build_status_list_credential
from fastapi.testclient import TestClient

from ...foreign_issuer import CREATED, di_credential, did_key
from ...http_helpers import ADMIN_TOKEN, auth
from ...loopback import Listener, listening

FOREIGN = Ed25519KeyPair.from_seed(bytes(range(32)))
STRANGER = Ed25519KeyPair.from_seed(bytes(range(2, 34)))
INDEX = 4711
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as server:
        yield server


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path / "data",
        base_url="https://ledger.example.test",
        allow_private_fetch=True,  # the foreign issuer lives on 127.0.0.1, for this test only
    )
    ledger = CredentialLedger(settings)
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    ledger.close()


def status_list(
    url: str,
    *,
    signer: Ed25519KeyPair = FOREIGN,
    purpose: str = "revocation",
    set_bits: tuple[int, ...] = (),
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    did, vm = did_key(signer)
    unsigned = build_status_list_credential(
        list_url=url,
        issuer=did,
        purpose=purpose,
        bitstring=Bitstring.from_indices(131_072, set_bits),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        valid_until=valid_until,
    )
    return add_proof(unsigned, signer, vm, created=CREATED, loader=DocumentLoader())


def entry(url: str, purpose: str = "revocation") -> dict[str, Any]:
    return {
        "id": f"{url}#{INDEX}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(INDEX),
        "statusListCredential": url,
    }


def credential(*entries: dict[str, Any], types: tuple[str, ...] = ()) -> dict[str, Any]:
    did, vm = did_key(FOREIGN)
    return di_credential(FOREIGN, vm, did, types=types, credentialStatus=list(entries))


def verify(client: TestClient, vc: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/v1/credentials/verify", json={"verifiableCredential": vc})
    body: dict[str, Any] = answer.json()
    assert answer.status_code == (200 if body["verified"] else 400)
    return body


def test_a_clear_foreign_list_is_read_and_the_credential_is_valid(
    client: TestClient, listener: Listener
) -> None:
    url = listener.serve_json("/lists/1", status_list(f"{listener.origin}/lists/1"))
    body = verify(client, credential(entry(url)))
    assert body["verified"] is True
    assert body["outcome"] == "valid"
    assert body["status"] == {"revocation": "clear"}


def test_a_revoked_foreign_credential_is_invalid(client: TestClient, listener: Listener) -> None:
    url = f"{listener.origin}/lists/1"
    listener.serve_json("/lists/1", status_list(url, set_bits=(INDEX,)))
    body = verify(client, credential(entry(url)))
    assert body["outcome"] == "invalid"
    assert body["status"] == {"revocation": "revoked"}


def test_a_suspended_foreign_credential_is_invalid(client: TestClient, listener: Listener) -> None:
    url = f"{listener.origin}/lists/s"
    listener.serve_json("/lists/s", status_list(url, purpose="suspension", set_bits=(INDEX,)))
    body = verify(client, credential(entry(url, "suspension")))
    assert body["outcome"] == "invalid"
    assert body["status"] == {"suspension": "suspended"}


def test_an_unreachable_foreign_list_is_undecided_not_verified(
    client: TestClient, listener: Listener
) -> None:
    """As reproduced: `verified: true` with `status.revocation: "unknown"` before."""
    body = verify(client, credential(entry(f"{listener.origin}/lists/missing")))
    assert body["verified"] is False
    assert body["outcome"] == "undecided"
    assert body["status"] == {"revocation": "unknown"}


def test_a_tampered_foreign_list_is_undecided(client: TestClient, listener: Listener) -> None:
    url = f"{listener.origin}/lists/1"
    document = status_list(url, set_bits=(INDEX,))
    document["credentialSubject"]["encodedList"] = status_list(url)["credentialSubject"][
        "encodedList"
    ]  # the revocation bit cleared after signing
    listener.serve_json("/lists/1", document)
    body = verify(client, credential(entry(url)))
    assert body["verified"] is False
    assert body["outcome"] == "undecided"


def test_a_list_signed_by_another_issuer_is_not_read(
    client: TestClient, listener: Listener
) -> None:
    url = f"{listener.origin}/lists/1"
    listener.serve_json("/lists/1", status_list(url, signer=STRANGER))
    body = verify(client, credential(entry(url)))
    assert body["verified"] is False
    assert body["outcome"] == "undecided"


def test_a_list_past_its_validity_window_is_stale(client: TestClient, listener: Listener) -> None:
    """A replayed old list that has expired is not read: undecided."""
    url = f"{listener.origin}/lists/1"
    expired = datetime.now(UTC) - timedelta(minutes=1)
    listener.serve_json("/lists/1", status_list(url, valid_until=expired))
    body = verify(client, credential(entry(url)))
    assert body["verified"] is False
    assert body["outcome"] == "undecided"


def test_a_status_entry_of_a_type_not_read_here_is_undecided(client: TestClient) -> None:
    other = {
        "id": "https://lists.example/1edtech/5",
        "type": "https://purl.imsglobal.org/spec/vcrl/v1p0/1EdTechRevocationList",
    }
    body = verify(client, credential(other))
    assert body["verified"] is False
    assert body["outcome"] == "undecided"


def test_a_list_is_fetched_again_only_with_its_etag(client: TestClient, listener: Listener) -> None:
    url = f"{listener.origin}/lists/1"
    listener.serve_json("/lists/1", status_list(url), ETag='"v1"', **{"Cache-Control": "no-cache"})
    vc = credential(entry(url))
    assert verify(client, vc)["verified"]
    assert verify(client, vc)["verified"]
    assert [r[1].get("if-none-match") for r in listener.requests] == [None, '"v1"']


def test_an_entry_pointing_at_another_issuers_list_through_the_vc_api_is_undecided(
    client: TestClient,
) -> None:
    first = client.post("/v1/issuers", json={"name": "A"}, headers=auth(ADMIN_TOKEN)).json()
    second = client.post("/v1/issuers", json={"name": "B"}, headers=auth(ADMIN_TOKEN)).json()
    theirs = client.post(
        f"/v1/issuers/{second['id']}/credentials/issue",
        json={
            "credential": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "issuer": second["did"],
                "credentialSubject": {"id": "did:example:b"},
            },
            "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}},
        },
        headers=auth(second["token"]),
    ).json()["verifiableCredential"]
    mine = client.post(
        f"/v1/issuers/{first['id']}/credentials/issue",
        json={
            "credential": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "issuer": first["did"],
                "credentialSubject": {"id": "did:example:a"},
                "credentialStatus": theirs["credentialStatus"],
            }
        },
        headers=auth(first["token"]),
    ).json()["verifiableCredential"]
    body = verify(client, mine)
    assert body["verified"] is False
    assert body["outcome"] == "undecided"


# -- recognition -----------------------------------------------------------------------------


@pytest.fixture
def school(client: TestClient) -> dict[str, Any]:
    return dict(client.post("/v1/issuers", json={"name": "S"}, headers=auth(ADMIN_TOKEN)).json())


def recognise(client: TestClient, school: dict[str, Any], vc: dict[str, Any]) -> Any:
    return client.post(
        "/v1/recognitions",
        json={"credential": vc, "decision": "recognised", "ects": 5},
        headers=auth(school["token"]),
    )


def achievement(*entries: dict[str, Any]) -> dict[str, Any]:
    did, vm = did_key(FOREIGN)
    vc = {
        "@context": ["https://www.w3.org/ns/credentials/v2", OB3],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Foreign University"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Data literacy",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": {
                "id": "https://foreign.example/achievements/1",
                "type": ["Achievement"],
                "name": "Data literacy",
                "description": "Reads data.",
                "criteria": {"narrative": "Pass the exam."},
            },
        },
        "credentialStatus": list(entries),
    }
    return add_proof(vc, FOREIGN, vm, created=CREATED, loader=DocumentLoader())


def test_a_clear_achievement_is_recognised(
    client: TestClient, listener: Listener, school: dict[str, Any]
) -> None:
    url = listener.serve_json("/lists/1", status_list(f"{listener.origin}/lists/1"))
    answer = recognise(client, school, achievement(entry(url)))
    assert answer.status_code == 201, answer.json()


def test_a_revoked_achievement_is_not_recognised(
    client: TestClient, listener: Listener, school: dict[str, Any]
) -> None:
    url = f"{listener.origin}/lists/1"
    listener.serve_json("/lists/1", status_list(url, set_bits=(INDEX,)))
    answer = recognise(client, school, achievement(entry(url)))
    assert answer.status_code == 422
    assert answer.json()["type"].endswith("credential-invalid")


def test_an_achievement_whose_status_was_not_read_is_not_recognised(
    client: TestClient, listener: Listener, school: dict[str, Any]
) -> None:
    """As reproduced: 201 for a credential its issuer had revoked, its list unread."""
    answer = recognise(client, school, achievement(entry(f"{listener.origin}/lists/gone")))
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"].endswith("credential-undecided")
    assert "revocation" in problem["detail"]


def test_an_endorsement_is_not_recognised_as_an_achievement(
    client: TestClient, school: dict[str, Any]
) -> None:
    did, vm = did_key(FOREIGN)
    endorsement = di_credential(FOREIGN, vm, did, types=("EndorsementCredential",), contexts=(OB3,))
    answer = recognise(client, school, endorsement)
    assert answer.status_code == 422
    assert answer.json()["type"].endswith("not-an-achievement-credential")
