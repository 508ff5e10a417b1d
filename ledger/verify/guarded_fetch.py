"""The one way credledger fetches a URL: one that a document names (DID documents, status
lists, proof bundles), guarded because whoever made the document chose it, and the
log endpoints of a server the user names (``cli/log_client.py``, with
``allow_private`` and no redirects).

Rules, for every request and every redirect hop:

- only ``http`` and ``https`` (``https`` only, when the caller asks, as did:web does);
- the host name is resolved once, every address it resolves to must be global (not
  private, loopback, link-local, multicast, reserved...) unless ``allow_private`` (for
  tests on 127.0.0.1), and the connection goes to the address that was checked: no
  second lookup, so DNS rebinding has no window. The Host header and, for https, the
  TLS server name and certificate check keep the name;
- one total deadline per fetch, connection, TLS, headers and body together: a watchdog
  shuts the socket down when it passes, so a server trickling bytes cannot hold it;
- bodies are capped, at most ``max_redirects`` redirects are followed;
- at most ``MAX_IN_FLIGHT`` fetches run at once in a process.

:class:`FetchError` carries the detail for logs and for a local user; callers that
answer anonymous clients show only a generic reason.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

MAX_BYTES = 4 * 1024 * 1024
MAX_REDIRECTS = 3
DEADLINE_SECONDS = 5.0
MAX_IN_FLIGHT = 16
REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "credledger/0.1"
_READ_SIZE = 64 * 1024

Resolve = Callable[[str], list[str]]
"""Host name -> the addresses it resolves to (injectable: tests play DNS)."""
Connect = Callable[[str, int, float], socket.socket]
"""(checked address, port, timeout) -> a connected socket (injectable: tests play the net)."""

_in_flight = threading.BoundedSemaphore(MAX_IN_FLIGHT)


class FetchError(Exception):
    """A URL could not be fetched: refused, unreachable, too slow, too large, not JSON."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class FetchRefusedError(FetchError):
    """The URL was not requested at all: its scheme or address is not allowed."""


@dataclass(frozen=True)
class Fetched:
    """A complete answer: status, headers (names in lower case) and the body read."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def reason(self) -> str:
        """The status code's standard phrase ("" for a code without one)."""
        try:
            return http.HTTPStatus(self.status).phrase
        except ValueError:
            return ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise FetchError(f"{self.url} did not answer JSON") from None


