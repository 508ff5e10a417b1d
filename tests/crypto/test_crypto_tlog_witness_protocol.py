"""The witness's judgement of an add-checkpoint request (c2sp.org/tlog-witness), as rules.

Each status the spec names comes from one rule here; the HTTP service around it is in
tests/cli/test_witness_serve.py, the log that pushes in tests/ledger/log/.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.checkpoint import Checkpoint, sign_checkpoint
from credledger.crypto.keys import Ed25519KeyPair
from credledger.crypto.signed_note import (
    CosignatureVerifier,
    NoteSigner,
    NoteVerifier,
    cosignature_timestamp,
    open_note,
    parse_note,
    sign_note,
)
from credledger.crypto.tlog_witness import WitnessKey, WitnessState
from credledger.crypto.tlog_witness_protocol import (
    MAX_BODY_BYTES,
    SIZE_CONTENT_TYPE,
    AddCheckpoint,
    Answer,
    MalformedRequestError,
    decide,
    parse_size_answer,
)

from ..tlog_helpers import ToyLog, mth

WITNESS = WitnessKey("witness.test/w1", Ed25519KeyPair.from_seed(bytes([7]) * 32))
NOW = 1_790_000_000


@pytest.fixture
def log() -> ToyLog:
    return ToyLog().grow(10)


def ask(
    log: ToyLog,
    old: int,
    state: WitnessState | None,
    *,
    size: int | None = None,
    proof: list[bytes] | None = None,
    note: str | None = None,
    trusted: list[NoteVerifier] | None = None,
) -> Answer:
    size = len(log.leaves) if size is None else size
    request = AddCheckpoint(
        old,
        tuple(log.proof(old, size) if proof is None else proof),
        log.checkpoint(size) if note is None else note,
    )
    parsed = AddCheckpoint.parse(request.body())  # every request crosses the wire form
    keys = [log.signer.verifier()] if trusted is None else trusted
    return decide(parsed, keys, state, WITNESS, NOW)


def cosigned(log: ToyLog, size: int) -> WitnessState:
    answer = ask(log, 0, None, size=size)
    assert answer.status == 200, answer.reason
    assert answer.state is not None
    return answer.state


# -- 200: cosigned --------------------------------------------------------------------------


def test_a_first_checkpoint_is_cosigned_and_becomes_the_state(log: ToyLog) -> None:
    answer = ask(log, 0, None)
    assert answer.status == 200, answer.reason
    assert answer.state is not None
    assert answer.state.size == 10
    assert answer.state.root_hash == mth(log.leaves)
    assert not answer.evidence
    line = answer.body.decode()
    assert line.startswith("\u2014 witness.test/w1 ")
    assert line.endswith("\n")
    assert line.count("\n") == 1  # only the witness's own cosignature line
    opened = open_note(log.checkpoint() + line, [WITNESS.verifier()])
    assert cosignature_timestamp(opened.signatures[0].signature) == NOW


def test_the_state_keeps_the_log_signature_and_the_cosignature(log: ToyLog) -> None:
    state = cosigned(log, 10)
    kept = parse_note(state.note)
    assert [s.name for s in kept.signatures] == [log.origin, WITNESS.name]
    open_note(state.note, [log.signer.verifier()])
    open_note(state.note, [WITNESS.verifier()])
    assert state.log_key == log.vkey


def test_a_larger_tree_with_a_valid_consistency_proof_is_cosigned(log: ToyLog) -> None:
    state = cosigned(log, 4)
    answer = ask(log, 4, state)
    assert answer.status == 200, answer.reason
    assert answer.state is not None
    assert answer.state.size == 10


def test_the_same_checkpoint_again_is_cosigned_anew(log: ToyLog) -> None:
    state = cosigned(log, 10)
    assert ask(log, 10, state).status == 200


def test_signatures_by_unknown_keys_are_ignored(log: ToyLog) -> None:
    other = NoteSigner("someone.else", Ed25519KeyPair.from_seed(bytes([9]) * 32))
    note = log.checkpoint()
    parsed = parse_note(note)
    extra = parse_note(sign_note(parsed.text, [other])).signatures[0].line()
    answer = ask(log, 0, None, note=note + extra)
    assert answer.status == 200, answer.reason
    assert answer.state is not None
    assert "someone.else" not in answer.state.note


# -- 409: the old size is not the one cosigned ------------------------------------------------


def test_a_wrong_old_size_is_answered_with_the_size_the_witness_knows(log: ToyLog) -> None:
    state = cosigned(log, 6)
    answer = ask(log, 3, state)
    assert answer.status == 409
    assert answer.content_type == SIZE_CONTENT_TYPE
    assert answer.body == b"6\n"
    assert parse_size_answer(answer.body) == 6
    assert answer.state is None


def test_a_witness_that_never_saw_the_log_knows_size_zero(log: ToyLog) -> None:
    answer = ask(log, 5, None)
    assert (answer.status, answer.body) == (409, b"0\n")


# -- 400 and 422: rollback, fork, bad proofs ------------------------------------------------


def test_a_rollback_is_never_cosigned(log: ToyLog) -> None:
    state = cosigned(log, 10)
    claimed_known = ask(log, 10, state, size=6)  # old = what the witness knows
    assert claimed_known.status == 400
    assert claimed_known.state is None
    claimed_smaller = ask(log, 6, state, size=6)
    assert (claimed_smaller.status, claimed_smaller.body) == (409, b"10\n")


def test_another_root_at_the_size_cosigned_is_a_fork_kept_as_evidence(log: ToyLog) -> None:
    state = cosigned(log, 10)
    forked = ToyLog(log.origin, log.seed).grow(10, tag=b"other")
    answer = ask(forked, 10, state)
    assert answer.status == 422
    assert "fork" in answer.reason
    assert answer.evidence
    assert answer.state is None


def test_a_larger_tree_that_does_not_extend_the_cosigned_one_is_refused(log: ToyLog) -> None:
    state = cosigned(log, 4)
    forked = ToyLog(log.origin, log.seed).grow(10, tag=b"other")
    answer = ask(forked, 4, state)
    assert answer.status == 422
    assert answer.evidence
    assert answer.state is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p[:-1],
        lambda p: [*p, p[0]],
        lambda p: [bytes(32), *p[1:]],
        lambda p: list(reversed(p)),
    ],
    ids=["short", "long", "wrong-hash", "reordered"],
)
def test_a_bad_consistency_proof_is_422(log: ToyLog, damage: Any) -> None:
    state = cosigned(log, 4)
    answer = ask(log, 4, state, proof=damage(log.proof(4)))
    assert answer.status == 422
    assert answer.state is None


def test_a_proof_from_size_zero_must_be_empty(log: ToyLog) -> None:
    assert ask(log, 0, None, proof=[bytes(32)]).status == 422


def test_a_checkpoint_of_size_zero_must_have_the_empty_root() -> None:
    log = ToyLog()
    assert ask(log, 0, None).status == 200  # the empty tree
    wrong = sign_checkpoint(Checkpoint(log.origin, 0, bytes(32)), log.signer)
    assert ask(log, 0, None, note=wrong).status == 422


def test_an_old_size_beyond_the_checkpoint_is_400(log: ToyLog) -> None:
    assert ask(log, 11, None, size=10, proof=[]).status == 400


# -- 403 and 404: whose log, signed by whom ---------------------------------------------------


def test_an_unknown_origin_is_404(log: ToyLog) -> None:
    assert ask(log, 0, None, trusted=[]).status == 404


def test_a_checkpoint_signed_by_another_key_is_403(log: ToyLog) -> None:
    impostor = ToyLog(log.origin, bytes([1]) * 32).grow(10)
    assert ask(impostor, 0, None, trusted=[log.signer.verifier()]).status == 403


def test_a_failing_signature_by_the_trusted_key_is_403(log: ToyLog) -> None:
    note = log.checkpoint()
    parsed = parse_note(note)
    signature = parsed.signatures[0]
    broken = signature.signature[:-1] + bytes([signature.signature[-1] ^ 1])
    blob = base64.b64encode(signature.key_id.to_bytes(4, "big") + broken).decode()
    tampered = f"{parsed.text}\n\u2014 {signature.name} {blob}\n"
    assert ask(log, 0, None, note=tampered).status == 403


def test_any_of_several_trusted_keys_may_sign(log: ToyLog) -> None:
    rotated = ToyLog(log.origin, bytes([3]) * 32).grow(10)
    keys = [log.signer.verifier(), rotated.signer.verifier()]
    answer = ask(rotated, 0, None, trusted=keys)
    assert answer.status == 200
    assert answer.state is not None
    assert answer.state.log_key == rotated.vkey


# -- the wire form ------------------------------------------------------------------------------


def test_the_spec_example_request_parses(test_data: Path) -> None:
    examples = json.loads(
        (test_data / "vectors/signed-note/c2sp-format-examples.json").read_text("utf-8")
    )
    body = examples["witness_add_checkpoint_request"].encode()
    request = AddCheckpoint.parse(body)
    assert request.old_size == 20852014
    assert len(request.proof) == 4
    assert request.note.startswith("example.com/behind-the-sofa\n20852163\n")
    assert request.body() == body


@pytest.mark.parametrize(
    "body",
    [
        b"old 1\n\n",
        b"old 01\n\nx\n",
        b"old -1\n\nx\n",
        b"old 1\nnot base64\n\nx\n",
        b"old 1\n" + base64.b64encode(b"short") + b"\n\nx\n",
        b"old 1\nx\n",
        b"new 1\n\nx\n",
        b"old 1\n" + b"\n".join([base64.b64encode(bytes(32))] * 64) + b"\n\nx\n",
        b"old 1\n\n\xff\n",
        b"old 1\n\n" + b"x" * MAX_BODY_BYTES,
    ],
    ids=[
        "no-checkpoint",
        "leading-zero",
        "negative",
        "not-base64",
        "not-a-hash",
        "no-empty-line",
        "not-old",
        "64-proof-lines",
        "not-utf8",
        "too-large",
    ],
)
def test_malformed_requests_are_refused(body: bytes) -> None:
    with pytest.raises(MalformedRequestError):
        AddCheckpoint.parse(body)


def test_a_409_body_is_a_decimal_size_and_a_newline() -> None:
    assert parse_size_answer(b"0\n") == 0
    for bad in (b"12", b"012\n", b"-1\n", b"1 \n", b""):
        with pytest.raises(MalformedRequestError):
            parse_size_answer(bad)


def test_the_witness_vkey_verifies_its_answers(log: ToyLog) -> None:
    answer = ask(log, 0, None)
    verifier = CosignatureVerifier.from_vkey(WITNESS.vkey())
    open_note(log.checkpoint() + answer.body.decode(), [verifier])
