"""`credledger verify FILE` reads a VC-JWT (a compact JWS in a file) and judges it as the
VC API does (issue 11, loose end): the same outcome, the same exit code as any credential."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from credledger.crypto.keys import Ed25519KeyPair

from ..cli_helpers import clean_environment, run
from ..foreign_issuer import did_key, jwt_payload, vc_jwt
from ..ledger_server import Live, live_ledger

KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
OTHER = Ed25519KeyPair.from_seed(bytes(range(1, 33)))
EXIT = {"valid": 0, "invalid": 1, "undecided": 2}
UNREADABLE_LIST = {
    "id": "http://127.0.0.1:9/lists/1#3",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "3",
    "statusListCredential": "http://127.0.0.1:9/lists/1",  # refused: a loopback address
}


def _token(key: Ed25519KeyPair = KEY, **vc_extra: Any) -> str:
    did, _ = did_key(KEY)
    _, vm = did_key(key)
    return vc_jwt(key, vm, jwt_payload(did, **vc_extra))


def _changed() -> str:
    header, _, signature = _token().split(".")
    other = _token(name="changed").split(".")[1]
    return f"{header}.{other}.{signature}"


TOKENS = {
    "valid": _token,
    "changed payload": _changed,
    "signed by another key": lambda: _token(OTHER),
    "status list unreadable": lambda: _token(credentialStatus=UNREADABLE_LIST),
}


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_ledger(tmp_path_factory.mktemp("api")) as live:
        yield live


def _api_outcome(api: Live, token: str) -> str:
    answer = httpx.post(
        f"{api.url}/v1/credentials/verify", json={"verifiableCredential": token}, timeout=30
    )
    return str(answer.json()["outcome"])


def verify(file: Path) -> tuple[int, dict[str, Any]]:
    result = run("verify", file, "--json", "--timeout", "2")
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("case", TOKENS)
def test_a_jwt_file_gets_the_verdict_the_api_gives(case: str, api: Live, tmp_path: Path) -> None:
    token = TOKENS[case]()
    file = tmp_path / "credential.jwt"
    file.write_text(token + "\n")  # as a file holds it: with a final newline
    code, report = verify(file)
    outcome = _api_outcome(api, token)
    assert report["result"] == outcome, report
    assert code == EXIT[outcome]
    assert report["format"] == "vc-jwt"
    expected = {
        "valid": "valid",
        "changed payload": "invalid",
        "signed by another key": "invalid",
        "status list unreadable": "undecided",
    }
    assert outcome == expected[case]


def test_a_jwt_in_a_json_string_is_read_too(tmp_path: Path) -> None:
    file = tmp_path / "credential.json"
    file.write_text(json.dumps(_token()))
    code, report = verify(file)
    assert (code, report["result"]) == (0, "valid"), report
    assert report["issuer"] == did_key(KEY)[0]


def test_the_human_report_names_the_jwt_signer(tmp_path: Path) -> None:
    file = tmp_path / "credential.jwt"
    file.write_text(_token())
    result = run("verify", file)
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout
    assert f"VC-JWT (EdDSA) by {did_key(KEY)[1]}" in result.stdout


def test_a_file_that_is_neither_json_nor_a_jwt_is_invalid(tmp_path: Path) -> None:
    file = tmp_path / "credential.jwt"
    file.write_text("eyJhbGciOiJFZERTQSJ9.not a token")
    code, report = verify(file)
    assert (code, report["result"]) == (1, "invalid")
    assert "neither JSON nor a VC-JWT" in report["problem"]
