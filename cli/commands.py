"""Registers the institution commands on the ``credledger`` app (one call from main)."""

from __future__ import annotations

import typer

from .awards import award
from .browse import catalogue_app, credential_app
from .endorsements import endorse, recognise
from .erasure import erase
from .initialise import init
from .institutions import achievement_app, issuer_app
from .move_base_url import move_base_url
from .read_model import read_model_app
from .sharing import share, unshare
from .status import CHANGES, status_command


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command("move-base-url")(move_base_url)
    app.add_typer(issuer_app, name="issuer")
    app.add_typer(achievement_app, name="achievement")
    credential_app.command("share")(share)
    credential_app.command("unshare")(unshare)
    app.add_typer(credential_app, name="credential")
    app.add_typer(catalogue_app, name="catalogue")
    app.command()(award)
    for change in CHANGES:
        app.command(change)(status_command(change))
    app.command()(endorse)
    app.command()(recognise)
    app.command()(erase)
    app.add_typer(read_model_app, name="read-model")
