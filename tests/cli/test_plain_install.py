"""A plain install (no extras) starts and runs on SQLite; PostgreSQL is an extra that is
loaded only when configured and named in one line when missing; the declared runtime
dependencies are exactly what the installed code imports."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions, version
from pathlib import Path

from ..cli_helpers import run
from ..conftest import REPO

PACKAGES = ("crypto", "ledger", "revocation", "api", "cli")
POSTGRES_DRIVER = {"psycopg", "psycopg-pool"}

# Run the CLI as if the [postgres] extra were not installed.
WITHOUT_POSTGRES = """
import importlib.abc, sys
class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("psycopg", "psycopg_pool", "psycopg_c", "psycopg_binary"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, NotInstalled())
from credledger.cli.main import main
sys.argv = ["credledger", *sys.argv[1:]]
main()
"""


def credledger_without_postgres(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("CREDLEDGER_") or k == "PATH"
    }
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_POSTGRES, *args],
        env={**environment, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_and_init_run_without_the_postgres_driver(tmp_path: Path) -> None:
    assert credledger_without_postgres("--help").returncode == 0
    made = credledger_without_postgres("init", "--data", str(tmp_path / "ledger"))
    assert made.returncode == 0, made.stderr
    assert "Created a ledger" in made.stdout


def test_a_postgres_url_without_the_driver_names_the_extra_in_one_line(tmp_path: Path) -> None:
    url = {"CREDLEDGER_DATABASE_URL": "postgresql://credledger@127.0.0.1:1/none"}
    for command in (["init", "--data", str(tmp_path)], ["serve", "--data", str(tmp_path)]):
        result = credledger_without_postgres(*command, env=url)
        assert result.returncode == 2, result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        assert "pip install 'credledger[postgres]'" in lines[0]
        assert "Traceback" not in result.stderr


def test_version_is_the_installed_distributions() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"credledger {version('credledger')}"


def _imported_top_level_names() -> set[str]:
    names: set[str] = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"credledger"}


def _normalised(requirement: str) -> str:
    name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def test_runtime_dependencies_are_what_the_installed_code_imports() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = {_normalised(r) for r in project["dependencies"]}
    extra = {_normalised(r) for r in project["optional-dependencies"]["postgres"]}
    distributions = packages_distributions()
    imported = {_normalised(distributions[name][0]) for name in _imported_top_level_names()}
    assert extra - declared == POSTGRES_DRIVER  # imported only when PostgreSQL is configured
    assert imported - POSTGRES_DRIVER == declared
