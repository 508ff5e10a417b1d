"""Changing a credential's status, called as a service: the event, then the list bit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.errors import NotKnownError
from credledger.ledger.domain.status_lists import list_id
from credledger.revocation.bitstring import Bitstring

from .helpers import award, school_with_definition


def list_bit(ledger: Any, credential: Any, purpose: str) -> bool:
    slot = credential.status_slot
    document = ledger.status_lists.current(list_id(slot["group"], purpose)).document
    bits = Bitstring.decode(document["credentialSubject"]["encodedList"])
    return bits.get(slot["index"])


def test_revoking_returns_the_new_status(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    issued = award(ledger, actor, achievement_id)
    assert ledger.statuses.change(Act(actor), issued.credential.id, "revoke", "fraud") == "revoked"


def test_revoking_publishes_a_list_version_with_the_bit_set(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    issued = award(ledger, actor, achievement_id)
    assert not list_bit(ledger, issued.credential, "revocation")
    ledger.statuses.change(Act(actor), issued.credential.id, "revoke", "fraud")
    assert list_bit(ledger, issued.credential, "revocation")


def test_a_status_change_is_in_the_log_once_the_act_returns(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger, suspendable=True)
    issued = award(ledger, actor, achievement_id)
    ledger.statuses.change(Act(actor), issued.credential.id, "suspend", "under review")
    credential = ledger.records.credential(issued.credential.id)
    assert ledger.proofs.log_index_of(credential.id, credential.version) is not None


def test_the_history_lists_every_change_oldest_first(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger, suspendable=True)
    issued = award(ledger, actor, achievement_id)
    ledger.statuses.change(Act(actor), issued.credential.id, "suspend", "under review")
    ledger.statuses.change(Act(actor), issued.credential.id, "reinstate", "cleared")
    history = ledger.statuses.history(UUID(actor), issued.credential.id)
    assert [c.event for c in history] == [
        "CredentialIssued",
        "CredentialSuspended",
        "CredentialReinstated",
    ]
    assert history[1].reason == "under review"


def test_the_status_at_a_moment_is_the_one_in_force_then(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    issued = award(ledger, actor, achievement_id)
    ledger.statuses.change(Act(actor), issued.credential.id, "revoke", "fraud")
    revoked_at = ledger.statuses.history(UUID(actor), issued.credential.id)[-1].time
    before = revoked_at - timedelta(microseconds=1)
    assert ledger.statuses.status_at(UUID(actor), issued.credential.id, before) == "active"
    assert ledger.statuses.status_at(UUID(actor), issued.credential.id, revoked_at) == "revoked"


def test_another_issuer_cannot_change_a_credential_it_did_not_issue(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger, "First")
    other, _ = school_with_definition(ledger, "Second")
    issued = award(ledger, actor, achievement_id)
    with pytest.raises(NotKnownError):
        ledger.statuses.change(Act(other), issued.credential.id, "revoke", "not mine")
