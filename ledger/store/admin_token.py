"""How strong a configured admin token must be before the ledger accepts it.

The admin token opens everything, and an operator chooses it (CREDLEDGER_ADMIN_TOKEN),
so it is checked like a key: an RFC 6750 bearer token (``b64token`` characters) at
least as long as 128 random bits in the smallest usual encoding its characters fit
(hex, base36, base62, base64url), with some variety. 32 hex or 22 base64url
characters pass; ``a``, ``change-me`` or 40 repetitions of one letter do not. Tokens
the ledger makes itself are 256 random bits.
"""

from __future__ import annotations

import math
import re
import string

from credledger.ledger.store.settings import SettingsError

MIN_BITS = 128
MIN_DISTINCT = 8
"""Distinct characters required besides the bit estimate, against ``aaaa…`` and kin."""

_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_ALPHABETS = (
    frozenset(string.digits),
    frozenset(string.digits + "abcdef"),
    frozenset(string.digits + "ABCDEF"),
    frozenset(string.digits + string.ascii_lowercase),
    frozenset(string.digits + string.ascii_uppercase),
    frozenset(string.digits + string.ascii_letters),
    frozenset(string.digits + string.ascii_letters + "-._~+/="),
)
"""The usual encodings of random tokens, smallest first: decimal, hex, base36, base62,
base64(url)."""


class WeakAdminTokenError(SettingsError):
    """The configured admin token is too short or too repetitive to resist guessing."""


def estimated_bits(token: str) -> float:
    """Length times log2 of the smallest usual alphabet holding every character."""
    for alphabet in _ALPHABETS:
        if alphabet.issuperset(token):
            return len(token) * math.log2(len(alphabet))
    return 0.0


def check_admin_token(token: str) -> None:
    """Raise WeakAdminTokenError unless ``token`` is a bearer token worth 128 bits."""
    if not _B64TOKEN.fullmatch(token):
        raise WeakAdminTokenError(
            "CREDLEDGER_ADMIN_TOKEN may hold only letters, digits and -._~+/ "
            "(with = at the end), as a bearer token (RFC 6750)"
        )
    if estimated_bits(token) < MIN_BITS or len(set(token)) < MIN_DISTINCT:
        raise WeakAdminTokenError(
            f"CREDLEDGER_ADMIN_TOKEN is too weak: it needs at least {MIN_BITS} bits, such as "
            "32 random hex characters (`openssl rand -hex 16`) or 22 random base64url "
            "characters; or leave it unset and the ledger makes one"
        )
