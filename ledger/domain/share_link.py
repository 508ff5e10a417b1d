"""ShareLink: a learner's link to one credential, made by its issuer on their behalf.

Whoever holds the link sees the credential's verification page; no one else sees the
credential without a token. The link's secret is never recorded: the token follows from
the act's key under the ledger's secret id key (so a retried request gets the same
link), and the aggregate's id from the token under the same key (so ``GET /c/<token>``
finds the link without any index, and the id in the public log reveals nothing).
A link lives while its credential's sharing round is the one it was made in: ending the
sharing (``Credential.SharingEnded``) ends every link made before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any
from uuid import UUID

from credledger.ledger.domain.acts import current_act
from credledger.ledger.domain.aggregate import LedgerAggregate
from eventsourcing.domain import event

TOKEN_BYTES = 32
"""256 bits: unguessable, and still a short link (43 characters)."""
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def share_token(id_key: bytes, act_key: bytes) -> str:
    """The link's token for an act: unpredictable without the ledger's id key."""
    mac = hmac.new(id_key, b"share-token:" + act_key, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:TOKEN_BYTES]).decode("ascii").rstrip("=")


def link_id(id_key: bytes, token: str) -> UUID | None:
    """The id of the link a token opens (None for anything not shaped like a token)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    mac = hmac.new(id_key, b"share-link:" + token.encode("ascii"), hashlib.sha256).digest()
    return UUID(bytes=mac[:16], version=4)


class ShareLink(LedgerAggregate):
    """One link to one credential; its id follows from its token (see the module)."""

    TOPIC = "credledger.ledger.share_link:ShareLink"

    class Event(LedgerAggregate.Event):
        TOPIC = "credledger.ledger.share_link:ShareLink.Event"

    class Created(Event, LedgerAggregate.Created):
        TOPIC = "credledger.ledger.share_link:ShareLink.Created"

    @classmethod
    def create_id(cls, *_: Any, **__: Any) -> UUID:
        act = current_act()
        if act.id_key is None:
            raise RuntimeError("a share link is made only under the ledger's id key")
        found = link_id(act.id_key, share_token(act.id_key, act.key))
        assert found is not None  # a token made here always has the token's shape
        return found

    @event("Made", topic="credledger.ledger.share_link:ShareLink.Made")
    def __init__(self, credential_id: UUID, issuer_id: UUID, sharing_round: int) -> None:
        self.credential_id = credential_id
        self.issuer_id = issuer_id
        self.sharing_round = sharing_round
