"""The one guarded fetcher: public addresses only, pinned, one deadline, capped, cached."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest
from credledger.ledger.verify.did_web import DidRetrievalError
from credledger.ledger.verify.fetch_session import FetchSession, SharedFetchCache
from credledger.ledger.verify.guarded_fetch import (
    FetchError,
    FetchRefusedError,
    GuardedFetcher,
    direct_connect,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ...loopback import Route, listening, trickling

PUBLIC = "93.184.216.34"


def to_loopback(port: int):  # type: ignore[no-untyped-def]
    """A `connect` that plays the public internet: the checked public address is served by a
    listener on 127.0.0.1 (nothing here ever leaves the machine); anything else is refused."""
    connected: list[tuple[str, int]] = []

    def connect(address: str, _port: int, timeout: float) -> socket.socket:
        connected.append((address, _port))
        if address != PUBLIC:
            raise ConnectionRefusedError("the test net only has the public address")
        return direct_connect("127.0.0.1", port, timeout)

    return connect, connected


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "100.64.0.1"]
)
def test_non_public_addresses_are_refused(address: str) -> None:
    fetcher = GuardedFetcher(resolve=lambda _host: [address])
    with pytest.raises(FetchRefusedError, match="non-public"):
        fetcher.get("https://lists.example/1")


def test_a_name_with_one_private_address_among_public_ones_is_refused() -> None:
    fetcher = GuardedFetcher(resolve=lambda _host: [PUBLIC, "10.0.0.1"])
    with pytest.raises(FetchRefusedError):
        fetcher.get("https://lists.example/1")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://lists.example/1", "gopher://x/"])
def test_only_http_urls_are_fetched(url: str) -> None:
    with pytest.raises(FetchRefusedError, match="http"):
        GuardedFetcher(allow_private=True).get(url)


def test_the_connection_goes_to_the_address_that_was_checked() -> None:
    """DNS rebinding: the name is resolved once; a second answer (127.0.0.1) is never used."""
    answers = iter([[PUBLIC], ["127.0.0.1"], ["127.0.0.1"]])
    with listening() as internal, listening() as public:
        public.serve_json("/doc", {"ok": True})
        connect, connected = to_loopback(public.port)
        fetcher = GuardedFetcher(resolve=lambda _host: next(answers), connect=connect)
        assert fetcher.json(f"http://localhost:{internal.port}/doc") == {"ok": True}
        assert connected == [(PUBLIC, internal.port)]
        assert internal.connections == 0
        # The name still reaches the server: the Host header is the URL's, not the address.
        assert public.requests[0][1]["host"] == f"localhost:{internal.port}"


def test_a_redirect_is_checked_like_the_first_request() -> None:
    with listening() as public, listening() as internal:
        public.routes["/1"] = Route(
            302, b"", {"Location": f"http://inside.example:{internal.port}/"}
        )
        connect, connected = to_loopback(public.port)
        fetcher = GuardedFetcher(
            resolve=lambda host: [PUBLIC] if host == "lists.example" else ["10.0.0.7"],
            connect=connect,
        )
        with pytest.raises(FetchRefusedError, match="non-public"):
            fetcher.get("http://lists.example/1")
        assert len(connected) == 1
        assert internal.connections == 0


def test_a_redirect_is_answered_as_it_came_when_not_followed() -> None:
    """The CLI's log client never follows a server's redirect elsewhere."""
    with listening() as server:
        server.routes["/1"] = Route(302, b"", {"Location": "http://elsewhere.example/"})
        fetcher = GuardedFetcher(allow_private=True)
        answer = fetcher.request("GET", f"http://127.0.0.1:{server.port}/1", follow_redirects=False)
        assert (answer.status, answer.headers["location"]) == (302, "http://elsewhere.example/")
        assert server.connections == 1


def test_answers_over_the_size_limit_are_refused() -> None:
    with listening() as server:
        server.routes["/big"] = Route(200, b"x" * 4096)
        fetcher = GuardedFetcher(allow_private=True, max_bytes=1024)
        with pytest.raises(FetchError, match="larger"):
            fetcher.get(f"{server.origin}/big")


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",  # the body trickles
        b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 100,  # the headers trickle
    ],
    ids=["slow-body", "slow-headers"],
)
def test_a_server_trickling_bytes_is_cut_off_at_the_deadline(head: bytes) -> None:
    """`verify --timeout 2` once took 25.8 s against a byte a second: the limit is per fetch."""
    with trickling(head, body_bytes=100, every=0.05) as port:
        fetcher = GuardedFetcher(allow_private=True, deadline=1.0)
        started = time.monotonic()
        with pytest.raises(FetchError, match="within 1 s"):
            fetcher.get(f"http://127.0.0.1:{port}/list")
        assert time.monotonic() - started < 2.0


def _certificate(tmp: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_https_to_the_pinned_address_keeps_the_name_for_sni_and_the_certificate(
    tmp_path: Path,
) -> None:
    cert, key = _certificate(tmp_path, "did.example")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    names: list[str | None] = []
    server_context.sni_callback = lambda _s, name, _c: names.append(name)  # type: ignore[assignment]
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    port = sock.getsockname()[1]

    def serve() -> None:
        conn, _ = sock.accept()
        with server_context.wrap_socket(conn, server_side=True) as tls:
            tls.recv(65536)
            body = b'{"id": "did:web:did.example"}'
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    threading.Thread(target=serve, daemon=True).start()
    client_context = ssl.create_default_context(cafile=str(cert))
    connect, connected = to_loopback(port)
    fetcher = GuardedFetcher(
        resolve=lambda _host: [PUBLIC], connect=connect, tls_context=client_context
    )
    assert fetcher.json(f"https://did.example:{port}/.well-known/did.json") == {
        "id": "did:web:did.example"
    }
    assert names == ["did.example"]
    assert connected == [(PUBLIC, port)]
    sock.close()
    assert ipaddress.ip_address(PUBLIC).is_global


def test_a_request_has_a_budget_of_fetches_and_failures_are_remembered() -> None:
    with listening() as server:
        fetcher = GuardedFetcher(allow_private=True)
        cache = SharedFetchCache()
        session = FetchSession(fetcher, cache, limit=3)
        for n in range(10):
            with pytest.raises(DidRetrievalError):
                session.did_document(f"did:web:127.0.0.1%3A{server.port}:user:{n}")
        assert session.fetches == 3
        assert server.connections == 3
        again = FetchSession(fetcher, cache, limit=3)
        with pytest.raises(DidRetrievalError):
            again.did_document(f"did:web:127.0.0.1%3A{server.port}:user:0")
        assert again.fetches == 0
        assert server.connections == 3


def test_did_web_documents_are_fetched_over_https_only() -> None:
    with listening() as server:
        session = FetchSession(GuardedFetcher(allow_private=True))
        with pytest.raises(DidRetrievalError):
            session.did_document(f"did:web:127.0.0.1%3A{server.port}")
        assert server.requests == []  # https was spoken; this plain server saw no request


@pytest.mark.parametrize(
    "did",
    [
        "did:web:evil.example%40127.0.0.1",
        "did:web:example.com:..:admin",
        "did:web:example.com:a%2F..%2Fb?x",
        "did:web:",
    ],
)
def test_malformed_did_web_names_are_not_fetched(did: str) -> None:
    from credledger.ledger.verify.did_web import DidResolutionError

    with pytest.raises(DidResolutionError, match="malformed"):
        FetchSession(GuardedFetcher(resolve=lambda _h: pytest.fail("resolved"))).did_document(did)
