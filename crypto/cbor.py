"""Deterministic CBOR (RFC 8949 §4.2.1, "core deterministic encoding").

Ledger leaves are hashed into the Merkle log, so one value must have exactly one
encoding and every verifier must get the same bytes back. The rules applied:

* integers and lengths use the shortest ("preferred") argument form;
* only definite-length strings, arrays and maps;
* map keys sorted by the bytewise lexicographic order of their encodings, with
  no duplicates;
* floats in the shortest of half/single/double precision that keeps the value
  exactly (NaN as ``0xf97e00``).

``cbor2``'s own ``canonical=True`` sorts map keys the RFC 7049 way (shorter
encodings first), which differs from RFC 8949's bytewise order (e.g. ``100``
``0x1864`` must precede ``-1`` ``0x20``). So the encoder here writes heads,
strings and containers itself (a few lines each) and leaves floats to
``cbor2``; ``cbor2`` also does the parsing, and ``decode`` then insists that
re-encoding gives back exactly the input.

Only the JSON-like data model is supported: ``None``, ``bool``, ``int`` (within
the 64-bit CBOR range: bignum tags are not used), ``float``, ``str``, ``bytes``,
lists/tuples and dicts keyed by ``str``, ``int`` or ``bytes`` (scalars of exactly
these types: subclasses such as enums are refused). Timestamps go in
as RFC 3339 strings: tagged datetimes have no single deterministic form.
"""

from __future__ import annotations

import struct
from typing import Any

import cbor2
from credledger.crypto.errors import CryptoError

__all__ = ["MAX_DEPTH", "CBORDecodeError", "CBOREncodeError", "CBORError", "decode", "encode"]

MAX_DEPTH = 128
"""Most containers nested inside one another that ``encode`` and ``decode`` accept."""

_UINT64_MAX = 2**64 - 1
_NINT64_MIN = -(2**64)

_MAJOR_UINT = 0
_MAJOR_NINT = 1
_MAJOR_BYTES = 2
_MAJOR_TEXT = 3
_MAJOR_ARRAY = 4
_MAJOR_MAP = 5


class CBORError(CryptoError, ValueError):
    """Base class of the deterministic CBOR errors."""


class CBOREncodeError(CBORError):
    """The value has no deterministic CBOR encoding in the supported data model."""


class CBORDecodeError(CBORError):
    """The bytes are not the deterministic CBOR encoding of a supported value."""


def encode(value: object) -> bytes:
    """Return the one deterministic CBOR encoding of ``value``.

    Raises :class:`CBOREncodeError` for unsupported types, integers outside
    [-2**64, 2**64-1], strings that are not valid Unicode scalar values (lone
    surrogates) and nesting deeper than :data:`MAX_DEPTH`.
    """
    if type(value) is dict:
        flat = _flat_map(value)
        if flat is not None:
            return flat
    out: list[bytes] = []
    _encode(value, out, 0)
    return b"".join(out)


_FLAT_SCALARS = frozenset({str, bytes, bool, float, type(None)})


def _flat_map(mapping: dict[Any, Any]) -> bytes | None:
    """A map of text keys to scalars (a Merkle leaf, say) written by cbor2's C encoder,
    or None for any other map.

    For such a map the two orders agree: text keys' encodings start with a head that
    grows with their length, so RFC 7049's "shorter first, then bytewise" is RFC 8949's
    bytewise order; scalars have one preferred form in both (floats are cbor2's here
    anyway); integers outside the 64-bit range, which cbor2 would write as bignums, and
    text that is not valid Unicode (refused below) are left to the general path.
    """
    for key, item in mapping.items():
        kind = type(item)
        if type(key) is not str or (
            kind not in _FLAT_SCALARS if kind is not int else not _NINT64_MIN <= item <= _UINT64_MAX
        ):
            return None
    try:
        return bytes(cbor2.dumps(mapping, canonical=True))
    except (UnicodeError, ValueError, cbor2.CBOREncodeError):
        return None