def system_resolve(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def direct_connect(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout=timeout)


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.remaining() <= 0


class GuardedFetcher:
    """GETs for URLs taken from documents; see the module docstring for the rules."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        deadline: float = DEADLINE_SECONDS,
        max_bytes: int = MAX_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        resolve: Resolve = system_resolve,
        connect: Connect = direct_connect,
        tls_context: ssl.SSLContext | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        """``resolve``, ``connect`` and ``tls_context`` replace DNS, the network and the
        trusted CAs (for tests)."""
        if deadline <= 0:
            raise ValueError("a fetch needs a positive deadline")
        self.allow_private = allow_private
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.resolve = resolve
        self.connect = connect
        self.tls_context = tls_context or ssl.create_default_context()
        self.user_agent = user_agent

    def checked_address(self, url: str, *, https_only: bool = False) -> str:
        """The one address ``url`` will be fetched from; raises if it must not be."""
        parts = urlsplit(url)
        schemes = ("https",) if https_only else ("http", "https")
        if parts.scheme not in schemes or not parts.hostname:
            raise FetchRefusedError(f"only {'/'.join(schemes)} URLs are fetched, not {url[:200]!r}")
        try:
            parts.port  # noqa: B018  (raises on a malformed port)
        except ValueError:
            raise FetchRefusedError(f"malformed port in {url[:200]!r}") from None
        addresses = self.resolve(parts.hostname)
        if not addresses:
            raise FetchError(f"{parts.hostname} resolves to no address")
        for address in addresses:
            try:
                ip = ipaddress.ip_address(address.split("%", 1)[0])
            except ValueError:
                raise FetchError(f"{parts.hostname} resolved to a malformed address") from None
            if not self.allow_private and not ip.is_global:
                raise FetchRefusedError(
                    f"{parts.hostname} resolves to the non-public address {ip}: refused"
                )
        return addresses[0]

    def get(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        https_only: bool = False,
    ) -> Fetched:
        """The answer to GET ``url`` (body read, at most ``max_bytes``), within the deadline.

        Redirects are followed (each hop checked as the first) up to ``max_redirects``.
        """
        return self.request("GET", url, headers, https_only=https_only)

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        payload: bytes | None = None,
        https_only: bool = False,
        follow_redirects: bool = True,
    ) -> Fetched:
        """The answer to one request, whatever its status, within the deadline.

        With ``follow_redirects`` (GETs only) each hop is checked as the first, up to
        ``max_redirects``; without it a redirect is answered as it came.
        """
        deadline = _Deadline(self.deadline)
        if not _in_flight.acquire(timeout=max(deadline.remaining(), 0.0)):
            raise FetchError("too many fetches in flight; try again")
        follow = follow_redirects and method == "GET"
        try:
            for _hop in range(self.max_redirects + 1):
                address = self.checked_address(url, https_only=https_only)
                answer = self._once(
                    url, address, dict(headers or {}), deadline, method=method, payload=payload
                )
                location = answer.headers.get("location")
                if follow and answer.status in REDIRECTS and location:
                    url = urljoin(url, location)
                    continue
                return answer
            raise FetchError(f"{url[:200]}: more than {self.max_redirects} redirects")
        finally:
            _in_flight.release()

    def json(
        self,
        url: str,
        *,
        accept: str = "application/ld+json, application/json",
        https_only: bool = False,
    ) -> Any:
        """The JSON document at ``url``; a non-2xx answer is a FetchError with its status."""
        answer = self.get(url, {"Accept": accept}, https_only=https_only)
        if not answer.ok:
            raise FetchError(f"{url[:200]}: HTTP {answer.status}", answer.status)
        return answer.json()

    def post_json(self, url: str, document: Any) -> Any:
        """POST ``document`` as JSON to ``url`` and answer the JSON reply (no redirects:
        a holder presenting a credential for its proof bundle)."""
        payload = json.dumps(document).encode()
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        answer = self.request("POST", url, headers, payload=payload)
        if not answer.ok:
            raise FetchError(f"{url[:200]}: HTTP {answer.status}", answer.status)
        return answer.json()

    # -- one request -----------------------------------------------------------------------

    def _once(
        self,
        url: str,
        address: str,
        headers: dict[str, str],
        deadline: _Deadline,
        *,
        method: str = "GET",
        payload: bytes | None = None,
    ) -> Fetched:
        parts = urlsplit(url)
        host = parts.hostname or ""
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        remaining = deadline.remaining()
        if remaining <= 0:
            raise FetchError(f"{url[:200]}: no answer within {self.deadline:g} s")
        connection: http.client.HTTPConnection = (
            http.client.HTTPSConnection(host, port, timeout=remaining, context=self.tls_context)
            if https
            else http.client.HTTPConnection(host, port, timeout=remaining)
        )
        watchdog = _Watchdog()

        def pinned(
            _address: object, timeout: float | None, _source: object = None
        ) -> socket.socket:
            sock = self.connect(address, port, max(min(timeout or remaining, remaining), 0.001))
            watchdog.watch(sock)
            return sock

        connection._create_connection = pinned  # type: ignore[attr-defined]
        timer = threading.Timer(remaining, watchdog.fire)
        timer.daemon = True
        timer.start()
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        try:
            connection.putrequest(method, target, skip_accept_encoding=True)
            if payload is not None:
                headers = {**headers, "Content-Length": str(len(payload))}
            for name, value in {"User-Agent": self.user_agent, **headers}.items():
                connection.putheader(name, value)
            connection.endheaders(payload)
            return self._read_answer(url, connection.getresponse(), watchdog)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if watchdog.fired or deadline.passed:
                raise FetchError(
                    f"{url[:200]}: no complete answer within {self.deadline:g} s"
                ) from None
            raise FetchError(f"cannot fetch {url[:200]}: {type(exc).__name__}: {exc}") from None
        finally:
            timer.cancel()
            connection.close()
            watchdog.close()

    def _read_answer(
        self, url: str, response: http.client.HTTPResponse, watchdog: _Watchdog
    ) -> Fetched:
        """The answer, its body capped at ``max_bytes`` (a redirect: its headers only)."""
        answer_headers = {name.lower(): value for name, value in response.getheaders()}
        if response.status in REDIRECTS and "location" in answer_headers:
            return Fetched(url, response.status, answer_headers, b"")
        length = answer_headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(f"{url[:200]} is larger than {self.max_bytes} bytes")
        body = bytearray()
        while chunk := response.read(_READ_SIZE):
            body += chunk
            if len(body) > self.max_bytes:
                raise FetchError(f"{url[:200]} is larger than {self.max_bytes} bytes")
        if watchdog.fired:
            raise FetchError(f"{url[:200]}: no complete answer within {self.deadline:g} s")
        return Fetched(url, response.status, answer_headers, bytes(body))


class _Watchdog:
    """Shuts a connection's socket down from another thread when the deadline passes.

    It holds a duplicate of the socket's descriptor: shutting that down ends the
    connection even after TLS has taken the original socket object over.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._duplicate: socket.socket | None = None
        self.fired = False

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._duplicate = sock.dup()
            if self.fired:
                self._shutdown()

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shutdown()

    def close(self) -> None:
        with self._lock:
            if self._duplicate is not None:
                self._duplicate.close()
                self._duplicate = None

    def _shutdown(self) -> None:
        if self._duplicate is not None:
            with contextlib.suppress(OSError):
                self._duplicate.shutdown(socket.SHUT_RDWR)
