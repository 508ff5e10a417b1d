"""Who is calling: the peer's address, or the client a configured proxy vouches for.

A forwarded header is only as trustworthy as whoever sent it, so ``X-Forwarded-For``
and ``X-Forwarded-Proto`` count only when the TCP peer is in one of the networks the
operator configured (``CREDLEDGER_TRUSTED_PROXIES``; none by default). The chain is
read from the right, skipping trusted proxies: the first address that is not one of
them is the client, as the nearest trusted proxy saw it (whatever a client writes
into the header itself stays to the left of that).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from credledger.ledger.store.settings import Network
from starlette.types import ASGIApp, Receive, Scope, Send

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

IPV6_THROTTLE_PREFIX = 64
"""IPv6 clients are counted per /64: a single subscriber usually holds a whole /64."""


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: Address | None, proxies: Iterable[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def forwarded_client(peer: str, forwarded_for: list[str], proxies: tuple[Network, ...]) -> str:
    """The client's address: ``peer`` unless a trusted proxy says who it forwarded for."""
    hop = _address(peer)
    if not forwarded_for or not _trusted(hop, proxies):
        return peer
    for entry in reversed(",".join(forwarded_for).split(",")):
        address = _address(entry)
        if address is None:
            break  # garbage from further left: keep the last address a trusted proxy gave
        hop = address
        if not _trusted(address, proxies):
            break
    return str(hop)


def throttle_key(client: str) -> str:
    """What failed authentications are counted by: the address, an IPv6 client by its /64."""
    address = _address(client)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((address, IPV6_THROTTLE_PREFIX), strict=False))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address) if address is not None else client


class ForwardedHeaders:
    """ASGI middleware: the request's client and scheme as a trusted proxy reports them.

    Without trusted proxies it changes nothing, so a client cannot choose its own address.
    """

    def __init__(self, app: ASGIApp, trusted_proxies: tuple[Network, ...] = ()) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer, proxies = scope.get("client"), self.trusted_proxies
        if scope["type"] == "http" and peer and proxies and _trusted(_address(peer[0]), proxies):
            scope = dict(scope)
            client = forwarded_client(peer[0], _values(scope, b"x-forwarded-for"), proxies)
            scope["client"] = (client, 0)
            protos = _values(scope, b"x-forwarded-proto")
            if protos and protos[-1].strip() in ("http", "https"):
                scope["scheme"] = protos[-1].strip()
        await self.app(scope, receive, send)


def _values(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope["headers"] if key == name]
