"""The verifier's status list cache: freshness from Cache-Control, Age, ttl and validUntil."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from credledger.revocation.bitstring import Bitstring
from credledger.revocation.cache import StatusListCache, freshness_lifetime
from credledger.revocation.status_list import StatusListCredential

URL = "https://example.com/status/1"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
BITS = Bitstring()


def listed(
    *, ttl: timedelta | None = None, valid_until: datetime | None = None
) -> StatusListCredential:
    return StatusListCredential(
        id=URL,
        issuer="did:example:1",
        purposes=frozenset({"revocation"}),
        encoded_list=BITS.encode(),
        valid_from=None,
        valid_until=valid_until,
        ttl=ttl,
        status_size=None,
    )


def fresh_until(cache: StatusListCache, **headers: str) -> datetime | None:
    cached = cache.put(URL, listed(), BITS, now=NOW, headers=headers)
    return None if cached is None else cached.fresh_until


def test_max_age_sets_how_long_a_list_stays_fresh() -> None:
    cache = StatusListCache()
    cache.put(URL, listed(), BITS, now=NOW, headers={"Cache-Control": "public, max-age=300"})
    assert cache.get(URL, NOW + timedelta(seconds=299)) is not None
    assert cache.get(URL, NOW + timedelta(seconds=300)) is None


def test_a_hit_returns_the_decoded_bitstring_itself() -> None:
    cache = StatusListCache(default_ttl=timedelta(minutes=1))
    cache.put(URL, listed(), BITS, now=NOW)
    hit = cache.get(URL, NOW)
    assert hit is not None
    assert hit.bitstring is BITS


def test_age_is_subtracted_from_max_age() -> None:
    until = fresh_until(StatusListCache(), **{"cache-control": "max-age=300", "age": "100"})
    assert until == NOW + timedelta(seconds=200)


def test_the_lists_ttl_applies_when_shorter_than_max_age() -> None:
    cache = StatusListCache()
    cached = cache.put(
        URL,
        listed(ttl=timedelta(seconds=30)),
        BITS,
        now=NOW,
        headers={"Cache-Control": "max-age=300"},
    )
    assert cached is not None
    assert cached.fresh_until == NOW + timedelta(seconds=30)


def test_the_lists_ttl_applies_without_headers() -> None:
    cached = StatusListCache().put(URL, listed(ttl=timedelta(seconds=45)), BITS, now=NOW)
    assert cached is not None
    assert cached.fresh_until == NOW + timedelta(seconds=45)


def test_without_any_hint_the_default_ttl_applies() -> None:
    assert fresh_until(StatusListCache(default_ttl=timedelta(seconds=10))) == NOW + timedelta(
        seconds=10
    )
    assert fresh_until(StatusListCache()) == NOW  # the default default is: do not reuse


def test_freshness_never_outlasts_the_lists_valid_until() -> None:
    cache = StatusListCache()
    cached = cache.put(
        URL,
        listed(valid_until=NOW + timedelta(seconds=5)),
        BITS,
        now=NOW,
        headers={"Cache-Control": "max-age=3600"},
    )
    assert cached is not None
    assert cached.fresh_until == NOW + timedelta(seconds=5)


def test_freshness_is_capped_by_max_ttl() -> None:
    cache = StatusListCache(max_ttl=timedelta(minutes=10))
    assert fresh_until(cache, **{"Cache-Control": "max-age=99999999999999"}) == NOW + timedelta(
        minutes=10
    )


def test_no_store_keeps_nothing() -> None:
    cache = StatusListCache(default_ttl=timedelta(minutes=5))
    assert cache.put(URL, listed(), BITS, now=NOW, headers={"Cache-Control": "no-store"}) is None
    assert len(cache) == 0
    assert cache.peek(URL) is None


def test_no_cache_keeps_the_list_only_for_revalidation() -> None:
    cache = StatusListCache(default_ttl=timedelta(minutes=5))
    headers = {"Cache-Control": "no-cache", "ETag": '"abc"'}
    cache.put(URL, listed(), BITS, now=NOW, headers=headers)
    assert cache.get(URL, NOW) is None
    assert cache.etag(URL) == '"abc"'


def test_revalidation_refreshes_freshness_and_keeps_the_etag() -> None:
    cache = StatusListCache()
    cache.put(URL, listed(), BITS, now=NOW, headers={"ETag": 'W/"1"', "Cache-Control": "max-age=1"})
    later = NOW + timedelta(minutes=1)
    refreshed = cache.revalidated(URL, now=later, headers={"Cache-Control": "max-age=60"})
    assert refreshed is not None
    assert refreshed.etag == 'W/"1"'
    assert refreshed.bitstring is BITS
    assert cache.get(URL, later + timedelta(seconds=59)) is refreshed


def test_revalidating_an_unknown_url_gives_nothing() -> None:
    assert StatusListCache().revalidated(URL, now=NOW) is None


def test_the_least_recently_used_list_is_evicted_first() -> None:
    cache = StatusListCache(max_entries=2, default_ttl=timedelta(minutes=5))
    for name in ("a", "b"):
        cache.put(URL + name, listed(), BITS, now=NOW)
    assert cache.get(URL + "a", NOW) is not None  # touch a: b is now the oldest
    cache.put(URL + "c", listed(), BITS, now=NOW)
    assert [cache.peek(URL + n) is not None for n in "abc"] == [True, False, True]


def test_invalidate_forgets_a_list() -> None:
    cache = StatusListCache(default_ttl=timedelta(minutes=5))
    cache.put(URL, listed(), BITS, now=NOW)
    cache.invalidate(URL)
    assert cache.get(URL, NOW) is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, timedelta(seconds=7)),
        ({"Cache-Control": "max-age=abc"}, timedelta(seconds=7)),
        ({"Cache-Control": 'max-age="20"'}, timedelta(seconds=20)),
        ({"Cache-Control": "MAX-AGE=20, must-revalidate"}, timedelta(seconds=20)),
        ({"Cache-Control": "max-age=20", "Age": "50"}, timedelta(seconds=-30)),
        ({"Cache-Control": "no-cache, max-age=20"}, timedelta(0)),
    ],
)
def test_freshness_lifetime_reads_cache_control(
    headers: dict[str, str], expected: timedelta
) -> None:
    assert freshness_lifetime(headers, None, timedelta(seconds=7)) == expected
