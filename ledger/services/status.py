"""A credential's status: suspended, reinstated or revoked by its issuer, and its history.

A change is recorded on the credential (``Credential.Suspended`` ...); the follower puts
its leaf in the log; then the lists whose bits changed are published anew.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from credledger.ledger.credentials.request_checks import check_reason
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.errors import (
    UnknownCredentialError,
)
from credledger.ledger.domain.events import kind_of
from credledger.ledger.services.credential_records import CredentialRecords
from credledger.ledger.services.status_lists import StatusLists
from credledger.ledger.store.aggregates import Aggregates


@dataclass(frozen=True)
class StatusChange:
    status: str
    event: str
    time: datetime
    actor: str
    reason: str | None
    version: int = 0
    """The credential's version this change made (what ``ReasonPublished`` names)."""


class Statuses:
    """Changing a credential's status, and answering what it was when."""

    def __init__(
        self,
        aggregates: Aggregates,
        records: CredentialRecords,
        status_lists: StatusLists,
        clock: Callable[[], datetime],
    ) -> None:
        self.aggregates = aggregates
        self.records = records
        self.status_lists = status_lists
        self.clock = clock

    def change(
        self,
        act: Act,
        credential_id: UUID,
        change: str,
        reason: str,
        *,
        publish_reason: bool = False,
    ) -> str:
        """Suspend, reinstate or revoke (``change``); returns the new status.

        ``publish_reason``: the issuer shows the reason to whoever checks the credential
        (recorded as ``Credential.ReasonPublished``); otherwise only the issuer sees it.
        """
        check_reason(reason)
        credential = self.records.owned(UUID(act.actor), credential_id)
        with self.aggregates.acting(act) as act:
            if credential.already_done():
                return credential.status_at(self.clock())
            if change == "revoke":
                credential.revoke(reason, act.actor, publish_reason=publish_reason)
            elif change == "suspend":
                credential.suspend(reason, act.actor, publish_reason=publish_reason)
            elif change == "reinstate":
                credential.reinstate(reason, act.actor, publish_reason=publish_reason)
            else:
                raise ValueError(change)
            self.aggregates.save(credential)
        self.status_lists.after_change()
        return credential.status_at(self.clock())

    def history(self, issuer_id: UUID, credential_id: UUID) -> list[StatusChange]:
        """Every change of the credential's status, oldest first, from its events."""
        self.records.owned(issuer_id, credential_id)
        return self._changes(credential_id)

    def public_history(self, credential_id: UUID) -> list[StatusChange]:
        """The history a holder of the credential may see: each change with its time,
        its reason only where the issuer published it, and no actor."""
        public = self.records.credential(credential_id).public_reasons
        return [
            StatusChange(
                status=c.status,
                event=c.event,
                time=c.time,
                actor="",
                reason=c.reason if c.version in public else None,
            )
            for c in self._changes(credential_id)
        ]

    def _changes(self, credential_id: UUID) -> list[StatusChange]:
        changes = []
        stored: Any
        for stored in self.aggregates.events_of(credential_id):
            kind = kind_of(stored)  # the registry says which events change the status
            if kind.status is None:
                continue
            changes.append(
                StatusChange(
                    status=kind.status.status,
                    event=kind.public_name,
                    time=stored.timestamp,
                    actor=getattr(stored, "actor", ""),
                    reason=getattr(stored, "reason", None),
                    version=stored.originator_version,
                )
            )
        return changes

    def status_at(self, issuer_id: UUID, credential_id: UUID, moment: datetime) -> str:
        """What the credential's status was at ``moment``, answered from its events."""
        credential = self.records.owned(issuer_id, credential_id)
        changes = [c for c in self.history(issuer_id, credential_id) if c.time <= moment]
        if not changes:
            raise UnknownCredentialError(
                f"credential {credential_id} was not issued yet at {moment}"
            )
        status = changes[-1].status
        if status == "active" and credential.valid_until and moment >= credential.valid_until:
            return "expired"
        return status
