"""Strict base64: every byte string has exactly one spelling, and only that one is read."""

from __future__ import annotations

import base64

import pytest
from credledger.crypto.errors import CryptoError
from credledger.crypto.strict_base64 import (
    Base64Error,
    decode_base64,
    decode_base64url,
    encode_base64url,
)
from hypothesis import assume, given
from hypothesis import strategies as st

STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
URLSAFE = STANDARD[:-2] + "-_"


def _std(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@given(st.binary(max_size=200))
def test_standard_base64_round_trips(data: bytes) -> None:
    assert decode_base64(_std(data)) == data


@given(st.binary(max_size=200))
def test_base64url_round_trips(data: bytes) -> None:
    assert decode_base64url(encode_base64url(data)) == data


@given(st.binary(min_size=1, max_size=200).filter(lambda d: len(d) % 3))
def test_missing_or_extra_padding_is_refused(data: bytes) -> None:
    text = _std(data)
    with pytest.raises(Base64Error):
        decode_base64(text.rstrip("="))
    with pytest.raises(Base64Error):
        decode_base64(text + "=")
    with pytest.raises(Base64Error):
        decode_base64url(encode_base64url(data) + "=")


@given(
    st.binary(max_size=100),
    st.integers(min_value=0, max_value=200),
    st.characters(codec="utf-8").filter(lambda c: c not in STANDARD and c != "="),
)
def test_a_character_outside_the_alphabet_is_refused(data: bytes, at: int, char: str) -> None:
    text = _std(data)
    at %= len(text) + 1
    with pytest.raises(Base64Error):
        decode_base64(text[:at] + char + text[at:])


@given(
    st.binary(max_size=100),
    st.integers(min_value=0, max_value=200),
    st.characters(codec="utf-8").filter(lambda c: c not in URLSAFE),
)
def test_a_character_outside_the_url_alphabet_is_refused(data: bytes, at: int, char: str) -> None:
    text = encode_base64url(data)
    at %= len(text) + 1
    with pytest.raises(Base64Error):
        decode_base64url(text[:at] + char + text[at:])


@given(st.binary(min_size=1, max_size=100), st.sampled_from([" ", "\n", "\r\n", "\t"]))
def test_whitespace_anywhere_is_refused(data: bytes, space: str) -> None:
    text = _std(data)
    for at in (0, len(text) // 2, len(text)):
        with pytest.raises(Base64Error):
            decode_base64(text[:at] + space + text[at:])
        with pytest.raises(Base64Error):
            decode_base64url(encode_base64url(data)[:at] + space)


def _with_trailing_bits(text: str, alphabet: str, bits: int) -> str:
    """``text`` with its last data character's unused low bits set to ``bits``."""
    body = text.rstrip("=")
    last = alphabet.index(body[-1]) | bits
    return body[:-1] + alphabet[last] + text[len(body) :]


@given(st.binary(min_size=1, max_size=100).filter(lambda d: len(d) % 3), st.data())
def test_non_zero_unused_bits_are_refused_unless_asked_not_to(
    data: bytes, draw: st.DataObject
) -> None:
    unused = 4 if len(data) % 3 == 1 else 2  # one byte left: 4 unused bits; two: 2
    bits = draw.draw(st.integers(min_value=1, max_value=(1 << unused) - 1))
    for text, alphabet, decode in (
        (_std(data), STANDARD, decode_base64),
        (encode_base64url(data), URLSAFE, decode_base64url),
    ):
        second_spelling = _with_trailing_bits(text, alphabet, bits)
        assert second_spelling != text
        with pytest.raises(Base64Error, match="unused bits"):
            decode(second_spelling)
        assert decode(second_spelling, canonical=False) == data


@given(st.text(alphabet=STANDARD + "=", max_size=40))
def test_anything_read_is_the_one_spelling_of_what_it_gives(text: str) -> None:
    try:
        data = decode_base64(text)
    except Base64Error:
        return
    assert _std(data) == text


@given(st.text(alphabet=URLSAFE + "=", max_size=40))
def test_anything_read_as_base64url_is_the_one_spelling_of_what_it_gives(text: str) -> None:
    try:
        data = decode_base64url(text)
    except Base64Error:
        return
    assert encode_base64url(data) == text


@given(st.text(alphabet=URLSAFE, min_size=1, max_size=40))
def test_an_impossible_base64url_length_is_refused(text: str) -> None:
    assume(len(text) % 4 == 1)
    with pytest.raises(Base64Error, match="impossible length"):
        decode_base64url(text, canonical=False)


def test_errors_name_what_was_read_and_are_crypto_errors() -> None:
    with pytest.raises(CryptoError, match="root hash is not valid base64"):
        decode_base64("not base64!", "root hash")
    assert issubclass(Base64Error, ValueError)
