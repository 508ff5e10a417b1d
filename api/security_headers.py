"""Security headers on every answer, as plain ASGI middleware.

Starlette's ``@app.middleware("http")`` (BaseHTTPMiddleware) runs each request through an
extra task and memory streams; this adds the same headers by wrapping ``send`` instead,
at a fraction of the cost per request (BENCHMARKS.md, issue 16). A header a route set
itself (a page's own Content-Security-Policy, a list's Cache-Control) is kept.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import SECURITY_HEADERS

HSTS = "max-age=31536000"


class SecurityHeaders:
    """Adds SECURITY_HEADERS (and HSTS over https) where the answer has none of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers.append(name, value)
                if https and "strict-transport-security" not in headers:
                    headers.append("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
