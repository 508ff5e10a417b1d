"""The Bitstring Status List bitstring and its ``encodedList`` codec (spec §2.2, §3.3, §3.4).

Index 0 is the left-most (most significant) bit of the first byte (spec §7.1). An
entry of ``status_size`` bits starts at bit ``index * status_size``; its first bit
is the most significant bit of its value.

``encode`` writes multibase base64url (``u`` prefix, no padding) of a GZIP member
with a fixed header (mtime 0, OS Unix) around zlib level-6 deflate: the same bits
always give the same text, byte for byte what Digital Bazaar's library writes.
``decode`` is strict and bounded, because the list comes from the network: it
refuses other multibase prefixes, non-canonical base64url, bad or truncated GZIP,
lists shorter than the privacy minimum, and output past ``max_bytes`` (zip bombs).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

from credledger.crypto.multibase import MultibaseError, decode_base64url, encode_base64url
from credledger.revocation.errors import (
    StatusIndexError,
    StatusListDecodeError,
    StatusListLengthError,
)

MIN_LIST_LENGTH = 131_072
"""Minimum number of entries of a list (spec §3.2: 16 KiB of single-bit entries)."""

MAX_DECODED_BYTES = 16 * 1024 * 1024
"""Default cap on the decompressed size of an ``encodedList`` (128 Mi entries)."""

_GZIP_HEADER = bytes((0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3))  # deflate, no flags, mtime 0, Unix
_ZEROS_IN_BYTE = bytes(8 - bin(b).count("1") for b in range(256))
_SCAN_CHUNK = 4096
_BIT_MASKS = tuple(0x80 >> bit for bit in range(8))


class Bitstring:
    """A mutable list of bits, addressed one bit or one multi-bit entry at a time."""

    __slots__ = ("_bits", "_length")

    def __init__(self, length: int = MIN_LIST_LENGTH, *, min_length: int = MIN_LIST_LENGTH) -> None:
        """An all-zero bitstring of ``length`` bits.

        Requires ``length`` to be a multiple of 8 and at least ``min_length``.
        """
        _check_length(length, min_length)
        self._bits = bytearray(length // 8)
        self._length = length

    @classmethod
    def from_bytes(cls, data: bytes | bytearray, *, min_length: int = MIN_LIST_LENGTH) -> Bitstring:
        """A bitstring over a copy of ``data`` (bit 0 is the top bit of ``data[0]``)."""
        _check_length(len(data) * 8, min_length)
        bitstring = cls.__new__(cls)
        bitstring._bits = bytearray(data)
        bitstring._length = len(data) * 8
        return bitstring

    @classmethod
    def from_indices(
        cls, length: int, indices: Iterable[int], *, min_length: int = MIN_LIST_LENGTH
    ) -> Bitstring:
        """A ``length``-bit bitstring with exactly the bits at ``indices`` set."""
        bitstring = cls(length, min_length=min_length)
        wanted = list(indices)
        if any(type(index) is not int for index in wanted):
            raise TypeError("status indices are ints")
        if wanted:
            bitstring._check_range(min(wanted), 1)
            bitstring._check_range(max(wanted), 1)
        bits, masks = bitstring._bits, _BIT_MASKS
        for index in wanted:
            bits[index >> 3] |= masks[index & 7]
        return bitstring

    @classmethod
    def decode(
        cls,
        text: str,
        *,
        min_length: int = MIN_LIST_LENGTH,
        status_size: int = 1,
        max_bytes: int = MAX_DECODED_BYTES,
    ) -> Bitstring:
        """Expand an ``encodedList`` (spec §3.4).

        ``min_length`` counts entries of ``status_size`` bits (spec §3.2 step 9).
        Raises StatusListLengthError for a list that is too short and
        StatusListDecodeError for anything else that is wrong with ``text``.
        """
        _check_status_size(status_size)
        raw = _multibase_base64url_decode(text)
        data = _gunzip(raw, max_bytes)
        if (len(data) * 8) // status_size < min_length:
            raise StatusListLengthError(
                f"list holds {(len(data) * 8) // status_size} entries of {status_size} bit(s);"
                f" at least {min_length} are required"
            )
        bitstring = cls.__new__(cls)
        bitstring._bits = bytearray(data)
        bitstring._length = len(data) * 8
        return bitstring

    def encode(self) -> str:
        """The ``encodedList`` of these bits (spec §3.3): deterministic, no padding."""
        deflater = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        body = deflater.compress(self._bits) + deflater.flush()
        trailer = struct.pack("<II", zlib.crc32(self._bits), len(self._bits) & 0xFFFFFFFF)
        member = _GZIP_HEADER + body + trailer
        return encode_base64url(member)

    @property
    def length(self) -> int:
        """Number of bits."""
        return self._length

    def __len__(self) -> int:
        return self._length

    def entries(self, status_size: int = 1) -> int:
        """Number of whole entries of ``status_size`` bits."""
        _check_status_size(status_size)
        return self._length // status_size

    def get(self, index: int) -> bool:
        """Whether bit ``index`` is set. Requires 0 <= index < length."""
        self._check_range(index, 1)
        return bool(self._bits[index >> 3] & (0x80 >> (index & 7)))

    def set(self, index: int, value: bool) -> None:
        """Set (True) or clear (False) bit ``index``. Requires 0 <= index < length."""
        if not isinstance(value, bool):
            raise TypeError(f"a bit is True or False, not {value!r}")
        self._check_range(index, 1)
        mask = 0x80 >> (index & 7)
        if value:
            self._bits[index >> 3] |= mask
        else:
            self._bits[index >> 3] &= ~mask & 0xFF

    def get_status(self, index: int, status_size: int = 1) -> int:
        """The value of entry ``index`` of ``status_size`` bits (first bit most significant)."""
        _check_status_size(status_size)
        self._check_range(index, status_size)
        start = index * status_size
        if status_size == 1:
            return (self._bits[start >> 3] >> (7 - (start & 7))) & 1
        end = start + status_size
        first, last = start >> 3, (end - 1) >> 3
        window = int.from_bytes(self._bits[first : last + 1], "big")
        return (window >> ((last + 1) * 8 - end)) & ((1 << status_size) - 1)

    def set_status(self, index: int, value: int, status_size: int = 1) -> None:
        """Write ``value`` (0 <= value < 2**status_size) into entry ``index``."""
        _check_status_size(status_size)
        if isinstance(value, bool) or not 0 <= value < (1 << status_size):
            raise ValueError(f"status value {value!r} does not fit in {status_size} bit(s)")
        self._check_range(index, status_size)
        start = index * status_size
        end = start + status_size
        first, last = start >> 3, (end - 1) >> 3
        shift = (last + 1) * 8 - end
        mask = ((1 << status_size) - 1) << shift
        window = int.from_bytes(self._bits[first : last + 1], "big")
        window = (window & ~mask) | (value << shift)
        self._bits[first : last + 1] = window.to_bytes(last + 1 - first, "big")

    def count(self) -> int:
        """Number of set bits."""
        return int.from_bytes(self._bits, "big").bit_count()

    def find_unset(self, rank: int) -> int:
        """The index of the ``rank``-th clear bit (0-based), scanning left to right.

        Requires 0 <= rank < length - count(); raises StatusIndexError otherwise.
        """
        if rank < 0:
            raise StatusIndexError(f"rank {rank} is negative")
        bits = self._bits
        remaining = rank
        for offset in range(0, len(bits), _SCAN_CHUNK):
            chunk = bits[offset : offset + _SCAN_CHUNK]
            zeros = len(chunk) * 8 - int.from_bytes(chunk, "big").bit_count()
            if remaining >= zeros:
                remaining -= zeros
                continue
            for position, byte in enumerate(chunk, start=offset):
                zeros = _ZEROS_IN_BYTE[byte]
                if remaining >= zeros:
                    remaining -= zeros
                    continue
                for bit in range(8):
                    if not byte & (0x80 >> bit):
                        if remaining == 0:
                            return position * 8 + bit
                        remaining -= 1
        raise StatusIndexError(f"there are not {rank + 1} clear bits")

    def to_bytes(self) -> bytes:
        """The raw, uncompressed bitstring."""
        return bytes(self._bits)

    def copy(self) -> Bitstring:
        """An independent copy."""
        return Bitstring.from_bytes(self._bits, min_length=0)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bitstring):
            return NotImplemented
        return self._bits == other._bits

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Bitstring(length={self._length}, set={self.count()})"

    def _check_range(self, index: int, status_size: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"a status index is an int, not {index!r}")
        if index < 0 or (index + 1) * status_size > self._length:
            raise StatusIndexError(
                f"index {index} (x{status_size} bits) is outside the {self._length}-bit list"
            )


def _check_length(length: int, min_length: int) -> None:
    if length % 8:
        raise ValueError(f"a bitstring length is a whole number of bytes; {length} is not")
    if length < min_length:
        raise ValueError(f"a status list holds at least {min_length} bits; {length} is too few")


def _check_status_size(status_size: int) -> None:
    if isinstance(status_size, bool) or not isinstance(status_size, int) or status_size < 1:
        raise ValueError(f"statusSize is a positive integer, not {status_size!r}")


def _multibase_base64url_decode(text: str) -> bytes:
    if not isinstance(text, str):
        raise StatusListDecodeError("encodedList must be a string")
    if not text.startswith("u"):
        raise StatusListDecodeError("encodedList must be multibase base64url (prefix 'u')")
    try:
        return decode_base64url(text)
    except MultibaseError as error:
        raise StatusListDecodeError(f"encodedList is not unpadded base64url: {error}") from error


def _gunzip(raw: bytes, max_bytes: int) -> bytes:
    """Inflate every GZIP member of ``raw``, refusing output past ``max_bytes``."""
    if raw[:2] != _GZIP_HEADER[:2]:
        raise StatusListDecodeError("encodedList does not hold GZIP data")
    out = bytearray()
    pending = raw
    while pending:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(pending, max_bytes - len(out) + 1)
        except zlib.error as error:
            raise StatusListDecodeError(f"encodedList is not valid GZIP: {error}") from error
        if len(out) > max_bytes:
            raise StatusListDecodeError(f"encodedList expands past {max_bytes} bytes")
        if not inflater.eof:
            raise StatusListDecodeError("encodedList holds truncated GZIP data")
        pending = inflater.unused_data
    return bytes(out)
