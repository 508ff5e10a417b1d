"""C2SP signed notes and tlog-cosignature/v1, against every shared vector."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.errors import InvalidKeyError, InvalidSignatureError
from credledger.crypto.keys import Ed25519KeyPair
from credledger.crypto.signed_note import (
    COSIGNATURE_V1,
    ED25519,
    MAX_NOTE_SIZE,
    MAX_SIGNATURES,
    CosignatureSigner,
    CosignatureVerifier,
    MalformedNoteError,
    NoteSignature,
    NoteSigner,
    NoteVerifier,
    UnverifiedNoteError,
    add_signatures,
    cosignature_message,
    cosignature_timestamp,
    key_id,
    open_note,
    parse_note,
    parse_vkey,
    sign_note,
)
from hypothesis import given
from hypothesis import strategies as st

CHECKPOINT_TEXT = "example.com/log\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def _load(test_data: Path, name: str) -> Any:
    return json.loads((test_data / "vectors/signed-note" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def c2sp_example(test_data: Path) -> Any:
    return _load(test_data, "c2sp-example.json")


@pytest.fixture(scope="module")
def go_note(test_data: Path) -> Any:
    return _load(test_data, "go-sumdb-note.json")


@pytest.fixture(scope="module")
def cosig(test_data: Path) -> Any:
    return _load(test_data, "cosignature-v1.json")


@pytest.fixture(scope="module")
def formats(test_data: Path) -> Any:
    return _load(test_data, "c2sp-format-examples.json")


def _go_verifiers(go_note: Any, names: list[str]) -> list[NoteVerifier]:
    return [NoteVerifier.from_vkey(go_note["keys"][name]["vkey"]) for name in names]


def _signer(name: str = "example.com/log", seed: int = 7) -> NoteSigner:
    return NoteSigner(name, Ed25519KeyPair.from_seed(bytes([seed]) * 32))


# --- the spec's worked example ------------------------------------------------


def test_spec_example_vkey_verifies_the_spec_example_note(c2sp_example: Any) -> None:
    case = c2sp_example["cases"][0]
    opened = open_note(case["note"], [NoteVerifier.from_vkey(case["vkey"])])
    assert opened.text == case["text"]
    assert [signature.name for signature in opened.signatures] == ["example.com/foo"]


def test_spec_example_note_with_one_changed_byte_fails(c2sp_example: Any) -> None:
    case = c2sp_example["cases"][1]
    assert case["want"] == "invalid signature"
    with pytest.raises(InvalidSignatureError):
        open_note(case["note"], [NoteVerifier.from_vkey(case["vkey"])])


def test_spec_example_vkey_round_trips(c2sp_example: Any) -> None:
    vkey = c2sp_example["cases"][0]["vkey"]
    verifier = NoteVerifier.from_vkey(vkey)
    assert verifier.vkey() == vkey
    assert verifier.key_id == 0x530D903A


# --- Go sumdb/note --------------------------------------------------------------


def test_go_signer_key_parses_and_re_encodes(go_note: Any) -> None:
    keys = go_note["keys"]["PeterNeumann"]
    signer = NoteSigner.from_skey(keys["skey"])
    assert signer.skey() == keys["skey"]
    assert signer.verifier().vkey() == keys["vkey"]
    assert f"{signer.key_id:08x}" == "c74f20a3"


def test_go_signer_produces_the_exact_go_note(go_note: Any) -> None:
    signer = NoteSigner.from_skey(go_note["keys"]["PeterNeumann"]["skey"])
    assert sign_note(go_note["text"], [signer]) == go_note["sign"]["want_note"]


def test_go_open_cases(go_note: Any) -> None:
    for case in go_note["open"]:
        verifiers = _go_verifiers(go_note, case["verifiers"])
        if "want_error" in case:
            expected = {
                "no verifiable signatures": UnverifiedNoteError,
                "invalid signature": InvalidSignatureError,
            }[case["want_error"]]
            with pytest.raises(expected):
                open_note(case["note"], verifiers)
            continue
        opened = open_note(case["note"], verifiers)
        assert opened.text == go_note["text"], case["desc"]
        assert [s.name for s in opened.signatures] == case["want_verified"], case["desc"]
        ignored = [
            s.name for s in parse_note(case["note"]).signatures if s not in opened.signatures
        ]
        assert ignored == case["want_unverified"], case["desc"]


def _malformed_note_bytes(case: dict[str, str]) -> bytes:
    note = case["note"]
    if case.get("raw_first_byte") == "ff":
        assert note[0] == "\u00ff"
        return b"\xff" + note[1:].encode("utf-8")
    return note.encode("utf-8")


def test_go_malformed_notes_are_refused(go_note: Any) -> None:
    verifiers = _go_verifiers(go_note, ["PeterNeumann", "EnochRoot"])
    assert len(go_note["malformed_notes"]) == 8
    for case in go_note["malformed_notes"]:
        with pytest.raises(MalformedNoteError):
            open_note(_malformed_note_bytes(case), verifiers)
        with pytest.raises(MalformedNoteError):
            parse_note(_malformed_note_bytes(case))


def test_go_bad_vkeys_are_refused(go_note: Any) -> None:
    assert len(go_note["bad_vkeys"]) == 5
    for case in go_note["bad_vkeys"]:
        with pytest.raises(InvalidKeyError):
            NoteVerifier.from_vkey(case["vkey"])
        with pytest.raises(InvalidKeyError):
            parse_vkey(case["vkey"])


# --- cosignature/v1 ---------------------------------------------------------------


def test_cosignature_timestamp_vectors(cosig: Any) -> None:
    for case in cosig["timestamp_cases"]:
        signature = base64.b64decode(case["sig_b64"])[4:]
        if case.get("want_error"):
            with pytest.raises(MalformedNoteError):
                cosignature_timestamp(signature)
        else:
            assert cosignature_timestamp(signature) == case["want_timestamp"]


def test_cosigner_vkey_vectors(cosig: Any) -> None:
    for case in cosig["vkeys"]:
        if not case["valid"]:
            with pytest.raises(InvalidKeyError):
                CosignatureVerifier.from_vkey(case["vkey"])
            continue
        verifier = CosignatureVerifier.from_vkey(case["vkey"])
        name, hex_id, _ = case["vkey"].split("+", 2)
        assert verifier.name == name
        if case["type"] == COSIGNATURE_V1:
            assert verifier.vkey() == case["vkey"]
            assert f"{verifier.key_id:08x}" == hex_id
        else:  # a 0x01 key reused as a cosigner gets the 0x04 key ID
            assert f"{verifier.key_id:08x}" != hex_id
            assert verifier.key_id == key_id(name, COSIGNATURE_V1, verifier.public_key)


def test_parse_vkey_dispatches_on_the_signature_type(cosig: Any, go_note: Any) -> None:
    cosigner = next(case for case in cosig["vkeys"] if case.get("type") == COSIGNATURE_V1)
    assert isinstance(parse_vkey(cosigner["vkey"]), CosignatureVerifier)
    assert isinstance(parse_vkey(go_note["keys"]["PeterNeumann"]["vkey"]), NoteVerifier)


def test_note_verifier_refuses_a_cosigner_vkey(cosig: Any) -> None:
    cosigner = next(case for case in cosig["vkeys"] if case.get("type") == COSIGNATURE_V1)
    with pytest.raises(InvalidKeyError, match="0x04"):
        NoteVerifier.from_vkey(cosigner["vkey"])


def test_spec_cosigned_checkpoint_parses_into_log_and_witness_signatures(formats: Any) -> None:
    parsed = parse_note(formats["cosigned_checkpoint"])
    log, witness = parsed.signatures
    assert log.name == "example.com/behind-the-sofa"
    assert len(log.signature) == 64
    assert witness.name == "witness.example.com/w1"
    assert cosignature_timestamp(witness.signature) == 1679315147
    assert parse_note(formats["checkpoint"]).text == parsed.text


def test_spec_cosigned_message_is_header_time_line_and_checkpoint_body(formats: Any) -> None:
    text = parse_note(formats["cosigned_checkpoint"]).text
    message = cosignature_message(text, 1679315147)
    assert message == formats["cosigned_message_example"].encode("utf-8")


def test_spec_checkpoint_signatures_are_ignored_without_their_keys(formats: Any) -> None:
    stranger = NoteVerifier("example.com/behind-the-sofa", bytes(32))  # same name, other key
    with pytest.raises(UnverifiedNoteError):
        open_note(formats["cosigned_checkpoint"], [stranger])


def test_cosignature_signs_and_verifies() -> None:
    witness = CosignatureSigner("witness.example/w1", Ed25519KeyPair.from_seed(b"w" * 32), 1700)
    note = sign_note(CHECKPOINT_TEXT, [witness])
    opened = open_note(note, [witness.verifier()])
    (signature,) = opened.signatures
    assert cosignature_timestamp(signature.signature) == 1700
    assert len(signature.signature) == 72


def test_cosignature_verifier_loaded_from_its_vkey_verifies() -> None:
    witness = CosignatureSigner("witness.example/w1", Ed25519KeyPair.from_seed(b"w" * 32), 5)
    verifier = CosignatureVerifier.from_vkey(witness.verifier().vkey())
    open_note(sign_note(CHECKPOINT_TEXT, [witness]), [verifier])


def test_cosignature_with_an_altered_timestamp_fails() -> None:
    witness = CosignatureSigner("witness.example/w1", Ed25519KeyPair.from_seed(b"w" * 32), 1700)
    line = parse_note(sign_note(CHECKPOINT_TEXT, [witness])).signatures[0]
    forged = NoteSignature(line.name, line.key_id, (1701).to_bytes(8, "big") + line.signature[8:])
    with pytest.raises(InvalidSignatureError):
        open_note(CHECKPOINT_TEXT + "\n" + forged.line(), [witness.verifier()])


def test_cosignature_over_a_non_checkpoint_body_is_refused() -> None:
    witness = CosignatureSigner("witness.example/w1", Ed25519KeyPair.from_seed(b"w" * 32), 1)
    with pytest.raises(MalformedNoteError):
        sign_note("one line\n", [witness])


def test_plain_and_cosignature_keys_of_one_seed_have_different_key_ids() -> None:
    pair = Ed25519KeyPair.from_seed(b"k" * 32)
    plain = NoteSigner("example.com/log", pair)
    cosigner = CosignatureSigner("example.com/log", pair, 0)
    assert plain.key_id == key_id("example.com/log", ED25519, pair.public_key)
    assert plain.key_id != cosigner.key_id


@pytest.mark.parametrize("timestamp", [-1, 2**63])
def test_cosigner_timestamps_must_fit_the_spec_range(timestamp: int) -> None:
    with pytest.raises(ValueError, match=r"outside 0\.\.2"):
        CosignatureSigner("w", Ed25519KeyPair.from_seed(bytes(32)), timestamp)


def test_cosignature_timestamp_above_2_63_is_malformed() -> None:
    with pytest.raises(MalformedNoteError):
        cosignature_timestamp(b"\x80" + bytes(7) + bytes(64))


def test_witness_adds_a_cosignature_to_a_log_signed_note() -> None:
    log = _signer()
    witness = CosignatureSigner("witness.example/w1", Ed25519KeyPair.from_seed(b"w" * 32), 9)
    note = sign_note(CHECKPOINT_TEXT, [log])
    cosigned = add_signatures(note, [witness])
    assert cosigned.startswith(note)
    opened = open_note(cosigned, [log.verifier(), witness.verifier()])
    assert [s.name for s in opened.signatures] == ["example.com/log", "witness.example/w1"]
    assert open_note(cosigned, [log.verifier()]).text == CHECKPOINT_TEXT


# --- the spec's rules, one by one ----------------------------------------------


def test_signature_line_format_is_em_dash_name_and_base64_of_key_id_and_signature() -> None:
    signer = _signer()
    line = sign_note("hello\n", [signer]).split("\n\n", 1)[1]
    dash, name, blob = line.rstrip("\n").split(" ")
    assert dash == "\u2014"
    assert name == signer.name
    raw = base64.b64decode(blob)
    assert raw[:4] == signer.key_id.to_bytes(4, "big")
    assert raw[4:] == signer.key_pair.sign(b"hello\n")


def test_key_id_is_the_truncated_sha256_of_name_newline_type_and_key() -> None:
    pair = Ed25519KeyPair.from_seed(bytes(32))
    digest = hashlib.sha256(b"name\n\x01" + pair.public_key).digest()
    assert key_id("name", ED25519, pair.public_key) == int.from_bytes(digest[:4], "big")


def test_text_may_contain_empty_lines_the_last_one_separates() -> None:
    signer = _signer()
    text = "first\n\nsecond\n\n"
    opened = open_note(sign_note(text, [signer]), [signer.verifier()])
    assert opened.text == text


def test_signature_from_a_known_name_with_another_key_id_is_ignored() -> None:
    signer, impostor = _signer(seed=1), _signer(seed=2)
    note = add_signatures(sign_note("t\n", [signer]), [impostor])
    opened = open_note(note, [signer.verifier()])
    assert [s.key_id for s in opened.signatures] == [signer.key_id]


def test_signature_with_a_known_key_id_under_another_name_is_ignored() -> None:
    signer = _signer()
    original = parse_note(sign_note("t\n", [signer])).signatures[0]
    renamed = NoteSignature("other.example", original.key_id, bytes(64))
    note = sign_note("t\n", [signer]) + renamed.line()
    assert open_note(note, [signer.verifier()]).signatures == (original,)


def test_a_failing_known_signature_rejects_the_note_even_if_another_verifies() -> None:
    good, other = _signer(seed=1), _signer("b.example", seed=2)
    note = sign_note("t\n", [good])
    bad = NoteSignature(other.name, other.key_id, bytes(64))
    with pytest.raises(InvalidSignatureError, match=r"b\.example"):
        open_note(note + bad.line(), [good.verifier(), other.verifier()])


def test_repeated_identical_signature_lines_are_reported_once() -> None:
    signer = _signer()
    note = sign_note("t\n", [signer])
    line = note.split("\n\n")[1]
    opened = open_note(note + line, [signer.verifier()])
    assert len(opened.signatures) == 1


def test_exactly_max_signatures_are_accepted_and_one_more_is_not() -> None:
    signer = _signer()
    note = sign_note("t\n", [signer])
    line = note.split("\n\n")[1]
    full = note + line * (MAX_SIGNATURES - 1)
    assert len(parse_note(full).signatures) == MAX_SIGNATURES
    assert len(parse_note(full).signatures) >= 16  # the spec's minimum
    with pytest.raises(MalformedNoteError):
        parse_note(full + line)


def test_notes_over_the_size_limit_are_refused() -> None:
    signer = _signer()
    with pytest.raises(MalformedNoteError):
        sign_note("a" * MAX_NOTE_SIZE + "\n", [signer])
    note = "a" * MAX_NOTE_SIZE + "\n\n" + NoteSignature("n", 1, b"s").line()
    with pytest.raises(MalformedNoteError):
        parse_note(note)


@pytest.mark.parametrize(
    ("note", "why"),
    [
        ("t\n\n\u2014 name AAAAAA==\n", "signature of four bytes: a key ID and nothing else"),
        ("t\n\n\u2014 name AAAAAAB=\n", "non-canonical base64 (stray bits)"),
        ("t\n\n\u2014 name AAAAAAAA=\n", "bad padding"),
        ("t\n\n\u2014 name AAAA AAAA\n", "space inside the base64"),
        ("t\n\n\u2014 name\n", "no base64"),
        ("t\n\n\u2014 name \n", "empty base64"),
        ("t\n\n\u2014  AAAAAAAA\n", "empty name"),
        ("t\n\n\u2014 a+b AAAAAAAA\n", "plus in the name"),
        ("t\n\n\u2014 a\u00a0b AAAAAAAA\n", "no-break space in the name"),
        ("t\n\n- name AAAAAAAA\n", "hyphen instead of em dash"),
        ("t\n\n\u2014name AAAAAAAA\n", "no space after the dash"),
        ("t\n\n\u2014 name AAAAAAAA\n\n", "blank line after the signatures"),
        ("t\r\n\n\u2014 name AAAAAAAA\n", "carriage return"),
        ("t\t\n\n\u2014 name AAAAAAAA\n", "tab"),
        ("t\n\u2014 name AAAAAAAA\n", "no blank line"),
        ("t\n\n", "no signature line"),
        ("\ud800\n\n\u2014 name AAAAAAAA\n", "lone surrogate"),
    ],
)
def test_malformed_signature_blocks_are_refused(note: str, why: str) -> None:
    with pytest.raises(MalformedNoteError):
        open_note(note, [])


def test_a_well_formed_note_by_unknown_keys_is_unverified_not_malformed() -> None:
    note = "t\n\n\u2014 name AAAAAAA=\n"  # key ID 0 and a one-byte signature
    assert parse_note(note).signatures == (NoteSignature("name", 0, b"\x00"),)
    with pytest.raises(UnverifiedNoteError):
        open_note(note, [_signer().verifier()])


@pytest.mark.parametrize(
    "text", ["no newline", "", "tab\there\n", "bell\x07\n", "nul\x00\n", "lone \udc80 surrogate\n"]
)
def test_sign_note_refuses_text_the_format_cannot_carry(text: str) -> None:
    with pytest.raises(MalformedNoteError):
        sign_note(text, [_signer()])


def test_sign_note_needs_a_signer() -> None:
    with pytest.raises(ValueError, match="needs 1 to 100 signers"):
        sign_note("t\n", [])


def test_two_signers_with_one_identity_are_refused() -> None:
    with pytest.raises(InvalidKeyError):
        sign_note("t\n", [_signer(), _signer()])


def test_two_verifiers_with_one_identity_are_refused() -> None:
    with pytest.raises(InvalidKeyError):
        open_note(sign_note("t\n", [_signer()]), [_signer().verifier(), _signer().verifier()])


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\u2003b", "tab\t", "a\nb"])
def test_invalid_key_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidKeyError):
        NoteSigner(name, Ed25519KeyPair.from_seed(bytes(32)))
    with pytest.raises(InvalidKeyError):
        NoteVerifier(name, bytes(32))


@pytest.mark.parametrize(
    "skey",
    [
        "PRIVATE+KEY+PeterNeumann+c74f20a3",
        "PRIVATE+KEYS+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PRIVATE+KEY+PeterNeumann+C74F20A3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",
        "PRIVATE+KEY+Peter Neumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
    ],
)
def test_malformed_signer_keys_are_refused(skey: str) -> None:
    with pytest.raises(InvalidKeyError):
        NoteSigner.from_skey(skey)


def test_note_signer_refuses_a_cosigner_signer_key() -> None:
    seed = bytes(range(32))
    public_key = Ed25519KeyPair.from_seed(seed).public_key
    identifier = key_id("w.example", COSIGNATURE_V1, public_key)
    material = base64.b64encode(bytes([COSIGNATURE_V1]) + seed).decode()
    with pytest.raises(InvalidKeyError, match="0x01"):
        NoteSigner.from_skey(f"PRIVATE+KEY+w.example+{identifier:08x}+{material}")


def test_signer_repr_does_not_reveal_the_secret() -> None:
    signer = _signer()
    secret = signer.skey().rsplit("+", 1)[1]
    assert secret not in repr(signer)
    assert signer.key_pair.private_bytes().hex() not in repr(signer)


# --- properties -----------------------------------------------------------------

texts = st.lists(
    st.text(st.characters(codec="utf-8", min_codepoint=0x20), max_size=30),
    min_size=1,
    max_size=5,
).map(lambda lines: "\n".join(lines) + "\n")
names = st.text(
    st.characters(codec="utf-8", min_codepoint=0x21, exclude_characters="+"),
    min_size=1,
    max_size=20,
).filter(lambda name: not any(char.isspace() for char in name))


@given(texts, names, st.binary(min_size=32, max_size=32))
def test_signed_notes_open_to_their_text(text: str, name: str, seed: bytes) -> None:
    signer = NoteSigner(name, Ed25519KeyPair.from_seed(seed))
    opened = open_note(
        sign_note(text, [signer]), [NoteVerifier.from_vkey(signer.verifier().vkey())]
    )
    assert opened.text == text
    assert opened.signatures[0].name == name


@given(texts, texts)
def test_a_signature_does_not_carry_over_to_another_text(text: str, other: str) -> None:
    signer = _signer()
    signatures = sign_note(text, [signer]).removeprefix(text + "\n")
    if other == text:
        return
    with pytest.raises(InvalidSignatureError):
        open_note(other + "\n" + signatures, [signer.verifier()])


# Notes built from parts, each part well formed most of the time.
signature_lines = st.builds(
    lambda dash, name, blob: f"{dash} {name} {base64.b64encode(blob).decode()}",
    st.sampled_from(["\u2014"] * 9 + ["-"]),
    st.one_of(names, names, names, st.sampled_from(["", "a b", "a+b"])),
    st.binary(min_size=5, max_size=80) | st.binary(max_size=4),
)
near_valid_notes = st.builds(
    lambda text, lines, end: text + "\n" + "\n".join(lines) + end,
    texts,
    st.lists(signature_lines, min_size=1, max_size=3),
    st.sampled_from(["\n"] * 6 + ["", "\n\n"]),
)


@given(near_valid_notes)
def test_parse_note_either_refuses_or_gives_back_the_note(note: str) -> None:
    try:
        parsed = parse_note(note)
    except MalformedNoteError:
        return
    assert parsed.text + "\n" + "".join(s.line() for s in parsed.signatures) == note


def test_sign_note_refuses_more_signers_than_a_verifier_accepts() -> None:
    signers = [_signer(f"s{index}.example") for index in range(MAX_SIGNATURES + 1)]
    with pytest.raises(ValueError, match="needs 1 to 100 signers"):
        sign_note("t\n", signers)


def test_a_plain_signature_under_a_known_cosigner_identity_rejects_the_note() -> None:
    witness = CosignatureSigner("witness.example/w1", Ed25519KeyPair.from_seed(b"w" * 32), 1)
    plain = NoteSignature(witness.name, witness.key_id, bytes(64))  # no timestamp
    with pytest.raises(InvalidSignatureError, match="cosignature"):
        open_note(CHECKPOINT_TEXT + "\n" + plain.line(), [witness.verifier()])


def test_add_signatures_refuses_to_exceed_max_signatures() -> None:
    signer = _signer()
    note = sign_note("t\n", [signer])
    full = note + note.split("\n\n")[1] * (MAX_SIGNATURES - 1)
    with pytest.raises(MalformedNoteError):
        add_signatures(full, [_signer("another.example")])


@pytest.mark.parametrize("length", [31, 33])
def test_verifiers_refuse_public_keys_that_are_not_32_bytes(length: int) -> None:
    with pytest.raises(InvalidKeyError):
        NoteVerifier("n", bytes(length))
    with pytest.raises(InvalidKeyError):
        CosignatureVerifier("n", bytes(length))


def test_key_names_must_be_valid_unicode() -> None:
    with pytest.raises(InvalidKeyError):
        NoteVerifier("bad\udc80name", bytes(32))


def _key_text(prefix: str, name: str, type_byte: int, material: bytes) -> str:
    """A key string whose type or length is wrong (checked before the key ID is)."""
    identifier = key_id(name, type_byte, material[:32].ljust(32, b"\0"))
    encoded = base64.b64encode(bytes([type_byte]) + material).decode()
    return f"{prefix}{name}+{identifier:08x}+{encoded}"


@pytest.mark.parametrize(
    ("type_byte", "material", "match"),
    [(ED25519, bytes(31), "32-byte"), (0x02, bytes(32), "type"), (0x06, bytes(32), "type")],
)
def test_vkeys_need_a_supported_type_and_a_32_byte_key(
    type_byte: int, material: bytes, match: str
) -> None:
    with pytest.raises(InvalidKeyError, match=match):
        parse_vkey(_key_text("", "n.example", type_byte, material))


@pytest.mark.parametrize(
    ("type_byte", "material", "match"),
    [(ED25519, bytes(31), "32-byte"), (0x02, bytes(32), "type")],
)
def test_signer_keys_need_a_supported_type_and_a_32_byte_seed(
    type_byte: int, material: bytes, match: str
) -> None:
    with pytest.raises(InvalidKeyError, match=match):
        NoteSigner.from_skey(_key_text("PRIVATE+KEY+", "n.example", type_byte, material))


_SIGNED = sign_note(CHECKPOINT_TEXT, [_signer()])


@given(st.text(alphabet=st.characters(max_codepoint=0x2100, exclude_characters="\n"), max_size=12))
def test_a_control_character_is_refused_at_the_first_place_it_stands(inserted: str) -> None:
    # Any character below a space but the newline, anywhere in the note.
    note = "example.com/log" + inserted + _SIGNED[len("example.com/log") :]
    controls = [i for i, char in enumerate(note) if char < " " and char != "\n"]
    if not controls:
        assert parse_note(note).text.startswith("example.com/log" + inserted)
        return
    with pytest.raises(
        MalformedNoteError,
        match=f"control character {ord(note[controls[0]]):#04x} at {controls[0]}$",
    ):
        parse_note(note)