def decode(data: bytes) -> Any:
    """Parse ``data``, accepting only the deterministic encoding of a supported value.

    A decoder that accepted several encodings of one value would let two leaves
    with different bytes (and hashes) mean the same thing, so anything that
    would not re-encode to exactly ``data`` is refused: trailing bytes,
    indefinite lengths, duplicate or unsorted keys, over-long integers, lengths
    or floats, tags, simple values other than false/true/null, invalid UTF-8.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise CBORDecodeError(f"expected bytes, got {type(data).__name__}")
    raw = bytes(data)
    if not raw:
        raise CBORDecodeError("empty input")
    try:
        value = cbor2.loads(
            raw, allow_indefinite=False, allow_duplicate_keys=False, max_depth=MAX_DEPTH
        )
    except (cbor2.CBORDecodeError, RecursionError) as exc:
        raise CBORDecodeError(f"not well-formed CBOR: {exc}") from exc
    try:
        canonical = encode(value)
    except CBOREncodeError as exc:
        raise CBORDecodeError(f"outside the supported data model: {exc}") from exc
    if canonical != raw:
        if raw.startswith(canonical):
            raise CBORDecodeError(f"{len(raw) - len(canonical)} trailing byte(s) after the item")
        raise CBORDecodeError("not the deterministic encoding of the value it holds")
    return value


def _head(major: int, argument: int) -> bytes:
    """Initial byte plus the shortest argument encoding (RFC 8949 §4.2.1)."""
    if argument < 24:
        return bytes([major << 5 | argument])
    if argument <= 0xFF:
        return bytes([major << 5 | 24, argument])
    if argument <= 0xFFFF:
        return bytes([major << 5 | 25]) + struct.pack(">H", argument)
    if argument <= 0xFFFFFFFF:
        return bytes([major << 5 | 26]) + struct.pack(">I", argument)
    return bytes([major << 5 | 27]) + struct.pack(">Q", argument)


def _encode(value: object, out: list[bytes], depth: int) -> None:
    # Exact types only: a subclass (an enum, say) may carry a different meaning or
    # repr, so callers convert it explicitly before it reaches a hash.
    if value is None:
        out.append(b"\xf6")
    elif type(value) is bool:
        out.append(b"\xf5" if value else b"\xf4")
    elif type(value) is int:
        out.append(_int(value))
    elif type(value) is str:
        out.append(_text(value))
    elif type(value) is bytes or type(value) is bytearray:
        out.append(_head(_MAJOR_BYTES, len(value)) + bytes(value))
    elif type(value) is float:
        # cbor2's canonical mode picks the shortest exact float width (checked
        # against a struct-based reference in the tests).
        out.append(cbor2.dumps(value, canonical=True))
    elif isinstance(value, list | tuple):
        _check_depth(depth)
        out.append(_head(_MAJOR_ARRAY, len(value)))
        for item in value:
            _encode(item, out, depth + 1)
    elif isinstance(value, dict):
        _check_depth(depth)
        out.append(_head(_MAJOR_MAP, len(value)))
        out.extend(_sorted_entries(value, depth))
    else:
        raise CBOREncodeError(f"cannot deterministically encode type {type(value).__name__}")


def _int(value: int) -> bytes:
    if 0 <= value <= _UINT64_MAX:
        return _head(_MAJOR_UINT, value)
    if _NINT64_MIN <= value < 0:
        return _head(_MAJOR_NINT, -1 - value)
    raise CBOREncodeError(f"integer {value} is outside the 64-bit CBOR range (no bignums)")


def _text(value: str) -> bytes:
    try:
        utf8 = value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CBOREncodeError(f"text is not valid Unicode: {exc}") from exc
    return _head(_MAJOR_TEXT, len(utf8)) + utf8


def _sorted_entries(mapping: dict[Any, Any], depth: int) -> list[bytes]:
    entries: list[tuple[bytes, bytes]] = []
    for key, item in mapping.items():
        if type(key) not in (str, int, bytes):
            raise CBOREncodeError(f"map keys must be str, int or bytes, not {type(key).__name__}")
        encoded_item: list[bytes] = []
        _encode(item, encoded_item, depth + 1)
        entries.append((encode(key), b"".join(encoded_item)))
    # A dict holds no equal keys, and distinct str/int/bytes keys encode to
    # distinct bytes, so sorting alone yields a duplicate-free deterministic map.
    entries.sort(key=lambda entry: entry[0])
    return [part for entry in entries for part in entry]


def _check_depth(depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise CBOREncodeError(f"more than {MAX_DEPTH} nested containers")
