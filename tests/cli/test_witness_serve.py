"""`credledger witness serve`: a C2SP tlog-witness over HTTP on 127.0.0.1.

The witness's rules, one by one, are in tests/crypto/test_crypto_tlog_witness_protocol.py;
here is the service around them: the wire, the state kept on disk before it answers,
evidence of forks, restarts, one state directory per witness, and the command itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from credledger.cli.witness_state import StateDirectory, StateInUseError, origin_hash
from credledger.crypto.signed_note import CosignatureVerifier, open_note, parse_note

from ..server_process import free_port
from ..tlog_helpers import ToyLog, mth
from ..witness_server import WITNESS_KEY, RunningWitness, running_witness

LOG = ToyLog("log.test/one", bytes(range(32)))


@pytest.fixture
def log() -> ToyLog:
    return ToyLog(LOG.origin, LOG.seed).grow(8)


@pytest.fixture
def witness(tmp_path: Path, log: ToyLog) -> Iterator[RunningWitness]:
    with running_witness(tmp_path / "state", [f"{log.origin}={log.vkey}"]) as running:
        yield running


def test_a_checkpoint_is_cosigned_and_kept_before_the_answer(
    witness: RunningWitness, log: ToyLog
) -> None:
    answer = witness.add_checkpoint(0, [], log.checkpoint())
    assert answer.status_code == 200, answer.text
    opened = open_note(log.checkpoint() + answer.text, [WITNESS_KEY.verifier()])
    assert [s.name for s in opened.signatures] == [WITNESS_KEY.name]
    stored = json.loads(
        (witness.state_dir / "logs" / f"{origin_hash(log.origin)}.json").read_text()
    )
    assert stored["size"] == 8
    assert stored["origin"] == log.origin
    served = witness.checkpoint(log.origin)
    assert served.status_code == 200
    assert served.text.startswith(parse_note(log.checkpoint()).text)
    assert answer.text in served.text  # the monitoring read shows the same cosignature
    open_note(served.text, [log.signer.verifier()])


def test_the_log_grows_and_the_witness_follows_with_consistency_proofs(
    witness: RunningWitness, log: ToyLog
) -> None:
    assert witness.add_checkpoint(0, [], log.checkpoint()).status_code == 200
    for _ in range(3):
        old = len(log.leaves)
        log.grow(5)
        answer = witness.add_checkpoint(old, log.proof(old), log.checkpoint())
        assert answer.status_code == 200, answer.text
    state = witness.state(log.origin)
    assert state is not None
    assert (state.size, state.root_hash) == (23, mth(log.leaves))


def test_a_wrong_old_size_is_409_with_the_known_size_as_text_x_tlog_size(
    witness: RunningWitness, log: ToyLog
) -> None:
    witness.add_checkpoint(0, [], log.checkpoint(5))
    answer = witness.add_checkpoint(0, [], log.checkpoint())
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "text/x.tlog.size"
    assert answer.text == "5\n"
    retried = witness.add_checkpoint(5, log.proof(5), log.checkpoint())
    assert retried.status_code == 200, retried.text


def test_a_fork_is_refused_and_both_checkpoints_are_kept_as_evidence(
    witness: RunningWitness, log: ToyLog
) -> None:
    assert witness.add_checkpoint(0, [], log.checkpoint()).status_code == 200
    forked = ToyLog(log.origin, log.seed).grow(12, tag=b"rewritten")  # same key, other history
    offered = forked.checkpoint()
    answer = witness.add_checkpoint(8, forked.proof(8), offered)
    assert answer.status_code == 422
    same_size = witness.add_checkpoint(8, [], forked.checkpoint(8))
    assert same_size.status_code == 422
    state = witness.state(log.origin)
    assert state is not None
    assert (state.size, state.root_hash) == (8, mth(log.leaves))  # still the true history
    evidence = [json.loads(p.read_text()) for p in witness.evidence()]
    assert len(evidence) == 2
    assert offered in evidence[0]["offered_request"]
    assert evidence[0]["cosigned_before"]["root_hash"] == state.as_json()["root_hash"]
    assert parse_note(log.checkpoint()).text in evidence[0]["cosigned_before"]["note"]
    assert "fork" in evidence[1]["reason"]
    log.grow(2)  # the true log carries on being cosigned
    assert witness.add_checkpoint(8, log.proof(8), log.checkpoint()).status_code == 200


def test_a_rollback_is_never_cosigned(witness: RunningWitness, log: ToyLog) -> None:
    assert witness.add_checkpoint(0, [], log.checkpoint()).status_code == 200
    as_known = witness.add_checkpoint(8, [], log.checkpoint(5))
    assert as_known.status_code == 400
    as_smaller = witness.add_checkpoint(5, [], log.checkpoint(5))
    assert (as_smaller.status_code, as_smaller.text) == (409, "8\n")
    state = witness.state(log.origin)
    assert state is not None
    assert state.size == 8


def test_bad_signatures_unknown_logs_and_bad_proofs_are_refused(
    witness: RunningWitness, log: ToyLog
) -> None:
    assert witness.add_checkpoint(0, [], log.checkpoint(4)).status_code == 200
    impostor = ToyLog(log.origin, bytes([9]) * 32).grow(8)
    assert witness.add_checkpoint(4, impostor.proof(4), impostor.checkpoint()).status_code == 403
    stranger = ToyLog("log.test/unknown", log.seed).grow(8)
    assert witness.add_checkpoint(0, [], stranger.checkpoint()).status_code == 404
    bad_proof = [bytes(32)] * len(log.proof(4))
    assert witness.add_checkpoint(4, bad_proof, log.checkpoint()).status_code == 422
    state = witness.state(log.origin)
    assert state is not None
    assert state.size == 4


def test_malformed_and_oversized_requests_are_refused(witness: RunningWitness) -> None:
    url = f"{witness.url}/add-checkpoint"
    assert httpx.post(url, content=b"old x\n\nnote\n", timeout=10).status_code == 400
    assert httpx.post(url, content=b"old 0\n\n" + b"a" * 20_000, timeout=10).status_code == 413
    assert httpx.get(url, timeout=10).status_code == 405


def test_the_state_survives_a_restart(tmp_path: Path, log: ToyLog) -> None:
    logs = [f"{log.origin}={log.vkey}"]
    with running_witness(tmp_path / "state", logs) as first:
        assert first.add_checkpoint(0, [], log.checkpoint()).status_code == 200
        port = first.port
    log.grow(4)
    with running_witness(tmp_path / "state", logs, port=port) as again:
        assert again.add_checkpoint(0, [], log.checkpoint()).text == "8\n"
        assert again.add_checkpoint(8, log.proof(8), log.checkpoint()).status_code == 200
        assert again.checkpoint(log.origin).status_code == 200


def test_a_state_that_cannot_be_written_gives_no_cosignature(
    witness: RunningWitness, log: ToyLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert witness.add_checkpoint(0, [], log.checkpoint(4)).status_code == 200

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    answer = witness.add_checkpoint(4, log.proof(4), log.checkpoint())
    assert answer.status_code == 500
    assert "\u2014" not in answer.text
    monkeypatch.undo()
    state = witness.state(log.origin)
    assert state is not None
    assert state.size == 4  # the old state, whole
    assert not [p for p in (witness.state_dir / "logs").iterdir() if p.suffix == ".tmp"]


def test_racing_requests_cannot_roll_the_state_back(witness: RunningWitness, log: ToyLog) -> None:
    assert witness.add_checkpoint(0, [], log.checkpoint(2)).status_code == 200
    sizes = range(3, 9)
    answers: dict[int, int] = {}

    def push(size: int) -> None:
        answers[size] = witness.add_checkpoint(
            2, log.proof(2, size), log.checkpoint(size)
        ).status_code

    threads = [threading.Thread(target=push, args=(size,)) for size in sizes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winners = [size for size, status in answers.items() if status == 200]
    assert len(winners) == 1, answers
    assert sorted(answers.values()) == [200] + [409] * (len(sizes) - 1)
    state = witness.state(log.origin)
    assert state is not None
    assert state.size == winners[0]


def test_one_state_directory_serves_one_witness(witness: RunningWitness) -> None:
    with pytest.raises(StateInUseError):
        StateDirectory(witness.state_dir)


def test_an_unknown_log_has_no_checkpoint_to_monitor(witness: RunningWitness) -> None:
    assert witness.checkpoint("log.test/never").status_code == 404
    assert httpx.get(f"{witness.url}/not-a-hash/checkpoint", timeout=10).status_code == 404


# -- the command ---------------------------------------------------------------------------


def _credledger(*args: str | Path, cwd: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "credledger.cli.main", *map(str, args)]
    return subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_the_command_serves_a_witness_until_stopped(tmp_path: Path, log: ToyLog) -> None:
    port = free_port()
    process = _credledger(
        "witness", "serve", "--key", "w.key", "--name", "witness.test/cli", "--state", "state",
        "--log", log.vkey, "--port", str(port), "--json", cwd=tmp_path,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        about = json.loads(process.stdout.readline())
        assert about["url"] == f"http://127.0.0.1:{port}"
        assert about["logs"] == [log.origin]
        verifier = CosignatureVerifier.from_vkey(about["vkey"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{about['url']}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        body = f"old 0\n\n{log.checkpoint()}".encode()
        answer = httpx.post(f"{about['url']}/add-checkpoint", content=body, timeout=10)
        assert answer.status_code == 200, answer.text
        open_note(log.checkpoint() + answer.text, [verifier])
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert "Traceback" not in errors
    assert (tmp_path / "w.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "state" / "logs" / f"{origin_hash(log.origin)}.json").exists()


def test_the_command_refuses_what_is_not_a_log_key(tmp_path: Path) -> None:
    process = _credledger(
        "witness", "serve", "--state", "state", "--log", "log.test/one=nonsense", cwd=tmp_path
    )
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "not a log vkey" in errors
