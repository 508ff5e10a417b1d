"""Exit codes and output shared by the auditor's and holder's commands.

Scripts rely on the exit codes (docs/api.md): 0 valid (a log: intact), 1 invalid (a
log: tampered), 2 undecided (or the command could not run). Each verdict has one
spelling, in lower case, in the report, in ``--json`` (``result``) and in messages
(docs/verification.md, "Verdict words"). Results go to stdout (one JSON document with
``--json``), messages and progress to stderr.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

VALID = 0
INVALID = 1
UNDECIDED = 2

stdout = Console(soft_wrap=True, highlight=False, emoji=False)
stderr = Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)


class Undecided(Exception):  # noqa: N818  (a verdict, like valid and invalid)
    """The command could not reach a verdict (unreadable input, unreachable server)."""


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def fail(message: str, *, code: int, as_json: bool, hint: str | None = None) -> NoReturn:
    """Report why the command stopped and exit with ``code``."""
    if as_json:
        emit_json({"error": message, "exit_code": code})
    stderr.print(f"[bold red]error:[/] {escape(message)}")
    if hint:
        stderr.print(f"[dim]hint: {escape(hint)}[/]")
    raise typer.Exit(code)


def line(label: str, value: str) -> str:
    """One aligned ``label  value`` line of a human report (rich markup, value escaped)."""
    return f"  [bold]{label:<12}[/] {escape(value)}"
