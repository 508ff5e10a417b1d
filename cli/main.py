"""Entry point of the ``credledger`` console command."""

from __future__ import annotations

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


@app.callback()
def _root() -> None:
    """credledger: a Merkle-anchored ledger for microcredentials."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
