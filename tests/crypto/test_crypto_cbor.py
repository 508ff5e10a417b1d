"""Deterministic CBOR: RFC 8949 §4.2.1 core deterministic encoding."""

from __future__ import annotations

import enum
import math
import struct
from datetime import UTC, datetime
from typing import Any

import pytest
from credledger.crypto import cbor
from credledger.crypto.cbor import MAX_DEPTH, CBORDecodeError, CBOREncodeError
from credledger.crypto.errors import CryptoError
from hypothesis import given
from hypothesis import strategies as st

# RFC 8949 Appendix A, every example whose encoding is the deterministic one for a
# value in the supported data model (tags, undefined, simple values, bignums and
# the non-preferred float and indefinite-length forms are tested as refusals below).
APPENDIX_A: list[tuple[Any, str]] = [
    (0, "00"),
    (1, "01"),
    (10, "0a"),
    (23, "17"),
    (24, "1818"),
    (25, "1819"),
    (100, "1864"),
    (1000, "1903e8"),
    (1000000, "1a000f4240"),
    (1000000000000, "1b000000e8d4a51000"),
    (18446744073709551615, "1bffffffffffffffff"),
    (-18446744073709551616, "3bffffffffffffffff"),
    (-1, "20"),
    (-10, "29"),
    (-100, "3863"),
    (-1000, "3903e7"),
    (0.0, "f90000"),
    (-0.0, "f98000"),
    (1.0, "f93c00"),
    (1.1, "fb3ff199999999999a"),
    (1.5, "f93e00"),
    (65504.0, "f97bff"),
    (100000.0, "fa47c35000"),
    (3.4028234663852886e38, "fa7f7fffff"),
    (1.0e300, "fb7e37e43c8800759c"),
    (5.960464477539063e-8, "f90001"),
    (0.00006103515625, "f90400"),
    (-4.0, "f9c400"),
    (-4.1, "fbc010666666666666"),
    (math.inf, "f97c00"),
    (math.nan, "f97e00"),
    (-math.inf, "f9fc00"),
    (False, "f4"),
    (True, "f5"),
    (None, "f6"),
    (b"", "40"),
    (b"\x01\x02\x03\x04", "4401020304"),
    ("", "60"),
    ("a", "6161"),
    ("IETF", "6449455446"),
    ('"\\', "62225c"),
    ("\u00fc", "62c3bc"),
    ("\u6c34", "63e6b0b4"),
    ("\U00010151", "64f0908591"),
    ([], "80"),
    ([1, 2, 3], "83010203"),
    ([1, [2, 3], [4, 5]], "8301820203820405"),
    (list(range(1, 26)), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    ({}, "a0"),
    ({1: 2, 3: 4}, "a201020304"),
    ({"a": 1, "b": [2, 3]}, "a26161016162820203"),
    (["a", {"b": "c"}], "826161a161626163"),
    (
        {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"},
        "a56161614161626142616361436164614461656145",
    ),
]

# Appendix A encodings outside the deterministic profile or the data model.
APPENDIX_A_REFUSED: list[tuple[str, str]] = [
    ("c249010000000000000000", "bignum 18446744073709551616 (tag 2)"),
    ("c349010000000000000000", "bignum -18446744073709551617 (tag 3)"),
    ("fa7f800000", "Infinity as single precision"),
    ("fa7fc00000", "NaN as single precision"),
    ("faff800000", "-Infinity as single precision"),
    ("fb7ff0000000000000", "Infinity as double precision"),
    ("fb7ff8000000000000", "NaN as double precision"),
    ("fbfff0000000000000", "-Infinity as double precision"),
    ("f7", "undefined"),
    ("f0", "simple(16)"),
    ("f8ff", "simple(255)"),
    ("c074323031332d30332d32315432303a30343a30305a", "tag 0 date/time string"),
    ("c11a514b67b0", "tag 1 epoch time"),
    ("c1fb41d452d9ec200000", "tag 1 epoch time, float"),
    ("d74401020304", "tag 23"),
    ("d818456449455446", "tag 24"),
    ("d82076687474703a2f2f7777772e6578616d706c652e636f6d", "tag 32 URI"),
    ("5f42010243030405ff", "indefinite-length byte string"),
    ("7f657374726561646d696e67ff", "indefinite-length text string"),
    ("9fff", "indefinite-length empty array"),
    ("9f018202039f0405ffff", "indefinite-length nested arrays"),
    ("9f01820203820405ff", "indefinite-length outer array"),
    ("83018202039f0405ff", "indefinite-length inner array"),
    ("83019f0203ff820405", "indefinite-length middle array"),
    ("9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff", "indefinite 25 items"),
    ("bf61610161629f0203ffff", "indefinite-length map"),
    ("826161bf61626163ff", "indefinite-length inner map"),
    ("bf6346756ef563416d7421ff", "indefinite-length map of two entries"),
]


@pytest.mark.parametrize(("value", "hex_encoding"), APPENDIX_A, ids=lambda v: repr(v)[:30])
def test_rfc8949_appendix_a_values_encode_to_the_listed_bytes(
    value: Any, hex_encoding: str
) -> None:
    assert cbor.encode(value).hex() == hex_encoding


@pytest.mark.parametrize(("value", "hex_encoding"), APPENDIX_A, ids=lambda v: repr(v)[:30])
def test_rfc8949_appendix_a_encodings_decode_to_the_listed_values(
    value: Any, hex_encoding: str
) -> None:
    decoded = cbor.decode(bytes.fromhex(hex_encoding))
    if isinstance(value, float) and math.isnan(value):
        assert math.isnan(decoded)
    else:
        assert decoded == value
        assert type(decoded) is type(value)


@pytest.mark.parametrize(("hex_encoding", "what"), APPENDIX_A_REFUSED, ids=lambda v: v[:30])
def test_rfc8949_appendix_a_encodings_outside_the_profile_are_refused(
    hex_encoding: str, what: str
) -> None:
    with pytest.raises(CBORDecodeError):
        cbor.decode(bytes.fromhex(hex_encoding))


def test_map_keys_follow_rfc8949_bytewise_order_not_rfc7049_length_first() -> None:
    # RFC 8949 §4.2.1's example order: 10 (0x0a), 100 (0x1864), -1 (0x20),
    # "z" (0x617a), "aa" (0x626161). Length-first order would put -1 before 100.
    encoded = cbor.encode({"aa": 5, -1: 3, "z": 4, 100: 2, 10: 1})
    assert encoded.hex() == "a5" + "0a01" + "186402" + "2003" + "617a04" + "62616105"


def test_map_keys_of_every_supported_type_sort_by_their_encoding() -> None:
    encoded = cbor.encode({"a": 0, b"a": 0, 24: 0, -25: 0, 0: 0})
    keys = ["00", "1818", "3818", "4161", "6161"]
    assert encoded.hex() == "a5" + "".join(key + "00" for key in keys)


def test_encoding_does_not_depend_on_dict_insertion_order() -> None:
    forwards = {"seq": 1, "event": "Issued", "time": "2025-01-01T00:00:00Z"}
    backwards = dict(reversed(list(forwards.items())))
    assert cbor.encode(forwards) == cbor.encode(backwards)


def test_tuples_encode_as_arrays() -> None:
    assert cbor.encode((1, "a")) == cbor.encode([1, "a"])


def test_bytearray_encodes_as_a_byte_string() -> None:
    assert cbor.encode(bytearray(b"\x01\x02")) == cbor.encode(b"\x01\x02")


@pytest.mark.parametrize(
    ("value", "hex_encoding"),
    [
        (23, "17"),
        (24, "1818"),
        (255, "18ff"),
        (256, "190100"),
        (65535, "19ffff"),
        (65536, "1a00010000"),
        (4294967295, "1affffffff"),
        (4294967296, "1b0000000100000000"),
        (-24, "37"),
        (-25, "3818"),
        (-256, "38ff"),
        (-257, "390100"),
    ],
)
def test_integers_use_the_shortest_head_at_every_width_boundary(
    value: int, hex_encoding: str
) -> None:
    assert cbor.encode(value).hex() == hex_encoding


@pytest.mark.parametrize("length", [23, 24, 255, 256, 65536])
def test_string_lengths_use_the_shortest_head(length: int) -> None:
    encoded = cbor.encode("x" * length)
    assert cbor.decode(encoded) == "x" * length
    head_size = {23: 1, 24: 2, 255: 2, 256: 3, 65536: 5}[length]
    assert len(encoded) == head_size + length


class Colour(enum.IntEnum):
    RED = 1


class Label(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        2**64,
        -(2**64) - 1,
        datetime(2025, 1, 1, tzinfo=UTC),
        {1, 2},
        object(),
        Colour.RED,
        Label("x"),
        "\udc80",
        {1.5: "float key"},
        {True: "bool key"},
        {(1, 2): "array key"},
        {None: "null key"},
        [[{"nested": object()}]],
    ],
    ids=repr,
)
def test_values_outside_the_data_model_are_refused(value: Any) -> None:
    with pytest.raises(CBOREncodeError):
        cbor.encode(value)


def test_errors_belong_to_the_crypto_error_family() -> None:
    assert issubclass(CBOREncodeError, CryptoError)
    assert issubclass(CBORDecodeError, CryptoError)


def _nested_lists(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


def _nested_maps(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = {"k": value}
    return value


@pytest.mark.parametrize("nest", [_nested_lists, _nested_maps])
def test_nesting_up_to_max_depth_round_trips(nest: Any) -> None:
    value = nest(MAX_DEPTH)
    assert cbor.decode(cbor.encode(value)) == value


@pytest.mark.parametrize("nest", [_nested_lists, _nested_maps])
def test_nesting_beyond_max_depth_is_refused_both_ways(nest: Any) -> None:
    with pytest.raises(CBOREncodeError):
        cbor.encode(nest(MAX_DEPTH + 1))
    too_deep = b"\x81" * (MAX_DEPTH + 1) + b"\x00"
    with pytest.raises(CBORDecodeError):
        cbor.decode(too_deep)


@pytest.mark.parametrize(
    ("hex_encoding", "why"),
    [
        ("", "empty input"),
        ("0000", "trailing byte"),
        ("a10102ff", "trailing break byte"),
        ("1817", "23 written with a one-byte argument"),
        ("190017", "23 written with a two-byte argument"),
        ("1a00000017", "23 written with a four-byte argument"),
        ("1b0000000000000017", "23 written with an eight-byte argument"),
        ("3817", "-24 written with a one-byte argument"),
        ("7801" + "61", "a one-character string with a one-byte length"),
        ("5801" + "00", "a one-byte byte string with a one-byte length"),
        ("9801" + "00", "a one-item array with a one-byte length"),
        ("b801" + "0000", "a one-entry map with a one-byte length"),
        ("fa3fc00000", "1.5 as single precision"),
        ("fb3ff8000000000000", "1.5 as double precision"),
        ("f97e01", "NaN with a payload"),
        ("f9fe00", "negative NaN"),
        ("a2200a0a20", "keys in length-first order: -1 before 10"),
        ("a2626161016162 02", "keys 'aa' before 'b'"),
        ("a201010102", "duplicate key"),
        ("a2616101616102", "duplicate text key"),
        ("62c328", "invalid UTF-8"),
        ("63eda080", "UTF-8 encoded surrogate"),
        ("1c", "reserved additional information 28"),
        ("ff", "lone break"),
        ("8201", "truncated array"),
        ("a1f500", "bool map key"),
        ("a1f93e0000", "float map key"),
        ("a1820102 00", "array map key"),
    ],
    ids=lambda v: v[:40],
)
def test_non_deterministic_or_malformed_input_is_refused(hex_encoding: str, why: str) -> None:
    data = bytes.fromhex(hex_encoding.replace(" ", ""))
    with pytest.raises(CBORDecodeError):
        cbor.decode(data)


def test_decode_refuses_text_input() -> None:
    with pytest.raises(CBORDecodeError):
        cbor.decode("a0")  # type: ignore[arg-type]


# --- properties -----------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary()
)
keys = st.text() | st.integers(min_value=-(2**64), max_value=2**64 - 1) | st.binary()
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)


@given(values)
def test_every_supported_value_round_trips(value: Any) -> None:
    assert cbor.decode(cbor.encode(value)) == value


@given(values)
def test_encoding_is_a_fixed_point_of_decode_then_encode(value: Any) -> None:
    encoded = cbor.encode(value)
    assert cbor.encode(cbor.decode(encoded)) == encoded


@given(
    values,
    st.integers(min_value=0),
    st.integers(0, 255),
    st.sampled_from(["set", "insert", "drop"]),
)
def test_whatever_decode_accepts_re_encodes_to_the_same_bytes(
    value: Any, position: int, byte: int, edit: str
) -> None:
    # Near-misses of valid encodings: one byte changed, inserted or dropped.
    data = bytearray(cbor.encode(value))
    index = position % len(data)
    if edit == "set":
        data[index] = byte
    elif edit == "insert":
        data.insert(index, byte)
    else:
        del data[index]
    try:
        decoded = cbor.decode(bytes(data))
    except CBORDecodeError:
        return
    assert cbor.encode(decoded) == bytes(data)


@given(values, st.binary(min_size=1, max_size=4))
def test_trailing_bytes_are_refused(value: Any, extra: bytes) -> None:
    with pytest.raises(CBORDecodeError):
        cbor.decode(cbor.encode(value) + extra)


@given(
    st.lists(keys, min_size=2, max_size=6, unique_by=cbor.encode).flatmap(
        lambda ks: st.permutations(ks).filter(
            lambda order: [cbor.encode(k) for k in order] != sorted(cbor.encode(k) for k in ks)
        )
    )
)
def test_maps_with_keys_out_of_bytewise_order_are_refused(key_order: list[Any]) -> None:
    data = bytes([0xA0 | len(key_order)]) + b"".join(cbor.encode(k) + b"\x00" for k in key_order)
    with pytest.raises(CBORDecodeError):
        cbor.decode(data)


@given(st.integers(min_value=0, max_value=2**64 - 1), st.sampled_from([24, 25, 26, 27]))
def test_integers_in_a_longer_head_than_needed_are_refused(value: int, info: int) -> None:
    width = {24: 1, 25: 2, 26: 4, 27: 8}[info]
    if value >= 256**width:
        return
    data = bytes([info]) + value.to_bytes(width, "big")
    if data == cbor.encode(value):
        assert cbor.decode(data) == value
    else:
        with pytest.raises(CBORDecodeError):
            cbor.decode(data)


def _shortest_float_reference(value: float) -> bytes:
    """Independent statement of the rule: the first width whose round trip is exact."""
    if math.isnan(value):
        return b"\xf9\x7e\x00"
    for fmt, initial in ((">e", 0xF9), (">f", 0xFA)):
        try:
            packed = struct.pack(fmt, value)
        except OverflowError:
            continue
        if struct.unpack(fmt, packed)[0] == value:
            return bytes([initial]) + packed
    return b"\xfb" + struct.pack(">d", value)


@given(
    st.floats(width=16)
    | st.floats(width=32)
    | st.floats(width=64)
    | st.integers(0, 2**64 - 1).map(lambda bits: struct.unpack(">d", bits.to_bytes(8, "big"))[0])
)
def test_floats_take_the_shortest_width_that_preserves_the_value(value: float) -> None:
    assert cbor.encode(value) == _shortest_float_reference(value)


@given(st.floats(allow_nan=False))
def test_floats_round_trip_bit_for_bit(value: float) -> None:
    decoded = cbor.decode(cbor.encode(value))
    assert struct.pack(">d", decoded) == struct.pack(">d", value)


def _general(value: Any) -> bytes:
    """The encoder's general path (the one every map took before flat maps went to cbor2)."""
    out: list[bytes] = []
    cbor._encode(value, out, 0)
    return b"".join(out)


@given(
    st.dictionaries(
        st.text(max_size=300),
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**70), max_value=2**70)
        | st.floats()
        | st.text()
        | st.binary(),
        max_size=12,
    )
)
def test_a_flat_map_of_text_keys_encodes_as_the_general_path_does(value: dict[str, Any]) -> None:
    """Merkle leaves are such maps: the C-speed path must give exactly the same bytes."""
    try:
        expected = _general(value)
    except CBOREncodeError:
        with pytest.raises(CBOREncodeError):
            cbor.encode(value)
        return
    assert cbor.encode(value) == expected


def test_a_flat_map_with_a_lone_surrogate_or_a_bignum_is_still_refused() -> None:
    for value in ({"a": "\ud800"}, {"\udc00": 1}, {"a": 2**64}, {"a": -(2**64) - 1}):
        with pytest.raises(CBOREncodeError):
            cbor.encode(value)
