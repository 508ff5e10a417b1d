"""The claim page (``/claims/<id>`` in a browser): what a learner sees, in English and
Dutch; same-site resources only, no script; the wallet links are its only way out."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient

from ...http_helpers import ADMIN_TOKEN, auth, microcredential_definition
from ...wallets import Wallet

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
WALLET_SCHEMES = ("openid-credential-offer://", "dccrequest://request?", "https://lcw.app/mobile?")
ATTRIBUTE_URL = re.compile(r'(?:href|src|action)="([^"]*)"')


@pytest.fixture
def claim(client: TestClient) -> dict[str, Any]:
    school = client.post(
        "/v1/issuers", json={"name": "Hogeschool Leeuwarden"}, headers=auth(ADMIN_TOKEN)
    ).json()
    achievement = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(school["token"])
    ).json()
    awarded = client.post(
        "/v1/credentials",
        json={
            "achievement_id": achievement["id"],
            "recipient": {"email": "learner@example.nl"},
            "claim": True,
        },
        headers=auth(school["token"]),
    ).json()
    return {"path": awarded["claim"]["url"].removeprefix("https://ledger.example.test"),
            **awarded["claim"], "name": awarded["credential"]["name"]}  # fmt: skip


def urls(page: str) -> list[str]:
    return [html.unescape(u) for u in ATTRIBUTE_URL.findall(page)]


def test_the_page_names_the_award_its_issuer_and_its_last_day(
    client: TestClient, claim: dict[str, Any]
) -> None:
    page = client.get(claim["path"], headers=BROWSER)
    assert page.status_code == 200
    assert html.escape(claim["name"], quote=False) in page.text
    assert "Hogeschool Leeuwarden" in page.text
    assert claim["expires_at"][:10] in page.text
    assert page.headers["vary"].lower().count("accept-language") == 1
    assert "accept," in page.headers["vary"].lower()


def test_the_page_in_dutch(client: TestClient, claim: dict[str, Any]) -> None:
    page = client.get(claim["path"], headers={**BROWSER, "Accept-Language": "nl-NL,nl;q=0.9"})
    assert page.headers["content-language"] == "nl"
    assert "Je credential staat klaar voor je wallet" in page.text
    assert "Openen in je wallet" in page.text


def test_only_the_wallet_links_leave_the_site(client: TestClient, claim: dict[str, Any]) -> None:
    page = client.get(claim["path"], headers=BROWSER)
    offsite = [u for u in urls(page.text) if not u.startswith(("/", "#", "?"))]
    assert sorted(u.split("?")[0] for u in offsite) == sorted(
        ["openid-credential-offer://", "dccrequest://request", "https://lcw.app/mobile"]
    )
    assert all(u.startswith(WALLET_SCHEMES) for u in offsite)
    assert "<script" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_the_universal_link_asks_the_wallet_for_the_vc_api_exchange(
    client: TestClient, claim: dict[str, Any]
) -> None:
    page = client.get(claim["path"], headers=BROWSER)
    universal = next(u for u in urls(page.text) if u.startswith("https://lcw.app/mobile?"))
    request = json.loads(parse_qs(universal.split("?", 1)[1])["request"][0])
    assert request == {
        "credentialRequestOrigin": "https://ledger.example.test",
        "protocols": {"vcapi": claim["url"] + "/exchange"},
    }


def test_the_qr_code_carries_the_interaction_url(client: TestClient, claim: dict[str, Any]) -> None:
    page = client.get(claim["path"], headers=BROWSER).text
    assert re.search(r'<svg role="img"[^>]*>\s*<title>', page)
    assert f"<code>{claim['url']}?iuv=1</code>" in page


def test_each_visit_carries_its_own_challenge_and_records_nothing(
    client: TestClient, ledger: Any, claim: dict[str, Any]
) -> None:
    events = ledger.recorder.max_notification_id()
    challenges = set()
    for _ in range(2):
        page = client.get(claim["path"], headers=BROWSER).text
        link = next(u for u in urls(page) if u.startswith("dccrequest://"))
        challenges.add(parse_qs(link.split("?", 1)[1])["challenge"][0])
    assert len(challenges) == 2
    assert ledger.recorder.max_notification_id() == events


def test_a_closed_claims_page_says_why_without_saying_more(
    client: TestClient, claim: dict[str, Any]
) -> None:
    unknown = client.get("/claims/" + "B" * 22, headers=BROWSER)
    assert unknown.status_code == 404
    assert "no offer at this address" in unknown.text
    exchange = claim["path"] + "/exchange"
    asked = client.post(exchange, json={}).json()["verifiablePresentationRequest"]
    vp = Wallet().did_auth(asked["challenge"], asked["domain"])
    assert client.post(exchange, json={"verifiablePresentation": vp}).status_code == 200
    used = client.get(claim["path"], headers=BROWSER)
    assert used.status_code == 410
    assert "was used already" in used.text
    assert "Hogeschool Leeuwarden" not in used.text
