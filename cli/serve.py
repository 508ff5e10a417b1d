"""`credledger serve`: the HTTP server on the embedded store (or PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from credledger.ledger.admin_token import check_admin_token
from credledger.ledger.settings import Settings, SettingsError

APP_FACTORY = "credledger.api.server:app_from_env"


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
        if configured_token := os.environ.get("CREDLEDGER_ADMIN_TOKEN"):
            check_admin_token(configured_token)  # refuse to start rather than accept a weak one
    except SettingsError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise typer.Exit(2) from None
    os.environ["CREDLEDGER_DATA"] = str(settings.data_dir)
    os.environ["CREDLEDGER_BASE_URL"] = settings.base_url
    store = "PostgreSQL" if settings.database_url else f"SQLite in {settings.data_dir}"
    typer.echo(f"credledger serving {settings.base_url} (store: {store})", err=True)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        log_level="info",
        server_header=False,
        # Forwarded headers count only from CREDLEDGER_TRUSTED_PROXIES (the app reads
        # them itself); uvicorn would otherwise believe any X-Forwarded-For from 127.0.0.1.
        proxy_headers=False,
    )
