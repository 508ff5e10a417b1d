"""`credledger move-base-url`: give the ledger a new public base URL, as a recorded act."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.domain.ledger_identity import LedgerIdentityError
from credledger.ledger.services.identity import move_base_url as record_move

from .errors import usage_error
from .options import JsonOption
from .output import Output, reporting
from .target import Target, open_ledger


def move_base_url(
    new_base_url: Annotated[
        str, typer.Argument(help="The new public base URL, e.g. https://ledger.example.nl")
    ],
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Data directory of the ledger (default: $CREDLEDGER_DATA or ./credledger-data); "
            "with CREDLEDGER_DATABASE_URL the ledger in PostgreSQL.",
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Move the ledger's public base URL, recorded in the log (PublicBaseUrlMoved).

    Credentials issued from now on carry URLs under the new base URL (status lists,
    did:web, contexts); those issued before keep theirs and keep verifying, as long as
    the old host still reaches this server (the ledger answers under every base URL it
    has had). The log origin never changes. Restart every server process afterwards:
    each reads the ledger's identity when it starts.

    Example:  credledger move-base-url https://credentials.example.nl --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        settings = Target(data=data).settings()
        if not settings.database_url and not settings.data_dir.is_dir():
            raise usage_error(
                f"no ledger in {settings.data_dir}",
                hint="pass --data DIR (or set CREDLEDGER_DATABASE_URL for PostgreSQL)",
            )
        with open_ledger(settings) as ledger:
            previous = ledger.identity.base_url
            try:
                identity, moved = record_move(ledger, new_base_url, Act(ADMIN))
            except LedgerIdentityError as exc:
                raise usage_error(str(exc)) from None
        if moved:
            lines = [
                f"Moved the public base URL from {previous} to {identity.base_url} "
                "(recorded in the log as PublicBaseUrlMoved)",
                f"Log origin (unchanged): {identity.log_origin}",
                "Restart the server: new credentials carry the new URLs from its next start.",
                f"Keep {previous} reaching this server so earlier credentials keep verifying.",
            ]
        else:
            lines = [f"The public base URL is already {identity.base_url}; nothing recorded"]
        output.result(
            {
                "moved": moved,
                "previous_base_url": previous,
                "base_url": identity.base_url,
                "base_urls": list(identity.base_urls),
                "log_origin": identity.log_origin,
            },
            *lines,
        )
