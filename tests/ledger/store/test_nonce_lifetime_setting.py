"""CREDLEDGER_NONCE_LIFETIME: the seconds an OpenID4VCI c_nonce is taken (5 minutes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from credledger.ledger.store.settings import (
    NONCE_LIFETIME_DEFAULT,
    Settings,
    SettingsError,
    parse_nonce_lifetime,
)


@pytest.mark.parametrize(("value", "seconds"), [(None, 300), ("", 300), ("1", 1), ("3600", 3600)])
def test_a_nonce_lifetime_is_read_in_whole_seconds(value: str | None, seconds: int) -> None:
    assert parse_nonce_lifetime(value) == seconds


@pytest.mark.parametrize("value", ["0", "3601", "2.5", "five minutes", "-1"])
def test_a_nonce_lifetime_out_of_bounds_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="CREDLEDGER_NONCE_LIFETIME"):
        parse_nonce_lifetime(value)


def test_the_environment_sets_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDLEDGER_DATABASE_URL", raising=False)
    monkeypatch.setenv("CREDLEDGER_NONCE_LIFETIME", "60")
    assert Settings.from_env(tmp_path).nonce_lifetime == 60
    monkeypatch.delenv("CREDLEDGER_NONCE_LIFETIME")
    assert Settings.from_env(tmp_path).nonce_lifetime == NONCE_LIFETIME_DEFAULT
