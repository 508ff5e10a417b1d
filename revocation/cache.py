"""A verifier-side cache of verified, decoded status lists.

It keeps the decoded Bitstring, so a warm status check neither fetches, verifies
nor inflates anything. Freshness follows what the publisher said: the shortest of
``Cache-Control: max-age`` (less ``Age``) and the list's ``ttl`` (spec §2.2), never
past the list's ``validUntil``; ``no-store`` keeps nothing and ``no-cache`` keeps
the list only for revalidation with its ``ETag``. Without any such hint the
``default_ttl`` applies. Pure: the caller passes ``now`` and the response headers.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from credledger.revocation.bitstring import Bitstring
from credledger.revocation.status_list import StatusListCredential

_NO_HEADERS: Mapping[str, str] = {}
_DELTA_SECONDS_CAP = 2**31


@dataclass(frozen=True, slots=True)
class CachedStatusList:
    """A status list credential that has been fetched, verified, parsed and decoded.

    The bitstring is shared with every reader: treat it as read-only.
    """

    url: str
    credential: StatusListCredential
    bitstring: Bitstring
    etag: str | None
    fresh_until: datetime

    def is_fresh(self, now: datetime) -> bool:
        return now < self.fresh_until


class StatusListCache:
    """An LRU map from status list URL to CachedStatusList."""

    def __init__(
        self,
        *,
        max_entries: int = 256,
        default_ttl: timedelta = timedelta(0),
        max_ttl: timedelta = timedelta(days=1),
    ) -> None:
        """``default_ttl`` applies when neither headers nor ``ttl`` say anything;
        ``max_ttl`` caps every lifetime, so a publisher cannot pin a list forever."""
        if max_entries < 1:
            raise ValueError("a cache holds at least one entry")
        self._entries: OrderedDict[str, CachedStatusList] = OrderedDict()
        self._max_entries = max_entries
        self._default_ttl = default_ttl
        self._max_ttl = max_ttl

    def get(self, url: str, now: datetime) -> CachedStatusList | None:
        """The fresh cached list for ``url``, or None."""
        cached = self._entries.get(url)
        if cached is None or not now < cached.fresh_until:
            return None
        self._entries.move_to_end(url)
        return cached

    def peek(self, url: str) -> CachedStatusList | None:
        """The cached list for ``url`` even when stale (for conditional requests)."""
        return self._entries.get(url)

    def etag(self, url: str) -> str | None:
        """The ETag to send as ``If-None-Match`` when refetching ``url``."""
        cached = self._entries.get(url)
        return None if cached is None else cached.etag

    def put(
        self,
        url: str,
        credential: StatusListCredential,
        bitstring: Bitstring,
        *,
        now: datetime,
        headers: Mapping[str, str] = _NO_HEADERS,
    ) -> CachedStatusList | None:
        """Remember a verified list fetched at ``now``; None when ``no-store`` forbids it."""
        directives = _lowercase(headers)
        if "no-store" in _cache_control(directives):
            self._entries.pop(url, None)
            return None
        etag = directives.get("etag")
        cached = CachedStatusList(
            url=url,
            credential=credential,
            bitstring=bitstring,
            etag=etag,
            fresh_until=self._fresh_until(credential, directives, now),
        )
        self._store(cached)
        return cached

    def revalidated(
        self, url: str, *, now: datetime, headers: Mapping[str, str] = _NO_HEADERS
    ) -> CachedStatusList | None:
        """Refresh ``url`` after a ``304 Not Modified``; None when nothing is cached."""
        cached = self._entries.get(url)
        if cached is None:
            return None
        directives = _lowercase(headers)
        if "no-store" in _cache_control(directives):
            self._entries.pop(url, None)
            return cached
        refreshed = replace(
            cached,
            etag=directives.get("etag", cached.etag),
            fresh_until=self._fresh_until(cached.credential, directives, now),
        )
        self._store(refreshed)
        return refreshed

    def invalidate(self, url: str) -> None:
        self._entries.pop(url, None)

    def __len__(self) -> int:
        return len(self._entries)

    def _store(self, cached: CachedStatusList) -> None:
        self._entries[cached.url] = cached
        self._entries.move_to_end(cached.url)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def _fresh_until(
        self, credential: StatusListCredential, directives: Mapping[str, str], now: datetime
    ) -> datetime:
        lifetime = freshness_lifetime(directives, credential.ttl, self._default_ttl)
        fresh_until = now + max(timedelta(0), min(lifetime, self._max_ttl))
        if credential.valid_until is not None and credential.valid_until < fresh_until:
            return credential.valid_until
        return fresh_until


def freshness_lifetime(
    headers: Mapping[str, str], ttl: timedelta | None, default: timedelta
) -> timedelta:
    """How long a response stays fresh: the shortest of max-age less Age and ``ttl``."""
    directives = _lowercase(headers)
    control = _cache_control(directives)
    if "no-cache" in control or "no-store" in control:
        return timedelta(0)
    limits = [] if ttl is None else [ttl]
    max_age = _seconds(control.get("max-age"))
    if max_age is not None:
        limits.append(timedelta(seconds=max_age - (_seconds(directives.get("age")) or 0)))
    return min(limits) if limits else default


def _lowercase(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _cache_control(headers: Mapping[str, str]) -> dict[str, str | None]:
    """Cache-Control directives (RFC 9111 §5.2), names lowercased, quotes stripped."""
    directives: dict[str, str | None] = {}
    for part in headers.get("cache-control", "").split(","):
        name, sep, value = part.strip().partition("=")
        if name:
            directives[name.lower()] = value.strip('"') if sep else None
    return directives


def _seconds(value: str | None) -> int | None:
    """A delta-seconds value (RFC 9111 §1.2.2, capped at 2**31), or None when malformed."""
    if value is None or not value.isascii() or not value.isdigit():
        return None
    return min(int(value), _DELTA_SECONDS_CAP) if len(value) < 12 else _DELTA_SECONDS_CAP
