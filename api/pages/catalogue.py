"""The public catalogue: search achievements, read one, and an institution's profile.

Everything here is public already (``GET /v1/achievements``, ``/v1/achievements/{id}``,
``/v1/issuers/{id}``, its did:web document): the pages show it for people. The filters
(variant, EQF level, ECTS range, language) apply to the full-text matches the read model
returns, read :data:`SCAN_ROWS` at most.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from credledger.ledger.application import CredentialLedger

SCAN_ROWS = 2000
PAGE_ROWS = 50
VARIANTS = ("regular", "microcredential", "extracurricular")


@dataclass(frozen=True)
class Filters:
    """What the visitor searched for; anything unreadable is ignored, not an error."""

    q: str = ""
    variant: str = ""
    eqf: int | None = None
    ects_min: Decimal | None = None
    ects_max: Decimal | None = None
    language: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        eqf = query.get("eqf", "")
        variant = query.get("variant", "")
        return cls(
            q=query.get("q", "")[:200],
            variant=variant if variant in VARIANTS else "",
            eqf=int(eqf) if eqf.isdigit() and 1 <= int(eqf) <= 8 else None,
            ects_min=_decimal(query.get("ects_min", "")),
            ects_max=_decimal(query.get("ects_max", "")),
            language=query.get("language", "").strip().lower()[:10],
        )

    def keeps(self, row: Mapping[str, Any]) -> bool:
        if self.variant and row.get("variant") != self.variant:
            return False
        if self.eqf is not None and row.get("eqf_level") != self.eqf:
            return False
        if self.language and str(row.get("language") or "").lower() != self.language:
            return False
        if self.ects_min is not None or self.ects_max is not None:
            ects = _decimal(str(row.get("ects") or ""))
            if ects is None:
                return False
            if self.ects_min is not None and ects < self.ects_min:
                return False
            if self.ects_max is not None and ects > self.ects_max:
                return False
        return True


def _decimal(text: str) -> Decimal | None:
    text = text.strip().replace(",", ".")[:12]
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def search(ledger: CredentialLedger, filters: Filters) -> tuple[list[dict[str, Any]], bool]:
    """The achievements matching, at most :data:`PAGE_ROWS`, and whether there were more."""
    found: list[dict[str, Any]] = []
    for offset in range(0, SCAN_ROWS, 200):
        rows = ledger.achievements.search(filters.q or None, limit=200, offset=offset)
        found += [r for r in rows if filters.keeps(r)]
        if len(rows) < 200 or len(found) > PAGE_ROWS:
            break
    return found[:PAGE_ROWS], len(found) > PAGE_ROWS


def issuer_achievements(ledger: CredentialLedger, issuer_id: str) -> list[dict[str, Any]]:
    """The institution's published (not archived) achievements, at most :data:`SCAN_ROWS`."""
    return ledger.achievements.search(None, limit=SCAN_ROWS, issuer_id=issuer_id)
