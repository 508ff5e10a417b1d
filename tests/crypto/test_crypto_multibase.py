"""Multibase: base58btc (``z``) and unpadded base64url (``u``)."""

from __future__ import annotations

import pytest
from credledger.crypto.errors import CryptoError
from credledger.crypto.multibase import (
    MultibaseError,
    decode_base58btc,
    decode_base64url,
    decode_multibase,
    encode_base58btc,
    encode_base64url,
)
from hypothesis import given
from hypothesis import strategies as st

# multiformats/multibase tests/basic.csv, leading_zero.csv, two_leading_zeros.csv.
MULTIBASE_SUITE = [
    (b"yes mani !", "z7paNL19xttacUY", "ueWVzIG1hbmkgIQ"),
    (b"\x00yes mani !", "z17paNL19xttacUY", "uAHllcyBtYW5pICE"),
    (b"\x00\x00yes mani !", "z117paNL19xttacUY", "uAAB5ZXMgbWFuaSAh"),
]

# draft-msporny-base58-02 §5 test vectors, with the multibase prefix. The draft prints
# "111233QC4" for 0x0000287fb4cd, one "1" too many for two zero bytes (a known typo;
# "11233QC4" is what every implementation and the draft's own algorithm give).
BASE58_DRAFT = [
    (b"Hello World!", "z2NEpo7TZRRrLZSi2U"),
    (
        b"The quick brown fox jumps over the lazy dog.",
        "zUSm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
    ),
    (bytes.fromhex("0000287fb4cd"), "z11233QC4"),
]


@pytest.mark.parametrize(("data", "base58", "_base64url"), MULTIBASE_SUITE)
def test_base58btc_matches_the_multibase_test_suite(
    data: bytes, base58: str, _base64url: str
) -> None:
    assert encode_base58btc(data) == base58
    assert decode_base58btc(base58) == data
    assert decode_multibase(base58) == data


@pytest.mark.parametrize(("data", "_base58", "base64url"), MULTIBASE_SUITE)
def test_base64url_matches_the_multibase_test_suite(
    data: bytes, _base58: str, base64url: str
) -> None:
    assert encode_base64url(data) == base64url
    assert decode_base64url(base64url) == data
    assert decode_multibase(base64url) == data


@pytest.mark.parametrize(("data", "base58"), BASE58_DRAFT)
def test_base58btc_matches_draft_msporny_base58(data: bytes, base58: str) -> None:
    assert encode_base58btc(data) == base58
    assert decode_base58btc(base58) == data


@pytest.mark.parametrize(("zeros", "text"), [(0, "z"), (1, "z1"), (3, "z111")])
def test_all_zero_input_is_all_ones(zeros: int, text: str) -> None:
    assert encode_base58btc(b"\x00" * zeros) == text
    assert decode_base58btc(text) == b"\x00" * zeros


def test_base58btc_requires_the_z_prefix() -> None:
    with pytest.raises(MultibaseError, match="'z'"):
        decode_base58btc("7paNL19xttacUY")


@pytest.mark.parametrize("char", ["0", "O", "I", "l", "+", " ", "é"])
def test_base58btc_refuses_characters_outside_the_bitcoin_alphabet(char: str) -> None:
    with pytest.raises(MultibaseError, match="position 3"):
        decode_base58btc("z7p" + char + "aNL19")


def test_base64url_requires_the_u_prefix() -> None:
    with pytest.raises(MultibaseError, match="'u'"):
        decode_base64url("eWVzIG1hbmkgIQ")


@pytest.mark.parametrize(
    "text",
    [
        "UeWVzIG1hbmkgIQ==",  # padded variant (prefix U) is not base64url
        "ueWVzIG1hbmkgIQ==",  # padding
        "u+/8",  # standard-alphabet characters
        "uYW Jj",  # whitespace
        "uA",  # a length no encoding produces
        "ueWVzIG1hbmkgIR",  # non-zero unused bits: a second spelling of "yes mani !"
    ],
)
def test_base64url_refuses_anything_but_canonical_unpadded_text(text: str) -> None:
    with pytest.raises(MultibaseError):
        decode_multibase(text)


@pytest.mark.parametrize(
    "text", ["", "f796573206d616e692021", "meWVzIG1hbmkgIQ", "Z7Pznk19XTTzBtx"]
)
def test_decode_multibase_names_unsupported_prefixes(text: str) -> None:
    with pytest.raises(MultibaseError, match="unsupported multibase prefix"):
        decode_multibase(text)


def test_multibase_errors_are_crypto_errors_and_value_errors() -> None:
    assert issubclass(MultibaseError, CryptoError)
    assert issubclass(MultibaseError, ValueError)


@given(st.binary(max_size=80))
def test_base58btc_round_trips(data: bytes) -> None:
    assert decode_multibase(encode_base58btc(data)) == data


@given(st.binary(max_size=80))
def test_base64url_round_trips(data: bytes) -> None:
    assert decode_multibase(encode_base64url(data)) == data


@given(st.text(alphabet="123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"))
def test_every_base58btc_string_is_the_one_encoding_of_its_bytes(body: str) -> None:
    assert encode_base58btc(decode_base58btc("z" + body)) == "z" + body


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"))
def test_base64url_accepts_only_strings_it_would_produce(body: str) -> None:
    try:
        data = decode_base64url("u" + body)
    except MultibaseError:
        return
    assert encode_base64url(data) == "u" + body
