"""RFC 8785 JSON Canonicalization Scheme (JCS).

The canonical form is what ECMAScript's ``JSON.stringify`` prints for the same value once
object members are sorted by their UTF-16 code units: numbers are IEEE 754 doubles
printed by ``Number.prototype.toString``, strings escape only what JSON requires. Used by
``eddsa-jcs-2022`` and for the ledger's credential digests, where every byte counts.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from credledger.crypto.errors import CryptoError

__all__ = ["JcsError", "canonicalize", "canonicalize_bytes", "format_number"]


class JcsError(CryptoError, ValueError):
    """The value has no RFC 8785 form (NaN, infinity, a lone surrogate, a non-JSON type)."""


_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_ESCAPES = {chr(c): f"\\u{c:04x}" for c in range(0x20)} | _SHORT_ESCAPES
_NEEDS_ESCAPE = str.maketrans(_ESCAPES)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _string(text: str) -> str:
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        raise JcsError(f"string holds a lone surrogate U+{ord(surrogate.group()):04X}")
    return '"' + text.translate(_NEEDS_ESCAPE) + '"'


def format_number(value: float) -> str:
    """ECMAScript ``Number::toString`` of ``value`` (an int is taken as the double it rounds to)."""
    try:
        number = float(value)
    except OverflowError as exc:
        raise JcsError(f"number {value} is outside the IEEE 754 double range") from exc
    if not math.isfinite(number):
        raise JcsError(f"{number} has no JSON form")
    if number == 0:
        return "0"
    if number < 0:
        return "-" + format_number(-number)
    # repr() yields the shortest digit string that round-trips, the same digits ECMAScript picks.
    mantissa, _, exponent = repr(number).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    exp = n - 1
    sign = "+" if exp >= 0 else "-"
    head = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{head}e{sign}{abs(exp)}"


def _serialize(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int | float):
        out.append(format_number(value))
    elif isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise JcsError(f"object member name {key!r} is not a string")
        out.append("{")
        first = True
        for key in sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass")):
            if not first:
                out.append(",")
            first = False
            out.append(_string(key))
            out.append(":")
            _serialize(value[key], out)
        out.append("}")
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _serialize(item, out)
        out.append("]")
    else:
        raise JcsError(f"{type(value).__name__} is not a JSON value")


_SAFE_INTEGER = 2**53
"""Below this magnitude an integer is its own double, and Python prints it as ECMAScript does."""
_LAST_BEFORE_SURROGATES = "\ud7ff"
"""Keys below the surrogates sort the same by code point (Python) and by UTF-16 code unit."""
_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


_CAREFUL: Any = object()


def _as_json_prints_it(value: Any) -> Any:
    """``value`` in a form the standard library's C encoder prints exactly as RFC 8785
    does, or ``_CAREFUL``. Its strings are escaped alike (the two escapes and control
    characters, lower-case hex); safe integers and floats between 1e-4 and 1e16 print
    alike; an integral float becomes the integer ECMAScript prints (containers along
    its path are copied); keys must sort alike by code point and by UTF-16 code unit.
    Anything else (big numbers, other types) takes the careful path below."""
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is int:
        return value if -_SAFE_INTEGER < value < _SAFE_INTEGER else _CAREFUL
    if kind is float:
        if value.is_integer():
            return int(value) if -_SAFE_INTEGER < value < _SAFE_INTEGER else _CAREFUL
        return value if 1e-4 <= abs(value) < 1e16 else _CAREFUL
    if kind is dict:
        for key in value:
            if type(key) is not str or not (key.isascii() or max(key) <= _LAST_BEFORE_SURROGATES):
                return _CAREFUL
    elif kind is not list and kind is not tuple:
        return _CAREFUL
    copied: Any = None
    for place, item in value.items() if kind is dict else enumerate(value):
        printed = _as_json_prints_it(item)
        if printed is _CAREFUL:
            return _CAREFUL
        if printed is not item:
            if copied is None:
                copied = dict(value) if kind is dict else list(value)
            copied[place] = printed
    return value if copied is None else copied


def canonicalize(value: Any) -> str:
    """The RFC 8785 canonical JSON text of ``value`` (parsed JSON: dict, list, str, number …)."""
    try:
        printable = _as_json_prints_it(value)
        if printable is not _CAREFUL:
            text: str = _DUMPS(printable)
            if not text.isascii() and (surrogate := _SURROGATE.search(text)) is not None:
                raise JcsError(f"string holds a lone surrogate U+{ord(surrogate.group()):04X}")
            return text
        out: list[str] = []
        _serialize(value, out)
    except RecursionError as exc:
        raise JcsError("the value nests too deeply") from exc
    return "".join(out)


def canonicalize_carefully(value: Any) -> str:
    """:func:`canonicalize` without the fast path: every value printed by this module's
    own serialiser (the reference the fast path is tested against)."""
    out: list[str] = []
    try:
        _serialize(value, out)
    except RecursionError as exc:
        raise JcsError("the value nests too deeply") from exc
    return "".join(out)


def canonicalize_bytes(value: Any) -> bytes:
    """The canonical form as UTF-8 bytes: what gets hashed and signed."""
    return canonicalize(value).encode("utf-8")
