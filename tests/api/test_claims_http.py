"""Claims over HTTP: offered by the issuer (alone, with an award, a batch or the VC API),
withdrawn; the claim URL for wallets (protocols, OpenID4VCI offer, VC-API exchange) and
for people (the page); the same 404/410 answers for everyone."""

from __future__ import annotations

import html as html_module
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition
from ..wallets import Wallet

JSON = {"Accept": "application/json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def school(client: TestClient, name: str = "Claim School") -> dict[str, Any]:
    issuer = client.post("/v1/issuers", json={"name": name}, headers=auth(ADMIN_TOKEN)).json()
    achievement = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(issuer["token"])
    ).json()
    return {**issuer, "achievement": achievement["id"]}


def awarded(client: TestClient, issuer: dict[str, Any], **extra: Any) -> Any:
    body = {
        "achievement_id": issuer["achievement"],
        "recipient": {"email": "learner@example.test"},
        **extra,
    }
    return client.post("/v1/credentials", json=body, headers=auth(issuer["token"]))


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def issuer(client: TestClient) -> dict[str, Any]:
    return school(client)


@pytest.fixture
def credential_id(client: TestClient, issuer: dict[str, Any]) -> str:
    return str(awarded(client, issuer).json()["id"])


def offer(client: TestClient, issuer: dict[str, Any], credential_id: str, **body: Any) -> Any:
    return client.post(
        f"/v1/credentials/{credential_id}/claims", json=body, headers=auth(issuer["token"])
    )


def test_the_issuer_offers_a_credential_and_is_told_the_claim_once(
    client: TestClient, issuer: dict[str, Any], credential_id: str
) -> None:
    r = offer(client, issuer, credential_id)
    assert r.status_code == 201, r.text
    claim = r.json()
    assert set(claim) == {"url", "offer", "expires_at"}
    assert claim["url"].startswith("https://ledger.example.test/claims/")
    offer_uri = parse_qs(claim["offer"].split("?", 1)[1])["credential_offer_uri"][0]
    assert claim["offer"].startswith("openid-credential-offer://?")
    assert offer_uri == claim["url"] + "/offer"
    guarded = offer(client, issuer, credential_id, tx_code=True, expires_in=3600).json()
    assert len(guarded["tx_code"]) == 8


