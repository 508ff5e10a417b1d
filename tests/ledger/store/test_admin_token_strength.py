"""A configured admin token must be worth 128 bits, or nothing starts with it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from credledger.ledger.store.admin_token import WeakAdminTokenError, check_admin_token

from ...cli_helpers import clean_environment, run
from ...server_process import free_port


def serve(data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`credledger serve` as an operator starts it; a server that does start is a failure."""
    command = [sys.executable, "-m", "credledger.cli.main", "serve", "--data", str(data)]
    return subprocess.run(
        [*command, "--port", str(free_port())],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_serve_refuses_to_start_with_a_one_character_admin_token(tmp_path: Path) -> None:
    started = serve(tmp_path / "d", CREDLEDGER_ADMIN_TOKEN="a")
    assert started.returncode == 2
    assert "CREDLEDGER_ADMIN_TOKEN is too weak" in started.stderr
    assert "128 bits" in started.stderr


def test_serve_refuses_to_start_with_malformed_trusted_proxies(tmp_path: Path) -> None:
    started = serve(
        tmp_path / "d",
        CREDLEDGER_ADMIN_TOKEN=secrets.token_hex(16),
        CREDLEDGER_TRUSTED_PROXIES="10.0.0.0/8, proxy.example.nl",
    )
    assert started.returncode == 2
    assert "CREDLEDGER_TRUSTED_PROXIES: 'proxy.example.nl'" in started.stderr


def test_init_refuses_a_weak_admin_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)
    monkeypatch.setenv("CREDLEDGER_ADMIN_TOKEN", "change-me")
    result = run("init", "--data", tmp_path / "d")
    assert result.exit_code == 2
    assert "too weak" in result.output


def test_the_ledger_refuses_a_weak_configured_token(ledger: Any) -> None:
    with pytest.raises(WeakAdminTokenError):
        ledger.admin_token_hash("a")


@pytest.mark.parametrize(
    "token",
    [
        "a",
        "change-me",
        "0123456789abcdef0123456789abcde",  # 31 hex characters: 124 bits
        "Rs70uw5UcfeEUnCe4ZOZ5",  # 21 base64url characters: 125 bits
        "a" * 64,
        "ab" * 40,
        "abcdefghijklmnopqrstuvwxyz0123456789 with-a-space",
        "ümlaut-c6bc97f3cca9fc8044ec2a3fb9fbd32d",
    ],
)
def test_weak_or_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(WeakAdminTokenError):
        check_admin_token(token)


@pytest.mark.parametrize(
    "token",
    [
        "c6bc97f3cca9fc8044ec2a3fb9fbd32d",  # openssl rand -hex 16
        "C6BC97F3CCA9FC8044EC2A3FB9FBD32D",
        "Rs70uw5UcfeEUnCe4ZOZ5A",  # secrets.token_urlsafe(16)
        "Rs70uw5UcfeEUnCe4ZOZ5A==",
        "gOSUTM-g8NGlHbkqgvRrNLhnAZUtVYfCg_hjryZj06E",  # secrets.token_urlsafe(32)
    ],
)
def test_tokens_of_128_random_bits_are_accepted(token: str) -> None:
    check_admin_token(token)
