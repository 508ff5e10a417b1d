"""The status list bitstring and its encodedList codec (spec §2.2, §3.3, §3.4, §7.1)."""

from __future__ import annotations

import base64
import gzip
import struct
import zlib

import pytest
from credledger.revocation.bitstring import MAX_DECODED_BYTES, MIN_LIST_LENGTH, Bitstring
from credledger.revocation.errors import (
    StatusIndexError,
    StatusListDecodeError,
    StatusListError,
    StatusListLengthError,
)

# Example 3 of the spec: an empty 131,072-entry revocation list.
SPEC_EMPTY_131072 = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
# digitalbazaar/vc-bitstring-status-list tests/10-BitstringStatusList.spec.js.
DB_EMPTY_100K = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQsvoAAAAAAAAAAAAAAAAP4GcwM92tQwAAA"
DB_100K_50000_SET = "uH4sIAAAAAAAAA-3OMQ0AAAgDsElHOh72EJJWQRMAAAAAAIDWXAcAAAAAAIDHFvRitn7UMAAA"
# digitalbazaar/vc-bitstring-status-list tests/mock-sl-credentials.js (a different bit).
DB_MOCK_100K = "uH4sIAAAAAAAAA-3OMQ0AAAgDsOHfNB72EJJWQRMAAAAAAIDWXAcAAAAAAIDHFrc4zDzUMAAA"


def _b64u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def test_spec_example_list_decodes_to_131072_clear_bits() -> None:
    bits = Bitstring.decode(SPEC_EMPTY_131072)
    assert len(bits) == 131_072
    assert bits.count() == 0


def test_spec_example_list_is_what_an_empty_default_list_encodes_to() -> None:
    assert Bitstring().encode() == SPEC_EMPTY_131072


def test_digital_bazaar_empty_100k_list_round_trips_byte_for_byte() -> None:
    bits = Bitstring.decode(DB_EMPTY_100K, min_length=100_000)
    assert (len(bits), bits.count()) == (100_000, 0)
    assert Bitstring(100_000, min_length=100_000).encode() == DB_EMPTY_100K


def test_digital_bazaar_list_with_index_50000_revoked_has_only_that_bit_set() -> None:
    bits = Bitstring.decode(DB_100K_50000_SET, min_length=100_000)
    assert bits.get(50_000)
    assert bits.count() == 1
    assert Bitstring.from_indices(100_000, [50_000], min_length=100_000).encode() == (
        DB_100K_50000_SET
    )


def test_digital_bazaar_mock_list_sets_the_last_bit_of_byte_6250() -> None:
    bits = Bitstring.decode(DB_MOCK_100K, min_length=100_000)
    assert bits.to_bytes()[6250] == 0x01
    assert [i for i in range(49_990, 50_010) if bits.get(i)] == [50_007]


def test_index_zero_is_the_most_significant_bit_of_the_first_byte() -> None:
    bits = Bitstring()
    bits.set(0, True)
    bits.set(9, True)
    bits.set(MIN_LIST_LENGTH - 1, True)
    raw = bits.to_bytes()
    assert raw[:2] == bytes([0x80, 0x40])
    assert raw[-1] == 0x01


def test_set_false_clears_only_that_bit() -> None:
    bits = Bitstring.from_indices(MIN_LIST_LENGTH, [3, 4, 5])
    bits.set(4, False)
    assert [bits.get(i) for i in range(3, 6)] == [True, False, True]


def test_set_refuses_values_other_than_booleans() -> None:
    with pytest.raises(TypeError):
        Bitstring().set(0, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("index", [-1, MIN_LIST_LENGTH, 10**12])
def test_get_and_set_refuse_indices_outside_the_list(index: int) -> None:
    bits = Bitstring()
    with pytest.raises(StatusIndexError):
        bits.get(index)
    with pytest.raises(StatusIndexError):
        bits.set(index, True)


def test_index_errors_are_status_list_errors_with_the_spec_range_code() -> None:
    with pytest.raises(StatusListError) as caught:
        Bitstring().get(MIN_LIST_LENGTH)
    assert isinstance(caught.value, IndexError)
    assert caught.value.code == "RANGE_ERROR"
    assert caught.value.problem_type == "https://www.w3.org/ns/credentials/status-list#RANGE_ERROR"


@pytest.mark.parametrize("length", [MIN_LIST_LENGTH - 8, MIN_LIST_LENGTH + 1, 0])
def test_constructor_refuses_short_or_partial_byte_lengths(length: int) -> None:
    with pytest.raises(ValueError, match=r"holds at least|whole number of bytes"):
        Bitstring(length)


def test_constructor_accepts_larger_whole_byte_lengths() -> None:
    assert len(Bitstring(MIN_LIST_LENGTH * 8)) == 1_048_576


def test_encoding_is_deterministic_with_a_zero_gzip_mtime() -> None:
    bits = Bitstring.from_indices(MIN_LIST_LENGTH, [1, 99, 4242])
    first, second = bits.encode(), bits.copy().encode()
    assert first == second
    member = base64.urlsafe_b64decode(first[1:] + "==")
    assert member[:10] == bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3])


