"""The composition root: adapters are built in one place, services never go back
through the facade."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from credledger.ledger.bootstrap import open_ports

LEDGER = Path(__file__).resolve().parents[2] / "ledger"
ADAPTERS = {
    "EventStore",
    "Aggregates",
    "Vault",
    "SQLiteDatabase",
    "PostgresDatabase",
    "SQLiteTreeStore",
    "PostgresTreeStore",
    "TransparencyLog",
    "ReadModel",
    "CredentialDigests",
    "CredentialSigner",
    "GuardedFetcher",
    "StatusFold",
}
BUILD_THEIR_OWN = ("store", "audit")
"""Adapters build their own parts (a node store its connection); the audit opens a store
read-only without opening the ledger (audit/local.py)."""


def calls_in(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names


def imports_in(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def ledger_modules() -> list[Path]:
    return sorted(LEDGER.rglob("*.py"))


def test_only_the_bootstrap_builds_the_ledgers_adapters() -> None:
    builders = {
        str(path.relative_to(LEDGER)): sorted(calls_in(path) & ADAPTERS)
        for path in ledger_modules()
        if path.relative_to(LEDGER).parts[0] not in BUILD_THEIR_OWN
    }
    assert {module for module, built in builders.items() if built} == {"bootstrap.py"}


def test_no_module_of_the_ledger_calls_back_through_the_facade() -> None:
    callers = [
        str(path.relative_to(LEDGER))
        for path in ledger_modules()
        if path.name != "application.py"
        and any(name.startswith("credledger.ledger.application") for name in imports_in(path))
    ]
    assert callers == []


def test_the_ports_of_a_ledger_are_built_from_its_settings(settings: Any) -> None:
    ports = open_ports(settings)
    try:
        assert ports.settings is settings
        assert ports.identity.base_url == settings.base_url
        assert ports.tlog.vkey.startswith(ports.identity.log_origin)
    finally:
        ports.close()