def test_others_cannot_offer_it(
    client: TestClient, issuer: dict[str, Any], credential_id: str
) -> None:
    other = school(client, "Other School")
    assert offer(client, other, credential_id).status_code == 404
    r = client.post(f"/v1/credentials/{credential_id}/claims", json={})
    assert r.status_code == 401
    admin = client.post(
        f"/v1/credentials/{credential_id}/claims", json={}, headers=auth(ADMIN_TOKEN)
    )
    assert admin.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"expires_in": 10},
        {"expires_in": 10**9},
        {"expires_in": "3600"},
        {"tx_code": "yes"},
        {"tx_code": 1},
        {"colour": "blue"},
    ],
)
def test_an_offer_out_of_bounds_is_refused(
    client: TestClient, issuer: dict[str, Any], credential_id: str, body: dict[str, Any]
) -> None:
    r = offer(client, issuer, credential_id, **body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_an_award_carries_its_claim(client: TestClient, issuer: dict[str, Any]) -> None:
    r = awarded(client, issuer, claim=True)
    assert r.status_code == 201, r.text
    assert set(r.json()["claim"]) == {"url", "offer", "expires_at"}
    plain = awarded(client, issuer)
    assert "claim" not in plain.json()
    guarded = awarded(client, issuer, claim={"tx_code": True, "expires_in": 600}).json()
    assert guarded["claim"]["tx_code"].isdigit()


def test_a_retried_award_answers_the_same_claim(client: TestClient, issuer: dict[str, Any]) -> None:
    body = {
        "achievement_id": issuer["achievement"],
        "recipient": {"email": "retry@example.test"},
        "claim": {"tx_code": True},
    }
    headers = {**auth(issuer["token"]), "Idempotency-Key": "row-7"}
    first = client.post("/v1/credentials", json=body, headers=headers).json()
    again = client.post("/v1/credentials", json=body, headers=headers).json()
    assert again["claim"] == first["claim"]


def test_a_batch_carries_a_claim_per_item(client: TestClient, issuer: dict[str, Any]) -> None:
    items = [
        {"achievement_id": issuer["achievement"], "recipient": {"email": "a@example.test"}},
        {
            "achievement_id": issuer["achievement"],
            "recipient": {"email": "b@example.test"},
            "claim": True,
        },
        {
            "achievement_id": issuer["achievement"],
            "recipient": {"email": "c@example.test"},
            "claim": {"expires_in": 1},
        },
    ]
    r = client.post(
        "/v1/credentials/batch", json={"credentials": items}, headers=auth(issuer["token"])
    )
    results = r.json()["results"]
    assert results[0]["claim"] is None
    assert results[1]["claim"]["url"].startswith("https://ledger.example.test/claims/")
    assert results[2]["status"] == 422


def test_the_vc_api_issue_carries_its_claim(client: TestClient, issuer: dict[str, Any]) -> None:
    given = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer["did"],
        "credentialSubject": {"name": "A learner"},
    }
    r = client.post(
        f"/v1/issuers/{issuer['id']}/credentials/issue",
        json={"credential": given, "claim": True},
        headers=auth(issuer["token"]),
    )
    assert r.status_code == 201, r.text
    claim = r.json()["claim"]
    wallet = Wallet()
    exchange = path(claim["url"]) + "/exchange"
    request = client.post(exchange, json={}).json()["verifiablePresentationRequest"]
    answer = client.post(
        exchange,
        json={"verifiablePresentation": wallet.did_auth(request["challenge"], request["domain"])},
    )
    assert answer.status_code == 200, answer.text
    (vc,) = answer.json()["verifiablePresentation"]["verifiableCredential"]
    assert vc["credentialSubject"] == {"id": wallet.did, "name": "A learner"}
    plain = client.post(
        f"/v1/issuers/{issuer['id']}/credentials/issue",
        json={"credential": given},
        headers=auth(issuer["token"]),
    )
    assert set(plain.json()) == {"verifiableCredential"}


def test_a_wallet_reads_the_protocols_at_the_claim_url(
    client: TestClient, issuer: dict[str, Any], credential_id: str
) -> None:
    claim = offer(client, issuer, credential_id).json()
    for headers in (JSON, {}):
        r = client.get(path(claim["url"]), headers=headers)
        assert r.status_code == 200
        assert r.json() == {
            "protocols": {"vcapi": claim["url"] + "/exchange", "OID4VCI": claim["offer"]}
        }
    guarded = offer(client, issuer, credential_id, tx_code=True).json()
    assert client.get(path(guarded["url"]), headers=JSON).json() == {
        "protocols": {"OID4VCI": guarded["offer"]}
    }


