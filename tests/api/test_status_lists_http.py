"""Revocation and suspension flip bits in signed, log-anchored Bitstring Status Lists."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from credledger.crypto import cbor
from credledger.revocation.bitstring import Bitstring
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition


def issue(
    client: TestClient, n: int = 1, *, suspendable: bool = True
) -> tuple[str, list[dict[str, Any]]]:
    token = client.post("/v1/issuers", json={"name": "School"}, headers=auth(ADMIN_TOKEN)).json()[
        "token"
    ]
    definition = microcredential_definition(suspendable=suspendable)
    achievement = client.post("/v1/achievements", json=definition, headers=auth(token)).json()["id"]
    issued = []
    for i in range(n):
        r = client.post(
            "/v1/credentials",
            headers=auth(token),
            json={"achievement_id": achievement, "recipient": {"email": f"l{i}@x.nl"}},
        )
        assert r.status_code == 201, r.text
        issued.append(r.json())
    return token, issued


def entries(vc: dict[str, Any]) -> list[dict[str, Any]]:
    status = vc["credentialStatus"]
    return status if isinstance(status, list) else [status]


def entry(vc: dict[str, Any], purpose: str) -> dict[str, Any]:
    return next(e for e in entries(vc) if e["statusPurpose"] == purpose)


def bit(client: TestClient, status_entry: dict[str, Any]) -> bool:
    path = status_entry["statusListCredential"].split("ledger.example.test", 1)[1]
    r = client.get(path)
    assert r.status_code == 200, r.text
    encoded = r.json()["credentialSubject"]["encodedList"]
    return Bitstring.decode(encoded).get(int(status_entry["statusListIndex"]))


def test_a_credential_carries_one_revocation_entry_by_default(client: TestClient) -> None:
    _, issued = issue(client, 3, suspendable=False)
    for item in issued:
        status = item["credential"]["credentialStatus"]
        assert status["type"] == "BitstringStatusListEntry"
        assert status["statusPurpose"] == "revocation"
    indices = [int(entry(i["credential"], "revocation")["statusListIndex"]) for i in issued]
    assert len(set(indices)) == 3


def test_a_suspendable_credential_carries_revocation_and_suspension_entries(
    client: TestClient,
) -> None:
    _, issued = issue(client, 3)
    for item in issued:
        purposes = [e["statusPurpose"] for e in entries(item["credential"])]
        assert purposes == ["revocation", "suspension"]
        assert {e["type"] for e in entries(item["credential"])} == {"BitstringStatusListEntry"}
    indices = [int(entry(i["credential"], "revocation")["statusListIndex"]) for i in issued]
    assert len(set(indices)) == 3


def test_suspending_a_credential_without_a_suspension_entry_is_a_409_saying_why(
    client: TestClient,
) -> None:
    token, (item,) = issue(client, suspendable=False)
    r = client.post(
        f"/v1/credentials/{item['id']}/suspend", json={"reason": "inquiry"}, headers=auth(token)
    )
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("not-suspendable")
    assert "no suspension status entry" in r.json()["detail"]
    history = client.get(f"/v1/credentials/{item['id']}/status-history", headers=auth(token))
    assert [h["status"] for h in history.json()["history"]] == ["active"]


def test_revoking_sets_the_revocation_bit_and_suspension_toggles(client: TestClient) -> None:
    token, (item,) = issue(client)
    vc = item["credential"]
    assert not bit(client, entry(vc, "revocation"))
    base = f"/v1/credentials/{item['id']}"
    client.post(f"{base}/suspend", json={"reason": "exam fraud inquiry"}, headers=auth(token))
    assert bit(client, entry(vc, "suspension"))
    client.post(f"{base}/reinstate", json={"reason": "cleared"}, headers=auth(token))
    assert not bit(client, entry(vc, "suspension"))
    client.post(f"{base}/revoke", json={"reason": "fraud"}, headers=auth(token))
    assert bit(client, entry(vc, "revocation"))


def test_an_unchanged_list_is_served_from_cache_with_a_304(client: TestClient) -> None:
    _, (item,) = issue(client)
    path = entry(item["credential"], "revocation")["statusListCredential"].split(
        "ledger.example.test", 1
    )[1]
    first = client.get(path)
    assert first.headers["cache-control"].startswith("public")
    again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert client.get(path).json() == first.json()


def test_each_published_list_version_is_anchored_in_the_log(client: TestClient) -> None:
    token, (item,) = issue(client)
    status = entry(item["credential"], "revocation")
    path = status["statusListCredential"].split("ledger.example.test", 1)[1]
    client.get(path)
    client.post(f"/v1/credentials/{item['id']}/revoke", json={"reason": "x"}, headers=auth(token))
    served = client.get(path).json()
    size = int(client.post("/v1/log/checkpoint", headers=auth(ADMIN_TOKEN)).text.split("\n")[1])
    leaves = client.get("/v1/log/leaves", params={"start": 0, "end": size - 1}).json()["leaves"]
    published = [cbor.decode(base64.b64decode(leaf["data"])) for leaf in leaves]
    published = [p for p in published if p["event"] == "StatusListPublished"]
    mine = [p for p in published if p["list"] == status["statusListCredential"]]
    assert [p["list_version"] for p in mine] == [1, 2]
    canonical = json.dumps(served, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert mine[-1]["digest"] == hashlib.sha256(canonical.encode()).digest()


def test_unknown_lists_are_404(client: TestClient) -> None:
    r = client.get("/v1/status/6c0f7a4e-5a7e-4e08-9a39-8e3f9e0f0000")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_the_status_history_answers_after_a_sequence(client: TestClient) -> None:
    token, (item,) = issue(client)
    base = f"/v1/credentials/{item['id']}"
    for action in ("suspend", "reinstate", "suspend", "revoke"):
        assert (
            client.post(
                f"{base}/{action}", json={"reason": action}, headers=auth(token)
            ).status_code
            == 200
        )
    history = client.get(f"{base}/status-history", headers=auth(token)).json()["history"]
    assert [h["status"] for h in history] == [
        "active",
        "suspended",
        "active",
        "suspended",
        "revoked",
    ]
    assert [h["reason"] for h in history][1:] == ["suspend", "reinstate", "suspend", "revoke"]


def test_the_status_at_a_past_time_is_answered_from_the_events(
    client: TestClient, ledger: Any
) -> None:
    import datetime as dt

    token, (item,) = issue(client)
    base = f"/v1/credentials/{item['id']}"
    moments = []
    for action in ("suspend", "reinstate", "revoke"):
        moments.append(ledger.clock())
        client.post(f"{base}/{action}", json={"reason": action}, headers=auth(token))
    history_url = f"{base}/status-history"
    answers = [
        client.get(history_url, params={"at": m.isoformat()}, headers=auth(token)).json()[
            "status_at"
        ]
        for m in [*moments, ledger.clock() + dt.timedelta(seconds=1)]
    ]
    assert answers == ["active", "suspended", "active", "revoked"]


def test_anonymous_reads_and_publish_requests_record_nothing_new(
    client: TestClient, ledger: Any
) -> None:
    token, (item,) = issue(client)
    client.post(f"/v1/credentials/{item['id']}/revoke", json={"reason": "x"}, headers=auth(token))
    path = entry(item["credential"], "revocation")["statusListCredential"].split(
        "ledger.example.test", 1
    )[1]
    before = ledger.recorder.max_notification_id()
    for _ in range(20):
        assert client.get(path).status_code == 200
        assert client.post(f"{path}/publish").status_code == 204
    assert client.get(f"/v1/credentials/{item['id']}/proof").status_code == 401  # issue 11.3
    assert ledger.recorder.max_notification_id() == before
    unknown = client.post("/v1/status/6c0f7a4e-5a7e-4e08-9a39-8e3f9e0f0000/publish")
    assert unknown.status_code == 404
    assert client.post("/v1/status/not-a-uuid/publish").status_code == 422
    assert ledger.recorder.max_notification_id() == before
