"""When checkpoints are signed (issue 12.5): on the write path, after every act by default,
at most once per ``checkpoint_interval`` if one is set (the tick signing the rest), and
never by a read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.domain.errors import NotYetAnchoredError
from credledger.ledger.store.settings import Settings, SettingsError


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def settings(tmp_path: Path, interval: float = 0.0) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        base_url="https://ledger.example.test",
        checkpoint_interval=interval,
    )


def register(ledger: CredentialLedger, name: str) -> None:
    ledger.register_issuer(Act(ADMIN), name)


def test_a_new_ledger_has_its_first_checkpoint(tmp_path: Path) -> None:
    ledger = CredentialLedger(settings(tmp_path))
    try:
        latest = ledger.tlog.latest_checkpoint()
        assert latest is not None
        assert latest.size == ledger.tlog.size()
    finally:
        ledger.close()


def test_every_act_signs_the_checkpoint_over_its_leaves(tmp_path: Path) -> None:
    ledger = CredentialLedger(settings(tmp_path))
    try:
        for name in ("A", "B"):
            register(ledger, name)
            latest = ledger.tlog.latest_checkpoint()
            assert latest is not None
            assert latest.size == ledger.tlog.size()
    finally:
        ledger.close()


def test_an_interval_signs_at_most_that_often_and_the_tick_signs_the_rest(
    tmp_path: Path,
) -> None:
    clock = Clock()
    ledger = CredentialLedger(settings(tmp_path, interval=10.0), clock=clock)
    try:
        first = ledger.tlog.latest_checkpoint()
        assert first is not None
        register(ledger, "A")
        assert ledger.tlog.latest_checkpoint() == first  # within the interval: not yet
        with pytest.raises(NotYetAnchoredError) as refused:
            ledger.tlog.covering_checkpoint(ledger.tlog.size() - 1)  # a read never signs
        assert refused.value.retry_after == 10
        assert ledger.tlog.latest_checkpoint() == first
        ledger.tlog.tick()
        assert ledger.tlog.latest_checkpoint() == first  # the tick keeps the interval too
        clock.now += timedelta(seconds=10)
        ledger.tlog.tick()
        latest = ledger.tlog.latest_checkpoint()
        assert latest is not None
        assert latest.size == ledger.tlog.size()
        assert ledger.tlog.covering_checkpoint(latest.size - 1) == latest
        clock.now += timedelta(seconds=10)
        register(ledger, "B")  # the interval has passed: the act signs at once
        newest = ledger.tlog.latest_checkpoint()
        assert newest is not None
        assert newest.size == ledger.tlog.size()
    finally:
        ledger.close()


def test_the_interval_is_read_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CREDLEDGER_DATABASE_URL", raising=False)
    monkeypatch.delenv("CREDLEDGER_CHECKPOINT_INTERVAL", raising=False)
    assert Settings.from_env(tmp_path).checkpoint_interval == 0
    monkeypatch.setenv("CREDLEDGER_CHECKPOINT_INTERVAL", "1.5")
    assert Settings.from_env(tmp_path).checkpoint_interval == 1.5
    assert Settings.from_env(tmp_path, checkpoint_interval=3.0).checkpoint_interval == 3
    for wrong in ("-1", "soon", "inf", "nan"):
        monkeypatch.setenv("CREDLEDGER_CHECKPOINT_INTERVAL", wrong)
        with pytest.raises(SettingsError, match="CREDLEDGER_CHECKPOINT_INTERVAL"):
            Settings.from_env(tmp_path)


def _pending_after_registrations(ledger: CredentialLedger, names: str) -> int:
    """Register issuers with the followers paused; how many events wait to be logged."""
    hook, ledger.store.on_recorded = ledger.store.on_recorded, None
    try:
        for name in names:
            register(ledger, name)
    finally:
        ledger.store.on_recorded = hook
    return len(ledger.follower.select(1, 1_000_000)) - ledger.tlog.size()


@pytest.mark.parametrize("batch", ["one", "all", "more"])
def test_a_catch_up_of_many_batches_signs_one_checkpoint_over_them_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: str
) -> None:
    ledger = CredentialLedger(settings(tmp_path))
    try:
        before = len(ledger.tlog.checkpoints())
        pending = _pending_after_registrations(ledger, "ABC")
        assert pending >= 3
        size = {"one": 1, "all": pending, "more": pending + 1}[batch]
        monkeypatch.setattr("credledger.ledger.log.transparency_log.BATCH", size)
        assert ledger.tlog.catch_up(ledger.follower.select) == pending
        checkpoints = ledger.tlog.checkpoints()
        assert len(checkpoints) == before + 1  # the last batch's, not one a batch
        assert checkpoints[-1].size == ledger.tlog.size()
        assert ledger.tlog.catch_up(ledger.follower.select) == 0
        assert len(ledger.tlog.checkpoints()) == before + 1
    finally:
        ledger.close()


def test_a_catch_up_within_the_interval_leaves_its_leaves_to_the_tick(tmp_path: Path) -> None:
    clock = Clock()
    ledger = CredentialLedger(settings(tmp_path, interval=10.0), clock=clock)
    try:
        first = ledger.tlog.latest_checkpoint()
        pending = _pending_after_registrations(ledger, "AB")
        assert ledger.tlog.catch_up(ledger.follower.select) == pending
        assert ledger.tlog.latest_checkpoint() == first
        clock.now += timedelta(seconds=10)
        signed = ledger.tlog.checkpoint_if_due()
        assert signed is not None
        assert signed.size == ledger.tlog.size()
    finally:
        ledger.close()
