"""Entry point of the ``credledger`` console command."""

from __future__ import annotations

import typer

app = typer.Typer(
    no_args_is_help=True, help="credledger: a Merkle-anchored ledger for microcredentials."
)


@app.callback()
def _root() -> None:
    """credledger: a Merkle-anchored ledger for microcredentials."""


def main() -> None:
    app()
