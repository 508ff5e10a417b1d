"""Who does an act, and under which idempotency key: stamped onto every event it causes.

The application opens an act around each use case; the aggregates' events read it
from a context variable, so no command method can forget to record its actor, and a
retried request (same Idempotency-Key) is recognised from the events themselves,
atomically with the act it repeats.

The ids of the aggregates an act creates follow from its key, but through an HMAC
under the ledger's secret id key: a client who chose (or can guess) an
Idempotency-Key cannot compute the id of what it created, so ids never reveal, or
let anyone check, what went into them (issuer, achievement, a CSV row).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from uuid import NAMESPACE_URL, UUID, uuid5

ADMIN = "admin"
HOLDER = "holder"
"""The actor of what a wallet does (claiming a credential): its DID is personal data and
is recorded only sealed, never as an actor."""
CLOCK = "clock"
"""The actor of what time alone does: a claim's expiry, recorded by the server's tick."""
_ACT_NAMESPACE = uuid5(NAMESPACE_URL, "https://credledger.org/ns/act")


def _random_key() -> bytes:
    return secrets.token_bytes(32)


@dataclass(frozen=True)
class Act:
    """One request's identity: the actor, its key and the digest of its body.

    ``replayable`` acts came with a client's Idempotency-Key: their key is derived
    from it, so a retry has the same key. Other acts get a random key.
    """

    actor: str
    key: bytes = field(default_factory=_random_key)
    digest: bytes | None = None
    replayable: bool = False
    id_key: bytes | None = field(default=None, repr=False)

    @classmethod
    def of(cls, actor: str, idempotency_key: str | None, request: bytes) -> Act:
        digest = hashlib.sha256(request).digest()
        if idempotency_key is None:
            return cls(actor, digest=digest)
        key = hashlib.sha256(f"{actor}\n{idempotency_key}".encode()).digest()
        return cls(actor, key, digest, replayable=True)

    def keyed(self, id_key: bytes) -> Act:
        """This act, deriving ids under the ledger's secret ``id_key``."""
        return replace(self, id_key=id_key)

    def derived_id(self, kind: str) -> UUID:
        """The id of the ``kind`` of aggregate this act creates (stable for a replayable act,
        unpredictable without the ledger's id key)."""
        if self.id_key is None:
            if self.replayable:
                raise RuntimeError("a replayable act derives ids only under the ledger's id key")
            return self.legacy_id(kind)  # the key is random: so is the id
        mac = hmac.new(self.id_key, f"{kind}:".encode() + self.key, hashlib.sha256).digest()
        return UUID(bytes=mac[:16], version=4)

    def legacy_id(self, kind: str) -> UUID:
        """The id this act's creations had before ids were keyed (a UUIDv5 of the act key):
        only to find what a retried request created then."""
        return uuid5(_ACT_NAMESPACE, f"{kind}:{self.key.hex()}")


_current: ContextVar[Act | None] = ContextVar("credledger_act", default=None)


@contextmanager
def acting(act: Act) -> Iterator[Act]:
    token = _current.set(act)
    try:
        yield act
    finally:
        _current.reset(token)


def current_act() -> Act:
    act = _current.get()
    if act is None:
        raise RuntimeError("an event was triggered outside an act; use `with acting(act):`")
    return act
