"""The verifier's status list cache, minus this ledger's own lists.

A published list carries a ``ttl`` (5 minutes) so that remote verifiers fetch it again
in time; inside the ledger its own lists are read straight from the events' newest
version, so caching them would only show a revocation late.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from credledger.revocation.cache import StatusListCache


class OwnListsUncached:
    """Delegates to ``cache`` for every URL ``is_own`` does not claim."""

    def __init__(self, cache: StatusListCache, is_own: Callable[[str], bool]) -> None:
        self._cache = cache
        self._is_own = is_own

    def get(self, url: str, now: Any) -> Any:
        return None if self._is_own(url) else self._cache.get(url, now)

    def etag(self, url: str) -> str | None:
        return None if self._is_own(url) else self._cache.etag(url)

    def put(self, url: str, *args: Any, **kwargs: Any) -> Any:
        return None if self._is_own(url) else self._cache.put(url, *args, **kwargs)

    def revalidated(self, url: str, **kwargs: Any) -> Any:
        return None if self._is_own(url) else self._cache.revalidated(url, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cache, name)
