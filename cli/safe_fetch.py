"""Fetching URLs that documents name (credentials, status lists, proofs) with care.

A credential is untrusted input, and the URLs inside it are chosen by whoever made it:
a verifier must not be steered into its own network. So every request, and every
redirect, is refused when the host resolves to a private, loopback, link-local or
otherwise non-global address (unless ``allow_private``, for tests on 127.0.0.1), only
http(s) is spoken, answers are capped in size, and everything times out.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from credledger.revocation.bitstring import Bitstring
from credledger.revocation.cache import StatusListCache
from credledger.revocation.errors import StatusListError
from credledger.revocation.status_list import parse_status_list_credential

from .log_client import USER_AGENT

MAX_BYTES = 4 * 1024 * 1024
MAX_REDIRECTS = 3
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A URL could not be fetched (refused, unreachable, too large, not JSON)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _resolve(host: str) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, None)]
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from None


class SafeFetcher:
    """GETs for URLs taken from documents; see the module docstring for the rules."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = 10.0,
        max_bytes: int = MAX_BYTES,
        resolve: Callable[[str], list[str]] = _resolve,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``resolve`` and ``transport`` replace DNS and the network (for tests)."""
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.resolve = resolve
        self.http = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    def check_url(self, url: str) -> None:
        """Refuse a URL this fetcher must not request."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"only http(s) URLs are fetched, not {url!r}")
        if self.allow_private:
            return
        for address in self.resolve(parts.hostname):
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global:
                raise FetchError(
                    f"{parts.hostname} resolves to the non-public address {ip}: refused "
                    "(--allow-private permits this)"
                )

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> httpx.Response:
        """The response (body read, at most ``max_bytes``), redirects checked hop by hop."""
        for _hop in range(MAX_REDIRECTS + 1):
            self.check_url(url)
            try:
                with self.http.stream("GET", url, headers=dict(headers or {})) as response:
                    if response.status_code in REDIRECTS and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > self.max_bytes:
                            raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
                    return httpx.Response(
                        response.status_code, headers=response.headers, content=bytes(body)
                    )
            except httpx.HTTPError as exc:
                raise FetchError(f"cannot fetch {url}: {exc}") from None
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def json(self, url: str) -> Any:
        response = self.get(url, {"Accept": "application/ld+json, application/json"})
        if not response.is_success:
            raise FetchError(f"{url}: HTTP {response.status_code}", response.status_code)
        try:
            return response.json()
        except ValueError:
            raise FetchError(f"{url} did not answer JSON") from None

    def post_json(self, url: str, body: Any) -> Any:
        """POST ``body`` as JSON and parse the answer; same guards as GET, no redirects
        (a holder presenting a credential for its proof bundle)."""
        self.check_url(url)
        try:
            with self.http.stream("POST", url, json=body) as response:
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > self.max_bytes:
                        raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot fetch {url}: {exc}") from None
        if not response.is_success:
            raise FetchError(f"{url}: HTTP {response.status_code}", response.status_code)
        try:
            return httpx.Response(response.status_code, content=bytes(data)).json()
        except ValueError:
            raise FetchError(f"{url} did not answer JSON") from None


class StatusListFetcher:
    """``fetch_status_list`` for the credential verifier: over HTTP, fresh or revalidated.

    Freshness follows the publisher (Cache-Control, ETag, the list's ``ttl`` and
    ``validUntil``) through a :class:`StatusListCache`; the documents themselves are
    kept here, and the verifier checks each one's proof every time it is used.
    """

    def __init__(
        self,
        fetcher: SafeFetcher,
        cache: StatusListCache | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.fetcher = fetcher
        self.cache = cache or StatusListCache()
        self.clock = clock
        self.documents: dict[str, dict[str, Any]] = {}
        self.fetches = 0

    def __call__(self, url: str) -> dict[str, Any]:
        now = self.clock()
        known = self.documents.get(url)
        if known is not None and self.cache.get(url, now) is not None:
            return known
        headers = {"Accept": "application/vc+ld+json, application/ld+json, application/json"}
        etag = self.cache.etag(url) if known is not None else None
        if etag:
            headers["If-None-Match"] = etag
        response = self.fetcher.get(url, headers)
        self.fetches += 1
        if response.status_code == 304 and known is not None:
            self.cache.revalidated(url, now=now, headers=response.headers)
            return known
        if not response.is_success:
            raise FetchError(f"{url}: HTTP {response.status_code}", response.status_code)
        try:
            document = response.json()
        except ValueError:
            raise FetchError(f"{url} did not answer JSON") from None
        if not isinstance(document, dict):
            raise FetchError(f"{url} did not answer a JSON object")
        try:
            parsed = parse_status_list_credential(document)
            bits = Bitstring.decode(parsed.encoded_list)
        except StatusListError:
            return document  # not cached; the verifier reports what is wrong with it
        self.cache.put(url, parsed, bits, now=now, headers=response.headers)
        self.documents[url] = document
        return document
