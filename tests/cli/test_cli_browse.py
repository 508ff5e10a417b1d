"""The CLI can look as well as add: list and show issuers, achievements and credentials,
search the catalogue, locally and on a server, with --json; help shows no placeholders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from credledger.cli.main import app
from typer.main import get_command

from ..cli_helpers import LocalSetup, clean_environment, ok, run, set_up_local


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture
def local(tmp_path: Path) -> LocalSetup:
    return set_up_local(tmp_path)


def award(local: LocalSetup) -> str:
    issued = ok(
        run("award", "--achievement", local.achievement, "--email", "a@example.nl",
            "--result", "8", *local.args(), "--json")
    )  # fmt: skip
    return str(issued["id"])


def test_issuer_list_names_every_institution(local: LocalSetup) -> None:
    rows = ok(run("issuer", "list", "--data", local.data, "--json"))
    assert [row["id"] for row in rows] == [local.issuer]
    assert "Hogeschool Leeuwarden" in run("issuer", "list", "--data", local.data).stdout


def test_achievement_list_and_show(local: LocalSetup) -> None:
    rows = ok(run("achievement", "list", "--data", local.data, "--json"))
    assert [row["id"] for row in rows] == [local.achievement]
    shown = ok(run("achievement", "show", local.achievement, "--data", local.data, "--json"))
    assert shown["name"] == "Data Literacy for Teachers"
    text = run("achievement", "show", local.achievement, "--data", local.data).stdout
    assert "Data Literacy for Teachers" in text
    assert "ext:ECTSGradeScore" in text


def test_catalogue_search_finds_by_words(local: LocalSetup) -> None:
    found = ok(run("catalogue", "search", "literacy", "--data", local.data, "--json"))
    assert [row["id"] for row in found] == [local.achievement]
    assert ok(run("catalogue", "search", "astronomy", "--data", local.data, "--json")) == []


def test_credential_list_and_show_with_status_history_and_log_index(local: LocalSetup) -> None:
    credential = award(local)
    assert [r["id"] for r in ok(run("credential", "list", *local.args(), "--json"))] == [credential]
    ok(run("revoke", credential, "--reason", "under review", *local.args(), "--json"))
    shown = ok(run("credential", "show", credential, *local.args(), "--json"))
    assert shown["status"] == "revoked"
    assert isinstance(shown["log_index"], int)
    assert [change["status"] for change in shown["history"]][-1] == "revoked"
    text = run("credential", "show", credential, *local.args()).stdout
    assert "under review" in text
    assert "log index" in text


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in getattr(group, "commands", {}).items():
        path = (*prefix, name)
        found += _commands(command, path) if hasattr(command, "commands") else [path]
    return found


COMMANDS = _commands(get_command(app))


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_json_and_shows_no_bool_placeholder(command: tuple[str, ...]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "--json" in result.stdout
    assert "<bool>" not in result.stdout


def test_proof_export_reports_as_json(local: LocalSetup, tmp_path: Path) -> None:
    credential = award(local)
    out = tmp_path / "proof.json"
    report = ok(run("proof", "export", credential, "-o", out, "--data", local.data, "--json"))
    assert report["file"] == str(out)
    assert report["credential"] == credential
    assert json.loads(out.read_text())["credential"]["id"] == f"urn:uuid:{credential}"
