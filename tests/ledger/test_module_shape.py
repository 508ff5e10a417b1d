"""ledger/ stays livable: small modules, short functions, a thin facade (issue 12).

A spec algorithm that reads best whole may be longer; it is then named in
``WHOLE_ALGORITHMS`` with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LEDGER = Path(__file__).resolve().parents[2] / "ledger"
MODULES = sorted(LEDGER.rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 65
MAX_FACADE_LINES = 200
WHOLE_ALGORITHMS: dict[str, str] = {}
"""``module:function`` -> why it is kept whole (none today)."""


def functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text("utf-8"))
    return [
        (node.name, (node.end_lineno or node.lineno) - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(LEDGER)))
def test_no_module_in_ledger_exceeds_400_lines(module: Path) -> None:
    assert len(module.read_text("utf-8").splitlines()) <= MAX_MODULE_LINES


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(LEDGER)))
def test_no_function_in_ledger_exceeds_about_60_lines(module: Path) -> None:
    rel = module.relative_to(LEDGER).with_suffix("").as_posix()
    long = [
        f"{name} ({lines} lines)"
        for name, lines in functions(module)
        if lines > MAX_FUNCTION_LINES and f"{rel}:{name}" not in WHOLE_ALGORITHMS
    ]
    assert not long


def test_the_facade_stays_thin() -> None:
    facade = LEDGER / "application.py"
    assert len(facade.read_text("utf-8").splitlines()) <= MAX_FACADE_LINES
