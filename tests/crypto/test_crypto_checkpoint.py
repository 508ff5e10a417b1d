"""C2SP tlog-checkpoint bodies, signed and opened."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.checkpoint import (
    MAX_TREE_SIZE,
    Checkpoint,
    MalformedCheckpointError,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)
from credledger.crypto.errors import InvalidSignatureError
from credledger.crypto.keys import Ed25519KeyPair
from credledger.crypto.signed_note import (
    CosignatureSigner,
    MalformedNoteError,
    NoteSigner,
    UnverifiedNoteError,
    add_signatures,
    parse_note,
    sign_note,
)
from hypothesis import given
from hypothesis import strategies as st

ORIGIN = "credledger.example/log"
ROOT = hashlib.sha256(b"root").digest()


def _load(test_data: Path, name: str) -> Any:
    return json.loads((test_data / "vectors/signed-note" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def formats(test_data: Path) -> Any:
    return _load(test_data, "c2sp-format-examples.json")


@pytest.fixture(scope="module")
def go_tree(test_data: Path) -> Any:
    return _load(test_data, "go-sumdb-tree.json")


def _log_signer(name: str = ORIGIN, seed: int = 1) -> NoteSigner:
    return NoteSigner(name, Ed25519KeyPair.from_seed(bytes([seed]) * 32))


# --- vectors ------------------------------------------------------------------------


def test_spec_example_checkpoint_body_parses(formats: Any) -> None:
    text = parse_note(formats["checkpoint"]).text
    checkpoint = parse_checkpoint(text)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert base64.b64encode(checkpoint.root_hash) == b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    assert checkpoint.extensions == ()
    assert checkpoint.body() == text


def test_spec_cosigned_checkpoint_has_the_same_body(formats: Any) -> None:
    plain = parse_checkpoint(parse_note(formats["checkpoint"]).text)
    assert parse_checkpoint(parse_note(formats["cosigned_checkpoint"]).text) == plain


def test_spec_witness_request_carries_the_example_checkpoint(formats: Any) -> None:
    # tlog-witness add-checkpoint: "old N", proof lines, a blank line, the checkpoint note.
    request = formats["witness_add_checkpoint_request"]
    _, note = request.split("\n\n", 1)
    carried = parse_checkpoint(parse_note(note).text)
    assert carried == parse_checkpoint(parse_note(formats["checkpoint"]).text)


def test_go_tree_body_parses_to_its_size_and_record_hash_root(go_tree: Any) -> None:
    checkpoint = parse_checkpoint(go_tree["body"], origin="go.sum database tree")
    assert checkpoint.size == go_tree["size"]
    assert checkpoint.root_hash == base64.b64decode(go_tree["root_b64"])
    assert checkpoint.root_hash == hashlib.sha256(b"\x00hello world").digest()
    assert checkpoint.body() == go_tree["body"]


def test_go_tree_bad_bodies_do_not_parse(go_tree: Any) -> None:
    assert len(go_tree["bad_bodies"]) == 3
    for case in go_tree["bad_bodies"]:
        with pytest.raises(MalformedCheckpointError):
            parse_checkpoint(case["body"], origin="go.sum database tree")


# --- body format ------------------------------------------------------------------


def test_body_is_origin_size_base64_root_and_extension_lines() -> None:
    checkpoint = Checkpoint(ORIGIN, 7, bytes(32), ("ext one", "ext two"))
    root = base64.b64encode(bytes(32)).decode()
    assert checkpoint.body() == f"{ORIGIN}\n7\n{root}\next one\next two\n"


def test_empty_tree_has_size_zero() -> None:
    body = Checkpoint(ORIGIN, 0, hashlib.sha256(b"").digest()).body()
    assert body.split("\n")[1] == "0"
    assert parse_checkpoint(body).size == 0


def test_origin_may_hold_spaces_clients_must_not_assume_a_url() -> None:
    assert parse_checkpoint(Checkpoint("a log with spaces", 1, ROOT).body()).origin == (
        "a log with spaces"
    )


@pytest.mark.parametrize(
    ("size_line", "why"),
    [
        ("01", "leading zero"),
        ("00", "zero written twice"),
        ("-1", "negative"),
        ("+1", "sign"),
        (" 1", "leading space"),
        ("1 ", "trailing space"),
        ("1_000", "underscore"),
        ("1e3", "exponent"),
        ("0x10", "hex"),
        ("\uff11", "fullwidth digit one"),
        ("", "empty"),
        (str(MAX_TREE_SIZE + 1), "more than 64 bits"),
    ],
)
def test_tree_size_is_plain_decimal_without_leading_zeros(size_line: str, why: str) -> None:
    root = base64.b64encode(ROOT).decode()
    with pytest.raises(MalformedCheckpointError):
        parse_checkpoint(f"{ORIGIN}\n{size_line}\n{root}\n")


def test_largest_tree_size_parses() -> None:
    body = Checkpoint(ORIGIN, MAX_TREE_SIZE, ROOT).body()
    assert parse_checkpoint(body).size == MAX_TREE_SIZE


@pytest.mark.parametrize(
    ("hash_line", "why"),
    [
        (base64.b64encode(bytes(31)).decode(), "31 bytes"),
        (base64.b64encode(bytes(33)).decode(), "33 bytes"),
        (base64.b64encode(ROOT).decode().rstrip("="), "padding dropped"),
        (base64.urlsafe_b64encode(b"\xff" * 32).decode(), "base64url alphabet"),
        (base64.b64encode(bytes(32)).decode()[:-2] + "B=", "non-zero unused bits"),
        ("", "empty"),
    ],
)
def test_root_hash_is_canonical_base64_of_32_bytes(hash_line: str, why: str) -> None:
    with pytest.raises(MalformedCheckpointError):
        parse_checkpoint(f"{ORIGIN}\n1\n{hash_line}\n")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        (f"{ORIGIN}\n1\n", "two lines"),
        (f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}", "no final newline"),
        (f"\n1\n{base64.b64encode(ROOT).decode()}\n", "empty origin"),
        (f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\n\n", "empty extension line"),
        (f"{ORIGIN}\r\n1\n{base64.b64encode(ROOT).decode()}\n", "carriage return"),
        (f"{ORIGIN}\n1\n{base64.b64encode(ROOT).decode()}\nx\ty\n", "tab in an extension"),
    ],
)
def test_malformed_bodies_are_refused(text: str, why: str) -> None:
    with pytest.raises(MalformedCheckpointError):
        parse_checkpoint(text)


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions"),
    [
        ("", 1, ROOT, ()),
        ("a\nb", 1, ROOT, ()),
        (ORIGIN, -1, ROOT, ()),
        (ORIGIN, MAX_TREE_SIZE + 1, ROOT, ()),
        (ORIGIN, True, ROOT, ()),
        (ORIGIN, 1, ROOT[:31], ()),
        (ORIGIN, 1, ROOT, ("",)),
        (ORIGIN, 1, ROOT, ("two\nlines",)),
        ("\udc80", 1, ROOT, ()),
    ],
)
def test_checkpoints_that_have_no_valid_body_cannot_be_built(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(MalformedCheckpointError):
        Checkpoint(origin, size, root, extensions)


def test_expected_origin_is_enforced() -> None:
    body = Checkpoint(ORIGIN, 1, ROOT).body()
    with pytest.raises(MalformedCheckpointError, match="expected"):
        parse_checkpoint(body, origin="other.example/log")


def test_malformed_checkpoint_is_a_malformed_note() -> None:
    assert issubclass(MalformedCheckpointError, MalformedNoteError)


# --- signing and opening ---------------------------------------------------------


def test_signed_checkpoint_opens_to_the_same_checkpoint() -> None:
    signer = _log_signer()
    checkpoint = Checkpoint(ORIGIN, 42, ROOT, ("extension",))
    note = sign_checkpoint(checkpoint, signer)
    assert note.startswith(checkpoint.body() + "\n\u2014 " + ORIGIN + " ")
    assert open_checkpoint(note, signer.verifier()) == checkpoint


def test_log_key_name_must_be_the_origin() -> None:
    with pytest.raises(ValueError, match="origin"):
        sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), _log_signer("other.example/log"))


def test_opening_with_another_log_key_is_unverified() -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), _log_signer(seed=1))
    with pytest.raises(UnverifiedNoteError):
        open_checkpoint(note, _log_signer(seed=2).verifier())


def test_a_tampered_checkpoint_fails() -> None:
    signer = _log_signer()
    note = sign_checkpoint(Checkpoint(ORIGIN, 10, ROOT), signer)
    with pytest.raises(InvalidSignatureError):
        open_checkpoint(note.replace("\n10\n", "\n11\n", 1), signer.verifier())


def test_a_checkpoint_signed_for_another_origin_is_refused() -> None:
    other = _log_signer("other.example/log")
    note = sign_checkpoint(Checkpoint("other.example/log", 1, ROOT), other)
    with pytest.raises(MalformedCheckpointError, match="expected"):
        open_checkpoint(note, other.verifier(), origin=ORIGIN)


def test_cosigned_checkpoint_opens_with_and_without_the_witness() -> None:
    log = _log_signer()
    witness = CosignatureSigner("witness.example/w", Ed25519KeyPair.from_seed(b"w" * 32), 100)
    checkpoint = Checkpoint(ORIGIN, 5, ROOT)
    note = add_signatures(sign_checkpoint(checkpoint, log), [witness])
    assert open_checkpoint(note, log.verifier()) == checkpoint
    assert open_checkpoint(note, log.verifier(), witnesses=[witness.verifier()]) == checkpoint


def test_a_witness_signature_alone_does_not_open_a_checkpoint() -> None:
    log = _log_signer()
    witness = CosignatureSigner("witness.example/w", Ed25519KeyPair.from_seed(b"w" * 32), 100)
    witness_only = sign_note(Checkpoint(ORIGIN, 5, ROOT).body(), [witness])
    with pytest.raises(UnverifiedNoteError, match="log's key"):
        open_checkpoint(witness_only, log.verifier(), witnesses=[witness.verifier()])


# --- properties -----------------------------------------------------------------

origins = st.text(st.characters(codec="utf-8", min_codepoint=0x20), min_size=1, max_size=40)
extension_lines = st.lists(
    st.text(st.characters(codec="utf-8", min_codepoint=0x20), min_size=1, max_size=20),
    max_size=3,
)
checkpoints = st.builds(
    Checkpoint,
    origin=origins,
    size=st.integers(0, MAX_TREE_SIZE),
    root_hash=st.binary(min_size=32, max_size=32),
    extensions=extension_lines.map(tuple),
)


@given(checkpoints)
def test_body_parses_back_to_the_checkpoint(checkpoint: Checkpoint) -> None:
    assert parse_checkpoint(checkpoint.body()) == checkpoint


# Bodies built line by line, each line either well formed or subtly off.
origin_lines = origins | st.sampled_from(["", "a\tb"])
size_lines = st.integers(0, MAX_TREE_SIZE).map(str) | st.from_regex(r"\A[0-9+\- ]{0,4}\Z")
hash_lines = (st.binary(min_size=32, max_size=32) | st.binary(min_size=31, max_size=33)).map(
    lambda raw: base64.b64encode(raw).decode()
)
near_valid_bodies = st.tuples(
    origin_lines, size_lines, hash_lines, st.lists(origins | st.just(""), max_size=2), st.booleans()
).map(lambda p: "\n".join([p[0], p[1], p[2], *p[3]]) + ("\n" if p[4] else ""))


@given(near_valid_bodies)
def test_whatever_parses_is_its_own_body(text: str) -> None:
    try:
        checkpoint = parse_checkpoint(text)
    except MalformedCheckpointError:
        return
    assert checkpoint.body() == text


@given(checkpoints.filter(lambda c: not any(ch.isspace() or ch == "+" for ch in c.origin)))
def test_signed_checkpoints_open_to_themselves(checkpoint: Checkpoint) -> None:
    signer = NoteSigner(checkpoint.origin, Ed25519KeyPair.from_seed(bytes(32)))
    assert open_checkpoint(sign_checkpoint(checkpoint, signer), signer.verifier()) == checkpoint
