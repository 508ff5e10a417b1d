"""Stored events name their class by a fixed topic, not by where the code lives.

eventsourcing writes a topic (``module:Class.Event``) beside every stored event and, in
each aggregate's first event, the aggregate's own topic. A ledger written before code
moved must still load, and new events must be stored exactly as before: every topic
is spelled out on its class (``TOPIC``), and this table pins them.
"""

from __future__ import annotations

from typing import Any

import pytest
from credledger.ledger.domain.achievement import Achievement
from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.endorsement import Endorsement
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.domain.ledger_identity import Ledger
from credledger.ledger.domain.recognition import Recognition
from credledger.ledger.domain.share_link import ShareLink
from credledger.ledger.domain.status_lists import StatusList, StatusSlot
from credledger.ledger.services.erasure import Erasure
from eventsourcing.utils import get_topic, resolve_topic

STORED = {
    "credledger.ledger.issuer:Issuer": (
        "Registered ProfileUpdated SigningKeyRotated SigningKeyCompromised "
        "CredentialsReissued SigningKeyRetired TokenIssued TokenRevoked"
    ),
    "credledger.ledger.achievement:Achievement": "Defined Revised Archived",
    "credledger.ledger.credential:Credential": (
        "Issued Suspended Reinstated Revoked Reissued ReasonPublished SharingEnded"
    ),
    "credledger.ledger.share_link:ShareLink": "Made",
    "credledger.ledger.endorsement:Endorsement": "Endorsed Withdrawn",
    "credledger.ledger.recognition:Recognition": "Recorded Withdrawn",
    "credledger.ledger.status_lists:StatusSlot": "Claimed",
    "credledger.ledger.status_lists:StatusList": "Opened Published",
    "credledger.ledger.ledger_identity:Ledger": "Created IdentityAdopted PublicBaseUrlMoved",
    "credledger.ledger.erasure:Erasure": "Recorded",
}
AGGREGATES: list[Any] = [
    Issuer, Achievement, Credential, Endorsement, Recognition, StatusSlot, StatusList,
    Ledger, Erasure, ShareLink,
]  # fmt: skip


@pytest.mark.parametrize("aggregate", AGGREGATES, ids=lambda a: a.__name__)
def test_every_aggregate_and_its_events_keep_the_topics_they_were_stored_under(
    aggregate: Any,
) -> None:
    topic = get_topic(aggregate)
    assert topic in STORED, f"{aggregate.__name__} is stored under a new topic {topic}"
    assert resolve_topic(topic) is aggregate
    for name in STORED[topic].split():
        event_class = getattr(aggregate, name)
        assert get_topic(event_class) == f"{topic}.{name}"
        assert resolve_topic(f"{topic}.{name}") is event_class


def test_the_table_names_every_aggregate() -> None:
    assert sorted(STORED) == sorted(get_topic(a) for a in AGGREGATES)
