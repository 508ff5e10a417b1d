"""Issuers' did:web documents, and resolving DIDs (this ledger's own from its events).

An issuer's did:web document lists every key it ever had, each with the period it was
in force, and names this ledger's transparency log.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.domain.issuer_keys import KeyPeriod, key_periods
from credledger.ledger.domain.ledger_identity import LedgerIdentity
from credledger.ledger.store.aggregates import Aggregates
from credledger.ledger.verify.did_web import (
    DidResolutionError,
    LogService,
    did_web_document,
    did_web_for,
)
from credledger.ledger.verify.fetch_session import FetchSession


class Dids:
    """The ledger's issuers as did:web, and resolution of any DID a verifier meets."""

    def __init__(self, aggregates: Aggregates, identity: LedgerIdentity, log_key: str) -> None:
        self.aggregates = aggregates
        self.identity = identity
        self.log_key = log_key

    def did_web(self, issuer_id: UUID, base_url: str | None = None) -> str:
        """The issuer's did:web: the one recorded at registration; for an issuer
        registered before DIDs were recorded, the one under ``base_url`` (one of the
        ledger's; default: current)."""
        issuer = self.aggregates.find(Issuer, issuer_id)
        if issuer is not None and issuer.did is not None and issuer.did.startswith("did:web:"):
            return issuer.did
        return did_web_for(base_url or self.identity.base_url, str(issuer_id))

    def key_periods(self, issuer_id: UUID) -> dict[str, KeyPeriod]:
        """When each of the issuer's keys was in force, from its recorded events."""
        return key_periods(self.aggregates.events_of(issuer_id))

    def log_service(self) -> LogService:
        """This ledger's transparency log, as issuers' DID documents name it."""
        return LogService(
            f"{self.identity.base_url}/v1/log", self.identity.log_origin, self.log_key
        )

    def document(self, issuer_id: UUID, base_url: str | None = None) -> dict[str, Any]:
        """The issuer's did:web document: every key with its period, and this log.

        ``base_url``: for an issuer without a recorded DID, which of the ledger's base
        URLs the DID is under (a request to an earlier base URL's host gets the document
        of the DID it resolves)."""
        issuer = self.aggregates.get(Issuer, issuer_id)
        return did_web_document(
            self.did_web(issuer.id, base_url),
            self.key_periods(issuer.id).values(),
            log=self.log_service(),
        )

    def resolve(self, did: str, session: FetchSession | None = None) -> dict[str, Any]:
        """This ledger's did:web documents (recorded DIDs, or under any of its base URLs)
        from the events; other did:web through the guarded fetcher (``session``: the
        request's budget; none, no fetching)."""
        own = self.own_issuer_of(did)
        if own is not None:
            return self.document(*own)
        if any(did.startswith(did_web_for(b, "")) for b in self.identity.base_urls):
            raise DidResolutionError(f"no issuer {did}")
        if did.startswith("did:web:") and session is not None:
            return session.did_document(did)
        raise DidResolutionError(f"unsupported DID method: {did[:40]}")

    def own_issuer_of(self, did: str) -> tuple[UUID, str | None] | None:
        """The issuer of this ledger whose did:web ``did`` is (and, for an issuer without
        a recorded DID, the base URL it is under), if any."""
        if not did.startswith("did:web:"):
            return None
        try:
            issuer_id = UUID(did.rsplit(":", 1)[-1])
        except ValueError:
            return None
        issuer = self.aggregates.find(Issuer, issuer_id)
        if issuer is None:
            return None
        if issuer.did is not None and issuer.did.startswith("did:web:"):
            return (issuer_id, None) if issuer.did == did else None
        for base_url in self.identity.base_urls:
            if did_web_for(base_url, str(issuer_id)) == did:
                return issuer_id, base_url
        return None
