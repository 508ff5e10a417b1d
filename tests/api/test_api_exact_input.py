"""What a client sends is what is signed, or it is refused: no duplicate member names,
no number a double rounds, no control character in an identifier, no second credential
with an id the ledger already holds."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from credledger.api.app import create_app
from credledger.ledger.credentials.request_checks import check_result
from credledger.ledger.domain.errors import RequestInvalidError
from credledger.ledger.domain.recipients import parse_recipient
from credledger.ledger.services import given as given_service
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition

PROBLEM = "application/problem+json"
JSON = {"Content-Type": "application/json"}
VC2 = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture
def client(ledger: Any) -> Iterator[TestClient]:
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def school(client: TestClient) -> dict[str, Any]:
    r = client.post("/v1/issuers", json={"name": "School"}, headers=auth(ADMIN_TOKEN))
    assert r.status_code == 201, r.text
    body = dict(r.json())
    r = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(body["token"])
    )
    assert r.status_code == 201, r.text
    body["achievement_id"] = r.json()["id"]
    return body


def refused(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    return dict(r.json())


def send_raw(client: TestClient, ledger: Any, path: str, raw: bytes, token: str) -> Any:
    """POST ``raw`` as JSON; the ledger must record nothing unless it answers 2xx."""
    before = ledger.recorder.max_notification_id()
    r = client.post(path, content=raw, headers={**JSON, **auth(token)})
    if r.status_code >= 300:
        assert ledger.recorder.max_notification_id() == before
    return r


def award_raw(client: TestClient, ledger: Any, school: dict[str, Any], rest: str) -> Any:
    raw = f'{{"achievement_id": "{school["achievement_id"]}", {rest}}}'.encode()
    return send_raw(client, ledger, "/v1/credentials", raw, school["token"])


# -- duplicate member names --------------------------------------------------------------------


def test_a_body_with_two_recipient_keys_is_a_400(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    r = award_raw(
        client,
        ledger,
        school,
        '"recipient": {"email": "a@example.nl"}, "recipient": {"email": "b@example.nl"}',
    )
    body = refused(r, 400)
    assert body["type"].endswith("/invalid-json")
    assert "'recipient' appears twice" in body["detail"]


def test_a_duplicate_name_deep_inside_a_vc_api_credential_is_a_400(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    raw = (
        b'{"credential": {"@context": ["' + VC2.encode() + b'"], "type": ["VerifiableCredential"],'
        b' "credentialSubject": {"id": "did:example:1", "id": "did:example:2"}}}'
    )
    path = f"/v1/issuers/{school['id']}/credentials/issue"
    refused(send_raw(client, ledger, path, raw, school["token"]), 400)


def test_a_duplicate_name_in_an_unauthenticated_verify_body_is_a_400(client: TestClient) -> None:
    raw = b'{"verifiableCredential": {}, "verifiableCredential": {}}'
    refused(client.post("/v1/credentials/verify", content=raw, headers=JSON), 400)


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "literal", ["18446744073709551616", "9007199254740993", "-9007199254740992"]
)
def test_an_integer_result_beyond_2_53_is_a_422_naming_the_field(
    client: TestClient, ledger: Any, school: dict[str, Any], literal: str
) -> None:
    r = award_raw(
        client, ledger, school, f'"recipient": {{"eduid": "e1"}}, "result": {{"value": {literal}}}'
    )
    body = refused(r, 422)
    assert body["errors"][0]["loc"] == ["body", "result", "value"]
    assert literal in body["errors"][0]["msg"]


@pytest.mark.parametrize("literal", ["3.14159265358979323846", "1e400", "1e-400"])
def test_a_decimal_a_double_cannot_hold_is_a_422(
    client: TestClient, ledger: Any, school: dict[str, Any], literal: str
) -> None:
    r = award_raw(
        client, ledger, school, f'"recipient": {{"eduid": "e1"}}, "result": {{"value": {literal}}}'
    )
    assert refused(r, 422)["errors"][0]["loc"] == ["body", "result", "value"]


def signed_result(response: Any) -> Any:
    assert response.status_code == 201, response.text
    return response.json()["credential"]["credentialSubject"]["result"][0]["value"]


# The school's achievement declares a Dutch grade (issue 13: results follow the
# definition), so exactness is shown on grades; the ledger's own check keeps any exact
# number as its string (test_the_ledger_keeps_an_exact_result_as_its_string).
@pytest.mark.parametrize(
    ("literal", "signed"),
    [
        ("7.5", "7.5"),
        ("10", "10"),
        ("5.5", "5.5"),
        ('"6.5"', "6.5"),
    ],
)
def test_results_within_a_doubles_precision_or_as_strings_are_signed_exactly(
    client: TestClient, ledger: Any, school: dict[str, Any], literal: str, signed: str
) -> None:
    r = award_raw(
        client, ledger, school, f'"recipient": {{"eduid": "e1"}}, "result": {{"value": {literal}}}'
    )
    assert signed_result(r) == signed


def test_a_big_number_inside_a_vc_api_credential_is_a_422_naming_where(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    raw = json.dumps(
        {
            "credential": {
                "@context": [VC2, "https://www.w3.org/ns/credentials/examples/v2"],
                "type": ["VerifiableCredential"],
                "credentialSubject": {"id": "did:example:1", "score": 2**64},
            }
        }
    ).encode()
    path = f"/v1/issuers/{school['id']}/credentials/issue"
    body = refused(send_raw(client, ledger, path, raw, school["token"]), 422)
    assert body["errors"][0]["loc"] == ["body", "credential", "credentialSubject", "score"]


@pytest.mark.parametrize("value", [2**64, 2**53 + 1, -(2**53), float("inf"), True])
def test_the_ledger_refuses_results_it_cannot_sign_exactly_from_any_caller(value: Any) -> None:
    with pytest.raises(RequestInvalidError) as refusal:
        check_result({"value": value})
    assert refusal.value.errors[0].loc == ("result", "value")


def test_the_ledger_keeps_an_exact_result_as_its_string() -> None:
    assert check_result({"value": 2**53 - 1}) == "9007199254740991"
    assert check_result({"value": 7.5}) == "7.5"


# -- control characters in identifiers -----------------------------------------------------------


@pytest.mark.parametrize(
    "recipient",
    [
        {"email": "learner\u0000@example.nl"},
        {"email": "learner@example.nl\u0000"},
        {"eduid": "urn:eduid:12\u00003"},
        {"eduid": "urn:eduid:123\n"},
        {"did": "did:example:1\u0000"},
        {"eduid": "urn:eduid:\u0085123"},
    ],
    ids=["NUL in email", "trailing NUL", "NUL in eduID", "newline", "NUL in DID", "C1 NEL"],
)
def test_a_control_character_in_a_recipient_is_a_422(
    client: TestClient, ledger: Any, school: dict[str, Any], recipient: dict[str, str]
) -> None:
    raw = json.dumps({"achievement_id": school["achievement_id"], "recipient": recipient})
    r = send_raw(client, ledger, "/v1/credentials", raw.encode(), school["token"])
    body = refused(r, 422)
    assert body["errors"][0]["loc"][:2] == ["body", "recipient"]


def test_the_ledger_refuses_a_recipient_with_a_control_character_from_any_caller() -> None:
    with pytest.raises(RequestInvalidError) as refusal:
        parse_recipient({"email": "learner\u0000@example.nl"})
    assert refusal.value.errors[0].loc == ("recipient", "email")


@pytest.mark.parametrize("url", ["https://school.example/\u0000", "https://school.example/a\tb"])
def test_a_control_character_in_a_url_is_a_422_not_silently_rewritten(
    client: TestClient, ledger: Any, url: str
) -> None:
    raw = json.dumps({"name": "School", "url": url}).encode()
    body = refused(send_raw(client, ledger, "/v1/issuers", raw, ADMIN_TOKEN), 422)
    assert body["errors"][0]["loc"][:2] == ["body", "url"]


def test_a_control_character_in_an_issuer_email_is_a_422(client: TestClient, ledger: Any) -> None:
    raw = json.dumps({"name": "School", "email": "office\u0000@school.example"}).encode()
    refused(send_raw(client, ledger, "/v1/issuers", raw, ADMIN_TOKEN), 422)


# -- VC API credential ids -----------------------------------------------------------------------


def test_the_vc_api_refuses_the_id_of_a_credential_the_ledger_holds(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    awarded = client.post(
        "/v1/credentials",
        json={"achievement_id": school["achievement_id"], "recipient": {"eduid": "e1"}},
        headers=auth(school["token"]),
    )
    assert awarded.status_code == 201, awarded.text
    held = awarded.json()["credential"]["id"]
    given = {
        "@context": [VC2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential"],
        "id": held,
        "credentialSubject": {"id": "did:example:1"},
    }
    raw = json.dumps({"credential": given}).encode()
    path = f"/v1/issuers/{school['id']}/credentials/issue"
    body = refused(send_raw(client, ledger, path, raw, school["token"]), 409)
    assert held in body["detail"]


def test_the_vc_api_still_answers_a_retry_of_its_own_id_with_the_same_credential(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    given = {
        "@context": [VC2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential"],
        "id": "urn:uuid:1b4e28ba-2fa1-41d2-883f-0016d3cca427",
        "credentialSubject": {"id": "did:example:1"},
    }
    path = f"/v1/issuers/{school['id']}/credentials/issue"
    first = client.post(path, json={"credential": given}, headers=auth(school["token"]))
    again = client.post(path, json={"credential": given}, headers=auth(school["token"]))
    assert first.status_code == again.status_code == 201, again.text
    assert first.json() == again.json()


def test_the_vc_api_refuses_an_id_another_issuer_already_gave_a_credential(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    other = client.post("/v1/issuers", json={"name": "Other"}, headers=auth(ADMIN_TOKEN)).json()
    given = {
        "@context": [VC2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential"],
        "id": "https://credentials.example/1",
        "credentialSubject": {"id": "did:example:1"},
    }
    first = client.post(
        f"/v1/issuers/{school['id']}/credentials/issue",
        json={"credential": given},
        headers=auth(school["token"]),
    )
    assert first.status_code == 201, first.text
    before = ledger.recorder.max_notification_id()
    path = f"/v1/issuers/{other['id']}/credentials/issue"
    body = refused(
        send_raw(client, ledger, path, json.dumps({"credential": given}).encode(), other["token"]),
        409,
    )
    assert given["id"] in body["detail"]
    assert school["id"] not in body["detail"]
    assert ledger.recorder.max_notification_id() == before


def test_a_credential_given_when_ids_were_per_issuer_is_still_found_by_its_id(
    client: TestClient, ledger: Any, school: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    given = {
        "@context": [VC2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential"],
        "id": "https://credentials.example/7",
        "credentialSubject": {"id": "did:example:1"},
    }
    body = {
        "credential": given,
        "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}},
    }
    path = f"/v1/issuers/{school['id']}/credentials/issue"
    with monkeypatch.context() as before:  # credledger 0.1 keyed the id per issuer
        per_issuer = f"{school['id']}\n{given['id']}".encode()
        before.setattr(given_service, "given_id_key", lambda _: hashlib.sha256(per_issuer).digest())
        first = client.post(path, json=body, headers=auth(school["token"]))
    assert first.status_code == 201, first.text
    again = client.post(path, json=body, headers=auth(school["token"]))
    assert again.status_code == 201
    assert again.json() == first.json()
    revoked = client.post(
        f"/v1/issuers/{school['id']}/credentials/status",
        headers=auth(school["token"]),
        json={
            "credentialId": given["id"],
            "credentialStatus": {"type": "BitstringStatusListEntry", "status": "revoked"},
        },
    )
    assert revoked.status_code == 200, revoked.text
