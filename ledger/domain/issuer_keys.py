"""When each of an issuer's keys was in force, read from the issuer's recorded events.

A key is in force from the event that made it active (registration or rotation) until
the rotation that replaced it; a key reported compromised is trusted for nothing, from
any time. The times are the events' own timestamps, the same the log's leaves show, so
anyone holding the log can check a period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credledger.ledger.domain.events import KeyEffect, kind_of


@dataclass
class KeyPeriod:
    """One signing key of an issuer and the span in which it signed for it."""

    key_id: str
    since: datetime
    until: datetime | None = None
    compromised_at: datetime | None = None

    @property
    def state(self) -> str:
        if self.compromised_at is not None:
            return "compromised"
        return "active" if self.until is None else "retired"

    def in_force_at(self, moment: datetime) -> bool:
        """Whether something signed at ``moment`` by this key is the issuer's doing."""
        if self.compromised_at is not None:
            return False
        return self.since <= moment and (self.until is None or moment < self.until)


def key_periods(events: Iterable[Any]) -> dict[str, KeyPeriod]:
    """Key periods from an issuer's events (oldest first), in the order keys were added."""
    periods: dict[str, KeyPeriod] = {}
    active: str | None = None
    for event in events:
        effect, moment = kind_of(event).keys, event.timestamp
        if effect is KeyEffect.ACTIVATED:
            if active is not None and periods[active].until is None:
                periods[active].until = moment
            active = event.key_id
            periods[event.key_id] = KeyPeriod(event.key_id, since=moment)
        elif effect is KeyEffect.RETIRED:
            period = periods[event.key_id]
            if period.until is None:
                period.until = moment
        elif effect is KeyEffect.COMPROMISED:
            periods[event.key_id].compromised_at = moment
    return periods