def test_encoding_has_the_multibase_prefix_and_no_padding() -> None:
    text = Bitstring.from_indices(MIN_LIST_LENGTH, [7]).encode()
    assert text.startswith("u")
    assert "=" not in text
    assert "+" not in text
    assert "/" not in text


def test_decoding_accepts_a_list_compressed_by_another_gzip_writer() -> None:
    raw = bytes([0, 0x20]) + bytes(MIN_LIST_LENGTH // 8 - 2)
    bits = Bitstring.decode(_b64u(_gzip(raw)))
    assert [i for i in range(16) if bits.get(i)] == [10]


def test_decoding_accepts_multi_member_gzip() -> None:
    half = MIN_LIST_LENGTH // 16
    raw = _gzip(bytes(half)) + _gzip(b"\x80" + bytes(half - 1))
    bits = Bitstring.decode(_b64u(raw))
    assert len(bits) == MIN_LIST_LENGTH
    assert bits.get(half * 8)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "zH4sIAAAAAAAAA",  # base58btc prefix
        SPEC_EMPTY_131072[1:],  # no prefix at all
        "m" + base64.b64encode(_gzip(bytes(16384))).decode(),  # base64 (not url) prefix
    ],
)
def test_decoding_refuses_anything_but_the_base64url_multibase_prefix(text: str) -> None:
    with pytest.raises(StatusListDecodeError, match="prefix"):
        Bitstring.decode(text)


@pytest.mark.parametrize(
    "text",
    [
        SPEC_EMPTY_131072 + "==",  # padding
        SPEC_EMPTY_131072.replace("-", "+"),  # standard, not url-safe, alphabet
        SPEC_EMPTY_131072[:20] + " " + SPEC_EMPTY_131072[20:],
        SPEC_EMPTY_131072 + "A",  # 4n+1 characters cannot be base64
    ],
)
def test_decoding_refuses_text_that_is_not_unpadded_base64url(text: str) -> None:
    with pytest.raises(StatusListDecodeError, match="base64url"):
        Bitstring.decode(text)


def test_decoding_refuses_non_canonical_trailing_bits() -> None:
    text = DB_EMPTY_100K  # 3 characters in its last quantum: 2 spare bits
    assert len(text[1:]) % 4 == 3
    tampered = text[:-1] + "B"  # 'A' -> 'B' sets a spare bit
    with pytest.raises(StatusListDecodeError, match="canonical"):
        Bitstring.decode(tampered, min_length=100_000)


def test_decoding_refuses_an_empty_list() -> None:
    with pytest.raises(StatusListDecodeError, match="GZIP"):
        Bitstring.decode("u", min_length=0)


def test_decoding_refuses_data_that_is_not_gzip() -> None:
    with pytest.raises(StatusListDecodeError, match="GZIP"):
        Bitstring.decode(_b64u(zlib.compress(bytes(16384))))


def test_decoding_refuses_gzip_with_a_bad_checksum() -> None:
    member = bytearray(_gzip(bytes(16384)))
    member[-8] ^= 0xFF  # CRC-32 of the trailer
    with pytest.raises(StatusListDecodeError, match="GZIP"):
        Bitstring.decode(_b64u(bytes(member)))


def test_decoding_refuses_truncated_gzip() -> None:
    with pytest.raises(StatusListDecodeError, match="truncated"):
        Bitstring.decode(_b64u(_gzip(bytes(16384))[:-4]))


def test_decoding_refuses_trailing_garbage() -> None:
    with pytest.raises(StatusListDecodeError, match="GZIP"):
        Bitstring.decode(_b64u(_gzip(bytes(16384)) + b"junk"))


