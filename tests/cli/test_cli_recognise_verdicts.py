"""`credledger recognise` refuses a credential in the verdict words the API uses (issue 11,
loose end): an undecided one is called undecided, with why, locally as remotely; an
invalid one invalid. Before, the local command said "the credential does not verify"
for both, and nothing said undecided."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..cli_helpers import clean_environment, run, set_up_local
from ..ledger.verify.test_foreign_status import achievement, entry
from ..ledger_server import add_school, live_ledger

UNREADABLE = "http://127.0.0.1:9/lists/1"  # a loopback address: never fetched, so unread


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


def _presented(tmp_path: Path, *, changed: bool = False) -> Path:
    vc: dict[str, Any] = achievement(entry(UNREADABLE))
    if changed:
        vc["name"] = "Brain Surgery"
    file = tmp_path / "vc.json"
    file.write_text(json.dumps(vc))
    return file


def _refusal(*args: str | Path) -> tuple[int, dict[str, Any], str]:
    result = run("recognise", *args, "--decision", "recognised", "--json")
    return result.exit_code, json.loads(result.stdout)["error"], result.stderr


def test_locally_an_undecided_credential_is_called_undecided_and_why(tmp_path: Path) -> None:
    local = set_up_local(tmp_path)
    code, error, stderr = _refusal(_presented(tmp_path), *local.args())
    assert code == 1
    assert error["detail"] == "the credential is undecided: not every check could be made"
    why = [e["msg"] for e in error["errors"]]
    assert any("revocation status could not be determined" in w for w in why), error
    assert "error: the credential is undecided" in stderr
    assert "credential: the revocation status could not be determined" in stderr


def test_remotely_the_api_says_the_same(tmp_path: Path) -> None:
    with live_ledger(tmp_path / "server") as live:
        school = add_school(live.ledger)
        server = ["--server", live.url, "--token", school.token]
        code, error, _ = _refusal(_presented(tmp_path), *server)
    assert code == 1
    assert error["detail"].startswith("undecided: "), error
    assert "revocation" in error["detail"], error


def test_locally_an_invalid_credential_is_called_invalid(tmp_path: Path) -> None:
    local = set_up_local(tmp_path)
    code, error, stderr = _refusal(_presented(tmp_path, changed=True), *local.args())
    assert code == 1
    assert error["detail"] == "the credential is invalid: it does not verify", error
    assert error["errors"], error  # what failed
    assert "undecided" not in stderr
