"""XSD ``dateTimeStamp`` values as VC 2.0 writes them in ``validFrom`` / ``validUntil``."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_DATE_TIME_STAMP = re.compile(
    r"(?P<main>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(?P<fraction>\d+))?(?P<zone>Z|[+-]\d\d:\d\d)"
)


class TimestampError(ValueError):
    """A value is not an XSD dateTimeStamp (a date and time with an explicit time zone)."""


def format_timestamp(moment: datetime) -> str:
    """``moment`` in UTC to whole seconds, e.g. ``2024-04-05T14:27:42Z``.

    Requires a timezone-aware datetime: a naive one has no meaning on the wire.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a credential timestamp needs a timezone-aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: object) -> datetime:
    """A timezone-aware datetime from an XSD dateTimeStamp; raises TimestampError."""
    if not isinstance(text, str):
        raise TimestampError(f"a timestamp is a string, not {type(text).__name__}")
    match = _DATE_TIME_STAMP.fullmatch(text)
    if match is None:
        raise TimestampError(f"{text!r} is not a date-time with a time zone")
    fraction = (match["fraction"] or "")[:6]
    zone = "+00:00" if match["zone"] == "Z" else match["zone"]
    try:
        return datetime.fromisoformat(
            match["main"] + (f".{fraction.ljust(6, '0')}" if fraction else "") + zone
        )
    except ValueError as error:
        raise TimestampError(f"{text!r} is not a valid date-time: {error}") from error
