"""Failed-authentication throttling: slows guessers, never refuses a valid token, and
believes forwarded headers only from configured proxies."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from credledger.api.app import create_app
from credledger.api.auth import FailureLimiter
from credledger.api.client_address import forwarded_client, throttle_key
from credledger.ledger.store.settings import parse_networks
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth
from ..server_process import ServerProcess

LIMIT = 30
PROTECTED = "/v1/credentials/5f0c3a52-8d0b-4c47-9a53-2f6f8f0b1d11"
"""An issuer-only read: a valid issuer token gets 404 (no such credential), others 401/429."""
LOOPBACK_PROXY = parse_networks("127.0.0.1/32")


def app_client(ledger: Any, proxies: str = "") -> TestClient:
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest(), parse_networks(proxies))
    return TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 40000))


@pytest.fixture
def client(ledger: Any) -> Iterator[TestClient]:
    with app_client(ledger) as c:
        yield c


def guess(client: TestClient, n: int, headers: dict[str, str] | None = None) -> int:
    r = client.get(PROTECTED, headers={**auth(f"guess-{n}"), **(headers or {})})
    return r.status_code


def test_the_admin_token_is_accepted_while_its_address_is_throttled(client: TestClient) -> None:
    assert [guess(client, i) for i in range(LIMIT + 5)][LIMIT:] == [429] * 5
    r = client.post("/v1/issuers", json={"name": "School"}, headers=auth(ADMIN_TOKEN))
    assert r.status_code == 201, r.text


def test_an_issuer_token_is_accepted_while_its_address_is_throttled(client: TestClient) -> None:
    token = client.post("/v1/issuers", json={"name": "S"}, headers=auth(ADMIN_TOKEN)).json()
    for i in range(LIMIT + 5):
        guess(client, i)
    assert client.get(PROTECTED, headers=auth(token["token"])).status_code == 404
    assert guess(client, 99) == 429


def test_guesses_at_an_institutions_token_prefix_do_not_lock_it_out(client: TestClient) -> None:
    school = client.post("/v1/issuers", json={"name": "S"}, headers=auth(ADMIN_TOKEN)).json()
    statuses = [
        client.get(PROTECTED, headers=auth(f"{school['id']}.wrong-{i}")).status_code
        for i in range(LIMIT + 5)
    ]
    assert statuses[LIMIT:] == [429] * 5
    assert client.get(PROTECTED, headers=auth(school["token"])).status_code == 404


def test_forwarded_for_from_an_unconfigured_peer_is_ignored(client: TestClient) -> None:
    statuses = [guess(client, i, {"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(LIMIT + 10)]
    assert statuses[LIMIT:] == [429] * 10


def test_a_configured_proxy_counts_each_forwarded_client_apart(ledger: Any) -> None:
    with app_client(ledger, proxies="127.0.0.0/8") as client:
        for i in range(LIMIT):
            assert guess(client, i, {"X-Forwarded-For": "198.51.100.7"}) == 401
        assert guess(client, 0, {"X-Forwarded-For": "198.51.100.7"}) == 429
        assert guess(client, 0, {"X-Forwarded-For": "198.51.100.8"}) == 401


def test_a_client_cannot_escape_by_prepending_to_the_proxys_chain(ledger: Any) -> None:
    with app_client(ledger, proxies="127.0.0.1/32") as client:
        statuses = [
            guess(client, i, {"X-Forwarded-For": f"192.0.2.{i}, 198.51.100.7"})
            for i in range(LIMIT + 5)
        ]
    assert statuses[LIMIT:] == [429] * 5


def test_the_client_is_the_first_untrusted_address_from_the_right() -> None:
    proxies = parse_networks("10.0.0.0/8, 127.0.0.1")
    chain = ["192.0.2.1, 198.51.100.7", "10.1.1.1"]
    assert forwarded_client("127.0.0.1", chain, proxies) == "198.51.100.7"
    assert forwarded_client("192.0.2.50", chain, proxies) == "192.0.2.50"
    assert forwarded_client("127.0.0.1", [], proxies) == "127.0.0.1"
    assert forwarded_client("127.0.0.1", ["not-an-address, 10.1.1.1"], proxies) == "10.1.1.1"
    assert forwarded_client("127.0.0.1", ["[2001:db8::1]:443"], proxies) == "2001:db8::1"


def test_ipv6_clients_are_counted_per_64() -> None:
    assert throttle_key("2001:db8:1:2:aaaa::1") == throttle_key("2001:db8:1:2:bbbb::2")
    assert throttle_key("2001:db8:1:2::1") != throttle_key("2001:db8:1:3::1")
    assert throttle_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert throttle_key("192.0.2.1") == "192.0.2.1"


def test_forwarded_proto_from_a_configured_proxy_turns_on_hsts(ledger: Any) -> None:
    with app_client(ledger, proxies="127.0.0.1") as client:
        r = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_forwarded_proto_from_anyone_else_is_ignored(client: TestClient) -> None:
    r = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in r.headers


def served_guesses(server: ServerProcess, count: int) -> list[int]:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        return [
            http.get(
                PROTECTED,
                headers={"Authorization": f"Bearer guess-{i}", "X-Forwarded-For": f"192.0.2.{i}"},
            ).status_code
            for i in range(count)
        ]


def test_a_served_ledger_ignores_forwarded_for_from_loopback_by_default(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "d")
    server.start()
    try:
        statuses = served_guesses(server, LIMIT + 10)
    finally:
        server.stop()
    assert statuses[LIMIT:] == [429] * 10


def test_a_served_ledger_believes_its_configured_proxy(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "d", env={"CREDLEDGER_TRUSTED_PROXIES": "127.0.0.1/32"})
    server.start()
    try:
        statuses = served_guesses(server, LIMIT + 10)
    finally:
        server.stop()
    assert set(statuses) == {401}


def test_a_token_sent_in_a_query_string_never_reaches_the_access_log(tmp_path: Path) -> None:
    secret = "query-token-4f1c9a7e2b"
    server = ServerProcess(tmp_path / "d", output=tmp_path / "access.log")
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            refused = http.get(PROTECTED, params={"access_token": secret})
            search = http.get("/v1/achievements", params={"q": secret, "token": secret})
    finally:
        server.stop()
    assert refused.status_code == 401
    assert search.status_code == 200
    log = (tmp_path / "access.log").read_text()
    assert f'"GET {PROTECTED}?… HTTP/1.1" 401' in log
    assert '"GET /v1/achievements?… HTTP/1.1" 200' in log
    assert secret not in log


def test_failures_from_very_many_addresses_take_bounded_memory() -> None:
    limiter = FailureLimiter(max_clients=100)
    for i in range(5000):
        assert limiter.refusal(f"198.51.{i // 256}.{i % 256}").status == 401
    assert len(limiter._failures) <= 101
    for _ in range(LIMIT):
        limiter.refusal("192.0.2.1")
    assert limiter.refusal("192.0.2.1").status == 429  # a busy guesser is still held back
