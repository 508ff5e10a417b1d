"""JSON numbers that a double cannot hold exactly are refused, not rounded.

Python parses ``18446744073709551616`` exactly, but every later step (pydantic's float,
JCS, a JavaScript verifier) works in IEEE-754 doubles, so the value signed would not be
the value sent. I-JSON (RFC 7493 §2.2) asks for numbers within a double's precision:
integers of at most 2^53 - 1 in magnitude, and decimals that read back from the nearest
double as the same number (``7.5`` and ``0.1`` do; ``3.14159265358979323846``,
``1e400`` and ``1e-400`` do not). The parser hooks below mark such literals in place so
the refusal can name the field that holds one.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_EXACT_INTEGER = 2**53 - 1

MAYBE_INEXACT = re.compile(rb"[0-9.]{16,}|[eE][+-]?[0-9]{3}")
"""Bytes that may hold an inexact number; without them the hooks are skipped (they make
parsing about twice as slow). A literal with at most 15 significant digits and an
exponent of at most two digits is always exact (DBL_DIG is 15), so every inexact one
has a run of 16 digits and dots or a three-digit exponent; matches inside strings only
cost the slower parse. :func:`may_be_inexact` asks the same question faster."""

_DIGITS_AND_DOTS = bytes(0x30 if c in b"0123456789." else 0x20 for c in range(256))
_EXPONENTS = bytes(
    0x30 if c in b"0123456789" else 0x65 if c in b"eE" else 0x2B if c in b"+-" else 0x20
    for c in range(256)
)


def may_be_inexact(body: bytes) -> bool:
    """Whether ``MAYBE_INEXACT`` matches somewhere in ``body``: the same answer from two
    byte translations and substring searches, which run in C over the whole body, where
    the regular expression tries both its branches at every byte (96 of the 134 µs a
    3.6 KB credential's strict parse took)."""
    if b"0" * 16 in body.translate(_DIGITS_AND_DOTS):
        return True
    exponents = body.translate(_EXPONENTS)
    return b"e000" in exponents or b"e+000" in exponents


class InexactNumber:
    """Stands, in a parsed body, where a number no double holds exactly was written."""

    __slots__ = ("literal",)

    def __init__(self, literal: str) -> None:
        self.literal = literal


class ExactNumbers:
    """``parse_int``/``parse_float`` hooks for ``json.loads`` that mark inexact literals."""

    def __init__(self) -> None:
        self.found = False

    def parse_int(self, literal: str) -> int | InexactNumber:
        value = int(literal)
        if -MAX_EXACT_INTEGER <= value <= MAX_EXACT_INTEGER:
            return value
        self.found = True
        return InexactNumber(literal)

    def parse_float(self, literal: str) -> float | InexactNumber:
        value = float(literal)
        try:
            exact = Decimal(repr(value)) == Decimal(literal)
        except InvalidOperation:  # repr of inf
            exact = False
        if exact:
            return value
        self.found = True
        return InexactNumber(literal)


def inexact_number_path(value: Any) -> tuple[list[str | int], str] | None:
    """Where the first inexact number sits in ``value`` (a path of keys and indices)."""
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        item, path = stack.pop()
        if isinstance(item, InexactNumber):
            return path, item.literal
        if isinstance(item, dict):
            stack.extend((child, [*path, key]) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((child, [*path, i]) for i, child in reversed(list(enumerate(item))))
    return None
