"""Loading and saving aggregates the way every use case does: by kind, under an act.

An act's ids are derived under the ledger's secret id key, so a retried act (same
idempotency key) finds what its earlier run created instead of recording it twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

from credledger.ledger.domain.acts import Act, acting
from credledger.ledger.domain.aggregate import LedgerAggregate
from credledger.ledger.domain.errors import (
    NotKnownError,
)
from credledger.ledger.store.event_store import EventStore
from credledger.ledger.store.group_commit import GroupCommit
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

TAggregate = TypeVar("TAggregate", bound=LedgerAggregate)


class Aggregates:
    """The event store seen by the use cases: get, find, save, and replays of acts."""

    def __init__(self, store: EventStore, id_key: bytes) -> None:
        self.store = store
        self.id_key = id_key
        self.commits = GroupCommit(lambda events: store.save(*events))

    @contextmanager
    def acting(self, act: Act) -> Iterator[Act]:
        """Open ``act`` with ids derived under this ledger's secret id key."""
        with acting(act.keyed(self.id_key)) as keyed:
            yield keyed

    def save(self, *aggregates: LedgerAggregate) -> None:
        """Record the aggregates' new events in one transaction, shared with the acts
        that arrive at the same moment (``store/group_commit.py``), and return once it is
        committed and followed (IntegrityError: a concurrent writer got there first)."""
        self.commits.save(aggregates)

    def any(self, aggregate_id: UUID) -> Any:
        """Whatever aggregate has this id (AggregateNotFoundError when none)."""
        return self.store.repository.get(aggregate_id)

    def events_of(self, aggregate_id: UUID) -> Any:
        """The aggregate's stored events, oldest first."""
        return self.store.events.get(aggregate_id)

    def known(self, ids: Iterable[UUID | None]) -> set[UUID]:
        """Which of ``ids`` name a stored aggregate of any kind (one read on SQLite)."""
        return self.store.known_ids({i for i in ids if i is not None})

    def get(self, cls: type[TAggregate], aggregate_id: UUID) -> TAggregate:
        try:
            aggregate: Any = self.store.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotKnownError(f"no {cls.__name__.lower()} {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotKnownError(f"no {cls.__name__.lower()} {aggregate_id}")
        return aggregate

    def find(self, cls: type[TAggregate], aggregate_id: UUID | None) -> TAggregate | None:
        if aggregate_id is None:
            return None
        try:
            return self.get(cls, aggregate_id)
        except NotKnownError:
            return None

    def earlier_ids(self, act: Act, kind: str) -> tuple[UUID, ...]:
        """The ids :meth:`earlier` looks under (none for an act that is not replayable)."""
        return (act.derived_id(kind), act.legacy_id(kind)) if act.replayable else ()

    def earlier(self, cls: type[TAggregate], act: Act, kind: str) -> TAggregate | None:
        """What an earlier run of this replayable act created: under its keyed id, or
        under the id it had before ids were keyed (so a retry spanning the upgrade still
        finds its result)."""
        if not act.replayable:
            return None
        return self.find(cls, act.derived_id(kind)) or self.find(cls, act.legacy_id(kind))

    def save_new(
        self, cls: type[TAggregate], new_id: UUID | None, *aggregates: LedgerAggregate
    ) -> TAggregate | None:
        """Save; if a concurrent retry of the same act won the race, return its aggregate."""
        try:
            self.save(*aggregates)
        except IntegrityError:
            existing = self.find(cls, new_id)
            if existing is None:
                raise
            existing.already_done()
            return existing
        return None


class BatchReads:
    """Aggregates read once for acts that only read them (the issuer and the
    achievements of a cohort's awards): every act of the batch sees the state the first
    read found, as one transaction records them all. Never for an aggregate an act changes.
    """

    def __init__(self, aggregates: Aggregates, known: Iterable[LedgerAggregate] = ()) -> None:
        """``known``: aggregates the caller read moments ago (the request's issuer, as its
        authentication read it), each used for its own id only."""
        self.aggregates = aggregates
        self._read: dict[UUID, LedgerAggregate | None] = {a.id: a for a in known}

    def find(self, cls: type[TAggregate], aggregate_id: UUID | None) -> TAggregate | None:
        if aggregate_id is None:
            return None
        if aggregate_id not in self._read:
            self._read[aggregate_id] = self.aggregates.find(LedgerAggregate, aggregate_id)
        found = self._read[aggregate_id]
        return found if isinstance(found, cls) else None

    def get(self, cls: type[TAggregate], aggregate_id: UUID) -> TAggregate:
        found = self.find(cls, aggregate_id)
        if found is None:
            raise NotKnownError(f"no {cls.__name__.lower()} {aggregate_id}")
        return found
