"""Options shared by the commands, declared once so every command spells them the same."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

LEDGER = "Ledger (local: --data; remote: --server with --token)"

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Data directory of a local ledger (default: $CREDLEDGER_DATA or ./credledger-data).",
        rich_help_panel=LEDGER,
    ),
]
ServerOption = Annotated[
    str | None,
    typer.Option(
        "--server", help="URL of a credledger server (remote mode).", rich_help_panel=LEDGER
    ),
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="CREDLEDGER_TOKEN",
        help="Bearer token for --server (an issuer's, or the administrator's).",
        rich_help_panel=LEDGER,
    ),
]
IssuerOption = Annotated[
    str | None,
    typer.Option(
        "--issuer",
        envvar="CREDLEDGER_ISSUER",
        help="Local mode: id of the institution that acts (remote mode: the token decides).",
        rich_help_panel=LEDGER,
    ),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="Local mode: the ledger's public base URL. A new ledger is created with it "
        "(default: $CREDLEDGER_BASE_URL or http://127.0.0.1:8000); an existing one keeps "
        "the one it was created with and refuses another (see `credledger move-base-url`).",
        rich_help_panel=LEDGER,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the result (or the error) as JSON for scripts.")
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key",
        help="Running the command again with the same key and input records nothing twice.",
    ),
]
