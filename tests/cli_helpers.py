"""Shared helpers for the CLI tests: run `credledger` as a user would, and look inside."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from credledger.cli.main import app
from credledger.ledger.application import CredentialLedger
from credledger.ledger.store.settings import Settings
from typer.testing import CliRunner, Result

from .http_helpers import microcredential_definition

ENVIRONMENT = (
    "CREDLEDGER_DATA",
    "CREDLEDGER_DATABASE_URL",
    "CREDLEDGER_ADMIN_TOKEN",
    "CREDLEDGER_TOKEN",
    "CREDLEDGER_ISSUER",
    "CREDLEDGER_BASE_URL",
    "CREDLEDGER_WITNESSES",
)


def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests say everything on the command line; nothing leaks in from the shell."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def ok(result: Result) -> Any:
    """The command's JSON output; fails the test with its output when it did not succeed."""
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def write_definition(path: Path, **changes: Any) -> Path:
    path.write_text(yaml.safe_dump(microcredential_definition(**changes), allow_unicode=True))
    return path


@dataclass(frozen=True)
class LocalSetup:
    """A data directory with one issuer and one achievement, made through the CLI."""

    data: Path
    issuer: str
    achievement: str

    def args(self) -> list[str | Path]:
        return ["--data", self.data, "--issuer", self.issuer]


def set_up_local(tmp_path: Path, **definition_changes: Any) -> LocalSetup:
    data = tmp_path / "ledger"
    ok(run("init", "--data", data, "--json"))
    issuer = ok(run("issuer", "add", "Hogeschool Leeuwarden", "--data", data, "--json"))["id"]
    definition = write_definition(tmp_path / "definition.yaml", **definition_changes)
    achievement = ok(
        run("achievement", "define", definition, "--data", data, "--issuer", issuer, "--json")
    )["id"]
    return LocalSetup(data, issuer, achievement)


def credentials_in(data: Path) -> int:
    """How many credentials the ledger's read model holds."""
    ledger = CredentialLedger(Settings.from_env(data))
    try:
        ledger.catch_up()
        return int(ledger.read_model.db["credentials"].count)
    finally:
        ledger.close()


def events_in(data: Path) -> int:
    ledger = CredentialLedger(Settings.from_env(data))
    try:
        return int(ledger.recorder.max_notification_id() or 0)
    finally:
        ledger.close()
