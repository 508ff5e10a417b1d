"""CREDLEDGER_CLAIM_LIFETIME: the seconds a claim stays open by default (14 days)."""

from __future__ import annotations

from pathlib import Path

import pytest
from credledger.ledger.store.settings import (
    CLAIM_LIFETIME_DEFAULT,
    Settings,
    SettingsError,
    parse_claim_lifetime,
)


@pytest.mark.parametrize(("value", "seconds"), [(None, 14 * 86_400), ("", 14 * 86_400),
                                                 ("3600", 3600), ("60", 60)])  # fmt: skip
def test_a_lifetime_is_read_in_whole_seconds(value: str | None, seconds: int) -> None:
    assert parse_claim_lifetime(value) == seconds


@pytest.mark.parametrize("value", ["59", "31622401", "1.5", "two weeks", "-60"])
def test_a_lifetime_out_of_bounds_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="CREDLEDGER_CLAIM_LIFETIME"):
        parse_claim_lifetime(value)


def test_the_environment_sets_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDLEDGER_DATABASE_URL", raising=False)
    monkeypatch.setenv("CREDLEDGER_CLAIM_LIFETIME", "86400")
    assert Settings.from_env(tmp_path).claim_lifetime == 86_400
    monkeypatch.delenv("CREDLEDGER_CLAIM_LIFETIME")
    assert Settings.from_env(tmp_path).claim_lifetime == CLAIM_LIFETIME_DEFAULT
