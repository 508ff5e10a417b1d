"""A real ledger served on 127.0.0.1 (uvicorn in a thread), and quick ways to fill it.

For the auditor's, witness's and holder's CLI tests: the server's base URL is its own
address, so the status list URLs inside the credentials it issues can be fetched.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import uvicorn
from credledger.api.app import create_app
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.store.settings import Settings, WitnessEndpoint
from credledger.ledger.store.sqldb import SQLiteDatabase
from credledger.ledger.store.vault import Vault

from .http_helpers import ADMIN_TOKEN, microcredential_definition


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serving(ledger: CredentialLedger, sock: socket.socket) -> Iterator[None]:
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)


def open_ledger(
    data: Path,
    base_url: str,
    *,
    log_seed: bytes | None = None,
    log_origin: str | None = None,
    witness_keys: tuple[str, ...] = (),
    allow_private_fetch: bool = False,
    witnesses: tuple[WitnessEndpoint, ...] = (),
    fetch_deadline_seconds: float = 5.0,
    nonce_lifetime: int = 300,
) -> CredentialLedger:
    """A ledger in ``data``; ``log_seed`` fixes the log's signing key (to make forks);
    ``allow_private_fetch`` lets it fetch from 127.0.0.1 (foreign issuers, witnesses in
    tests); ``witnesses`` are pushed its checkpoints."""
    if log_seed is not None:
        data.mkdir(parents=True, exist_ok=True)
        db = SQLiteDatabase(data / "vault.sqlite")
        Vault(db).set_secret("log-signing-key", log_seed)
        db.close()
    settings = Settings(
        data_dir=data,
        base_url=base_url,
        log_origin=log_origin,
        witness_keys=witness_keys,
        allow_private_fetch=allow_private_fetch,
        witnesses=witnesses,
        fetch_deadline_seconds=fetch_deadline_seconds,
        nonce_lifetime=nonce_lifetime,
    )
    return CredentialLedger(settings)


@dataclass
class Live:
    url: str
    ledger: CredentialLedger


@contextmanager
def live_ledger(data: Path, **options: Any) -> Iterator[Live]:
    """A ledger whose base URL is the address it is served on, for the ``with`` block."""
    sock = free_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    ledger = open_ledger(data, url, **options)
    try:
        with serving(ledger, sock):
            yield Live(url, ledger)
    finally:
        ledger.close()
        sock.close()


@dataclass
class School:
    issuer: UUID
    achievement: UUID
    token: str = ""


def add_school(
    ledger: CredentialLedger,
    name: str = "Hogeschool Zuid",
    *,
    did_method: str = "web",
    suspendable: bool = False,
) -> School:
    """An issuer with one achievement: two events, no signature needed."""
    registered = ledger.register_issuer(Act(ADMIN), name, did_method=did_method)
    issuer = registered.issuer
    definition = microcredential_definition(suspendable=suspendable)
    achievement = ledger.define_achievement(Act(str(issuer.id)), definition)
    return School(issuer.id, achievement.id, registered.token)


def award(ledger: CredentialLedger, school: School, email: str) -> UUID:
    issued = ledger.issue_credential(Act(str(school.issuer)), school.achievement, {"email": email})
    return issued.credential.id


def signed_credential(ledger: CredentialLedger, credential_id: UUID) -> dict[str, Any]:
    return ledger.credential_document(ledger.credential(credential_id))
