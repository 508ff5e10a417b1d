"""The base of every credledger aggregate: events that carry salt, actor and act.

Salt, actor and idempotency data are fixed when an event is triggered, never when it
is replayed, so the stored bytes (and the Merkle leaf committing to them) never change.
"""

from __future__ import annotations

import secrets
from typing import Any, TypeVar
from uuid import UUID, uuid4

from credledger.ledger.domain.acts import current_act
from credledger.ledger.domain.errors import IdempotencyKeyReusedError
from eventsourcing.domain import Aggregate

SALT_BYTES = 16
TLedgerAggregate = TypeVar("TLedgerAggregate", bound="LedgerAggregate")


def _stamp(kwargs: dict[str, Any]) -> dict[str, Any]:
    act = current_act()
    kwargs.setdefault("salt", secrets.token_bytes(SALT_BYTES))
    kwargs.setdefault("actor", act.actor)
    kwargs.setdefault("act_key", act.key)
    kwargs.setdefault("act_digest", act.digest)
    return kwargs


class LedgerAggregate(Aggregate):
    """An aggregate whose events commit to a random salt and record who acted."""

    acts: dict[bytes, bytes | None]

    class Event(Aggregate.Event):
        salt: bytes
        actor: str
        act_key: bytes
        act_digest: bytes | None

        def mutate(self, aggregate: Any) -> Any:
            result = super().mutate(aggregate)
            if result is not None:
                result.acts[self.act_key] = self.act_digest
            return result

    class Created(Event, Aggregate.Created):
        def mutate(self, aggregate: Any) -> Any:
            result = Aggregate.Created.mutate(self, aggregate)
            if result is not None:
                result.acts = {self.act_key: self.act_digest}
            return result

    @classmethod
    def create_id(cls, *_: Any, **__: Any) -> UUID:
        """Ids follow from the act, so a retried act (same idempotency key) meets its
        earlier result instead of recording a second one."""
        return current_act().derived_id(cls.__name__.lower())

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        super().trigger_event(event_class, **_stamp(kwargs))

    @classmethod
    def _create(
        cls: type[TLedgerAggregate], event_class: Any, *, id: UUID | None = None, **kwargs: Any
    ) -> TLedgerAggregate:
        return super()._create(event_class, id=id, **_stamp(kwargs))

    def already_done(self) -> bool:
        """True when the current act (same idempotency key) was applied here before.

        Raises IdempotencyKeyReusedError when the key was used with another request.
        """
        act = current_act()
        if act.key not in self.acts:
            return False
        if self.acts[act.key] != act.digest:
            raise IdempotencyKeyReusedError("this idempotency key was used for another request")
        return True


class PseudonymousAggregate(LedgerAggregate):
    """An aggregate about one learner's award (credential, status slot, recognition).

    Each of its events carries a fresh random ``log_alias``, which the event's Merkle
    leaf shows in place of the aggregate id: the public log cannot be turned into a
    lookup of the credential, nor can its leaves be linked to one another. Events
    recorded before aliases existed have none, and keep the leaves they had.
    """

    class Event(LedgerAggregate.Event):
        log_alias: UUID

    class Created(Event, LedgerAggregate.Created):
        pass

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("log_alias", uuid4())
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def _create(
        cls: type[TLedgerAggregate], event_class: Any, *, id: UUID | None = None, **kwargs: Any
    ) -> TLedgerAggregate:
        kwargs.setdefault("log_alias", uuid4())
        return super()._create(event_class, id=id, **kwargs)
