"""Registers the auditor's, witness's and holder's commands on the ``credledger`` app."""

from __future__ import annotations

import typer

from .audit import audit
from .proofs import proof_app
from .verify import verify
from .witness import witness
from .witness_serve import serve as serve_witness


def register(app: typer.Typer) -> None:
    app.command()(verify)
    app.add_typer(proof_app, name="proof")
    app.command()(audit)
    witness_app = typer.Typer(no_args_is_help=False)
    witness_app.callback(invoke_without_command=True)(witness)
    witness_app.command("serve")(serve_witness)
    app.add_typer(witness_app, name="witness")
