"""Decoders of untrusted input raise only their declared errors, whatever they are given.

Each decoder here reads bytes or JSON that come from outside (a request body, a file, a
peer's log, a stored event read back). A decoder that lets an ``IndexError``,
``KeyError``, ``TypeError``, ``OverflowError`` or ``RecursionError`` escape turns hostile
input into a 500 or a crashed audit, so each is fed arbitrary input and near-misses of
valid input, and may only accept or raise its module's own error classes. Round trips
and the refusal of specific near-misses are specified beside each codec; this file adds
only the "nothing else escapes" property.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cbor2
import pytest
from credledger.crypto import cbor
from credledger.crypto.cbor import CBORDecodeError
from credledger.crypto.checkpoint import Checkpoint, MalformedCheckpointError, parse_checkpoint
from credledger.crypto.data_integrity import add_proof, verify_proof
from credledger.crypto.errors import InvalidKeyError, InvalidSignatureError
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.keys import (
    Ed25519KeyPair,
    did_key_from_public_key,
    public_key_from_did_key,
    verification_method_id,
)
from credledger.crypto.multibase import MultibaseError, decode_multibase
from credledger.crypto.proof_errors import ProofVerificationError
from credledger.crypto.signed_note import (
    MalformedNoteError,
    NoteSigner,
    UnverifiedNoteError,
    open_note,
    parse_note,
    sign_note,
)
from credledger.ledger.log.leaves import decode_leaf
from credledger.ledger.store.transcoder import (
    EventEncodingError,
    decode_deterministic,
    encode_deterministic,
)
from credledger.ledger.verify.bundle import verify_bundle
from credledger.ledger.verify.bundle_errors import BundleError
from credledger.ledger.verify.bundle_file import dump_json, load_bundle
from credledger.revocation.bitstring import Bitstring
from credledger.revocation.errors import StatusEntryError, StatusListDecodeError
from credledger.revocation.status_list import parse_status_entry, parse_status_list_credential
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..ledger_server import add_school, award, open_ledger

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def only(errors: tuple[type[BaseException], ...], call: Callable[[], object]) -> None:
    """Run ``call``; it may return or raise one of ``errors``, nothing else."""
    with contextlib.suppress(*errors):
        call()


# -- strategies ----------------------------------------------------------------------------

boundary_numbers = st.sampled_from(
    [-1, 0, 2**31, 2**53, 2**63, 2**64, 10**30, -(2**63) - 1, 1e308, -0.0]
)
"""Numbers at the edges of C, SQL and JSON integer types, where conversions overflow."""
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | boundary_numbers
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_keys = st.sampled_from(
    [
        *("@context", "@id", "@type", "@value", "@list", "@graph", "@language", "@vocab"),
        *("id", "type", "proof", "issuer", "credentialSubject", "name", "validFrom"),
    ]
) | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(json_keys, inner, max_size=4),
    max_leaves=20,
)


def _cbor_items() -> st.SearchStrategy[Any]:
    """Values cbor2 can write, including tags, sets and non-string keys the decoders refuse."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**80), max_value=2**80)
        | st.floats()
        | st.text(max_size=12)
        | st.binary(max_size=12)
    )
    tags = st.builds(
        cbor2.CBORTag,
        st.sampled_from([0, 1, 2, 3, 4, 5, 24, 30, 32, 35, 37, 258, 55799, 1000]),
        scalars | st.lists(scalars, max_size=3),
    )
    return st.recursive(
        scalars | tags,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.text(max_size=6) | st.integers(-3, 30), inner, max_size=4)
        ),
        max_leaves=16,
    )


def _as_cbor(value: Any) -> bytes:
    try:
        return bytes(cbor2.dumps(value))
    except Exception:  # a value cbor2 itself cannot write: fuzz its repr instead
        return repr(value).encode()


cbor_inputs = (
    st.binary(max_size=200)
    | _cbor_items().map(_as_cbor)
    | st.builds(lambda n, tail: b"\x81" * n + tail, st.integers(100, 5000), st.binary(max_size=2))
    | st.builds(
        lambda n, tail: b"\xa1\x00" * n + tail, st.integers(100, 5000), st.binary(max_size=2)
    )
)


