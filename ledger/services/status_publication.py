"""Publishing status list versions: an explicit step, never a side effect of a read.

A new version of a list is signed and recorded (``StatusList.Published``) when its
bits differ from the newest version's, or when the newest version's validity window
is about to close. Bits come from :class:`~.status_fold.StatusFold` (the events), never
from the read model. Publication runs after every act that changes a status or opens
a list group, and on the server's tick (which also renews windows and repairs what a
crash between an act and its publication left behind); ``GET`` only reads.

Each version is valid for ``LIFETIME`` (``validUntil``), so a verifier can refuse a
stale or replayed list, and tells caches to fetch again after ``TTL``
(``credentialSubject.ttl``, Bitstring Status List §2.2). See docs/status-lists.md.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from credledger.ledger.credentials.canonical import vc_digest
from credledger.ledger.credentials.proof_keys import signed_with_key_in_force
from credledger.ledger.domain.acts import Act, acting
from credledger.ledger.domain.errors import (
    ConcurrentChangeError,
    ContradictsRecordError,
    UnknownStatusListError,
)
from credledger.ledger.domain.ledger_identity import LedgerIdentity
from credledger.ledger.domain.status_fold import GroupStatus, StatusFold
from credledger.ledger.domain.status_lists import (
    LIST_LENGTH,
    PURPOSES,
    StatusList,
    group_id,
    list_id,
)
from credledger.ledger.services.issuers import Issuers
from credledger.ledger.services.status_slots import status_list_url
from credledger.ledger.store.aggregates import Aggregates
from credledger.ledger.store.read_model import ReadModel
from credledger.revocation.bitstring import Bitstring
from credledger.revocation.status_list import build_status_list_credential
from eventsourcing.persistence import IntegrityError

log = logging.getLogger("credledger.status")

LIFETIME = timedelta(hours=24)
"""How long a published version is valid (``validUntil - signing time``)."""
RENEW_BEFORE = timedelta(hours=12)
"""A version is replaced when less than this is left of its window."""
TTL = timedelta(minutes=5)
"""How long a verifier may cache a version before fetching it again."""


@dataclass(frozen=True)
class ListRef:
    """A status list and what publishing it needs: its issuer, group and purpose."""

    list_uuid: UUID
    issuer_id: UUID
    group: UUID
    purpose: str
    number: int | None = None
    """The group's number (its lists' base URL); needed only for a first version."""


def encoded_list(document: dict[str, Any] | None) -> str | None:
    subject = (document or {}).get("credentialSubject")
    return subject.get("encodedList") if isinstance(subject, dict) else None


def valid_until(document: dict[str, Any] | None) -> datetime | None:
    value = (document or {}).get("validUntil")
    if not isinstance(value, str):
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def valid_from(document: dict[str, Any] | None) -> datetime | None:
    value = (document or {}).get("validFrom")
    if not isinstance(value, str):
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def known_status_lists(read_model: ReadModel) -> list[ListRef]:
    """Every list the read model knows of, each checked against its derived id (the
    read model names lists; it never decides a bit)."""
    refs = []
    for row in read_model.all_status_lists():
        group, issuer_id = UUID(row["group_id"]), UUID(row["issuer_id"])
        number = int(row["number"])
        ref = ListRef(UUID(row["id"]), issuer_id, group, str(row["purpose"]), number)
        if (
            ref.purpose in PURPOSES
            and list_id(group, ref.purpose) == ref.list_uuid
            and group_id(issuer_id, number) == group
        ):
            refs.append(ref)
    return refs


class StatusPublisher:
    """Signs and records new status list versions (bits from the events)."""

    def __init__(
        self,
        aggregates: Aggregates,
        issuers: Issuers,
        read_model: ReadModel,
        identity: LedgerIdentity,
        fold: StatusFold,
        clock: Callable[[], datetime],
        *,
        lifetime: timedelta = LIFETIME,
        renew_before: timedelta = RENEW_BEFORE,
        ttl: timedelta = TTL,
    ) -> None:
        self.aggregates = aggregates
        self.issuers = issuers
        self.read_model = read_model
        self.identity = identity
        self.fold = fold
        self.clock = clock
        self.lifetime = lifetime
        self.renew_before = min(renew_before, lifetime)
        self.ttl = ttl
        self._published_groups: set[UUID] = set()
        self._expiry: dict[UUID, datetime] = {}
        self._lock = threading.Lock()

    # -- what to publish -------------------------------------------------------------------
    def group_lists(self, group: UUID, issuer_id: UUID, number: int | None) -> list[ListRef]:
        return [ListRef(list_id(group, p), issuer_id, group, p, number) for p in PURPOSES]

    def after_award(self, groups: Iterable[tuple[UUID, UUID, int]]) -> None:
        """The first version of each list of a group an award just opened."""
        for group, issuer_id, number in groups:
            if group in self._published_groups:
                continue
            self.publish_all(self.group_lists(group, issuer_id, number), only_missing=True)
            self._published_groups.add(group)

    def after_change(self) -> None:
        """New versions of the lists whose bits changed (after a status change)."""
        self.fold.catch_up()
        for group, (issuer_id, number) in self.fold.take_changed().items():
            self.publish_all(self.group_lists(group, issuer_id, number))

    def publish_due(self) -> int:
        """The tick: changed lists, lists never published, and windows about to close.

        The read model only names the lists that exist (a damaged one can delay a
        renewal, which verifiers see as an expired list, never a wrong bit); what each
        version says comes from the events.
        """
        self.after_change()
        now = self.clock()
        due = []
        for ref in known_status_lists(self.read_model):
            expiry = self._expiry.get(ref.list_uuid)
            if expiry is None or expiry - now < self.renew_before:
                due.append(ref)
        return self.publish_all(due)

    def publish_all(
        self, refs: Iterable[ListRef], *, only_missing: bool = False, resign: bool = False
    ) -> int:
        published = 0
        for ref in refs:
            try:
                if self.publish(ref, only_missing=only_missing, resign=resign) is not None:
                    published += 1
            except ContradictsRecordError:
                log.warning("status list %s is being published elsewhere", ref.list_uuid)
        return published

    # -- one list --------------------------------------------------------------------------
    def publish(
        self, ref: ListRef, *, only_missing: bool = False, resign: bool = False
    ) -> StatusList | None:
        """Record a new version of the list if its bits changed or its window closes
        soon (or ``resign``: its issuer's key changed); returns it, or None when the
        newest version stands."""
        with self._lock:
            for _attempt in range(5):
                self.fold.catch_up()
                status = self.fold.group(ref.group)
                current = self.aggregates.find(StatusList, ref.list_uuid)
                now = self.clock().replace(microsecond=0)
                bits = Bitstring.from_indices(LIST_LENGTH, sorted(status.indices(ref.purpose)))
                issuer = self.issuers.issuer(ref.issuer_id)
                if current is not None and issuer.signing_key_compromised:
                    return None  # nothing can be signed for it any more (key_lifecycle.py)
                if current is not None and current.document is not None:
                    expiry = valid_until(current.document)
                    same = encoded_list(current.document) == bits.encode()
                    fresh = expiry is not None and expiry - now >= self.renew_before
                    # After a rotation the lists are signed anew by the key in force.
                    in_force = signed_with_key_in_force(current.document, issuer)
                    if only_missing or (same and fresh and in_force and not resign):
                        if expiry is not None:
                            self._expiry[ref.list_uuid] = expiry
                        return None
                document = self._signed_version(ref, bits, status, current, now)
                with acting(Act("ledger")):
                    if current is None:
                        current = StatusList(
                            list_uuid=ref.list_uuid,
                            issuer_id=ref.issuer_id,
                            group=ref.group,
                            purpose=ref.purpose,
                        )
                    current.publish(
                        list_url=str(document["id"]),
                        list_version=current.list_version + 1,
                        digest=vc_digest(document),
                        document=document,
                        position=status.changes,
                    )
                try:
                    self.aggregates.save(current)
                except IntegrityError:
                    continue  # another process published meanwhile: look again
                self._expiry[ref.list_uuid] = now + self.lifetime
                return current
        raise ConcurrentChangeError("the status list is being republished; try again")

    def _signed_version(
        self,
        ref: ListRef,
        bits: Bitstring,
        status: GroupStatus,
        current: StatusList | None,
        now: datetime,
    ) -> dict[str, Any]:
        # Valid from the moment its bits became true (an event time), not from the
        # moment of signing: a verifier whose clock is a little behind, or who asked
        # for the list in the same second, must not find it "not yet valid".
        since = status.changed_at or valid_from(current.document if current else None) or now
        since = min(since.astimezone(UTC).replace(microsecond=0), now)
        issuer = self.issuers.issuer(ref.issuer_id)
        unsigned = build_status_list_credential(
            list_url=self._list_url(ref, current),
            issuer=self.issuers.did(issuer),
            purpose=ref.purpose,
            bitstring=bits,
            valid_from=since,
            valid_until=now + self.lifetime,
            ttl=self.ttl,
        )
        return self.issuers.sign_as(issuer, unsigned, now)

    def _list_url(self, ref: ListRef, current: StatusList | None) -> str:
        """A list keeps the URL of its first version for life (credentials name it)."""
        earlier = (current.document or {}).get("id") if current is not None else None
        if isinstance(earlier, str):
            return earlier
        if ref.number is None:
            raise UnknownStatusListError(
                f"status list {ref.list_uuid} has no published version yet"
            )
        return status_list_url(self.identity, ref.list_uuid, ref.number)


def require_published(found: StatusList | None, list_uuid: UUID) -> StatusList:
    if found is None or found.document is None:
        raise UnknownStatusListError(f"no published status list {list_uuid}")
    return found
