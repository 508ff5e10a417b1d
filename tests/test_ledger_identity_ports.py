"""One ledger served on five ports in turn keeps one identity: the audit passes and every
checkpoint verifies with the log key a monitor fetched once, at the very start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from credledger.crypto.checkpoint import open_checkpoint
from credledger.crypto.signed_note import NoteVerifier

from .cli_helpers import clean_environment, run
from .http_helpers import auth, microcredential_definition
from .server_process import ADMIN_TOKEN, ServerProcess, free_port

PORTS = 5


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


def _award(base: str, token: str, achievement: str, email: str) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/v1/credentials",
        headers=auth(token),
        json={"achievement_id": achievement, "recipient": {"email": email}},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_one_ledger_on_five_ports_keeps_its_origin_key_and_urls(tmp_path: Path) -> None:
    data = tmp_path / "ledger"
    ports = [free_port() for _ in range(PORTS)]
    first = f"http://127.0.0.1:{ports[0]}"
    key: str | None = None
    token = achievement = ""
    credentials: list[dict[str, Any]] = []
    checkpoints: list[str] = []
    said: list[str] = []
    for turn, port in enumerate(ports):
        server = ServerProcess(data, port=port)
        server.start(timeout=120)  # a loaded CI machine can take half a minute to start
        process = server.proc
        try:
            base = server.url
            if key is None:  # a monitor fetches the log key once
                key = httpx.get(f"{base}/v1/log/key").text.strip()
                issuer = httpx.post(
                    f"{base}/v1/issuers", headers=auth(ADMIN_TOKEN), json={"name": "HS Port"}
                ).json()
                token = issuer["token"]
                achievement = httpx.post(
                    f"{base}/v1/achievements",
                    headers=auth(token),
                    json=microcredential_definition(),
                ).json()["id"]
            credentials.append(_award(base, token, achievement, f"s{turn}@example.org"))
            made = httpx.post(f"{base}/v1/log/checkpoint", headers=auth(ADMIN_TOKEN))
            assert made.status_code == 200, made.text
            checkpoints.append(made.text)
        finally:
            server.stop()
        assert process is not None
        assert process.stderr is not None
        said.append(process.stderr.read().decode())

    verifier = NoteVerifier.from_vkey(key)
    sizes = [open_checkpoint(note, verifier).size for note in checkpoints]
    assert sizes == sorted(sizes)
    assert len(set(sizes)) == PORTS
    assert {open_checkpoint(n, verifier).origin for n in checkpoints} == {
        f"127.0.0.1:{ports[0]}/log"
    }
    for issued in credentials:  # every credential names the first start's base URL
        vc = issued["credential"]
        status = vc["credentialStatus"]  # one object, or two for suspendable awards
        for entry in status if isinstance(status, list) else [status]:
            assert entry["statusListCredential"].startswith(f"{first}/v1/status/")
    for turn, port in enumerate(ports):  # each start says what it signs, and where it listens
        assert f"public base URL {first} (signed into credentials)" in said[turn]
        assert f"listening on http://127.0.0.1:{port}" in said[turn]
    result = run("audit", "--data", data, "--log-key", key, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["intact"] is True
