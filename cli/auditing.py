"""Registers the auditor's, witness's and holder's commands on the ``credledger`` app."""

from __future__ import annotations

import typer

from .audit import audit
from .proofs import proof_app
from .verify import verify
from .witness import witness


def register(app: typer.Typer) -> None:
    app.command()(verify)
    app.add_typer(proof_app, name="proof")
    app.command()(audit)
    app.command()(witness)
