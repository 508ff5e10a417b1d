"""The ledger's identity from the command line: `init` fixes it, `move-base-url` moves the
base URL as a recorded act, `serve` says what it signs and warns about loopback URLs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from ..cli_helpers import clean_environment, ok, run


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """`serve` runs up to the point of listening; what it would listen with is kept."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    return calls


def test_init_fixes_the_base_url_and_origin_and_says_them(tmp_path: Path) -> None:
    made = ok(run("init", "--data", tmp_path, "--base-url", "https://ledger.example.nl", "--json"))
    assert made["base_url"] == "https://ledger.example.nl"
    assert made["log_origin"] == "ledger.example.nl/log"
    again = run("init", "--data", tmp_path)
    assert again.exit_code == 0
    assert "Public base URL: https://ledger.example.nl" in again.stdout


def test_init_with_another_base_url_is_refused_with_the_move_command(tmp_path: Path) -> None:
    ok(run("init", "--data", tmp_path, "--base-url", "https://ledger.example.nl", "--json"))
    refused = run("init", "--data", tmp_path, "--base-url", "https://other.example.nl")
    assert refused.exit_code == 2
    assert f"credledger move-base-url https://other.example.nl --data {tmp_path}" in " ".join(
        refused.output.split()
    )


def test_move_base_url_records_the_move_and_the_audit_stays_intact(tmp_path: Path) -> None:
    ok(run("init", "--data", tmp_path, "--base-url", "https://old.example.nl", "--json"))
    moved = ok(run("move-base-url", "https://new.example.nl/", "--data", tmp_path, "--json"))
    assert moved["moved"] is True
    assert moved["base_urls"] == ["https://old.example.nl", "https://new.example.nl"]
    assert moved["log_origin"] == "old.example.nl/log"
    again = ok(run("move-base-url", "https://new.example.nl", "--data", tmp_path, "--json"))
    assert again["moved"] is False
    audit = run("audit", "--data", tmp_path, "--json")
    assert audit.exit_code == 0, audit.output
    assert json.loads(audit.stdout)["intact"] is True


def test_move_base_url_refuses_an_unusable_url(tmp_path: Path) -> None:
    ok(run("init", "--data", tmp_path, "--json"))
    refused = run("move-base-url", "ftp://files.example.nl", "--data", tmp_path)
    assert refused.exit_code == 2
    assert "http(s)://HOST" in refused.output


def test_serve_keeps_the_recorded_base_url_whatever_port_it_listens_on(
    tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    ok(run("init", "--data", tmp_path, "--base-url", "https://ledger.example.nl", "--json"))
    result = run("serve", "--data", tmp_path, "--port", "8123")
    assert result.exit_code == 0, result.output
    assert "public base URL https://ledger.example.nl (signed into credentials)" in result.output
    assert "warning" not in result.output
    assert served[0]["port"] == 8123


def test_serve_refuses_a_base_url_other_than_the_recorded_one(
    tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    ok(run("init", "--data", tmp_path, "--base-url", "https://ledger.example.nl", "--json"))
    result = run("serve", "--data", tmp_path, "--base-url", "https://elsewhere.example.nl")
    assert result.exit_code == 2
    assert "credledger move-base-url https://elsewhere.example.nl" in " ".join(
        result.output.split()
    )
    assert served == []


def test_serve_warns_when_it_listens_widely_but_signs_a_loopback_url(
    tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    ok(run("init", "--data", tmp_path, "--json"))  # http://127.0.0.1:8000
    result = run("serve", "--data", tmp_path, "--host", "0.0.0.0", "--port", "8000")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "warning: the public base URL http://127.0.0.1:8000 is a loopback address" in said
    assert "credledger move-base-url https://PUBLIC-HOST" in said
    assert served[0]["host"] == "0.0.0.0"  # not bound here: uvicorn.run is replaced


def test_a_first_serve_of_an_empty_store_records_its_own_address(
    tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    result = run("serve", "--data", tmp_path / "new", "--port", "8765")
    assert result.exit_code == 0, result.output
    assert "public base URL http://127.0.0.1:8765 (signed into credentials)" in result.output
    assert "log origin 127.0.0.1:8765/log" in result.output
