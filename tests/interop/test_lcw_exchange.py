"""A wallet written by others claims a credential: a Node client following the Learner
Credential Wallet's exchange loop with Digital Bazaar's libraries (Ed25519Signature2020
DID-Auth by a did:key holder) against a ledger served on 127.0.0.1; then Digital
Bazaar's verifier checks the delivered credential and its status, before and after the
award is revoked."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from credledger.ledger.credentials.rendering import extension_context_url
from credledger.ledger.credentials.signing import extension_context

from ..ledger_server import Live, add_school, live_ledger

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = REPO / "bench" / "node"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None or not (NODE_DIR / "node_modules" / "@digitalbazaar" / "did-method-key").is_dir(),
    reason="Digital Bazaar's stack is not installed (npm ci --prefix bench/node)",
)


def wallet(*args: str | Path) -> dict[str, Any]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(NODE_DIR / "lcw_exchange.mjs"), *map(str, args)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Live, dict[str, str]]]:
    with live_ledger(tmp_path / "ledger") as served:
        school = add_school(served.ledger)
        yield (
            served,
            {
                "issuer": str(school.issuer),
                "achievement": str(school.achievement),
                "token": school.token,
            },
        )


def award_with_claim(live: Live, school: dict[str, str], **claim: Any) -> dict[str, Any]:
    r = httpx.post(
        f"{live.url}/v1/credentials",
        json={
            "achievement_id": school["achievement"],
            "recipient": {"email": "learner@example.nl"},
            "claim": claim or True,
        },
        headers={"Authorization": f"Bearer {school['token']}"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def events(live: Live) -> int:
    return int(live.ledger.recorder.max_notification_id() or 0)


def digital_bazaar_verdict(
    live: Live, school: dict[str, str], vc: dict[str, Any], tmp: Path
) -> dict[str, Any]:
    """Digital Bazaar's verdict on ``vc``, given the issuer's DID document, the ledger's
    extension context and the status list credentials as the server serves them now."""
    files = {"vc.json": vc}
    args: list[str | Path] = ["verify", tmp / "vc.json"]
    did_document = httpx.get(f"{live.url}/v1/issuers/{school['issuer']}/did.json").json()
    documents = {did_document["id"]: did_document, extension_context_url(live.url): None}
    entries = vc["credentialStatus"]
    for entry in entries if isinstance(entries, list) else [entries]:
        url = entry["statusListCredential"]
        documents[url] = httpx.get(url, timeout=30).json()
    for i, (url, document) in enumerate(documents.items()):
        name = f"document{i}.json"
        files[name] = document if document is not None else extension_context()
        args += ["--document", f"{url}={tmp / name}"]
    for name, content in files.items():
        (tmp / name).write_text(json.dumps(content))
    return wallet(*args)


def assert_verified_until_revoked(
    live: Live, school: dict[str, str], award_id: str, vc: dict[str, Any], tmp: Path
) -> None:
    """Digital Bazaar verifies ``vc`` with its status; the award is revoked; then it
    fails on the revocation bit."""
    verdict = digital_bazaar_verdict(live, school, vc, tmp)
    assert verdict["verified"] is True, verdict
    assert [(s["purpose"], s["status"]) for s in verdict["status"]] == [("revocation", False)]
    r = httpx.post(
        f"{live.url}/v1/credentials/{award_id}/revoke",
        json={"reason": "awarded in error"},
        headers={"Authorization": f"Bearer {school['token']}"},
    )
    assert r.status_code == 200, r.text
    revoked = digital_bazaar_verdict(live, school, vc, tmp)
    assert revoked["verified"] is False
    assert [(s["purpose"], s["status"]) for s in revoked["status"]] == [("revocation", True)]


@pytest.mark.parametrize("vc_version", ["2", "1"])
def test_the_lcw_exchange_loop_claims_the_credential_once(
    live: tuple[Live, dict[str, str]], tmp_path: Path, vc_version: str
) -> None:
    served, school = live
    awarded = award_with_claim(served, school)
    url = awarded["claim"]["url"]
    protocols = httpx.get(url, headers={"Accept": "application/json"}).json()["protocols"]
    claimed = wallet("exchange", protocols["vcapi"], "--vc-version", vc_version)
    started, delivered = claimed["steps"]
    request = started["body"]["verifiablePresentationRequest"]
    assert request["query"][0]["type"] == "DIDAuthentication"
    assert request["domain"] == served.url.removeprefix("http://")
    assert delivered["status"] == 200, delivered
    (vc,) = delivered["body"]["verifiablePresentation"]["verifiableCredential"]
    assert vc["credentialSubject"]["id"] == claimed["holder"]
    assert vc["id"] == awarded["credential"]["id"]
    assert vc["credentialStatus"] == awarded["credential"]["credentialStatus"]
    again = wallet("exchange", protocols["vcapi"])
    assert again["steps"][0]["status"] == 410
    assert again["steps"][0]["body"]["type"].endswith("/claim-used")


def test_a_presentation_over_another_challenge_is_refused_and_records_nothing(
    live: tuple[Live, dict[str, str]],
) -> None:
    served, school = live
    url = award_with_claim(served, school)["claim"]["url"]
    before = events(served)
    refused = wallet("exchange", f"{url}/exchange", "--challenge", "a-challenge-of-my-own")
    assert [step["status"] for step in refused["steps"]] == [200, 403]
    problem = refused["steps"][1]["body"]
    assert problem["type"].endswith("/holder-not-authenticated")
    assert "challenge" in problem["detail"]
    assert events(served) == before
    claimed = wallet("exchange", f"{url}/exchange")
    assert claimed["steps"][-1]["status"] == 200, "the claim is still open"


def test_the_credential_request_deep_link_delivers_to_the_holder(
    live: tuple[Live, dict[str, str]],
) -> None:
    served, school = live
    url = award_with_claim(served, school)["claim"]["url"]
    page = httpx.get(url, headers={"Accept": "text/html"}).text
    link = next(
        html.unescape(h)
        for h in re.findall(r'href="([^"]+)"', page)
        if h.startswith("dccrequest://request?")
    )
    params = {k: v[0] for k, v in parse_qs(link.split("?", 1)[1]).items()}
    claimed = wallet("request", params["vc_request_url"], params["challenge"])
    (answer,) = claimed["steps"]
    assert answer["status"] == 200, answer
    assert answer["body"]["type"] == ["VerifiablePresentation"]
    assert (
        answer["body"]["verifiableCredential"][0]["credentialSubject"]["id"] == (claimed["holder"])
    )


def test_digital_bazaar_verifies_the_delivered_credential_and_sees_its_revocation(
    live: tuple[Live, dict[str, str]], tmp_path: Path
) -> None:
    served, school = live
    awarded = award_with_claim(served, school)
    claimed = wallet("exchange", awarded["claim"]["url"] + "/exchange")
    (vc,) = claimed["steps"][-1]["body"]["verifiablePresentation"]["verifiableCredential"]
    assert_verified_until_revoked(served, school, awarded["id"], vc, tmp_path)
