"""Which key a document's proofs were made with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credledger.ledger.domain.issuer import Issuer


def proofs_of(document: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The document's proofs (one, or a proof array)."""
    raw = (document or {}).get("proof")
    items = raw if isinstance(raw, list) else [raw]
    return [p for p in items if isinstance(p, Mapping)]


def signed_with_key_in_force(document: Mapping[str, Any] | None, issuer: Issuer) -> bool:
    """Whether the document's proof was made with the issuer's key in force now."""
    return any(
        str(p.get("verificationMethod", "")).endswith(f"#{issuer.active_key_id}")
        for p in proofs_of(document)
    )
