"""Status lists as readers and publishers see them: fetch, current version, publish.

Reading a list never signs or records; versions are published after acts that change
a bit or open a group, and on the tick (see status_publication.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID

from credledger.ledger.domain.errors import (
    UnknownStatusListError,
)
from credledger.ledger.domain.ledger_identity import LedgerIdentity
from credledger.ledger.domain.status_lists import StatusList
from credledger.ledger.services.status_publication import (
    ListRef,
    StatusPublisher,
    known_status_lists,
    require_published,
)
from credledger.ledger.store.aggregates import Aggregates
from credledger.ledger.store.read_model import ReadModel
from credledger.ledger.verify.fetch_session import FetchSession
from credledger.revocation.check import FetchedStatusList

log = logging.getLogger("credledger.ledger")


class StatusLists:
    """This ledger's status lists: read, found, and published after acts or on demand."""

    def __init__(
        self,
        aggregates: Aggregates,
        read_model: ReadModel,
        identity: LedgerIdentity,
        publisher: StatusPublisher,
    ) -> None:
        self.aggregates = aggregates
        self.read_model = read_model
        self.identity = identity
        self.publisher = publisher

    def fetch(
        self, url: str, session: FetchSession | None = None
    ) -> dict[str, Any] | FetchedStatusList:
        """This ledger's own lists are read from the ledger; other issuers' lists through
        the guarded fetcher (``session``: the request's budget; none, no fetching)."""
        base_url = self.identity.base_url_of(url)
        prefix = f"{base_url}/v1/status/"
        if base_url is None or not url.startswith(prefix):
            if session is None:
                raise LookupError(f"status list {url} is not held by this ledger")
            return session.status_list(url)
        try:
            list_uuid = UUID(url[len(prefix) :])
        except ValueError:
            raise LookupError(f"no status list at {url}") from None
        # A list names itself by its one URL; the verifier refuses it under any other.
        return self.current(list_uuid).document or {}

    def current(self, list_uuid: UUID) -> StatusList:
        """The newest published version of a list. A read: it never signs or records
        (versions are published after acts and on the tick: status_publication.py)."""
        return require_published(self.find(list_uuid), list_uuid)

    def find(self, list_uuid: UUID) -> StatusList | None:
        return self.aggregates.find(StatusList, list_uuid)

    def known(self) -> list[ListRef]:
        """Every list the read model knows of (see ``known_status_lists``)."""
        return known_status_lists(self.read_model)

    def publish(self, list_uuid: UUID) -> StatusList:
        """Publish a list's current bits now if they changed or its window closes soon
        (``POST /v1/status/{list}/publish``); returns the newest version."""
        current = self.find(list_uuid)
        if current is not None:
            ref = ListRef(list_uuid, current.issuer_id, current.group, current.purpose)
        else:
            found = [r for r in self.known() if r.list_uuid == list_uuid]
            if not found:
                raise UnknownStatusListError(f"no status list {list_uuid}")
            ref = found[0]
        self.publisher.publish(ref)
        return self.current(list_uuid)

    def publish_due(self) -> int:
        """The publication tick: changed lists, unpublished ones, windows closing soon."""
        return self.publisher.publish_due()

    # -- after acts ------------------------------------------------------------------------
    def after_award(self, opened: set[tuple[UUID, UUID, int]]) -> None:
        """The first versions of the lists of the groups (group, issuer, number) that
        awards just opened."""
        if opened:
            self._after_act(partial(self.publisher.after_award, opened))

    def after_change(self) -> None:
        """New versions of the lists whose bits an act changed."""
        self._after_act(lambda: self.publisher.after_change())

    def republish_lists_of(self, issuer_id: UUID) -> None:
        """The issuer's status lists signed anew by its key in force (after a rotation)."""
        refs = [r for r in self.known() if r.issuer_id == issuer_id]
        self._after_act(partial(self.publisher.publish_all, refs, resign=True))

    def _after_act(self, publish: Callable[[], Any]) -> None:
        """Publish what an act changed. The act is saved already: if publication fails
        here, the tick publishes it (logged, never the act's failure)."""
        try:
            publish()
        except Exception:  # pragma: no cover - logged; the tick retries
            log.exception("status list publication after an act failed; the tick retries")