def _mutated(data: bytes, position: int, byte: int, edit: str) -> bytes:
    out = bytearray(data)
    index = position % (len(out) or 1)
    if edit == "set" and out:
        out[index] = byte
    elif edit == "insert":
        out.insert(index, byte)
    elif out:
        del out[index]
    return bytes(out)


mutations = st.tuples(
    st.integers(min_value=0), st.integers(0, 255), st.sampled_from(["set", "insert", "drop"])
)

# -- CBOR: crypto.cbor, ledger leaves, stored events ---------------------------------------


@FUZZ
@given(cbor_inputs)
def test_deterministic_cbor_decode_raises_only_its_decode_error(data: bytes) -> None:
    only((CBORDecodeError,), lambda: cbor.decode(data))


@FUZZ
@given(cbor_inputs)
def test_a_leaf_decoder_raises_only_value_errors(data: bytes) -> None:
    only((ValueError,), lambda: decode_leaf(data))


STORED_EVENT = encode_deterministic(
    {
        "originator_id": __import__("uuid").UUID(int=7),
        "timestamp": __import__("datetime").datetime(2026, 1, 2, tzinfo=__import__("datetime").UTC),
        "amount": __import__("decimal").Decimal("12.50"),
        "salt": b"\x01" * 16,
        "items": ["a", 1, None, True, 1.5],
    }
)


@FUZZ
@given(cbor_inputs)
def test_the_event_transcoder_raises_only_its_encoding_error(data: bytes) -> None:
    only((EventEncodingError,), lambda: decode_deterministic(data))


@FUZZ
@given(mutations)
def test_a_changed_byte_of_a_stored_event_raises_only_its_encoding_error(
    mutation: tuple[int, int, str],
) -> None:
    data = _mutated(STORED_EVENT, *mutation)
    only((EventEncodingError,), lambda: decode_deterministic(data))


# -- signed notes and checkpoints -----------------------------------------------------------

SIGNER = NoteSigner("example.com/log", Ed25519KeyPair.from_seed(bytes(range(32))))
CHECKPOINT = Checkpoint("example.com/log", 42, bytes(range(32)))
SIGNED_NOTE = sign_note(CHECKPOINT.body(), [SIGNER])
NOTE_ERRORS = (MalformedNoteError, UnverifiedNoteError, InvalidSignatureError)

note_texts = (
    st.text(max_size=300)
    | st.binary(max_size=300).map(lambda raw: raw.decode("utf-8", "surrogateescape"))
    | st.builds(
        lambda mutation: _mutated(SIGNED_NOTE.encode(), *mutation).decode("utf-8", "replace"),
        mutations,
    )
)


@FUZZ
@given(note_texts | st.binary(max_size=300))
def test_parse_note_raises_only_malformed_note(note: str | bytes) -> None:
    only((MalformedNoteError,), lambda: parse_note(note))


@FUZZ
@given(note_texts)
def test_open_note_raises_only_note_errors(note: str) -> None:
    only(NOTE_ERRORS, lambda: open_note(note, [SIGNER.verifier()]))


checkpoint_texts = (
    st.text(max_size=200)
    | st.builds(
        lambda size, digest: f"example.com/log\n{size}\n{digest}\n",
        st.integers(min_value=0, max_value=2**70).map(str) | st.text("0123456789", max_size=5000),
        st.binary(max_size=40).map(lambda raw: base64.b64encode(raw).decode()),
    )
    | st.builds(
        lambda mutation: _mutated(CHECKPOINT.body().encode(), *mutation).decode("utf-8", "replace"),
        mutations,
    )
)


@FUZZ
@given(checkpoint_texts)
def test_parse_checkpoint_raises_only_malformed_checkpoint(text: str) -> None:
    only((MalformedCheckpointError,), lambda: parse_checkpoint(text))


