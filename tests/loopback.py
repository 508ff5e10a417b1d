"""A small HTTP server on 127.0.0.1 that counts every connection made to it.

It plays the internal service an attacker would aim a verifier at (a connection made
is a connection counted, whatever is spoken on it), and, with ``routes``, a foreign
issuer publishing DID documents and status lists.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Listener:
    port: int
    server: ThreadingHTTPServer
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str]]]

    @property
    def connections(self) -> int:
        return int(getattr(self.server, "connections", 0))

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve_json(self, path: str, document: Any, **headers: str) -> str:
        self.routes[path] = Route(
            200, json.dumps(document).encode(), {"Content-Type": "application/json", **headers}
        )
        return f"{self.origin}{path}"


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True
    connections = 0

    def get_request(self) -> tuple[socket.socket, Any]:
        request = super().get_request()
        self.connections += 1
        return request


@contextmanager
def listening(port: int = 0) -> Iterator[Listener]:
    routes: dict[str, Route] = {}
    requests: list[tuple[str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = routes.get(self.path, Route(404, b"{}"))
            etag = route.headers.get("ETag")
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = _CountingServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Listener(server.server_address[1], server, routes, requests)
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def trickling(head: bytes, body_bytes: int, every: float) -> Iterator[int]:
    """A server that sends ``head`` a byte every ``every`` seconds, then as many body bytes."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                try:
                    conn.recv(65536)
                    for byte in head + b"x" * body_bytes:
                        if stop.is_set():
                            return
                        conn.sendall(bytes([byte]))
                        time.sleep(every)
                except OSError:
                    continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        sock.close()
