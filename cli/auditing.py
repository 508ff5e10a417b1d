"""Registers the auditor's, witness's and holder's commands on the ``credledger`` app."""

from __future__ import annotations

import typer

from .proofs import proof_app


def register(app: typer.Typer) -> None:
    app.add_typer(proof_app, name="proof")
