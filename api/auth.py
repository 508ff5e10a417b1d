"""Bearer-token authentication as dependencies, so no endpoint can forget it."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Annotated
from uuid import UUID

from credledger.ledger.application import CredentialLedger, canonical_json
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.domain.issuer import Issuer
from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .client_address import throttle_key
from .problems import Problem

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="credledger"'}
_SCHEME = HTTPBearer(
    auto_error=False,
    description="The administrator's token, or an issuer's (each shown once, kept hashed).",
)
"""Declares bearer authentication in the OpenAPI document; the header is parsed below."""


@dataclass(frozen=True)
class Principal:
    actor: str
    issuer: Issuer | None = field(default=None, compare=False, repr=False)
    """An issuer's principal: the issuer as read when its token was checked."""

    @property
    def is_admin(self) -> bool:
        return self.actor == ADMIN

    @property
    def issuer_id(self) -> UUID:
        return UUID(self.actor)

    def act(self, idempotency_key: str | None, body: object) -> Act:
        if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
            raise Problem(400, "Idempotency-Key must be 1 to 255 characters", kind="bad-header")
        return Act.of(self.actor, idempotency_key, canonical_json(body))


async def get_ledger(request: Request) -> CredentialLedger:
    """The app's ledger. The cheap dependencies are ``async``: FastAPI runs a plain
    ``def`` dependency in a worker thread, a hand-off per request for nothing."""
    ledger: CredentialLedger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[CredentialLedger, Depends(get_ledger)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "use 'Authorization: Bearer <token>'", headers=_CHALLENGE)
    return token.strip()


class FailureLimiter:
    """Counts failed authentications per client in a sliding window, so token guessing is
    slowed to a crawl (429 with Retry-After) without touching good clients.

    Only failures are counted and only failures are refused: a valid token is checked
    before the count and always accepted, so nobody's guessing locks anyone else out.
    Clients are counted by address (``client_address.throttle_key``).
    """

    def __init__(self, limit: int = 30, window: float = 60.0, max_clients: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.setdefault(client, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def refusal(self, client: str) -> Problem:
        """The answer to a failed authentication: 401, or 429 once ``client`` failed too often."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(client, now)
            if len(times) >= self.limit:
                retry = max(1, int(self.window - (now - times[0])) + 1)
                return Problem(
                    429,
                    "too many failed authentications from this address; try again later",
                    headers={"Retry-After": str(retry)},
                )
            times.append(now)
            if len(self._failures) > self.max_clients:
                self._forget_quiet(now)
        return Problem(401, "the bearer token is not valid", headers=_CHALLENGE)

    def _forget_quiet(self, now: float) -> None:
        """Bound the memory many addresses could fill: drop clients quiet for a window,
        then, if still too many, the longest-known half (each prune halves the table, so
        its cost is spread over the failures that refill it)."""
        for key in [k for k, v in self._failures.items() if not v or now - v[-1] > self.window]:
            del self._failures[key]
        if len(self._failures) > self.max_clients // 2:
            for key in list(self._failures)[: len(self._failures) - self.max_clients // 2]:
                del self._failures[key]


def authenticate(
    request: Request,
    ledger: LedgerDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(_SCHEME)] = None,
) -> Principal:
    token = _bearer(request)
    if token is None:
        raise Problem(401, "this endpoint needs a bearer token", headers=_CHALLENGE)
    admin_hash: bytes = request.app.state.admin_token_hash
    if hmac.compare_digest(hashlib.sha256(token.encode()).digest(), admin_hash):
        return Principal(ADMIN)
    issuer = ledger.issuers.authenticated(token)
    if issuer is not None:
        return Principal(str(issuer.id), issuer)
    limiter: FailureLimiter = request.app.state.auth_failures
    raise limiter.refusal(throttle_key(request.client.host if request.client else "unknown"))


async def require_admin(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    if not principal.is_admin:
        raise Problem(403, "this needs the administrator token")
    return principal


async def require_issuer(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    if principal.is_admin:
        raise Problem(403, "this needs an issuer's token, not the administrator's")
    return principal


Authenticated = Annotated[Principal, Depends(authenticate)]
Admin = Annotated[Principal, Depends(require_admin)]
IssuerPrincipal = Annotated[Principal, Depends(require_issuer)]
