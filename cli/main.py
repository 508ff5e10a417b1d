"""Entry point of the ``credledger`` console command."""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated

import typer

from . import auditing, help_format
from .commands import register
from .serve import serve

help_format.install()
app = typer.Typer(
    no_args_is_help=True,
    help="credledger: a Merkle-anchored ledger for microcredentials.",
    pretty_exceptions_enable=False,
)
app.command()(serve)
register(app)
auditing.register(app)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"credledger {version('credledger')}")
        raise typer.Exit()


@app.callback()
def _root(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """credledger: a Merkle-anchored ledger for microcredentials."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
