"""Error base classes shared by the crypto modules.

Every error raised by ``credledger.crypto`` derives from :class:`CryptoError`, so a
caller at a trust boundary (an API handler, the CLI) can catch the whole family
in one place. Module-specific errors live beside their module; only the bases
that more than one module raises are defined here.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base class of every error raised by ``credledger.crypto``."""


class InvalidSignatureError(CryptoError):
    """A signature did not verify under the key it claims to be from.

    Deliberately not a ``ValueError``: a failed verification is a verdict about
    the data, not a programming error, and must never be swallowed by a broad
    ``except ValueError`` around parsing code.
    """


class InvalidKeyError(CryptoError, ValueError):
    """Key material or a key's text encoding is malformed (wrong length, prefix, name)."""
