"""`credledger init`: create a data directory and its administrator token."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from credledger.ledger.store.admin_token import WeakAdminTokenError, check_admin_token

from .errors import usage_error
from .options import BaseUrlOption, JsonOption
from .output import Output, reporting
from .target import Target, open_ledger


def init(
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="Directory to create (default: $CREDLEDGER_DATA or ./credledger-data)."
        ),
    ] = None,
    base_url: BaseUrlOption = None,
    json_output: JsonOption = False,
) -> None:
    """Create a ledger's data directory, its identity and its administrator token.

    The ledger's public base URL (--base-url: written into every credential, status
    list and DID) and its log origin (the first line of every checkpoint) are fixed
    here and kept with the ledger; `credledger move-base-url` moves the base URL later,
    as a recorded act. The token is printed once, here; only its hash is kept. Running
    init again on the same directory changes nothing and prints no token.
    CREDLEDGER_ADMIN_TOKEN, when set, becomes the admin token instead.

    Example:  credledger init --data ./ledger --base-url https://ledger.example.nl
    """
    output = Output(json=json_output)
    with reporting(output):
        settings = Target(data=data, base_url=base_url).settings()
        existed = settings.data_dir.is_dir() and any(settings.data_dir.iterdir())
        configured = os.environ.get("CREDLEDGER_ADMIN_TOKEN") or None
        if configured:
            try:
                check_admin_token(configured)
            except WeakAdminTokenError as exc:
                raise usage_error(str(exc)) from None
        with open_ledger(settings) as ledger:
            _, token = ledger.admin_token_hash(configured)
            identity = ledger.identity
        where = str(settings.data_dir)
        known_as = [
            f"Public base URL: {identity.base_url} (signed into credentials)",
            f"Log origin: {identity.log_origin}",
        ]
        if token is not None:
            lines = [
                f"Created a ledger in {where}",
                *known_as,
                "Admin token (shown once; only its hash is kept):",
                f"  {token}",
            ]
        elif configured:
            lines = [f"Ledger in {where}: the admin token is now CREDLEDGER_ADMIN_TOKEN", *known_as]
        else:
            lines = [
                f"Ledger in {where} is already set up; its admin token was shown when it was made",
                "(to replace it, start `credledger serve` with CREDLEDGER_ADMIN_TOKEN set)",
                *known_as,
            ]
        output.result(
            {
                "data_dir": where,
                "created": not existed,
                "admin_token": token,
                "base_url": identity.base_url,
                "log_origin": identity.log_origin,
            },
            *lines,
        )
