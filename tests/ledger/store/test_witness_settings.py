"""CREDLEDGER_WITNESSES: the witnesses a log pushes its checkpoints to, as URL=VKEY pairs."""

from __future__ import annotations

from pathlib import Path

import pytest
from credledger.crypto.keys import Ed25519KeyPair
from credledger.crypto.tlog_witness import WitnessKey
from credledger.ledger.store.settings import (
    Settings,
    SettingsError,
    WitnessEndpoint,
    parse_witnesses,
)

ONE = WitnessKey("witness.example/w1", Ed25519KeyPair.from_seed(bytes([1]) * 32)).vkey()
TWO = WitnessKey("witness.example/w2", Ed25519KeyPair.from_seed(bytes([2]) * 32)).vkey()


def test_pairs_are_read_in_order_and_a_trailing_slash_is_dropped() -> None:
    value = f" https://w1.example/witness/={ONE} , http://127.0.0.1:7380={TWO},"
    assert parse_witnesses(value) == (
        WitnessEndpoint("https://w1.example/witness", ONE),
        WitnessEndpoint("http://127.0.0.1:7380", TWO),
    )
    assert parse_witnesses("") == ()


@pytest.mark.parametrize(
    "value",
    [
        ONE,
        f"ftp://w1.example={ONE}",
        f"https://={ONE}",
        f"https://w1.example?x=1={ONE}",
        f"https://w1.example#top={ONE}",
        "https://w1.example=not-a-vkey",
        "https://w1.example=",
    ],
    ids=["no-url", "not-http", "no-host", "query", "fragment", "bad-vkey", "no-vkey"],
)
def test_what_is_not_url_equals_vkey_is_refused_at_start(value: str) -> None:
    with pytest.raises(SettingsError, match="CREDLEDGER_WITNESSES"):
        parse_witnesses(value)


def test_pushed_witnesses_and_pull_witnesses_both_count_as_cosigners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDLEDGER_WITNESS_KEYS", ONE)
    monkeypatch.setenv("CREDLEDGER_WITNESSES", f"https://w1.example={ONE},https://w2.example={TWO}")
    settings = Settings.from_env(tmp_path)
    assert [w.url for w in settings.witnesses] == ["https://w1.example", "https://w2.example"]
    assert settings.cosigner_keys == (ONE, TWO)
