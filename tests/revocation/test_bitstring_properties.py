"""Properties of the bitstring codec, checked against a plain set-of-indices model."""

from __future__ import annotations

import contextlib

import pytest
from credledger.revocation.bitstring import Bitstring
from credledger.revocation.errors import StatusListDecodeError, StatusListLengthError
from hypothesis import given, settings
from hypothesis import strategies as st

LENGTHS = st.integers(min_value=1, max_value=512).map(lambda n: n * 8)


@st.composite
def lists(draw: st.DrawFn) -> tuple[int, set[int]]:
    length = draw(LENGTHS)
    indices = draw(st.sets(st.integers(min_value=0, max_value=length - 1), max_size=64))
    return length, indices


@given(lists())
def test_encode_then_decode_gives_back_the_same_bits(case: tuple[int, set[int]]) -> None:
    length, indices = case
    bits = Bitstring.from_indices(length, indices, min_length=0)
    decoded = Bitstring.decode(bits.encode(), min_length=0)
    assert decoded == bits
    assert {i for i in range(length) if decoded.get(i)} == indices


@given(lists())
def test_equal_bits_always_encode_to_equal_text(case: tuple[int, set[int]]) -> None:
    length, indices = case
    first = Bitstring.from_indices(length, indices, min_length=0)
    second = Bitstring(length, min_length=0)
    for index in sorted(indices, reverse=True):
        second.set(index, True)
    assert first.encode() == second.encode()


@given(lists(), st.lists(st.tuples(st.integers(min_value=0), st.booleans()), max_size=40))
def test_get_agrees_with_every_earlier_set(
    case: tuple[int, set[int]], writes: list[tuple[int, bool]]
) -> None:
    length, indices = case
    bits = Bitstring.from_indices(length, indices, min_length=0)
    model = set(indices)
    for raw_index, value in writes:
        index = raw_index % length
        bits.set(index, value)
        if value:
            model.add(index)
        else:
            model.discard(index)
    assert {i for i in range(length) if bits.get(i)} == model
    assert bits.count() == len(model)


@given(
    st.integers(min_value=1, max_value=8),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0)), max_size=40),
)
def test_multi_bit_entries_read_back_the_last_value_written(
    status_size: int, writes: list[tuple[int, int]]
) -> None:
    entries = 64
    bits = Bitstring(entries * status_size, min_length=0)
    model = [0] * entries
    for raw_index, raw_value in writes:
        index, value = raw_index % entries, raw_value % (1 << status_size)
        bits.set_status(index, value, status_size)
        model[index] = value
    assert [bits.get_status(i, status_size) for i in range(entries)] == model
    round_tripped = Bitstring.decode(bits.encode(), min_length=entries, status_size=status_size)
    assert [round_tripped.get_status(i, status_size) for i in range(entries)] == model


@given(lists())
def test_find_unset_matches_a_linear_scan(case: tuple[int, set[int]]) -> None:
    length, indices = case
    bits = Bitstring.from_indices(length, indices, min_length=0)
    clear = [i for i in range(length) if i not in indices]
    assert [bits.find_unset(rank) for rank in range(len(clear))] == clear


@given(st.integers(min_value=1, max_value=4096).filter(lambda n: n % 8))
def test_lengths_that_are_not_whole_bytes_are_refused(length: int) -> None:
    with pytest.raises(ValueError, match="whole number of bytes"):
        Bitstring(length, min_length=0)


@given(lists(), st.integers(min_value=1, max_value=8))
def test_lists_shorter_than_the_minimum_are_refused_when_decoding(
    case: tuple[int, set[int]], missing: int
) -> None:
    length, indices = case
    text = Bitstring.from_indices(length, indices, min_length=0).encode()
    with pytest.raises(StatusListLengthError):
        Bitstring.decode(text, min_length=length + missing)


@settings(max_examples=200)
@given(st.text(max_size=80))
def test_arbitrary_text_either_decodes_or_raises_a_decode_error(text: str) -> None:
    with contextlib.suppress(StatusListDecodeError):
        Bitstring.decode(text, min_length=0)


@given(lists(), st.data())
def test_flipping_a_byte_of_the_gzip_stream_never_yields_other_bits_silently(
    case: tuple[int, set[int]], data: st.DataObject
) -> None:
    length, indices = case
    bits = Bitstring.from_indices(length, indices, min_length=0)
    text = bits.encode()
    position = data.draw(st.integers(min_value=1, max_value=len(text) - 1))
    replacement = data.draw(st.sampled_from("AQgw_-9z"))
    tampered = text[:position] + replacement + text[position + 1 :]
    try:
        decoded = Bitstring.decode(tampered, min_length=0)
    except StatusListDecodeError:
        return
    # GZIP's CRC-32 and length catch any change to the bits themselves.
    assert decoded == bits
