"""What one verification request may fetch, and what all requests share.

A request (one API call, one CLI verification) gets a :class:`FetchSession`: at most
``limit`` fetches, after which every further DID or list is unresolved (so the
credential is undecided), however many credentials or proofs a presentation holds.
Sessions share a :class:`SharedFetchCache`: DID documents stay for a few minutes,
failures for a shorter while (so a caller cannot make the server knock on the same
door again and again), and verified status lists for as long as their publisher's
ETag, Cache-Control, ``ttl`` and ``validUntil`` allow.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from credledger.ledger.verify.did_web import (
    DidResolutionError,
    DidRetrievalError,
    check_did_document,
    did_web_url,
    unresolved,
)
from credledger.ledger.verify.guarded_fetch import FetchError, GuardedFetcher
from credledger.revocation.bitstring import Bitstring
from credledger.revocation.cache import CachedStatusList, StatusListCache
from credledger.revocation.check import FetchedStatusList
from credledger.revocation.status_list import StatusListCredential

FETCHES_PER_REQUEST = 8
DOCUMENT_SECONDS = 300.0
FAILURE_SECONDS = 30.0
STATUS_LIST_ACCEPT = "application/vc+ld+json, application/vc, application/ld+json, application/json"
DID_ACCEPT = "application/did+json, application/did+ld+json, application/json"


class FetchLimitError(FetchError):
    """This request has used up its fetches."""


class LockedStatusListCache(StatusListCache):
    """A StatusListCache that many request threads may share."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lock = threading.Lock()

    def get(self, url: str, now: datetime) -> CachedStatusList | None:
        with self._lock:
            return super().get(url, now)

    def peek(self, url: str) -> CachedStatusList | None:
        with self._lock:
            return super().peek(url)

    def etag(self, url: str) -> str | None:
        with self._lock:
            return super().etag(url)

    def put(
        self,
        url: str,
        credential: StatusListCredential,
        bitstring: Bitstring,
        *,
        now: datetime,
        headers: Mapping[str, str] = {},
    ) -> CachedStatusList | None:
        with self._lock:
            return super().put(url, credential, bitstring, now=now, headers=headers)

    def revalidated(
        self, url: str, *, now: datetime, headers: Mapping[str, str] = {}
    ) -> CachedStatusList | None:
        with self._lock:
            return super().revalidated(url, now=now, headers=headers)

    def invalidate(self, url: str) -> None:
        with self._lock:
            super().invalidate(url)


class SharedFetchCache:
    """DID documents and recent failures by URL (expiring, bounded), and status lists."""

    def __init__(
        self,
        *,
        document_seconds: float = DOCUMENT_SECONDS,
        failure_seconds: float = FAILURE_SECONDS,
        max_entries: int = 1024,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.document_seconds = document_seconds
        self.failure_seconds = failure_seconds
        self.max_entries = max_entries
        self.monotonic = monotonic
        self.status_lists = LockedStatusListCache(max_entries=max_entries)
        self._entries: OrderedDict[str, tuple[float, dict[str, Any] | FetchError]] = OrderedDict()
        self._lock = threading.Lock()

    def recall(self, url: str) -> dict[str, Any] | FetchError | None:
        with self._lock:
            found = self._entries.get(url)
            if found is None:
                return None
            if self.monotonic() >= found[0]:
                del self._entries[url]
                return None
            self._entries.move_to_end(url)
            return found[1]

    def remember(self, url: str, outcome: dict[str, Any] | FetchError) -> None:
        seconds = self.failure_seconds if isinstance(outcome, FetchError) else self.document_seconds
        with self._lock:
            self._entries[url] = (self.monotonic() + seconds, outcome)
            self._entries.move_to_end(url)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget_failure(self, url: str) -> None:
        with self._lock:
            found = self._entries.get(url)
            if found is not None and isinstance(found[1], FetchError):
                del self._entries[url]


class FetchSession:
    """The fetches of one request, through the one guarded fetcher, capped and cached."""

    def __init__(
        self,
        fetcher: GuardedFetcher,
        cache: SharedFetchCache | None = None,
        *,
        limit: int = FETCHES_PER_REQUEST,
    ) -> None:
        self.fetcher = fetcher
        self.cache = cache or SharedFetchCache()
        self.limit = limit
        self.fetches = 0

    def _spend(self) -> None:
        if self.fetches >= self.limit:
            raise FetchLimitError(f"not fetched: this request already made {self.limit} fetches")
        self.fetches += 1

    def did_document(self, did: str) -> dict[str, Any]:
        """A foreign did:web document: cached, or fetched over HTTPS and checked."""
        url = did_web_url(did)
        known = self.cache.recall(url)
        if isinstance(known, FetchError):
            raise unresolved(did, known)
        if known is not None:
            return known
        try:
            self._spend()
            document = check_did_document(
                did, self.fetcher.json(url, accept=DID_ACCEPT, https_only=True)
            )
        except FetchLimitError as exc:
            raise DidRetrievalError(str(exc)) from exc
        except (FetchError, DidResolutionError) as exc:
            failure = exc if isinstance(exc, FetchError) else FetchError(str(exc))
            self.cache.remember(url, failure)
            raise unresolved(did, exc) from exc
        self.cache.remember(url, document)
        return document

    def status_list(self, url: str) -> FetchedStatusList:
        """A status list credential, asked for with its ETag when one is cached.

        ``document`` None means 304: the cached, verified copy is current (see
        :func:`credledger.revocation.check.check_status`).
        """
        known = self.cache.recall(url)
        if isinstance(known, FetchError):
            raise known
        headers = {"Accept": STATUS_LIST_ACCEPT}
        etag = self.cache.status_lists.etag(url)
        if etag:
            headers["If-None-Match"] = etag
        self._spend()
        try:
            answer = self.fetcher.get(url, headers)
            if answer.status == 304 and etag:
                return FetchedStatusList(None, answer.headers)
            if not answer.ok:
                raise FetchError(f"{url[:200]}: HTTP {answer.status}", answer.status)
            document = answer.json()
            if not isinstance(document, dict):
                raise FetchError(f"{url[:200]} did not answer a JSON object")
        except FetchError as exc:
            self.cache.remember(url, exc)
            raise
        return FetchedStatusList(document, answer.headers)

    def json(self, url: str) -> Any:
        """Any JSON document (a credential, a proof bundle): counted, never cached."""
        self._spend()
        return self.fetcher.json(url)

    def post_json(self, url: str, document: Any) -> Any:
        """POST a JSON document (a credential presented for its bundle): counted."""
        self._spend()
        return self.fetcher.post_json(url, document)
