"""Errors raised while turning a JSON-LD document into canonical RDF.

Every error carries the JSON-LD API error code (or, for safe-mode rejections, the
jsonld.js event code) so that callers can report exactly which rule a document broke.
"""

from __future__ import annotations

from credledger.crypto.errors import CryptoError


class JsonLdError(CryptoError):
    """The document (or one of its contexts) is not valid JSON-LD 1.1."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class UnknownContextError(JsonLdError):
    """A context URL is neither bundled nor supplied by the caller; nothing is fetched."""

    def __init__(self, url: str) -> None:
        super().__init__(
            "loading remote context failed",
            f"unknown JSON-LD context {url!r} (only bundled or supplied documents are loaded)",
        )
        self.url = url


class UnsafeJsonLdError(JsonLdError):
    """Safe mode: expansion would silently drop or misread data, so nothing may be signed.

    Raised for the conditions Digital Bazaar's ``safe: true`` rejects: undefined terms
    (properties that expand to no absolute IRI), relative IRIs, free-floating values,
    dropped objects and the like. Signing such a document would sign less than it says.
    """


class CanonicalizationError(CryptoError):
    """RDF canonicalisation refused the dataset (e.g. poisoned: too much work needed)."""
