"""The award pipeline, called as a service: check, slot, sign, seal, record, publish."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from credledger.ledger.domain.achievement import Achievement
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.domain.errors import (
    NotKnownError,
    RequestInvalidError,
    UnknownAchievementError,
)
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.domain.status_lists import StatusSlot, list_id
from credledger.ledger.services.issuance import AwardRequest, IssuedCredential
from credledger.ledger.store.aggregates import Aggregates

from .helpers import award, school_with_definition


def test_an_award_records_its_credential_with_the_signed_vcs_digest(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    issued = award(ledger, actor, achievement_id)
    recorded = ledger.records.credential(issued.credential.id)
    assert recorded.achievement_id == achievement_id
    assert ledger.records.document(recorded) == issued.vc
    assert issued.vc["proof"], "the credential is signed"


def test_an_award_claims_the_status_index_its_credential_names(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    issued = award(ledger, actor, achievement_id)
    slot = issued.credential.status_slot
    claim = ledger.repository.get(StatusSlot.create_id(slot["group"], slot["index"]))
    assert claim.credential_id == issued.credential.id
    entries = issued.vc["credentialStatus"]
    entries = entries if isinstance(entries, list) else [entries]
    assert {int(e["statusListIndex"]) for e in entries} == {slot["index"]}


def test_an_award_is_in_the_log_once_the_act_returns(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    issued = award(ledger, actor, achievement_id)
    assert ledger.proofs.log_index_of(issued.credential.id, issued.credential.version) is not None


def test_the_first_award_of_a_group_publishes_the_groups_lists(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    issued = award(ledger, actor, achievement_id)
    group = issued.credential.status_slot["group"]
    for purpose in issued.credential.status_purposes:
        assert ledger.status_lists.current(list_id(group, purpose)).document is not None


def test_a_retried_award_returns_its_earlier_credential_and_records_nothing(
    ledger: Any,
) -> None:
    actor, achievement_id = school_with_definition(ledger)
    act = Act.of(actor, "award-1", b"same request")
    first = award(ledger, actor, achievement_id, act=act)
    events = ledger.recorder.max_notification_id()
    again = award(ledger, actor, achievement_id, act=act)
    assert again.replayed
    assert again.credential.id == first.credential.id
    assert ledger.recorder.max_notification_id() == events


def test_another_issuers_achievement_is_not_found(ledger: Any) -> None:
    _, achievement_id = school_with_definition(ledger, "First")
    other, _ = school_with_definition(ledger, "Second")
    with pytest.raises(NotKnownError):
        award(ledger, other, achievement_id)


def test_a_batch_returns_refused_awards_as_their_errors_in_order(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    requests = [
        AwardRequest(Act(actor), achievement_id, {"email": "one@example.test"}),
        AwardRequest(Act(actor), achievement_id, {"phone": "0612345678"}),
        AwardRequest(Act(actor), UUID(int=0), {"email": "three@example.test"}),
        AwardRequest(Act(actor), achievement_id, {"email": "four@example.test"}),
    ]
    outcomes = ledger.issuance.issue_many(requests)
    kinds = (IssuedCredential, RequestInvalidError, UnknownAchievementError, IssuedCredential)
    assert len(outcomes) == len(kinds)
    assert all(isinstance(o, kind) for o, kind in zip(outcomes, kinds, strict=True))


def test_a_batch_reads_its_issuer_and_achievement_as_often_however_many_awards_it_holds(
    ledger: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor, achievement_id = school_with_definition(ledger)
    award(ledger, actor, achievement_id)  # the status list exists: each batch only updates it
    reads: list[UUID] = []
    real_get = Aggregates.get

    def counting_get(self: Aggregates, cls: type[Any], aggregate_id: UUID) -> Any:
        found = real_get(self, cls, aggregate_id)
        if isinstance(found, Issuer | Achievement):
            reads.append(aggregate_id)
        return found

    monkeypatch.setattr(Aggregates, "get", counting_get)
    counts = []
    for size in (1, 6):
        reads.clear()
        requests = [
            AwardRequest(Act(actor), achievement_id, {"email": f"{size}-{i}@example.test"})
            for i in range(size)
        ]
        assert all(isinstance(o, IssuedCredential) for o in ledger.issuance.issue_many(requests))
        counts.append(len(reads))
    assert counts[0] == counts[1]


def test_a_batch_refuses_an_achievement_of_another_kind_of_aggregate(ledger: Any) -> None:
    actor, _ = school_with_definition(ledger)
    requests = [
        AwardRequest(Act(actor), UUID(actor), {"email": "one@example.test"}),  # the issuer's id
        AwardRequest(Act(actor), UUID(actor), {"email": "two@example.test"}),
    ]
    outcomes = ledger.issuance.issue_many(requests)
    assert all(isinstance(o, UnknownAchievementError) for o in outcomes)


def test_a_batch_gives_each_award_its_own_status_index(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    requests = [
        AwardRequest(Act(actor), achievement_id, {"email": f"learner{i}@example.test"})
        for i in range(20)
    ]
    outcomes = ledger.issuance.issue_many(requests)
    slots = {
        (o.credential.status_slot["group"], o.credential.status_slot["index"]) for o in outcomes
    }
    assert len(slots) == 20


def test_a_given_issuer_that_is_not_the_acting_one_is_read_again(ledger: Any) -> None:
    first = ledger.register_issuer(Act(ADMIN), "First School", did_method="key")
    other = ledger.register_issuer(Act(ADMIN), "Other School", did_method="key")
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": first.did,
        "credentialSubject": {"id": "did:example:learner"},
    }
    vc, _ = ledger.given.issue_offering(
        Act(str(first.issuer.id)), first.issuer.id, credential, issuer=other.issuer
    )
    assert vc["issuer"] == first.did
    assert vc["proof"]["verificationMethod"].startswith(first.did)