def test_a_tree_size_of_thousands_of_digits_is_a_malformed_checkpoint() -> None:
    with pytest.raises(MalformedCheckpointError):
        parse_checkpoint("example.com/log\n" + "9" * 5000 + "\n" + "A" * 43 + "=\n")


# -- multibase and status lists ------------------------------------------------------------


@FUZZ
@given(
    st.text(max_size=200)
    | st.text(max_size=200).map(lambda s: "z" + s)
    | st.text(max_size=200).map(lambda s: "u" + s)
)
def test_decode_multibase_raises_only_multibase_errors(text: str) -> None:
    only((MultibaseError,), lambda: decode_multibase(text))


def test_an_overlong_base58_string_is_refused_at_once() -> None:
    # Base58 decoding is quadratic in the length: a megabyte-long proofValue in a request
    # would otherwise hold a worker for minutes.
    started = time.perf_counter()
    with pytest.raises(MultibaseError):
        decode_multibase("z" + "2" * 1_000_000)
    assert time.perf_counter() - started < 0.5


def _gzip_text(payload: bytes, cut: int) -> str:
    raw = gzip.compress(payload, mtime=0)
    raw = raw[: max(2, len(raw) - cut)] if cut else raw
    return "u" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


encoded_lists = (
    st.binary(max_size=120).map(
        lambda raw: "u" + base64.urlsafe_b64encode(raw).decode().rstrip("=")
    )
    | st.builds(_gzip_text, st.binary(max_size=300), st.integers(0, 12))
    | st.builds(
        lambda head, body: "u" + base64.urlsafe_b64encode(head + body).decode().rstrip("="),
        st.just(b"\x1f\x8b"),
        st.binary(max_size=60),
    )
)


@FUZZ
@given(encoded_lists, st.integers(0, 4096), st.integers(1, 16))
def test_bitstring_decode_raises_only_decode_errors(
    text: str, min_length: int, status_size: int
) -> None:
    only(
        (StatusListDecodeError,),
        lambda: Bitstring.decode(text, min_length=min_length, status_size=status_size),
    )


def test_a_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = _gzip_text(bytes(64 * 1024 * 1024), 0)
    with pytest.raises(StatusListDecodeError):
        Bitstring.decode(bomb, min_length=0)


VALID_ENTRY = {
    "id": "https://example.com/credentials/status/3#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "message",
    "statusListIndex": "94567",
    "statusListCredential": "https://example.com/credentials/status/3",
    "statusSize": 2,
    "statusMessage": [
        {"status": "0x0", "message": "pending"},
        {"status": "0x1", "message": "accepted"},
        {"status": "0x2", "message": "rejected"},
        {"status": "0x3", "message": "undefined"},
    ],
    "statusReference": "https://example.org/status-dictionary/",
}


@st.composite
def status_entries(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return draw(json_values)
    entry: dict[str, Any] = copy.deepcopy(VALID_ENTRY)
    for key in draw(st.lists(st.sampled_from(sorted(VALID_ENTRY)), max_size=3)):
        if draw(st.booleans()):
            entry[key] = draw(boundary_numbers | json_scalars | json_values)
        else:
            entry.pop(key, None)
    if draw(st.booleans()):
        entry["statusMessage"] = draw(
            st.lists(
                st.dictionaries(
                    json_keys | st.sampled_from(["status", "message"]), json_values, max_size=3
                ),
                max_size=5,
            )
        )
    return entry


@FUZZ
@given(status_entries())
def test_parse_status_entry_raises_only_status_entry_errors(entry: Any) -> None:
    only((StatusEntryError,), lambda: parse_status_entry(entry))


VALID_LIST = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "https://example.com/credentials/status/3",
    "type": ["VerifiableCredential", "BitstringStatusListCredential"],
    "issuer": "did:example:12345",
    "validFrom": "2021-04-05T14:27:40Z",
    "validUntil": "2031-04-05T14:27:40Z",
    "credentialSubject": {
        "id": "https://example.com/status/3#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
        "ttl": 500,
    },
}


