"""Verifiers for this ledger: its own DIDs and status lists read from its events, other
issuers' through the guarded fetcher, each request with its own fetch budget."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, cast

from credledger.ledger.credentials.signing import CredentialSigner
from credledger.ledger.domain.ledger_identity import LedgerIdentity
from credledger.ledger.services.dids import Dids
from credledger.ledger.services.status_lists import StatusLists
from credledger.ledger.store.settings import Settings
from credledger.ledger.verify.fetch_session import FetchSession, SharedFetchCache
from credledger.ledger.verify.guarded_fetch import GuardedFetcher
from credledger.ledger.verify.own_lists_uncached import OwnListsUncached
from credledger.ledger.verify.verifier import CredentialVerifier
from credledger.revocation.cache import StatusListCache

SignedInForce = Callable[[Mapping[str, Any], str], "bool | None"]


class Verification:
    """Builds a :class:`CredentialVerifier` per request, wired to this ledger."""

    def __init__(
        self,
        settings: Settings,
        identity: LedgerIdentity,
        signer: CredentialSigner,
        fetcher: GuardedFetcher,
        fetch_cache: SharedFetchCache,
        clock: Callable[[], datetime],
        dids: Dids,
        status_lists: StatusLists,
        signed_in_force: SignedInForce,
    ) -> None:
        self.settings = settings
        self.identity = identity
        self.signer = signer
        self.fetcher = fetcher
        self.fetch_cache = fetch_cache
        self.clock = clock
        self.dids = dids
        self.status_lists = status_lists
        self.signed_in_force = signed_in_force

    def verifier(self) -> CredentialVerifier:
        """A verifier for one request: its own fetch budget, the process's shared cache."""
        session = FetchSession(
            self.fetcher, self.fetch_cache, limit=self.settings.fetches_per_request
        )
        return CredentialVerifier(
            loader=self.signer.loader,
            fetch_status_list=lambda url: self.status_lists.fetch(url, session),
            clock=self.clock,
            resolve_did=lambda did: self.dids.resolve(did, session),
            status_cache=cast(
                StatusListCache,
                OwnListsUncached(
                    self.fetch_cache.status_lists,
                    lambda url: self.identity.base_url_of(url) is not None,
                ),
            ),
            signed_in_force=self.signed_in_force,
        )
