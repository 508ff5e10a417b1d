"""`credledger serve`: the HTTP server on the embedded store (or PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from credledger.api.app import create_app
from credledger.ledger.application import CredentialLedger
from credledger.ledger.settings import Settings, SettingsError


def serve(
    data: Annotated[
        Path | None,
        typer.Option(help="data directory (default: $CREDLEDGER_DATA or ./credledger-data)"),
    ] = None,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    base_url: Annotated[
        str | None, typer.Option(help="public origin used in every URL the server writes")
    ] = None,
    tls_cert: Annotated[Path | None, typer.Option(help="PEM certificate: serve HTTPS")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM private key for --tls-cert")] = None,
) -> None:
    """Start the HTTP server.

    Example: credledger serve --data ./credledger-data --port 8000
    """
    import uvicorn

    if (tls_cert is None) != (tls_key is None):
        raise typer.BadParameter("give --tls-cert and --tls-key together")
    scheme = "https" if tls_cert else "http"
    try:
        settings = Settings.from_env(data, base_url or f"{scheme}://{host}:{port}")
    except SettingsError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise typer.Exit(2) from None
    ledger = CredentialLedger(settings)
    admin_hash, new_token = ledger.admin_token_hash(os.environ.get("CREDLEDGER_ADMIN_TOKEN"))
    if new_token is not None:
        typer.secho(
            "Admin token (shown once; only its hash is kept):\n  " + new_token,
            fg="yellow",
            err=True,
        )
    app = create_app(ledger, admin_hash)
    store = "PostgreSQL" if settings.database_url else f"SQLite in {settings.data_dir}"
    typer.echo(f"credledger serving {settings.base_url} (store: {store})", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        log_level="info",
        server_header=False,
    )
    ledger.close()