@st.composite
def status_list_credentials(draw: st.DrawFn) -> Any:
    document: Any = copy.deepcopy(VALID_LIST)
    subject = document["credentialSubject"]
    for target in draw(st.lists(st.sampled_from([document, subject]), max_size=3)):
        key = draw(st.sampled_from(sorted(target)))
        target[key] = draw(boundary_numbers | json_scalars | json_values)
    return document if draw(st.integers(0, 9)) else draw(json_values)


@FUZZ
@given(status_list_credentials())
def test_parse_status_list_credential_raises_only_status_entry_errors(document: Any) -> None:
    only((StatusEntryError,), lambda: parse_status_list_credential(document))


@FUZZ
@given(
    st.text(max_size=80).map(lambda s: "did:key:" + s)
    | st.builds(
        lambda raw, fragment: f"did:key:z{raw}#{fragment}",
        st.text("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", max_size=60),
        st.text(max_size=10),
    )
    | st.text(max_size=40)
)
def test_public_key_from_did_key_raises_only_invalid_key(did: str) -> None:
    only((InvalidKeyError,), lambda: public_key_from_did_key(did))


# -- Data Integrity over random JSON --------------------------------------------------------

LOADER = DocumentLoader()
KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
VM = verification_method_id(did_key_from_public_key(KEY.public_key))
CREDENTIAL = json.loads(
    (Path(__file__).resolve().parents[2] / "bench" / "data" / "ob3_microcredential.json").read_text(
        "utf-8"
    )
)
SIGNED = {
    suite: add_proof(
        CREDENTIAL, KEY, VM, cryptosuite=suite, created="2025-01-15T09:30:00Z", loader=LOADER
    )
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022")
}


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


@st.composite
def secured_documents(draw: st.DrawFn) -> Any:
    """Random JSON, or a signed credential with one node (anywhere) replaced by random JSON."""
    if draw(st.booleans()):
        document = draw(json_values)
        if isinstance(document, dict) and draw(st.booleans()):
            document["proof"] = draw(json_values)
        return document
    document = copy.deepcopy(SIGNED[draw(st.sampled_from(sorted(SIGNED)))])
    path = draw(st.sampled_from(_paths(document)[1:]))
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = draw(boundary_numbers | json_scalars | json_values)
    return document


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(secured_documents())
def test_verify_proof_on_random_json_raises_only_proof_verification_errors(document: Any) -> None:
    only(
        (ProofVerificationError,),
        lambda: verify_proof(document, loader=LOADER, resolve_key=public_key_from_did_key),
    )


def test_a_document_with_thousands_of_proofs_is_refused() -> None:
    document = copy.deepcopy(SIGNED["eddsa-rdfc-2022"])
    document["proof"] = [document["proof"]] * 5000
    started = time.perf_counter()
    with pytest.raises(ProofVerificationError):
        verify_proof(document, loader=LOADER, resolve_key=public_key_from_did_key)
    assert time.perf_counter() - started < 0.5


# -- proof bundles (a file anyone may hand to `credledger proof verify`) -------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ledger = open_ledger(
        tmp_path_factory.mktemp("bundle") / "ledger", "https://ledger.example.test"
    )
    try:
        # a did:key issuer: the bundle verifies offline, with nothing resolved
        school = add_school(ledger, did_method="key")
        credential_id = award(ledger, school, "learner@example.org")
        exported: dict[str, Any] = json.loads(dump_json(ledger.proof_bundle(credential_id)))
    finally:
        ledger.close()
    verify_bundle(exported)  # the unchanged bundle verifies
    return exported


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_verify_bundle_on_a_changed_bundle_raises_only_bundle_errors(
    bundle: dict[str, Any], data: st.DataObject
) -> None:
    changed = copy.deepcopy(bundle)
    path = data.draw(st.sampled_from(_paths(changed)[1:]))
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = data.draw(boundary_numbers | json_scalars | json_values)
    only((BundleError,), lambda: verify_bundle(changed))


@FUZZ
@given(cbor_inputs | st.binary(max_size=200).map(lambda raw: b"{" + raw))
def test_load_bundle_raises_only_bundle_errors(data: bytes) -> None:
    only((BundleError,), lambda: load_bundle(data))