def test_the_credential_offer_names_the_pre_authorized_code(
    client: TestClient, issuer: dict[str, Any], credential_id: str
) -> None:
    claim = offer(client, issuer, credential_id, tx_code=True).json()
    r = client.get(path(claim["url"]) + "/offer")
    assert r.status_code == 200
    body = r.json()
    assert body["credential_issuer"] == "https://ledger.example.test"
    assert body["credential_configuration_ids"] == ["openbadge_credential"]
    grant = body["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert grant["pre-authorized_code"] == claim["url"].rsplit("/", 1)[1]
    assert grant["tx_code"]["length"] == 8
    assert grant["tx_code"]["input_mode"] == "numeric"
    assert claim["tx_code"] not in r.text


def test_the_exchange_delivers_once(
    client: TestClient, issuer: dict[str, Any], credential_id: str
) -> None:
    claim = offer(client, issuer, credential_id).json()
    exchange = path(claim["url"]) + "/exchange"
    started = client.post(exchange, json={})
    assert started.status_code == 200
    request = started.json()["verifiablePresentationRequest"]
    assert request["domain"] == "ledger.example.test"
    wallet = Wallet()
    vp = wallet.did_auth(request["challenge"], request["domain"])
    delivered = client.post(exchange, json={"verifiablePresentation": vp})
    assert delivered.status_code == 200, delivered.text
    presentation = delivered.json()["verifiablePresentation"]
    assert presentation["verifiableCredential"][0]["credentialSubject"]["id"] == wallet.did
    again = client.post(exchange, json={"verifiablePresentation": vp})
    assert again.status_code == 410
    assert again.json()["type"].endswith("/claim-used")
    assert client.get(path(claim["url"]), headers=JSON).status_code == 410


def test_a_wrong_challenge_is_a_problem_and_records_nothing(
    client: TestClient, ledger: Any, issuer: dict[str, Any], credential_id: str
) -> None:
    claim = offer(client, issuer, credential_id).json()
    exchange = path(claim["url"]) + "/exchange"
    events = ledger.recorder.max_notification_id()
    vp = Wallet().did_auth("not-the-challenge", "ledger.example.test")
    r = client.post(exchange, json={"verifiablePresentation": vp})
    assert r.status_code == 403
    assert r.json()["type"].endswith("/holder-not-authenticated")
    assert ledger.recorder.max_notification_id() == events
    web = Wallet().did_auth("x", "ledger.example.test", holder="did:web:w.example.test")
    r = client.post(exchange, json={"verifiablePresentation": web})
    assert r.status_code == 422
    assert r.json()["type"].endswith("/unsupported-holder")


def test_the_credential_request_link_posts_a_bare_presentation(
    client: TestClient, ledger: Any, issuer: dict[str, Any], credential_id: str
) -> None:
    claim = offer(client, issuer, credential_id).json()
    page = client.get(path(claim["url"]), headers=BROWSER).text
    link = next(h for h in _hrefs(page) if h.startswith("dccrequest://request?"))
    params = {k: v[0] for k, v in parse_qs(link.split("?", 1)[1]).items()}
    assert params["auth_type"] == "bearer"
    assert params["vc_request_url"] == claim["url"] + "/exchange"
    wallet = Wallet()
    r = client.post(path(params["vc_request_url"]), json=wallet.did_auth(params["challenge"]))
    assert r.status_code == 200, r.text
    assert r.json()["type"] == ["VerifiablePresentation"]
    assert r.json()["verifiableCredential"][0]["credentialSubject"]["id"] == wallet.did


def _hrefs(html: str) -> list[str]:
    return [html_module.unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def test_a_browser_gets_the_claim_page(
    client: TestClient, issuer: dict[str, Any], credential_id: str
) -> None:
    claim = offer(client, issuer, credential_id).json()
    r = client.get(path(claim["url"]), headers=BROWSER)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    hrefs = _hrefs(r.text)
    assert claim["offer"] in hrefs
    assert any(h.startswith("https://lcw.app/mobile?request=") for h in hrefs)
    assert f"{path(claim['url'])}/credential" in hrefs
    assert '<svg role="img"' in r.text
    dutch = client.get(path(claim["url"]) + "?lang=nl", headers=BROWSER)
    assert "Je credential staat klaar" in dutch.text


def test_the_page_download_is_the_awarded_credential(
    client: TestClient, issuer: dict[str, Any], credential_id: str
) -> None:
    claim = offer(client, issuer, credential_id).json()
    r = client.get(path(claim["url"]) + "/credential")
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.json()["id"] == f"urn:uuid:{credential_id}"


def test_a_guarded_page_asks_for_the_code_first(
    client: TestClient, ledger: Any, issuer: dict[str, Any], credential_id: str
) -> None:
    claim = offer(client, issuer, credential_id, tx_code=True).json()
    events = ledger.recorder.max_notification_id()
    url = path(claim["url"])
    asked = client.get(url, headers=BROWSER)
    assert 'name="tx_code"' in asked.text
    assert not any(h.startswith("dccrequest:") for h in _hrefs(asked.text))
    assert client.get(url + "/credential").status_code == 403
    assert client.post(url + "/exchange", json={}).status_code == 403
    wrong = "00000000" if claim["tx_code"] != "00000000" else "11111111"
    refused = client.post(url, data={"tx_code": wrong}, headers=BROWSER)
    assert refused.status_code == 403
    assert 'aria-invalid="true"' in refused.text
    given = client.post(url, data={"tx_code": claim["tx_code"]}, headers=BROWSER)
    assert given.status_code == 200
    hrefs = _hrefs(given.text)
    download = next(h for h in hrefs if "/credential?p=" in h)
    assert client.get(download).status_code == 200
    universal = next(h for h in hrefs if h.startswith("https://lcw.app/mobile?request="))
    exchange = json.loads(parse_qs(universal.split("?", 1)[1])["request"][0])
    start = client.post(path(exchange["protocols"]["vcapi"]), json={})
    assert start.status_code == 200, start.text
    assert ledger.recorder.max_notification_id() == events, "asking and answering record nothing"


@pytest.mark.parametrize("secret", ["A" * 22, "nope", "A" * 64])
def test_unknown_claims_are_404_for_everyone(client: TestClient, secret: str) -> None:
    assert client.get(f"/claims/{secret}", headers=JSON).status_code == 404
    assert client.get(f"/claims/{secret}", headers=BROWSER).status_code == 404
    assert client.get(f"/claims/{secret}/offer").status_code == 404
    assert client.post(f"/claims/{secret}/exchange", json={}).status_code == 404
    assert client.get(f"/claims/{secret}/credential").status_code == 404


def test_withdrawn_claims_are_gone(
    client: TestClient, issuer: dict[str, Any], credential_id: str
) -> None:
    claim = offer(client, issuer, credential_id).json()
    other = school(client, "Other")
    r = client.delete(f"/v1/credentials/{credential_id}/claims", headers=auth(other["token"]))
    assert r.status_code == 404
    r = client.delete(f"/v1/credentials/{credential_id}/claims", headers=auth(issuer["token"]))
    assert r.json() == {"withdrawn": 1}
    gone = client.get(path(claim["url"]), headers=JSON)
    assert gone.status_code == 410
    assert gone.json()["type"].endswith("/claim-withdrawn")
    assert client.get(path(claim["url"]), headers=BROWSER).status_code == 410
    assert client.get(path(claim["url"]) + "/offer").status_code == 410


def test_revoking_the_award_revokes_the_delivered_copy(
    client: TestClient, issuer: dict[str, Any], credential_id: str
) -> None:
    claim = offer(client, issuer, credential_id).json()
    exchange = path(claim["url"]) + "/exchange"
    request = client.post(exchange, json={}).json()["verifiablePresentationRequest"]
    vp = Wallet().did_auth(request["challenge"], request["domain"])
    vc = client.post(exchange, json={"verifiablePresentation": vp}).json()
    vc = vc["verifiablePresentation"]["verifiableCredential"][0]
    proof = client.post("/v1/proofs", json={"credential": vc})
    assert proof.status_code == 200, proof.text
    assert proof.json()["credential"] == vc
    client.post(
        f"/v1/credentials/{credential_id}/revoke",
        json={"reason": "awarded in error"},
        headers=auth(issuer["token"]),
    )
    verified = client.post("/v1/credentials/verify", json={"verifiableCredential": vc}).json()
    assert verified["status"]["revocation"] == "revoked"
    assert verified["verified"] is False
