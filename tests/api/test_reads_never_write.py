"""Reads never write (issue 12.5): every GET (and HEAD) of the API, anonymous and with
each kind of token, and the CLI's read commands leave every store exactly as it was.

The stores are compared table by table, row by row (SQLite may checkpoint its WAL into
the file, so file bytes would differ without anything being written): the event store,
the log's leaves, tree and checkpoints, the read model, the digest index and the vault.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from credledger.api.app import create_app
from credledger.ledger.application import CredentialLedger
from credledger.ledger.store.settings import Settings
from fastapi.testclient import TestClient
from starlette.routing import Route

from ..cli_helpers import clean_environment, ok, run
from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition
from ..wallets import Wallet

Snapshot = dict[str, list[str]]


def snapshot(settings: Settings) -> Snapshot:
    """Every row of every table of every store of the ledger, as text."""
    tables: Snapshot = {}
    for path in sorted(settings.data_dir.glob("*.sqlite")):
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            for name in names:
                rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()
                tables[f"{path.name}:{name}"] = sorted(map(repr, rows))
        finally:
            conn.close()
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url) as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                )
            ]
            for name in names:
                rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()
                tables[f"postgres:{name}"] = sorted(map(repr, rows))
    assert tables, "no store found"
    return tables


def assert_unchanged(before: Snapshot, after: Snapshot) -> None:
    assert after.keys() == before.keys()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"a read wrote to {changed}"


@dataclasses.dataclass
class Populated:
    client: TestClient
    ids: dict[str, str]
    tokens: dict[str, dict[str, str]]


def populate(client: TestClient) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """An issuer with an achievement, two credentials (one revoked, one shared, with a
    claim open and a copy delivered to a wallet): every kind of id."""
    school = client.post("/v1/issuers", json={"name": "School"}, headers=auth(ADMIN_TOKEN))
    assert school.status_code == 201, school.text
    issuer = auth(school.json()["token"])
    achievement = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=issuer
    ).json()["id"]
    issued = [
        client.post(
            "/v1/credentials",
            headers=issuer,
            json={"achievement_id": achievement, "recipient": {"email": email}},
        ).json()
        for email in ("a@example.nl", "b@example.nl")
    ]
    r = client.post(
        f"/v1/credentials/{issued[1]['id']}/revoke", json={"reason": "error"}, headers=issuer
    )
    assert r.status_code == 200, r.text
    claims = [
        client.post(f"/v1/credentials/{issued[0]['id']}/claims", json={}, headers=issuer).json()
        for _ in range(2)
    ]
    exchange = claims[1]["url"] + "/exchange"
    asked = client.post(exchange, json={}).json()["verifiablePresentationRequest"]
    vp = Wallet().did_auth(asked["challenge"], asked["domain"])
    delivered = client.post(exchange, json={"verifiablePresentation": vp})
    assert delivered.status_code == 200, delivered.text
    link = client.post(f"/v1/credentials/{issued[0]['id']}/share", headers=issuer)
    assert link.status_code == 201, link.text
    vc = issued[0]["credential"]
    status = vc["credentialStatus"]
    entry = status[0] if isinstance(status, list) else status
    ids = {
        "issuer_id": school.json()["id"],
        "achievement_id": achievement,
        "credential_id": issued[0]["id"],
        "list_id": entry["statusListCredential"].rsplit("/", 1)[-1],
        "digest": hashlib.sha256(canonical(vc)).hexdigest(),
        "secret": claims[0]["url"].rsplit("/", 1)[-1],
        "token": link.json()["url"].rsplit("/", 1)[-1],
    }
    tokens = {"anonymous": {}, "admin": auth(ADMIN_TOKEN), "issuer": issuer}
    return ids, tokens


def canonical(vc: dict[str, Any]) -> bytes:
    from credledger.crypto.jcs import canonicalize_bytes

    return canonicalize_bytes(vc)


def get_paths(client: TestClient, ids: dict[str, str]) -> Iterator[str]:
    """Every GET path the app serves (the OpenAPI document's and the rest), filled in with
    real ids and the query strings that reach its reads."""
    size = int(
        client.get("/v1/log/checkpoints", params={"limit": 1000}).json()["checkpoints"][-1]["size"]
    )
    queries: dict[str, list[str]] = {
        "/v1/achievements": ["", "?q=microcredential"],
        "/catalogue": ["", "?q=microcredential"],
        "/v1/credentials/{credential_id}/status-history": ["", "?at=2030-01-01T00:00:00Z"],
        "/v1/log/leaves": [f"?start=0&end={size - 1}", f"?start={size - 1}&end={size + 10}"],
        "/v1/log/checkpoints": ["", "?after=0"],
        "/v1/log/proof/inclusion": [
            f"?index=0&size={size}",
            f"?digest={ids['digest']}&size={size}",
            f"?digest={'0' * 64}&size={size}",
        ],
        "/v1/log/proof/consistency": [f"?first=1&second={size}"],
        "/docs/assets/{name}": [""],
        # C2SP tiles: the signed partial tile, one wider than signed, the full tile (404)
        "/v1/log/tile/{level}/{index:path}": [f".p/{size % 256}", f".p/{size % 256 + 1}", ""],
        "/v1/log/tile/entries/{index:path}": [f".p/{size % 256}", ".p/1", ""],
    }
    assets = Path(__file__).parents[2] / "api" / "docs_assets"
    values = {**ids, "name": sorted(p.name for p in assets.iterdir())[0], "level": "0"}
    values["index"] = "000"
    seen = set()
    for path in get_routes(client.app.routes):  # type: ignore[attr-defined]
        seen.add(re.sub(r":\w+}", "}", path))  # the document omits converters (:path)
        filled = path
        for name in re.findall(r"{(\w+)(?::\w+)?}", path):
            assert name in values, f"no value to sweep {path} with: add one for {name}"
            filled = re.sub("{" + name + "(:\\w+)?}", values[name], filled)
        for query in queries.get(path, [""]):
            yield filled + query
    openapi = client.get("/openapi.json").json()
    missing = {p for p, ops in openapi["paths"].items() if "get" in ops} - seen
    assert not missing, missing


def get_routes(routes: list[Any], prefix: str = "") -> Iterator[str]:
    """The paths of every GET route, in included routers too."""
    for route in routes:
        context = getattr(route, "include_context", None)
        if context is not None:  # an included router (FastAPI >= 0.16x)
            yield from get_routes(context.included_router.routes, prefix + context.prefix)
        elif isinstance(route, Route) and "GET" in (route.methods or set()):
            yield prefix + route.path


def sweep(client: TestClient, ids: dict[str, str], tokens: dict[str, dict[str, str]]) -> int:
    """Every GET and HEAD path, as each caller; returns how many requests were made."""
    made = 0
    for path in get_paths(client, ids):
        for headers in tokens.values():
            for method in ("GET", "HEAD"):
                r = client.request(method, path, headers=headers)
                assert r.status_code < 500 or r.status_code == 503, (path, r.text)
                made += 1
            r = client.get(path, headers={**headers, "If-None-Match": '"x"'})
            r = client.get(path, headers={**headers, "Accept": "text/html"})  # a browser
            made += 2
    return made


def served(settings: Settings) -> Iterator[tuple[CredentialLedger, TestClient]]:
    ledger = CredentialLedger(settings)
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    try:
        with TestClient(app, base_url="https://ledger.example.test") as client:
            yield ledger, client
    finally:
        ledger.close()


def test_no_get_writes_anything(settings: Settings) -> None:
    for ledger, client in served(settings):
        ids, tokens = populate(client)
        before = snapshot(settings)
        assert sweep(client, ids, tokens) > 100
        assert_unchanged(before, snapshot(settings))
        checkpoint = client.get("/v1/log/checkpoint")
        assert checkpoint.status_code == 200  # signed after the acts, not by the reads
        bundle = client.get(
            f"/v1/credentials/{ids['credential_id']}/proof", headers=tokens["issuer"]
        )
        assert bundle.status_code == 200, bundle.text
        assert bundle.json()["checkpoint"] == ledger.tlog.latest_checkpoint().note  # type: ignore[union-attr]


def test_no_get_follows_what_another_process_recorded(settings: Settings) -> None:
    """Events this process has not followed yet (another process's act, or a crash
    between an act and its followers): no read appends their leaves, applies them to
    the read model or signs over them; the write path (the next act, the tick) does."""
    for ledger, client in served(settings):
        ids, tokens = populate(client)
        ledger.store.on_recorded = None  # the next act's followers do not run here
        r = client.post(
            "/v1/credentials",
            headers=tokens["issuer"],
            json={"achievement_id": ids["achievement_id"], "recipient": {"email": "c@x.nl"}},
        )
        assert r.status_code == 201, r.text
        unfollowed = {**ids, "credential_id": r.json()["id"]}
        before = snapshot(settings)
        assert sweep(client, unfollowed, tokens) > 100
        assert_unchanged(before, snapshot(settings))
        r = client.get(f"/v1/credentials/{r.json()['id']}/proof", headers=tokens["issuer"])
        assert r.status_code == 503, r.text  # not in the log yet: the tick will append it
        assert "retry-after" in r.headers
        ledger.catch_up()  # the tick
        r = client.get(
            f"/v1/credentials/{unfollowed['credential_id']}/proof", headers=tokens["issuer"]
        )
        assert r.status_code == 200, r.text


def test_every_act_is_anchored_by_its_own_checkpoint(settings: Settings) -> None:
    """Interval 0 (the default): the act signs the checkpoint covering its leaves."""
    for ledger, client in served(settings):
        assert ledger.tlog.latest_checkpoint() is not None  # signed when the ledger was made
        populate(client)
        latest = ledger.tlog.latest_checkpoint()
        assert latest is not None
        assert latest.size == ledger.tlog.size()


def test_a_leaf_no_checkpoint_covers_yet_is_503_and_nothing_is_signed(
    settings: Settings,
) -> None:
    """With an interval, a proof asked right after an act is not yet anchored: the read
    says so (503, Retry-After) instead of signing; the tick signs it."""
    settings = dataclasses.replace(settings, checkpoint_interval=3600.0)
    for ledger, client in served(settings):
        first = ledger.tlog.latest_checkpoint()
        assert first is not None  # the ledger's first checkpoint, signed when it was made
        ids, tokens = populate(client)
        assert ledger.tlog.latest_checkpoint() == first  # the interval has not passed
        before = snapshot(settings)
        sweep(client, ids, tokens)
        r = client.get(f"/v1/credentials/{ids['credential_id']}/proof", headers=tokens["issuer"])
        assert r.status_code == 503, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"].endswith("/not-yet-anchored")
        assert int(r.headers["retry-after"]) >= 1
        assert client.get("/v1/log/checkpoint").text.startswith(first.note.split("\n")[0])
        assert_unchanged(before, snapshot(settings))
        ledger.tlog.make_checkpoint()  # as the tick or an administrator would
        r = client.get(f"/v1/credentials/{ids['credential_id']}/proof", headers=tokens["issuer"])
        assert r.status_code == 200, r.text


def test_the_clis_read_commands_write_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_environment(monkeypatch)
    data = tmp_path / "ledger"
    settings = Settings.from_env(data, "https://ledger.example.test")
    for _, client in served(settings):
        ids, _ = populate(client)
    bundle = tmp_path / "bundle.json"
    issuer = ["--data", data, "--issuer", ids["issuer_id"]]
    before = snapshot(settings)
    ok(run("credential", "show", ids["credential_id"], *issuer, "--json"))
    ok(run("credential", "list", *issuer, "--json"))
    ok(run("issuer", "list", "--data", data, "--json"))
    ok(run("achievement", "list", "--data", data, "--json"))
    ok(run("achievement", "show", ids["achievement_id"], "--data", data, "--json"))
    ok(run("catalogue", "search", "microcredential", "--data", data, "--json"))
    r = run("proof", "export", ids["credential_id"], "-o", bundle, "--data", data)
    assert r.exit_code == 0, r.output
    r = run("proof", "export", bundle, "-o", tmp_path / "again.json", "--data", data)
    assert r.exit_code == 0, r.output
    r = run("audit", "--data", data, "--json")
    assert r.exit_code == 0, r.output
    assert_unchanged(before, snapshot(settings))
