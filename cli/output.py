"""Printing results and errors: human text by default, one JSON document with ``--json``.

Results go to stdout, messages and progress to stderr, so ``--json`` output can be piped
straight into another program.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from .errors import CommandError


@dataclass
class Output:
    """Where a command writes; ``json`` switches every result to machine-readable JSON."""

    json: bool = False
    out: Console = field(
        default_factory=lambda: Console(soft_wrap=True, highlight=False, emoji=False)
    )
    err: Console = field(
        default_factory=lambda: Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)
    )

    def result(self, data: Any, *lines: str) -> None:
        """Print ``data`` as JSON, or ``lines`` (rich markup) for a person."""
        if self.json:
            typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            for line in lines:
                self.out.print(line)

    def note(self, message: str) -> None:
        """A message for the person at the terminal (stderr; also shown with --json)."""
        self.err.print(message)

    def error(self, error: CommandError) -> None:
        if self.json:
            typer.echo(json.dumps({"error": error.as_dict()}, indent=2, ensure_ascii=False))
        self.err.print(f"[bold red]error:[/] {escape(error.detail)}")
        for item in error.errors:
            self.err.print(f"  {escape(item.loc)}: {escape(item.msg)}")
        if error.hint:
            self.err.print(f"[dim]hint: {escape(error.hint)}[/]")


@contextmanager
def reporting(output: Output) -> Iterator[Output]:
    """Run a command body; a CommandError becomes a message and a non-zero exit."""
    try:
        yield output
    except CommandError as error:
        output.error(error)
        raise typer.Exit(error.exit_code) from None
