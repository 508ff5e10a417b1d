"""Status list bits come from the ledger's events, never from the read model; lists are
published as an explicit step (after acts, on the tick), carry a validity window, and
an audit recomputes every published version and compares the read model with a rebuild."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from credledger.ledger.application import CredentialLedger, vc_digest
from credledger.ledger.audit import leaf_batches
from credledger.ledger.audit.local import audit_store
from credledger.ledger.domain.acts import ADMIN, Act, acting
from credledger.ledger.domain.status_lists import StatusList, list_id
from credledger.revocation.bitstring import Bitstring

from ...http_helpers import microcredential_definition


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def school(ledger: Any, **definition: Any) -> tuple[str, UUID]:
    actor = str(ledger.register_issuer(Act(ADMIN), "Hogeschool").issuer.id)
    achievement = ledger.define_achievement(Act(actor), microcredential_definition(**definition))
    return actor, achievement.id


def award(ledger: Any, actor: str, achievement: UUID, email: str) -> Any:
    return ledger.issue_credential(Act(actor), achievement, {"email": email})


def revocation_list(ledger: Any, vc: dict[str, Any]) -> tuple[UUID, dict[str, Any], int]:
    entry = vc["credentialStatus"]
    list_uuid = UUID(entry["statusListCredential"].rsplit("/", 1)[1])
    return list_uuid, ledger.current_status_list(list_uuid).document, int(entry["statusListIndex"])


def bit(document: dict[str, Any], index: int) -> bool:
    return Bitstring.decode(document["credentialSubject"]["encodedList"]).get(index)


def set_active_in_read_model(settings: Any, credential_id: UUID) -> None:
    """What an attacker with the data directory (and the server stopped) does."""
    conn = sqlite3.connect(settings.data_dir / "read.sqlite")
    with conn:
        changed = conn.execute(
            "UPDATE credentials SET status = 'active' WHERE id = ?", [str(credential_id)]
        ).rowcount
    conn.close()
    assert changed == 1


def test_a_read_model_set_back_to_active_cannot_clear_a_revoked_bit(settings: Any) -> None:
    ledger = CredentialLedger(settings)
    actor, achievement = school(ledger)
    first = award(ledger, actor, achievement, "first@example.nl")
    second = award(ledger, actor, achievement, "second@example.nl")
    ledger.change_status(Act(actor), first.credential.id, "revoke", "fraud")
    ledger.close()

    set_active_in_read_model(settings, first.credential.id)
    ledger = CredentialLedger(settings)
    try:
        ledger.change_status(Act(actor), second.credential.id, "revoke", "fraud")
        _, document, first_index = revocation_list(ledger, first.vc)
        _, _, second_index = revocation_list(ledger, second.vc)
        assert bit(document, second_index)
        assert bit(document, first_index), "the read model cleared a revoked credential"
        report = ledger.verifier.verify(first.vc)
        assert report.status.get("revocation") == "revoked"
    finally:
        ledger.close()


def test_audit_finds_a_damaged_read_model_and_a_rebuild_repairs_it(settings: Any) -> None:
    ledger = CredentialLedger(settings)
    actor, achievement = school(ledger)
    first = award(ledger, actor, achievement, "first@example.nl")
    ledger.change_status(Act(actor), first.credential.id, "revoke", "fraud")
    ledger.tlog.make_checkpoint()
    ledger.close()
    assert audit_store(settings).intact

    set_active_in_read_model(settings, first.credential.id)
    damaged = audit_store(settings)
    assert not damaged.intact
    assert damaged.discrepancy is not None
    assert damaged.discrepancy.kind == "read-model"
    assert "credledger read-model rebuild" in damaged.discrepancy.message

    ledger = CredentialLedger(settings)
    ledger.rebuild_read_model()
    ledger.close()
    assert audit_store(settings).intact


def test_audit_recomputes_every_list_version_and_names_the_first_that_differs(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = CredentialLedger(settings)
    actor, achievement = school(ledger)
    first = award(ledger, actor, achievement, "first@example.nl")
    ledger.change_status(Act(actor), first.credential.id, "revoke", "fraud")
    list_uuid, document, index = revocation_list(ledger, first.vc)
    # A version signed from a wrong source (as the read model once decided): the
    # revoked bit cleared, claiming to reflect the revocation.
    forged = Bitstring.decode(document["credentialSubject"]["encodedList"])
    forged.set(index, False)
    current = ledger.status_lists.find(list_uuid)
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    unsigned["credentialSubject"] = {**unsigned["credentialSubject"]}
    unsigned["credentialSubject"]["encodedList"] = forged.encode()
    issuer = ledger.issuer(UUID(actor))
    signed = ledger.signer.sign(unsigned, issuer.active_key_id, ledger.clock())
    with acting(Act("ledger")):
        current.publish(
            list_url=document["id"],
            list_version=current.list_version + 1,
            digest=vc_digest(signed),
            document=signed,
            position=current.position,
        )
    ledger.save(current)
    ledger.tlog.make_checkpoint()
    ledger.close()

    report = audit_store(settings)
    assert report.discrepancy is not None
    assert report.discrepancy.kind == "status-list"
    assert f"version {current.list_version}" in report.discrepancy.message
    assert f"index {index} clear" in report.discrepancy.message
    monkeypatch.setattr(leaf_batches, "PARALLEL_FROM", 0)  # checked in a process of its own
    apart = audit_store(settings, jobs=2).discrepancy
    assert apart is not None
    assert apart.as_dict() == report.discrepancy.as_dict()


def test_an_intact_ledger_audits_every_list_version(settings: Any) -> None:
    ledger = CredentialLedger(settings)
    actor, achievement = school(ledger, suspendable=True)
    issued = [award(ledger, actor, achievement, f"l{i}@example.nl") for i in range(3)]
    for change, i in (("suspend", 0), ("revoke", 1), ("reinstate", 0), ("suspend", 2)):
        ledger.change_status(Act(actor), issued[i].credential.id, change, "test")
    ledger.tlog.make_checkpoint()
    ledger.close()
    report = audit_store(settings)
    assert report.intact, report.discrepancy and report.discrepancy.message
    assert report.status_list_versions >= 6  # two first versions, then one per change


def test_reading_a_status_list_or_a_proof_bundle_records_nothing(ledger: Any) -> None:
    actor, achievement = school(ledger)
    first = award(ledger, actor, achievement, "first@example.nl")
    ledger.change_status(Act(actor), first.credential.id, "revoke", "fraud")
    before = ledger.recorder.max_notification_id()
    _, document, index = revocation_list(ledger, first.vc)
    assert bit(document, index)  # published by the act, not by this read
    ledger.proof_bundle(first.credential.id)
    ledger.status_lists.fetch(first.vc["credentialStatus"]["statusListCredential"])
    assert ledger.recorder.max_notification_id() == before


def test_published_lists_carry_a_validity_window_and_a_ttl(settings: Any) -> None:
    clock = Clock()
    ledger = CredentialLedger(settings, clock=clock)
    try:
        actor, achievement = school(ledger)
        issued = award(ledger, actor, achievement, "first@example.nl")
        _, document, _ = revocation_list(ledger, issued.vc)
        assert document["validFrom"] == "2026-03-01T09:00:00Z"
        assert document["validUntil"] == "2026-03-02T09:00:00Z"
        assert document["credentialSubject"]["ttl"] == 5 * 60 * 1000
    finally:
        ledger.close()


def test_the_tick_renews_a_window_before_it_closes_and_only_then(settings: Any) -> None:
    clock = Clock()
    ledger = CredentialLedger(settings, clock=clock)
    try:
        actor, achievement = school(ledger)
        issued = award(ledger, actor, achievement, "first@example.nl")
        list_uuid, first, _ = revocation_list(ledger, issued.vc)
        clock.now += timedelta(hours=11)
        ledger.publish_status_lists()
        assert ledger.current_status_list(list_uuid).document == first
        clock.now += timedelta(hours=2)  # less than 12 hours of the window left
        ledger.publish_status_lists()
        renewed = ledger.current_status_list(list_uuid)
        assert renewed.list_version == 2
        assert renewed.document["validUntil"] == "2026-03-02T22:00:00Z"
        assert (
            renewed.document["credentialSubject"]["encodedList"]
            == (first["credentialSubject"]["encodedList"])
        )
    finally:
        ledger.close()


def test_the_tick_publishes_what_a_crash_after_an_act_left_unpublished(ledger: Any) -> None:
    actor, achievement = school(ledger)
    issued = award(ledger, actor, achievement, "first@example.nl")
    publish = ledger.status_publisher.after_change
    ledger.status_publisher.after_change = lambda: None  # the process died right here
    ledger.change_status(Act(actor), issued.credential.id, "revoke", "fraud")
    ledger.status_publisher.after_change = publish
    _, stale, index = revocation_list(ledger, issued.vc)
    assert not bit(stale, index)
    ledger.publish_status_lists()
    _, fresh, _ = revocation_list(ledger, issued.vc)
    assert bit(fresh, index)


def test_a_withdrawn_endorsement_is_revoked_in_its_status_list(ledger: Any) -> None:
    _, achievement = school(ledger)
    endorser = str(ledger.register_issuer(Act(ADMIN), "Universiteit").issuer.id)
    endorsement, document = ledger.endorse(Act(endorser), str(achievement), "Well designed")
    entry = document["credentialStatus"]
    assert entry["statusPurpose"] == "revocation"
    assert ledger.verifier.verify(document).verified
    ledger.endorsements.withdraw(Act(endorser), endorsement.id, "course changed")
    report = ledger.verifier.verify(document)
    assert not report.verified
    assert report.status["revocation"] == "revoked"


def test_each_list_of_a_new_group_is_published_once_by_the_award_that_opened_it(
    ledger: Any,
) -> None:
    actor, achievement = school(ledger)
    first = award(ledger, actor, achievement, "first@example.nl")
    award(ledger, actor, achievement, "second@example.nl")
    group = first.credential.status_slot["group"]
    for purpose in ("revocation", "suspension"):
        published = ledger.status_lists.find(list_id(group, purpose))
        assert isinstance(published, StatusList)
        assert published.list_version == 1


def test_an_unknown_list_cannot_be_published_by_anyone(ledger: Any) -> None:
    from credledger.ledger.domain.errors import NotKnownError

    with pytest.raises(NotKnownError):
        ledger.status_lists.publish(UUID("6c0f7a4e-5a7e-4e08-9a39-8e3f9e0f0000"))
