"""With a checkpoint interval, the server signs a checkpoint as soon as one is due, not
at the next tick: the last act before a pause waits at most the interval and a quarter
to be in a signed checkpoint (issue 16.3)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from credledger.api.server import TICK_SECONDS, checkpoint_poll_seconds, sign_due_checkpoints
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.store.settings import Settings


@pytest.mark.parametrize(
    ("interval", "poll"), [(1.0, 0.25), (0.1, 0.05), (60.0, TICK_SECONDS), (8.0, 2.0)]
)
def test_the_server_looks_four_times_an_interval(interval: float, poll: float) -> None:
    assert checkpoint_poll_seconds(interval) == poll


def test_the_last_act_before_a_pause_is_signed_once_due(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", base_url="https://ledger.example.test", checkpoint_interval=0.4
    )
    ledger = CredentialLedger(settings)
    try:
        ledger.register_issuer(Act(ADMIN), "Hogeschool Leeuwarden")  # within the interval
        waiting = ledger.tlog.size()
        assert ledger.tlog.latest_checkpoint().size < waiting

        async def serve_a_while() -> None:
            loop = asyncio.create_task(sign_due_checkpoints(ledger))
            await asyncio.sleep(1.0)  # 0.4 s interval + 0.1 s poll, with room to spare
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop

        asyncio.run(serve_a_while())
        assert ledger.tlog.latest_checkpoint().size == waiting
    finally:
        ledger.close()
