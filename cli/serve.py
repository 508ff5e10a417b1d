"""`credledger serve`: the HTTP server on the embedded store (or PostgreSQL)."""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import typer
from credledger.ledger.bootstrap import open_identity
from credledger.ledger.domain.ledger_identity import LedgerIdentityError
from credledger.ledger.store.admin_token import check_admin_token
from credledger.ledger.store.data_dir import DataDirectoryExposedError
from credledger.ledger.store.settings import Settings, SettingsError

APP_FACTORY = "credledger.api.server:app_from_env"


def serve(
    data: Annotated[
        Path | None,
        typer.Option(help="data directory (default: $CREDLEDGER_DATA or ./credledger-data)"),
    ] = None,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="public base URL of a new ledger (default: http[s]://HOST:PORT); an existing "
            "ledger keeps the one it was created with and refuses another "
            "(see `credledger move-base-url`)"
        ),
    ] = None,
    tls_cert: Annotated[Path | None, typer.Option(help="PEM certificate: serve HTTPS")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM private key for --tls-cert")] = None,
    json_output: Annotated[
        bool,
        typer.Option("--json", help="print where it serves as one JSON line before starting"),
    ] = False,
) -> None:
    """Start the HTTP server.

    The ledger's public base URL and log origin are fixed when it is created (by
    `credledger init` or the first start) and kept with it: later starts on any host
    or port keep them.

    Example: credledger serve --data ./ledger --port 8000
    """
    import uvicorn

    if (tls_cert is None) != (tls_key is None):
        raise typer.BadParameter("give --tls-cert and --tls-key together")
    scheme = "https" if tls_cert else "http"
    listening = f"{scheme}://{_netloc(host, port)}"
    try:
        settings = Settings.from_env(data, base_url, default_base_url=listening)
        if configured_token := os.environ.get("CREDLEDGER_ADMIN_TOKEN"):
            check_admin_token(configured_token)  # refuse to start rather than accept a weak one
        identity = open_identity(settings)  # refusals come here, before the server starts
    except (SettingsError, LedgerIdentityError, DataDirectoryExposedError) as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise typer.Exit(2) from None
    os.environ["CREDLEDGER_DATA"] = str(settings.data_dir)
    store = "PostgreSQL" if settings.database_url else f"SQLite in {settings.data_dir}"
    if json_output:
        postgres = settings.database_url is not None
        about = {
            "url": identity.base_url,
            "log_origin": identity.log_origin,
            "listen": listening,
            "store": "postgresql" if postgres else "sqlite",
            "data": str(settings.data_dir),
        }
        typer.echo(json.dumps(about))
    typer.echo(
        f"credledger: public base URL {identity.base_url} (signed into credentials), "
        f"log origin {identity.log_origin}; listening on {listening} (store: {store})",
        err=True,
    )
    if _is_loopback(urlsplit(identity.base_url).hostname) and not _is_loopback(host):
        typer.secho(
            f"warning: the public base URL {identity.base_url} is a loopback address, but the "
            f"server listens on {host}: others cannot fetch the status lists and DIDs in its "
            "credentials. Move it with `credledger move-base-url https://PUBLIC-HOST "
            + ("" if settings.database_url else f"--data {settings.data_dir}")
            + "` (recorded in the log).",
            err=True,
            fg="yellow",
        )
    loop, http = _event_loop_and_parser()
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
        loop=loop,
        http=http,
    )


def _event_loop_and_parser() -> tuple[Literal["uvloop", "asyncio"], Literal["httptools", "h11"]]:
    """uvloop's event loop and httptools' HTTP parser (both declared dependencies; about
    a fifth less CPU per request than asyncio's loop and h11, BENCHMARKS.md), or the
    standard ones where no build of them exists (uvloop has none for Windows)."""
    loop: Literal["uvloop", "asyncio"] = "asyncio"
    http: Literal["httptools", "h11"] = "h11"
    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:  # pragma: no cover - Windows
        pass
    try:
        import httptools  # noqa: F401

        http = "httptools"
    except ImportError:  # pragma: no cover - a platform without a wheel and no compiler
        pass
    return loop, http


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
