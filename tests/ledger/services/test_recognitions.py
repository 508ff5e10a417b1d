"""Recognising a credential a learner showed, called as a service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.errors import (
    NotKnownError,
    RequestInvalidError,
    UnverifiableCredentialError,
)

from .helpers import award, school_with_definition


def shown_credential(ledger: Any) -> tuple[str, dict[str, Any], Any]:
    """An institution (actor), a credential another school awarded, and that award."""
    school, achievement_id = school_with_definition(ledger, "Awarding school")
    issued = award(ledger, school, achievement_id)
    institution, _ = school_with_definition(ledger, "Recognising institution")
    return institution, issued.vc, issued


def test_a_valid_credential_is_recognised_with_its_credits(ledger: Any) -> None:
    institution, vc, _ = shown_credential(ledger)
    recognition = ledger.recognitions.recognise(Act(institution), vc, "recognised", ects=4)
    assert recognition.decision == "recognised"
    assert recognition.ects == Decimal(4)
    assert recognition.verification["verified"] is True


def test_a_recognition_rests_on_the_credential_it_names(ledger: Any) -> None:
    institution, vc, issued = shown_credential(ledger)
    recognition = ledger.recognitions.recognise(Act(institution), vc, "recognised")
    resting = ledger.recognitions.resting_on(issued.credential.id)
    assert [row["id"] for row in resting] == [str(recognition.id)]


def test_an_unknown_decision_is_refused_before_anything_is_recorded(ledger: Any) -> None:
    institution, vc, _ = shown_credential(ledger)
    events = ledger.recorder.max_notification_id()
    with pytest.raises(RequestInvalidError):
        ledger.recognitions.recognise(Act(institution), vc, "maybe")
    assert ledger.recorder.max_notification_id() == events


def test_a_revoked_credential_is_not_recognised(ledger: Any) -> None:
    institution, vc, issued = shown_credential(ledger)
    school = str(issued.credential.issuer_id)
    ledger.statuses.change(Act(school), issued.credential.id, "revoke", "fraud")
    with pytest.raises(UnverifiableCredentialError):
        ledger.recognitions.recognise(Act(institution), vc, "recognised")


def test_a_tampered_credential_is_not_recognised(ledger: Any) -> None:
    institution, vc, _ = shown_credential(ledger)
    tampered = {**vc, "name": "Something else"}
    with pytest.raises(UnverifiableCredentialError):
        ledger.recognitions.recognise(Act(institution), tampered, "recognised")


def test_only_the_recognising_institution_withdraws_its_recognition(ledger: Any) -> None:
    institution, vc, issued = shown_credential(ledger)
    recognition = ledger.recognitions.recognise(Act(institution), vc, "recognised")
    school = str(issued.credential.issuer_id)
    with pytest.raises(NotKnownError):
        ledger.recognitions.withdraw(Act(school), recognition.id, "not ours")
    withdrawn = ledger.recognitions.withdraw(Act(institution), recognition.id, "entered in error")
    assert withdrawn.id == recognition.id
