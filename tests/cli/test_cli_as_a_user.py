"""The installed `credledger` command, run as a user runs it: help, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..cli_helpers import ENVIRONMENT, run, write_definition

COMMANDS = [
    ["init"],
    ["issuer", "add"],
    ["achievement", "define"],
    ["award"],
    ["revoke"],
    ["suspend"],
    ["reinstate"],
    ["endorse"],
    ["recognise"],
]


def credledger(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).parent / "credledger"
    if not executable.exists():
        pytest.skip("the credledger console script is not installed beside this Python")
    return subprocess.run(
        [str(executable), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    return {**clean, "COLUMNS": "200", "NO_COLOR": "1"}


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
    assert f"credledger {' '.join(command)}" in result.stdout


def test_a_sheet_award_from_the_shell(tmp_path: Path, env: dict[str, str]) -> None:
    data = tmp_path / "ledger"
    init = credledger("init", "--data", data, env=env)
    assert init.returncode == 0, init.stderr
    assert "shown once" in init.stdout
    issuer = credledger("issuer", "add", "Hogeschool Leeuwarden", "--data", data, "--json", env=env)
    assert issuer.returncode == 0, issuer.stderr
    env["CREDLEDGER_ISSUER"] = json.loads(issuer.stdout)["id"]
    definition = write_definition(tmp_path / "course.yaml")
    defined = credledger("achievement", "define", definition, "--data", data, "--json", env=env)
    assert defined.returncode == 0, defined.stderr
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("email\nada@example.nl\nnobody\n")
    achievement = json.loads(defined.stdout)["id"]
    awarded = credledger(
        "award", "--achievement", achievement, "--csv", cohort, "--data", data, env=env
    )
    assert awarded.returncode == 1, awarded.stderr
    assert "1 issued, 0 already issued, 1 refused" in awarded.stdout
    assert "line 3: email: is not an email address" in awarded.stdout
    assert "Traceback" not in awarded.stderr


def test_a_user_error_from_the_shell_has_no_traceback(tmp_path: Path, env: dict[str, str]) -> None:
    missing = credledger(
        "achievement",
        "define",
        tmp_path / "absent.yaml",
        "--data",
        tmp_path,
        "--issuer",
        "x",
        env=env,
    )
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
    assert "Traceback" not in missing.stderr
