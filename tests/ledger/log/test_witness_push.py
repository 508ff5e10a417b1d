"""The log pushes its checkpoints to its witnesses (c2sp.org/tlog-witness add-checkpoint).

A real ledger and a real `credledger witness serve` witness, both on 127.0.0.1: the log
offers its newest checkpoint, the witness checks it against what it cosigned before and
answers a cosignature, and the log keeps it only once it verifies with the configured
witness key. What goes wrong (a witness that knows another size, is down, sees a fork
or a rollback, or answers what does not verify) never stops the log.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from credledger.crypto.keys import Ed25519KeyPair
from credledger.crypto.signed_note import NoteSigner, open_note, parse_note
from credledger.crypto.tlog_witness import WitnessKey
from credledger.ledger.application import CredentialLedger
from credledger.ledger.store.settings import WitnessEndpoint

from ...ledger_server import add_school, award, open_ledger
from ...server_process import free_port
from ...witness_server import WITNESS_KEY, RunningWitness, bound_socket, running_witness

SEED = bytes(range(100, 132))
ORIGIN = "ledger.push.test/log"
LOG_VKEY = NoteSigner(ORIGIN, Ed25519KeyPair.from_seed(SEED)).verifier().vkey()


@pytest.fixture
def witness(tmp_path: Path) -> Iterator[RunningWitness]:
    with running_witness(tmp_path / "witness", [f"{ORIGIN}={LOG_VKEY}"]) as running:
        yield running


def ledger_for(
    data: Path, url: str, *, vkey: str = WITNESS_KEY.vkey(), deadline: float = 5.0
) -> CredentialLedger:
    return open_ledger(
        data,
        "https://ledger.push.test",
        log_seed=SEED,
        log_origin=ORIGIN,
        witnesses=(WitnessEndpoint(url, vkey),),
        allow_private_fetch=True,
        fetch_deadline_seconds=deadline,
    )


@pytest.fixture
def ledger(tmp_path: Path, witness: RunningWitness) -> Iterator[CredentialLedger]:
    opened = ledger_for(tmp_path / "log", witness.url)
    try:
        yield opened
    finally:
        opened.close()


def newest_size(ledger: CredentialLedger) -> int:
    latest = ledger.tlog.latest_checkpoint()
    assert latest is not None
    return latest.size


def witness_lines(ledger: CredentialLedger, size: int) -> list[str]:
    return [
        line
        for line in ledger.tlog.records.cosignature_lines(size)
        if line.startswith(f"\u2014 {WITNESS_KEY.name} ")
    ]


def test_the_log_pushes_its_newest_checkpoint_and_keeps_the_cosignature(
    ledger: CredentialLedger, witness: RunningWitness
) -> None:
    add_school(ledger)
    [outcome] = ledger.witness_pusher.push_due()
    assert outcome.result == "cosigned", outcome
    latest = ledger.tlog.latest_checkpoint()
    assert latest is not None
    served = ledger.tlog.cosigned_note(latest)  # what GET /v1/log/checkpoint answers
    opened = open_note(served, [WITNESS_KEY.verifier()])
    assert [s.name for s in opened.signatures] == [WITNESS_KEY.name]
    state = witness.state(ORIGIN)
    assert state is not None
    assert (state.size, state.root_hash) == (latest.size, latest.root_hash)
    assert ledger.witness_pusher.push_due() == []  # nothing new: nothing sent


def test_later_checkpoints_are_pushed_with_a_consistency_proof(
    ledger: CredentialLedger, witness: RunningWitness
) -> None:
    add_school(ledger)
    first = newest_size(ledger)
    ledger.witness_pusher.push_due()
    add_school(ledger, "Hogeschool Noord")
    [outcome] = ledger.witness_pusher.push_due()
    assert outcome.result == "cosigned", outcome
    assert newest_size(ledger) > first
    state = witness.state(ORIGIN)
    assert state is not None
    assert state.size == newest_size(ledger)
    assert witness_lines(ledger, first)
    assert witness_lines(ledger, newest_size(ledger))


def test_a_witness_that_knows_another_size_answers_409_and_the_log_catches_it_up(
    ledger: CredentialLedger, witness: RunningWitness, caplog: pytest.LogCaptureFixture
) -> None:
    add_school(ledger)
    earlier = ledger.tlog.latest_checkpoint()
    assert earlier is not None
    # The witness learnt of this checkpoint elsewhere; the log has no record of it.
    assert witness.add_checkpoint(0, [], earlier.note).status_code == 200
    add_school(ledger, "Hogeschool Noord")
    with caplog.at_level(logging.WARNING, logger="credledger.witness"):
        [outcome] = ledger.witness_pusher.push_due()
    assert outcome.result == "cosigned", outcome
    assert f"last cosigned size {earlier.size}, not 0" in caplog.text  # the 409 it resolved
    state = witness.state(ORIGIN)
    assert state is not None
    assert state.size == newest_size(ledger)


def test_a_witness_that_is_down_does_not_stop_the_log_and_is_tried_again(
    tmp_path: Path,
) -> None:
    port = free_port()
    ledger = ledger_for(tmp_path / "log", f"http://127.0.0.1:{port}")
    try:
        school = add_school(ledger)
        [outcome] = ledger.witness_pusher.push_due()
        assert outcome.result == "unreachable"
        award(ledger, school, "a@example.nl")  # the log carries on
        assert ledger.witness_pusher.push_due() == []  # waits before trying again
        logs = [f"{ORIGIN}={LOG_VKEY}"]
        with running_witness(tmp_path / "witness", logs, port=port) as witness:
            ledger.witness_pusher.monotonic = lambda: time.monotonic() + 3600
            [outcome] = ledger.witness_pusher.push_due()
            assert outcome.result == "cosigned", outcome
            state = witness.state(ORIGIN)
            assert state is not None
            assert state.size == newest_size(ledger)
    finally:
        ledger.close()


def test_a_witness_that_never_answers_delays_no_act(tmp_path: Path) -> None:
    silent = bound_socket()
    silent.listen(8)  # connections are accepted by the kernel, and never answered
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    ledger = ledger_for(tmp_path / "log", url, deadline=3.0)
    try:
        school = add_school(ledger)
        pushing = threading.Thread(target=ledger.witness_pusher.push_due)
        pushing.start()
        time.sleep(0.2)  # the push is waiting on the witness now
        started = time.monotonic()
        award(ledger, school, "b@example.nl")
        assert time.monotonic() - started < 2.0
        assert pushing.is_alive()
        pushing.join(10)
        [outcome] = [w.last for w in ledger.witness_pusher.witnesses]
        assert outcome is not None
        assert outcome.result == "unreachable"
        assert "3 s" in outcome.detail
    finally:
        ledger.close()
        silent.close()


def test_a_fork_is_refused_by_the_witness_and_nothing_is_kept(
    tmp_path: Path, ledger: CredentialLedger, witness: RunningWitness
) -> None:
    add_school(ledger)
    ledger.witness_pusher.push_due()
    cosigned = newest_size(ledger)
    # Another log under the same origin and key, with a history of its own.
    other = ledger_for(tmp_path / "other", witness.url)
    try:
        add_school(other, "Elders")
        add_school(other, "Elders 2")
        assert newest_size(other) > cosigned
        [outcome] = other.witness_pusher.push_due()
        assert (outcome.result, outcome.status) == ("refused", 422)
        assert not witness_lines(other, newest_size(other))
    finally:
        other.close()
    state = witness.state(ORIGIN)
    assert state is not None
    assert state.size == cosigned
    [evidence] = witness.evidence()
    assert ORIGIN in evidence.read_text()
    add_school(ledger, "Hogeschool Noord")  # the true log is still cosigned
    [outcome] = ledger.witness_pusher.push_due()
    assert outcome.result == "cosigned"


def test_a_log_rolled_back_to_a_backup_gets_no_cosignature(
    tmp_path: Path, witness: RunningWitness
) -> None:
    data, backup = tmp_path / "log", tmp_path / "backup"
    ledger = ledger_for(data, witness.url)
    add_school(ledger)
    ledger.witness_pusher.push_due()
    ledger.close()
    shutil.copytree(data, backup)
    ledger = ledger_for(data, witness.url)
    for name in ("Noord", "Oost", "West"):
        add_school(ledger, name)
    ledger.witness_pusher.push_due()
    known = newest_size(ledger)
    ledger.close()
    restored = ledger_for(backup, witness.url)  # the backup, and new acts after it
    try:
        add_school(restored, "Zuid")
        assert newest_size(restored) < known
        [outcome] = restored.witness_pusher.push_due()
        assert outcome.result == "ahead", outcome
        assert str(known) in outcome.detail
        assert not witness_lines(restored, newest_size(restored))
    finally:
        restored.close()
    state = witness.state(ORIGIN)
    assert state is not None
    assert state.size == known


def test_a_cosignature_that_does_not_verify_with_the_configured_key_is_not_kept(
    tmp_path: Path, witness: RunningWitness
) -> None:
    impostor = WitnessKey(WITNESS_KEY.name, Ed25519KeyPair.from_seed(bytes([5]) * 32))
    ledger = ledger_for(tmp_path / "log", witness.url, vkey=impostor.vkey())
    try:
        add_school(ledger)
        [outcome] = ledger.witness_pusher.push_due()
        assert outcome.result == "invalid", outcome
        assert ledger.tlog.records.cosignature_lines(newest_size(ledger)) == []
    finally:
        ledger.close()


def test_a_witness_that_does_not_know_the_log_refuses_with_404(tmp_path: Path) -> None:
    other_log = NoteSigner("another.log", Ed25519KeyPair.from_seed(bytes(32))).verifier()
    with running_witness(tmp_path / "witness", [other_log.vkey()]) as witness:
        ledger = ledger_for(tmp_path / "log", witness.url)
        try:
            add_school(ledger)
            [outcome] = ledger.witness_pusher.push_due()
            assert (outcome.result, outcome.status) == ("refused", 404)
        finally:
            ledger.close()


def test_the_pushed_note_is_the_log_signed_checkpoint(
    ledger: CredentialLedger, witness: RunningWitness
) -> None:
    add_school(ledger)
    ledger.witness_pusher.push_due()
    latest = ledger.tlog.latest_checkpoint()
    assert latest is not None
    served = witness.checkpoint(ORIGIN)
    assert served.status_code == 200
    assert parse_note(served.text).text == parse_note(latest.note).text
    assert [s.name for s in parse_note(served.text).signatures] == [ORIGIN, WITNESS_KEY.name]


def test_a_witness_that_trusts_another_key_for_the_origin_refuses_with_403(tmp_path: Path) -> None:
    other_key = NoteSigner(ORIGIN, Ed25519KeyPair.from_seed(bytes(32))).verifier().vkey()
    with running_witness(tmp_path / "witness", [f"{ORIGIN}={other_key}"]) as witness:
        ledger = ledger_for(tmp_path / "log", witness.url)
        try:
            add_school(ledger)
            [outcome] = ledger.witness_pusher.push_due()
            assert (outcome.result, outcome.status) == ("refused", 403)
            assert witness.state(ORIGIN) is None
        finally:
            ledger.close()
