"""The bytes a document's digest is taken over: RFC 8785 (JCS) canonical JSON."""

from __future__ import annotations

import hashlib
from typing import Any

from credledger.crypto.jcs import canonicalize_bytes


def canonical_json(document: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON: the bytes every digest of a document is taken over."""
    return canonicalize_bytes(document)


def vc_digest(vc: dict[str, Any]) -> bytes:
    """SHA-256 of the RFC 8785 canonical JSON of a signed credential (the leaf's digest)."""
    return hashlib.sha256(canonical_json(vc)).digest()
