"""`credledger` in remote mode, against a real server on 127.0.0.1 (uvicorn in a thread)."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from credledger.api.app import create_app
from credledger.cli.errors import CommandError
from credledger.cli.remote import RemoteBackend
from credledger.ledger.application import CredentialLedger
from credledger.ledger.store.settings import Settings

from ..cli_helpers import clean_environment, ok, run, write_definition
from ..http_helpers import ADMIN_TOKEN


@dataclass(frozen=True)
class Server:
    url: str
    ledger: CredentialLedger

    def credentials(self) -> int:
        self.ledger.catch_up()
        return int(self.ledger.read_model.db["credentials"].count)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    ledger = CredentialLedger(Settings.from_env(tmp_path / "server", url))
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.01)
    try:
        yield Server(url, ledger)
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()
        ledger.close()


@dataclass(frozen=True)
class RemoteSetup:
    server: Server
    token: str
    achievement: str

    def args(self) -> list[str]:
        return ["--server", self.server.url, "--token", self.token]


@pytest.fixture
def remote(server: Server, tmp_path: Path) -> RemoteSetup:
    admin = ["--server", server.url, "--token", ADMIN_TOKEN]
    issuer = ok(run("issuer", "add", "Hogeschool Leeuwarden", *admin, "--json"))
    definition = write_definition(tmp_path / "definition.yaml")
    token = issuer["token"]
    achievement = ok(
        run("achievement", "define", definition, "--server", server.url, "--token", token, "--json")
    )
    return RemoteSetup(server, token, achievement["id"])


def test_award_and_revoke_over_http(remote: RemoteSetup) -> None:
    issued = ok(
        run(
            "award",
            "--achievement",
            remote.achievement,
            "--eduid",
            "urn:eduid:42",
            *remote.args(),
            "--json",
        )
    )
    assert issued["credential"]["id"] == f"urn:uuid:{issued['id']}"
    revoked = run("revoke", issued["id"], "--reason", "entered in error", *remote.args())
    assert revoked.exit_code == 0, revoked.output
    assert "is now revoked" in revoked.stdout
    again = run("revoke", issued["id"], "--reason", "again", *remote.args(), "--json")
    assert again.exit_code == 1
    assert json.loads(again.stdout)["error"]["status"] == 409


def test_the_token_can_come_from_the_environment(
    remote: RemoteSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDLEDGER_TOKEN", remote.token)
    result = run(
        "award",
        "--achievement",
        remote.achievement,
        "--did",
        "did:example:learner",
        "--server",
        remote.server.url,
        "--json",
    )
    ok(result)
    assert remote.server.credentials() == 1


def test_a_sheet_over_http_reports_bad_lines_and_a_rerun_issues_nothing(
    remote: RemoteSetup, tmp_path: Path
) -> None:
    path = tmp_path / "cohort.csv"
    path.write_text("email,result\nada@example.nl,8\nnot-an-email,7\ngrace@example.nl,9\n")
    args: list[str | Path] = [
        "award",
        "--achievement",
        remote.achievement,
        "--csv",
        path,
        *remote.args(),
        "--json",
    ]
    first = run(*args)
    assert first.exit_code == 1, first.output
    report = json.loads(first.stdout)
    assert [row["line"] for row in report["issued"]] == [2, 4]
    assert [row["line"] for row in report["refused"]] == [3]
    assert report["refused"][0]["errors"][0]["loc"] == "email"
    second = run(*args)
    assert second.exit_code == 1
    assert json.loads(second.stdout)["issued"] == []
    assert json.loads(second.stdout)["already_issued"] == report["issued"]
    assert remote.server.credentials() == 2


def test_registering_an_issuer_needs_the_admin_token(remote: RemoteSetup) -> None:
    result = run("issuer", "add", "Sneaky", *remote.args())
    assert result.exit_code == 1
    assert "administrator" in result.stderr
    assert "hint:" in result.stderr


def test_a_wrong_token_is_explained(remote: RemoteSetup) -> None:
    result = run(
        "award",
        "--achievement",
        remote.achievement,
        "--email",
        "a@example.nl",
        "--server",
        remote.server.url,
        "--token",
        "not-a-token",
    )
    assert result.exit_code == 1
    assert "not valid" in result.stderr
    assert "CREDLEDGER_TOKEN" in result.stderr


def test_the_servers_field_errors_are_shown(remote: RemoteSetup) -> None:
    result = run(
        "award", "--achievement", "not-a-uuid", "--email", "a@example.nl", *remote.args(), "--json"
    )
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["status"] == 422
    assert "achievement_id" in result.stderr


def test_remote_mode_without_a_token_says_how_to_give_one(server: Server) -> None:
    result = run("endorse", "x", "--comment", "c", "--server", server.url)
    assert result.exit_code == 2
    assert "--token" in result.stderr


def test_an_unreachable_server_is_named_without_a_traceback() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = run("revoke", "x", "--reason", "r", "--server", url, "--token", "t")
    assert result.exit_code == 2
    assert "cannot reach the server" in result.stderr
    assert "Traceback" not in result.output


def flaky_client(failures: int, status: int = 201) -> tuple[httpx.Client, list[httpx.Request]]:
    """A client whose first ``failures`` requests lose their connection."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) <= failures:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(status, json={"id": "c1", "credential": {}, "log_index": None})

    return httpx.Client(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handle)), seen


def test_a_request_with_an_idempotency_key_is_retried_after_a_dropped_connection() -> None:
    client, seen = flaky_client(failures=2)
    backend = RemoteBackend(client, backoff=0)
    assert backend.issue_credential({"achievement_id": "a"}, "row-2")["id"] == "c1"
    assert len(seen) == 3
    assert {r.headers["Idempotency-Key"] for r in seen} == {"row-2"}


def test_a_request_without_a_key_is_sent_once() -> None:
    client, seen = flaky_client(failures=1)
    with pytest.raises(CommandError) as caught:
        RemoteBackend(client, backoff=0).issue_credential({"achievement_id": "a"}, None)
    assert len(seen) == 1
    assert caught.value.exit_code == 2


def test_an_answer_that_is_not_a_problem_document_is_still_explained() -> None:
    client = httpx.Client(
        base_url="http://127.0.0.1:9",
        transport=httpx.MockTransport(lambda r: httpx.Response(502, text="Bad Gateway")),
    )
    with pytest.raises(CommandError) as caught:
        RemoteBackend(client, backoff=0).endorse({"subject": "s", "comment": "c"}, None)
    assert caught.value.status == 502
    assert "Bad Gateway" in caught.value.detail


def test_a_sheet_with_a_wrong_token_exits_2_and_issues_nothing(
    remote: RemoteSetup, tmp_path: Path
) -> None:
    path = tmp_path / "cohort.csv"
    path.write_text("email,result\nada@example.nl,8\n")
    result = run(
        "award", "--achievement", remote.achievement, "--csv", path,
        "--server", remote.server.url, "--token", "not-a-token",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "not valid" in result.output
    assert remote.server.credentials() == 0