def test_decoding_refuses_a_list_shorter_than_the_minimum() -> None:
    with pytest.raises(StatusListLengthError) as caught:
        Bitstring.decode(DB_EMPTY_100K)
    assert caught.value.code == "STATUS_LIST_LENGTH_ERROR"


def test_minimum_length_counts_entries_of_the_status_size() -> None:
    with pytest.raises(StatusListLengthError):
        Bitstring.decode(SPEC_EMPTY_131072, status_size=2)
    two_bit = Bitstring(2 * MIN_LIST_LENGTH).encode()
    assert Bitstring.decode(two_bit, status_size=2).entries(2) == MIN_LIST_LENGTH


def test_decoding_refuses_a_zip_bomb_past_the_default_cap() -> None:
    bomb = _b64u(_gzip(bytes(MAX_DECODED_BYTES + 1)))
    assert len(bomb) < 40_000
    with pytest.raises(StatusListDecodeError, match="expands past"):
        Bitstring.decode(bomb)


def test_decoding_stops_at_a_caller_chosen_cap() -> None:
    text = Bitstring(MIN_LIST_LENGTH * 2).encode()
    with pytest.raises(StatusListDecodeError, match="expands past"):
        Bitstring.decode(text, max_bytes=MIN_LIST_LENGTH // 8)
    assert len(Bitstring.decode(text, max_bytes=MIN_LIST_LENGTH // 4)) == MIN_LIST_LENGTH * 2


def test_decoding_a_gzip_with_a_forged_size_field_still_checks_the_real_size() -> None:
    member = bytearray(_gzip(bytes(1024)))
    member[-4:] = struct.pack("<I", 16384)  # ISIZE lies
    with pytest.raises(StatusListDecodeError):
        Bitstring.decode(_b64u(bytes(member)))


def test_two_bit_entries_put_the_first_bit_most_significant() -> None:
    bits = Bitstring(2 * MIN_LIST_LENGTH)
    bits.set_status(0, 0b10, status_size=2)
    bits.set_status(1, 0b01, status_size=2)
    bits.set_status(3, 0b11, status_size=2)
    assert bits.to_bytes()[0] == 0b10_01_00_11
    assert [bits.get_status(i, 2) for i in range(4)] == [2, 1, 0, 3]


def test_entries_may_straddle_byte_boundaries() -> None:
    bits = Bitstring(3 * MIN_LIST_LENGTH)
    bits.set_status(2, 0b101, status_size=3)  # bits 6, 7, 8
    assert bits.to_bytes()[:2] == bytes([0b0000_0010, 0b1000_0000])
    assert bits.get_status(2, 3) == 0b101
    assert bits.get_status(1, 3) == 0
    assert bits.get_status(3, 3) == 0


def test_set_status_refuses_values_that_do_not_fit() -> None:
    bits = Bitstring(2 * MIN_LIST_LENGTH)
    with pytest.raises(ValueError, match="does not fit in 2 bit"):
        bits.set_status(0, 4, status_size=2)
    with pytest.raises(ValueError, match="does not fit in 2 bit"):
        bits.set_status(0, -1, status_size=2)


def test_the_last_multi_bit_entry_is_addressable_and_the_next_is_not() -> None:
    bits = Bitstring(2 * MIN_LIST_LENGTH)
    bits.set_status(MIN_LIST_LENGTH - 1, 3, status_size=2)
    assert bits.to_bytes()[-1] == 0b11
    with pytest.raises(StatusIndexError):
        bits.get_status(MIN_LIST_LENGTH, status_size=2)


def test_find_unset_returns_clear_bits_in_ascending_order() -> None:
    bits = Bitstring.from_indices(MIN_LIST_LENGTH, [0, 1, 3])
    assert [bits.find_unset(rank) for rank in range(3)] == [2, 4, 5]
    assert bits.find_unset(MIN_LIST_LENGTH - 4) == MIN_LIST_LENGTH - 1
    with pytest.raises(StatusIndexError):
        bits.find_unset(MIN_LIST_LENGTH - 3)


@pytest.mark.parametrize("indices", [[1, True], [1, 2.0], [-1, 5], [5, MIN_LIST_LENGTH]])
def test_from_indices_refuses_indices_that_are_not_in_the_list(indices: list[int]) -> None:
    with pytest.raises((TypeError, StatusIndexError)):
        Bitstring.from_indices(MIN_LIST_LENGTH, indices)
