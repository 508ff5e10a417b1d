"""Which ledger a command talks to: a data directory (local mode) or a server (remote)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.errors import LedgerError
from credledger.ledger.domain.ledger_identity import LedgerIdentityError
from credledger.ledger.store.data_dir import DataDirectoryExposedError
from credledger.ledger.store.settings import Settings, SettingsError

from . import remote
from .backend import Backend
from .errors import command_error, usage_error
from .local import LocalBackend


@dataclass(frozen=True)
class Target:
    """The ``--data``/``--server``/``--token``/``--issuer``/``--base-url`` options."""

    data: Path | None = None
    server: str | None = None
    token: str | None = None
    issuer: str | None = None
    base_url: str | None = None

    def settings(self) -> Settings:
        try:
            return Settings.from_env(self.data, self.base_url)
        except SettingsError as exc:
            raise usage_error(str(exc)) from None


@contextmanager
def open_ledger(settings: Settings, *, read_only: bool = False) -> Iterator[CredentialLedger]:
    """The ledger in ``settings``; ``read_only`` (the read commands): opening it catches
    nothing up and signs nothing, so reading a ledger never writes to it."""
    try:
        ledger = CredentialLedger(settings, read_only=read_only)
    except LedgerIdentityError as exc:
        raise usage_error(str(exc)) from None
    except DataDirectoryExposedError as exc:
        raise usage_error(str(exc).split(". Fix with:")[0], hint=exc.hint) from None
    try:
        yield ledger
    finally:
        ledger.close()


@contextmanager
def open_backend(target: Target, *, read_only: bool = False) -> Iterator[Backend]:
    """The backend ``target`` names; closes it afterwards. ``read_only``: a command that
    only reads (local mode opens the ledger without catching up or signing)."""
    if target.server is not None:
        if target.data is not None:
            raise usage_error("give --data DIR (local mode) or --server URL (remote), not both")
        if not target.server.startswith(("http://", "https://")):
            raise usage_error(f"--server must be an http(s) URL, not {target.server!r}")
        if not target.token:
            raise usage_error(
                "remote mode needs a token",
                hint="pass --token TOKEN or set CREDLEDGER_TOKEN "
                "(an issuer's token from `credledger issuer add`, or the administrator's)",
            )
        with remote.client(target.server, target.token) as http:
            yield remote.RemoteBackend(http)
        return
    settings = target.settings()
    if not settings.data_dir.is_dir():
        raise usage_error(
            f"no ledger in {settings.data_dir}",
            hint=f"run `credledger init --data {settings.data_dir}` first, "
            "or pass --data DIR or --server URL",
        )
    issuer = _issuer_id(target.issuer)
    with open_ledger(settings, read_only=read_only) as ledger:
        if issuer is not None:
            try:
                ledger.issuer(issuer)
            except LedgerError as exc:
                raise usage_error(
                    f"--issuer {issuer}: {command_error(exc).detail}",
                    hint=f"`credledger issuer add NAME --data {settings.data_dir}` "
                    "registers one and prints its id",
                ) from None
        yield LocalBackend(ledger, issuer)


def _issuer_id(text: str | None) -> UUID | None:
    if not text:
        return None
    try:
        return UUID(text)
    except ValueError:
        raise usage_error(
            f"--issuer must be an issuer id (a UUID), not {text!r}",
            hint="`credledger issuer add` prints the id",
        ) from None
