"""The repository's scripts tell a first-time user what they are doing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

FAKE_PYTHON = """#!/usr/bin/env bash
# Stands in for python3 and for .venv/bin/python: creating a venv copies this file.
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && exit 0
fi
if [ "$1" = "--version" ]; then echo "Python 3.11.9"; fi
exit 0
"""


def _checkout(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    checkout = tmp_path / "clone"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "setup", checkout / "scripts" / "setup")
    shutil.copy(REPO / "pyproject.toml", checkout / "pyproject.toml")
    for package in ("crypto", "ledger", "revocation", "api", "cli"):
        (checkout / package).mkdir()
    python = tmp_path / "python3"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return checkout, {**os.environ, "PYTHON": str(python), "GIT_DIR": str(tmp_path / "no-git")}


def test_the_first_setup_says_it_creates_the_environment_and_installs(tmp_path: Path) -> None:
    checkout, env = _checkout(tmp_path)
    run = subprocess.run(
        [checkout / "scripts" / "setup"], env=env, capture_output=True, text=True, check=True
    )
    assert "creating the virtual environment" in run.stderr
    assert "installing credledger" in run.stderr
    assert "installed in" in run.stderr


def test_a_setup_with_nothing_to_do_is_silent(tmp_path: Path) -> None:
    checkout, env = _checkout(tmp_path)
    subprocess.run([checkout / "scripts" / "setup"], env=env, capture_output=True, check=True)
    again = subprocess.run(
        [checkout / "scripts" / "setup"], env=env, capture_output=True, text=True, check=True
    )
    assert again.stderr == ""


def test_serve_says_it_starts_the_server() -> None:
    assert "starting the server" in (REPO / "scripts" / "serve").read_text()


def _fake_chromium(tmp_path: Path, answer: str) -> Path:
    chromium = tmp_path / "chromium"
    chromium.write_text(f"#!/usr/bin/env bash\n{answer}\n")
    chromium.chmod(0o755)
    return chromium


def test_browser_names_the_chromium_it_found(tmp_path: Path) -> None:
    chromium = _fake_chromium(tmp_path, 'echo "Chromium 1.0"')
    env = {**os.environ, "CREDLEDGER_TEST_CHROMIUM": str(chromium)}
    run = subprocess.run(
        [REPO / "scripts" / "browser"], env=env, capture_output=True, text=True, check=True
    )
    assert run.stdout == f"export CREDLEDGER_TEST_CHROMIUM={chromium}\n"


def test_browser_says_why_the_browser_tests_will_skip(tmp_path: Path) -> None:
    chromium = _fake_chromium(tmp_path, "exit 1")
    env = {**os.environ, "CREDLEDGER_TEST_CHROMIUM": str(chromium)}
    run = subprocess.run(
        ["bash", "-c", 'eval "$(scripts/browser)"; echo "$CREDLEDGER_TEST_BROWSER_SKIP"'],
        cwd=REPO, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert run.stdout == f"{chromium} does not run (--version failed)\n"
    assert "the browser tests will skip" in run.stderr
