"""Base64 read in one spelling only, so no bit of a signed or hashed value can change unseen.

Two alphabets (RFC 4648): :func:`decode_base64` reads standard, padded base64 (signed
notes, checkpoints, vkeys, proof bundles, the log's HTTP answers);
:func:`decode_base64url` reads base64url without padding (multibase ``u`` values,
JWT segments). Both refuse anything outside the alphabet (whitespace included), a
wrong length or padding, and, by default, non-zero unused bits: a second spelling of
the same bytes. ``canonical=False`` skips only that last check, for text that was
accepted before it was made (badge images already stored, other parties' JWTs, whose
signatures cover the text as sent).
"""

from __future__ import annotations

import base64
import binascii
import re

from credledger.crypto.errors import CryptoError

__all__ = ["Base64Error", "decode_base64", "decode_base64url", "encode_base64url"]

_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class Base64Error(CryptoError, ValueError):
    """Text is not base64 of the kind asked for (or not its one canonical spelling)."""


def decode_base64(text: str, what: str = "text", *, canonical: bool = True) -> bytes:
    """The bytes of standard, padded base64 ``text``; ``what`` names it in errors."""
    if not _BASE64.fullmatch(text):
        raise Base64Error(f"{what} is not valid base64")
    data = base64.b64decode(text)
    if canonical and base64.b64encode(data).decode("ascii") != text:
        raise Base64Error(f"{what} is not canonical base64 (non-zero unused bits)")
    return data


def encode_base64url(data: bytes) -> str:
    """Unpadded base64url (RFC 4648 §5)."""
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_base64url(text: str, what: str = "text", *, canonical: bool = True) -> bytes:
    """The bytes of unpadded base64url ``text``; ``what`` names it in errors."""
    if not _BASE64URL.fullmatch(text):
        raise Base64Error(f"{what} may hold only A-Z a-z 0-9 - _ (and no padding)")
    if len(text) % 4 == 1:
        raise Base64Error(f"{what} has an impossible length for base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:  # pragma: no cover - the checks above leave nothing to refuse
        raise Base64Error(f"{what} is not valid base64url") from None
    if canonical and encode_base64url(data) != text:
        raise Base64Error(f"{what} is not canonical base64url (non-zero unused bits)")
    return data
