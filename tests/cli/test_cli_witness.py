"""`credledger witness`: cosigns a log that only grows, and cries fork when it does not."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.checkpoint import Checkpoint
from credledger.crypto.errors import InvalidKeyError
from credledger.crypto.signed_note import CosignatureVerifier, open_note, parse_vkey
from credledger.crypto.tlog_witness import (
    ForkError,
    WitnessKey,
    WitnessState,
    WitnessStateError,
    check_extends,
    cosign,
)

from ..cli_helpers import clean_environment, run
from ..ledger_server import add_school as add_issuer
from ..ledger_server import live_ledger

SEED = bytes(range(32, 64))
ORIGIN = "ledger.witness.test/log"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


def add_school(ledger: Any, name: str = "Hogeschool Zuid") -> None:
    """Two more leaves, and a checkpoint over them."""
    add_issuer(ledger, name)
    ledger.tlog.make_checkpoint()


def witness(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = run("witness", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


def make_key(path: Path, name: str = "witness.test/w1") -> str:
    result = run("witness", "--show-vkey", "--key", path, "--name", name)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


# -- the command ---------------------------------------------------------------------------------


def test_show_vkey_makes_a_private_key_file_and_prints_only_the_vkey(tmp_path: Path) -> None:
    key = tmp_path / "witness.key"
    vkey = make_key(key)
    assert isinstance(parse_vkey(vkey), CosignatureVerifier)
    assert vkey.startswith("witness.test/w1+")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("PRIVATE+KEY+witness.test/w1+")
    assert make_key(key) == vkey  # the same key next time
    assert "PRIVATE" not in run("witness", "--show-vkey", "--key", key).output


def test_a_configured_witness_cosigns_and_the_log_keeps_it(tmp_path: Path) -> None:
    key = tmp_path / "witness.key"
    vkey = make_key(key)
    with live_ledger(tmp_path / "log", witness_keys=(vkey,)) as live:
        add_school(live.ledger)
        code, report = witness("--server", live.url, "--state", tmp_path / "s.json", "--key", key)
        assert code == 0, report
        assert report["result"] == "cosigned"
        assert report["submitted"]
        latest = live.ledger.tlog.latest_checkpoint()
        assert latest is not None
        served = live.ledger.tlog.cosigned_note(latest)
    opened = open_note(served, [CosignatureVerifier.from_vkey(vkey)])
    assert [s.name for s in opened.signatures] == ["witness.test/w1"]
    state = json.loads((tmp_path / "s.json").read_text())
    assert state["size"] == report["size"] == 3  # LedgerCreated and the school's two events


def test_the_witness_follows_a_growing_log(tmp_path: Path) -> None:
    key, state = tmp_path / "witness.key", tmp_path / "s.json"
    vkey = make_key(key)
    with live_ledger(tmp_path / "log", witness_keys=(vkey,)) as live:
        add_school(live.ledger, "First")
        assert witness("--server", live.url, "--state", state, "--key", key)[0] == 0
        add_school(live.ledger, "Second")
        add_school(live.ledger, "Third")
        code, report = witness("--server", live.url, "--state", state, "--key", key)
    assert code == 0, report
    assert (report["previous_size"], report["size"]) == (3, 7)  # LedgerCreated first


def test_a_log_showing_another_history_is_a_fork(tmp_path: Path) -> None:
    key, state = tmp_path / "witness.key", tmp_path / "s.json"
    make_key(key)
    options: dict[str, Any] = {"log_seed": SEED, "log_origin": ORIGIN}
    with live_ledger(tmp_path / "honest", **options) as live:
        add_school(live.ledger, "Honest School")
        assert witness("--server", live.url, "--state", state, "--key", key)[0] == 0
    remembered = state.read_text()
    with live_ledger(tmp_path / "forked", **options) as live:  # same key, other leaves
        add_school(live.ledger, "Forged School")
        add_school(live.ledger, "Another Forged School")
        result = run("witness", "--server", live.url, "--state", state, "--key", key)
    assert result.exit_code == 1
    assert "fork: " in result.output
    assert state.read_text() == remembered


def test_a_fork_at_the_same_size_is_found(tmp_path: Path) -> None:
    key, state = tmp_path / "witness.key", tmp_path / "s.json"
    make_key(key)
    options: dict[str, Any] = {"log_seed": SEED, "log_origin": ORIGIN}
    with live_ledger(tmp_path / "honest", **options) as live:
        add_school(live.ledger, "Honest School")
        assert witness("--server", live.url, "--state", state, "--key", key)[0] == 0
    with live_ledger(tmp_path / "forked", **options) as live:
        add_school(live.ledger, "Forged School")
        code, report = witness("--server", live.url, "--state", state, "--key", key)
    assert code == 1
    assert report["result"] == "fork"


def test_a_checkpoint_not_signed_by_the_remembered_key_is_refused(tmp_path: Path) -> None:
    key, state = tmp_path / "witness.key", tmp_path / "s.json"
    make_key(key)
    with live_ledger(tmp_path / "one", log_origin=ORIGIN) as live:
        add_school(live.ledger)
        assert witness("--server", live.url, "--state", state, "--key", key)[0] == 0
    with live_ledger(tmp_path / "two", log_origin=ORIGIN) as live:  # a new key
        add_school(live.ledger)
        code, report = witness("--server", live.url, "--state", state, "--key", key)
    assert code == 1
    assert report["result"] == "bad-signature"


def test_a_refused_submission_is_reported_but_the_check_stands(tmp_path: Path) -> None:
    key, state = tmp_path / "witness.key", tmp_path / "s.json"
    make_key(key)
    with live_ledger(tmp_path / "log") as live:  # this witness is not configured there
        add_school(live.ledger)
        code, report = witness("--server", live.url, "--state", state, "--key", key)
    assert code == 0
    assert not report["submitted"]
    assert "400" in report["refused"]
    assert json.loads(state.read_text())["size"] == 3


def test_an_unreachable_log_is_undecided(tmp_path: Path) -> None:
    key = tmp_path / "witness.key"
    make_key(key)
    result = run(
        "witness", "--server", "http://127.0.0.1:9", "--state", tmp_path / "s", "--key", key
    )
    assert result.exit_code == 2
    assert not (tmp_path / "s").exists()


# -- the witness's rules (crypto.tlog_witness) ------------------------------------------------


def state_of(size: int, root: bytes) -> WitnessState:
    return WitnessState("log.test", "log.test+00000000+AA==", size, root, "note")


def test_a_smaller_tree_is_a_rollback() -> None:
    with pytest.raises(ForkError, match="rolled back"):
        check_extends(state_of(5, bytes(32)), Checkpoint("log.test", 4, bytes(32)), [])


def test_the_same_size_with_another_root_is_a_fork() -> None:
    with pytest.raises(ForkError, match="two different trees"):
        check_extends(state_of(5, bytes(32)), Checkpoint("log.test", 5, b"\x01" * 32), [])


def test_a_bad_consistency_proof_is_a_fork() -> None:
    with pytest.raises(ForkError):
        check_extends(state_of(5, bytes(32)), Checkpoint("log.test", 8, bytes(32)), [bytes(32)])


def test_another_logs_checkpoint_is_refused() -> None:
    with pytest.raises(WitnessStateError):
        check_extends(state_of(5, bytes(32)), Checkpoint("other.test", 9, bytes(32)), [])


def test_a_state_survives_a_round_trip() -> None:
    state = state_of(7, bytes(range(32)))
    assert WitnessState.from_json(json.loads(json.dumps(state.as_json()))) == state


def test_a_malformed_state_is_refused() -> None:
    with pytest.raises(WitnessStateError):
        WitnessState.from_json({"origin": "x", "size": 1})


def test_a_witness_key_survives_its_key_file() -> None:
    key = WitnessKey.generate("witness.test/w2")
    again = WitnessKey.from_skey(key.skey())
    assert again.vkey() == key.vkey()


def test_a_key_file_with_a_wrong_key_id_is_refused() -> None:
    skey = WitnessKey.generate("witness.test/w2").skey()
    private, key, name, key_id, material = skey.split("+", 4)  # base64 may hold "+"
    wrong = f"{private}+{key}+{name}+{int(key_id, 16) ^ 1:08x}+{material}"
    with pytest.raises(InvalidKeyError):
        WitnessKey.from_skey(wrong)


def test_a_cosignature_verifies_with_the_published_vkey() -> None:
    from credledger.crypto.checkpoint import sign_checkpoint
    from credledger.crypto.keys import Ed25519KeyPair
    from credledger.crypto.signed_note import NoteSigner, cosignature_timestamp

    log = NoteSigner("log.test", Ed25519KeyPair.from_seed(SEED))
    note = sign_checkpoint(Checkpoint("log.test", 3, bytes(32)), log)
    key = WitnessKey.generate("witness.test/w3")
    cosigned = cosign(note, key, 1_700_000_000)
    opened = open_note(cosigned, [CosignatureVerifier.from_vkey(key.vkey())])
    assert cosignature_timestamp(opened.signatures[0].signature) == 1_700_000_000


def test_the_cosigner_vkey_vector_parses(test_data: Path) -> None:
    vectors = json.loads((test_data / "vectors/signed-note/cosignature-v1.json").read_text())
    native = next(v for v in vectors["vkeys"] if v.get("type") == 4)
    verifier = CosignatureVerifier.from_vkey(native["vkey"])
    key_material = base64.b64decode(native["vkey"].rsplit("+", 1)[1])
    assert verifier.public_key == key_material[1:]
