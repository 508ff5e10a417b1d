"""The server process's app: configured from the environment, as `credledger serve` sets it.

`credledger serve` (in cli/) starts uvicorn with this factory by name, so the CLI
never imports the API package.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable

from credledger.ledger.application import CredentialLedger
from credledger.ledger.store.settings import Settings
from fastapi import FastAPI

from .access_log import redact_query_strings
from .app import create_app

log = logging.getLogger("credledger.api")
TICK_SECONDS = 5.0
WITNESS_SECONDS = 1.0
"""How often the newest checkpoint is offered to the witnesses that lack it (a read
when they all have it: no request is sent)."""


def app_from_env() -> FastAPI:
    """Open the ledger named by CREDLEDGER_DATA / CREDLEDGER_DATABASE_URL / CREDLEDGER_BASE_URL."""
    settings = Settings.from_env()
    ledger = CredentialLedger(settings)
    admin_hash, new_token = ledger.admin_token_hash(os.environ.get("CREDLEDGER_ADMIN_TOKEN"))
    if new_token is not None:
        print(
            "Admin token (shown once; only its hash is kept):\n  " + new_token,
            file=sys.stderr,
            flush=True,
        )
    app = create_app(ledger, admin_hash, settings.trusted_proxies)
    redact_query_strings()  # a token sent in a URL must not reach the access log

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async def tick() -> None:
            while True:
                await asyncio.sleep(TICK_SECONDS)
                try:
                    # The write path for what no act here did: follow the shared store
                    # (other processes' events, a leader that died, a crash), publish
                    # the status lists due, sign what the checkpoint interval left.
                    # Reads (every GET) never do any of this.
                    await asyncio.to_thread(ledger.catch_up)
                    # Status lists: changed bits, and windows about to close.
                    await asyncio.to_thread(ledger.publish_status_lists)
                    # Claims whose time ran out: their expiry is recorded.
                    await asyncio.to_thread(ledger.claims.expire_due)
                    await asyncio.to_thread(ledger.tlog.tick)
                except Exception:  # pragma: no cover - logged; the next tick retries
                    log.exception("checkpoint tick failed")

        try:  # lists left unpublished by a crash, and windows that closed while stopped
            await asyncio.to_thread(ledger.publish_status_lists)
        except Exception:  # pragma: no cover - logged; the tick retries
            log.exception("status list publication at start failed")
        tasks = [asyncio.create_task(tick())]
        if ledger.tlog.interval > 0:
            tasks.append(asyncio.create_task(sign_due_checkpoints(ledger)))
        if ledger.witness_pusher.witnesses:
            tasks.append(asyncio.create_task(push_to_witnesses(ledger)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            ledger.close()

    app.router.lifespan_context = lifespan
    return app


def checkpoint_poll_seconds(interval: float) -> float:
    """How often a server with a checkpoint interval looks for a checkpoint due: a
    quarter of the interval (at least 50 ms, at most the tick's 5 s)."""
    return min(TICK_SECONDS, max(0.05, interval / 4))


async def sign_due_checkpoints(ledger: CredentialLedger) -> None:
    """With a checkpoint interval, acts sign a checkpoint only when one is due, so the
    last acts before a pause would wait for the tick (5 s) to be in one: this loop signs
    it once due, so an act waits at most the interval and a quarter. A read of the
    newest checkpoint when nothing waits."""
    await repeat(
        checkpoint_poll_seconds(ledger.tlog.interval),
        ledger.tlog.checkpoint_if_due,
        "signing a checkpoint that was due failed",
    )


async def push_to_witnesses(ledger: CredentialLedger) -> None:
    """Offer new checkpoints to the configured witnesses (c2sp.org/tlog-witness), on a
    loop of its own beside the tick: a slow or absent witness delays neither the acts
    nor the tick (each request has the guarded fetcher's deadline)."""
    await repeat(
        WITNESS_SECONDS,
        ledger.witness_pusher.push_due,
        "pushing the checkpoint to the witnesses failed",
    )


async def repeat(seconds: float, work: Callable[[], object], failure: str) -> None:
    """``work`` in a worker thread every ``seconds``, for ever; a failure is logged and
    the next round retries."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(work)
        except Exception:  # pragma: no cover - logged; the next round retries
            log.exception(failure)
