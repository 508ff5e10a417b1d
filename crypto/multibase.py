"""Multibase text encodings used by Data Integrity and did:key.

Only the two bases the credential stack needs: base58btc (prefix ``z``:
Multikey values, ``proofValue``) and unpadded base64url (prefix ``u``: the
Bitstring Status List ``encodedList``). Decoding is strict: every accepted
string is the one encoding of its bytes, so a signed value cannot be re-spelt.

Base58 is written out here (the Bitcoin alphabet, as in
draft-msporny-base58) because no maintained base58 package is a dependency.
"""

from __future__ import annotations

from credledger.crypto.errors import CryptoError
from credledger.crypto.strict_base64 import Base64Error
from credledger.crypto.strict_base64 import decode_base64url as _decode_unpadded
from credledger.crypto.strict_base64 import encode_base64url as _unpadded

__all__ = [
    "MAX_BASE58_LENGTH",
    "MultibaseError",
    "decode_base58btc",
    "decode_base64url",
    "decode_multibase",
    "encode_base58btc",
    "encode_base64url",
]

BASE58BTC_PREFIX = "z"
BASE64URL_PREFIX = "u"
MAX_BASE58_LENGTH = 1024
"""Longest base58btc text decoded (about 750 bytes): keys and signatures are under 100
characters, and decoding is quadratic in the length, so a megabyte-long ``proofValue``
must be refused before it holds a worker for minutes."""

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_DIGIT = {char: value for value, char in enumerate(_ALPHABET)}


class MultibaseError(CryptoError, ValueError):
    """The text is not a well-formed multibase string in a supported base."""


def encode_base58btc(data: bytes) -> str:
    """Return ``"z"`` + the base58btc encoding of ``data`` (a leading zero byte is ``1``)."""
    zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_ALPHABET[remainder])
    return BASE58BTC_PREFIX + "1" * zeros + "".join(reversed(digits))


def decode_base58btc(text: str) -> bytes:
    """Decode a ``z``-prefixed base58btc string; anything else raises :class:`MultibaseError`."""
    if not text.startswith(BASE58BTC_PREFIX):
        raise MultibaseError(f"base58btc multibase must start with 'z', got {text[:1]!r}")
    if len(text) > MAX_BASE58_LENGTH:
        raise MultibaseError(f"base58btc text longer than {MAX_BASE58_LENGTH} characters")
    body = text[1:]
    number = 0
    for position, char in enumerate(body, start=1):
        digit = _DIGIT.get(char)
        if digit is None:
            raise MultibaseError(f"{char!r} at position {position} is not a base58btc character")
        number = number * 58 + digit
    zeros = len(body) - len(body.lstrip("1"))
    return b"\x00" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def encode_base64url(data: bytes) -> str:
    """Return ``"u"`` + the unpadded base64url (RFC 4648 §5) encoding of ``data``."""
    return BASE64URL_PREFIX + _unpadded(data)


def decode_base64url(text: str) -> bytes:
    """Decode a ``u``-prefixed unpadded base64url string, refusing padding and stray bits."""
    if not text.startswith(BASE64URL_PREFIX):
        raise MultibaseError(f"base64url multibase must start with 'u', got {text[:1]!r}")
    try:
        return _decode_unpadded(text[1:], "base64url text")
    except Base64Error as exc:
        raise MultibaseError(str(exc)) from None


def decode_multibase(text: str) -> bytes:
    """Decode ``text`` according to its multibase prefix (``z`` or ``u``)."""
    if text.startswith(BASE58BTC_PREFIX):
        return decode_base58btc(text)
    if text.startswith(BASE64URL_PREFIX):
        return decode_base64url(text)
    prefix = repr(text[:1]) if text else "empty input"
    raise MultibaseError(f"unsupported multibase prefix {prefix} (expected 'z' or 'u')")
