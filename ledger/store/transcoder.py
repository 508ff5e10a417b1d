"""Deterministic CBOR (RFC 8949 §4.2.1) for stored events, so stored bytes are hashed bytes.

Event attributes are mapped to plain CBOR with standard tags only, so any CBOR
decoder can read a stored event: UUID -> tag 37 (RFC 9562 binary UUID), datetime ->
tag 0 (RFC 3339 text, always UTC with microseconds), Decimal -> tag 4 (decimal
fraction). Encoding is canonical; decoding refuses bytes that are not.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import cbor2
from eventsourcing.persistence import Transcoder

TAG_DATETIME = 0
TAG_DECIMAL = 4
TAG_UUID = 37


class EventEncodingError(ValueError):
    """An event attribute has a type with no deterministic CBOR form here."""


def _format_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise EventEncodingError("naive datetimes are ambiguous; use timezone-aware ones")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _to_cbor(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str | bytes):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise EventEncodingError("NaN and infinities are not recorded")
        return value
    if isinstance(value, UUID):
        return cbor2.CBORTag(TAG_UUID, value.bytes)
    if isinstance(value, datetime):
        return cbor2.CBORTag(TAG_DATETIME, _format_datetime(value))
    if isinstance(value, Decimal):
        sign, digits, exponent = value.normalize().as_tuple()
        if not isinstance(exponent, int):
            raise EventEncodingError("special Decimal values are not recorded")
        mantissa = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        return cbor2.CBORTag(TAG_DECIMAL, [exponent, mantissa])
    if isinstance(value, list | tuple):
        return [_to_cbor(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise EventEncodingError(f"map keys must be text, got {type(k).__name__}")
            out[k] = _to_cbor(v)
        return out
    raise EventEncodingError(f"no deterministic CBOR form for {type(value).__name__}")


def _tag_hook(tag: cbor2.CBORTag, immutable: bool = False) -> Any:
    if tag.tag == TAG_UUID:
        return UUID(bytes=tag.value)
    if tag.tag == TAG_DATETIME:
        return datetime.strptime(tag.value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    if tag.tag == TAG_DECIMAL:
        exponent, mantissa = tag.value
        return Decimal(mantissa).scaleb(exponent)
    raise EventEncodingError(f"unexpected CBOR tag {tag.tag}")


def encode_deterministic(value: Any) -> bytes:
    """Encode ``value`` as deterministic CBOR."""
    return cbor2.dumps(_to_cbor(value), canonical=True)


def decode_deterministic(data: bytes) -> Any:
    """Decode deterministic CBOR, refusing any other encoding of the same value.

    Stored bytes are read back by audits that may be given a tampered store, so every
    malformation (bad CBOR, tags with wrong contents, too deep nesting) is an
    :class:`EventEncodingError`, never a crash.
    """
    value = decode_stored(data)
    try:
        canonical = encode_deterministic(value)
    except EventEncodingError:
        raise
    except (
        cbor2.CBORError,
        ValueError,
        TypeError,
        OverflowError,
        RecursionError,
        LookupError,
    ) as exc:
        # The tag hook's UUID, strptime and Decimal raise ValueError or TypeError on tag
        # contents of the wrong shape.
        raise EventEncodingError(f"stored bytes are not a well-formed event: {exc}") from exc
    if canonical != data:
        raise EventEncodingError("stored bytes are not the deterministic encoding of their value")
    return value


class CBORTranscoder(Transcoder):
    """eventsourcing transcoder writing deterministic CBOR."""

    def encode(self, obj: Any) -> bytes:
        return encode_deterministic(obj)

    def decode(self, data: bytes) -> Any:
        return decode_deterministic(data)


def decode_stored(data: bytes) -> Any:
    """Decode stored CBOR without checking that it is the deterministic encoding (for
    reads whose bytes something else pins, as a leaf's commitment does); every
    malformation is still an :class:`EventEncodingError`, never a crash."""
    try:
        return cbor2.loads(
            data, tag_hook=_tag_hook, allow_duplicate_keys=False, allow_indefinite=False
        )
    except (
        cbor2.CBORError,
        ValueError,
        TypeError,
        OverflowError,
        RecursionError,
        LookupError,
    ) as exc:
        # The tag hook's UUID, strptime and Decimal raise ValueError or TypeError on tag
        # contents of the wrong shape.
        raise EventEncodingError(f"stored bytes are not a well-formed event: {exc}") from exc
