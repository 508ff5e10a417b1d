"""Share links, as a service: made by the issuer for its learner, ended all at once."""

from __future__ import annotations

from typing import Any

import pytest
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.errors import (
    IdempotencyKeyReusedError,
    UnknownCredentialError,
    UnknownShareLinkError,
)
from credledger.ledger.domain.share_link import TOKEN_PATTERN
from credledger.ledger.log.leaves import decode_leaf
from credledger.ledger.store.vault import SubjectErasedError

from .helpers import award, school_with_definition


def _shared(ledger: Any) -> tuple[str, Any]:
    actor, achievement_id = school_with_definition(ledger)
    return actor, award(ledger, actor, achievement_id).credential


def test_a_link_opens_its_credential(ledger: Any) -> None:
    actor, credential = _shared(ledger)
    token = ledger.sharing.share(Act(actor), credential.id)
    assert ledger.sharing.shared(token).id == credential.id


def test_a_token_is_256_random_bits_in_base64url(ledger: Any) -> None:
    actor, credential = _shared(ledger)
    tokens = {ledger.sharing.share(Act(actor), credential.id) for _ in range(5)}
    assert len(tokens) == 5
    assert all(TOKEN_PATTERN.fullmatch(t) for t in tokens)


def test_the_token_is_recorded_nowhere(ledger: Any) -> None:
    actor, credential = _shared(ledger)
    token = ledger.sharing.share(Act(actor), credential.id)
    for notification in ledger.stored_events(1, 10_000):
        assert token.encode() not in notification.state
    for _, leaf in ledger.tlog.leaves(0, ledger.tlog.size() - 1):
        assert token.encode() not in leaf


def test_a_retried_request_gets_the_same_link(ledger: Any) -> None:
    actor, credential = _shared(ledger)
    act = Act.of(actor, "share-1", b"share")
    first = ledger.sharing.share(act, credential.id)
    size = ledger.tlog.size()
    assert ledger.sharing.share(act, credential.id) == first
    assert ledger.tlog.size() == size


def test_an_idempotency_key_reused_for_another_request_is_refused(ledger: Any) -> None:
    actor, credential = _shared(ledger)
    ledger.sharing.share(Act.of(actor, "share-1", b"share"), credential.id)
    with pytest.raises(IdempotencyKeyReusedError):
        ledger.sharing.share(Act.of(actor, "share-1", b"other"), credential.id)


def test_only_the_issuer_makes_links(ledger: Any) -> None:
    _, credential = _shared(ledger)
    other, _ = school_with_definition(ledger, name="Other school")
    with pytest.raises(UnknownCredentialError):
        ledger.sharing.share(Act(other), credential.id)


def test_ending_the_sharing_ends_every_link_made_before(ledger: Any) -> None:
    actor, credential = _shared(ledger)
    tokens = [ledger.sharing.share(Act(actor), credential.id) for _ in range(2)]
    ledger.sharing.unshare(Act(actor), credential.id)
    for token in tokens:
        with pytest.raises(UnknownShareLinkError):
            ledger.sharing.shared(token)


def test_a_link_made_after_the_end_lives(ledger: Any) -> None:
    actor, credential = _shared(ledger)
    ledger.sharing.unshare(Act(actor), credential.id)
    token = ledger.sharing.share(Act(actor), credential.id)
    assert ledger.sharing.shared(token).id == credential.id


def test_links_of_one_credential_do_not_end_with_anothers(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    first = award(ledger, actor, achievement_id).credential
    second = award(ledger, actor, achievement_id, recipient={"email": "b@example.test"})
    token = ledger.sharing.share(Act(actor), first.id)
    ledger.sharing.unshare(Act(actor), second.credential.id)
    assert ledger.sharing.shared(token).id == first.id


@pytest.mark.parametrize(
    "token", ["", "short", "A" * 43, "A" * 42 + "=", "../../etc/passwd", "A" * 4000]
)
def test_anything_else_opens_nothing(ledger: Any, token: str) -> None:
    with pytest.raises(UnknownShareLinkError):
        ledger.sharing.shared(token)


def test_sharing_and_ending_are_acts_in_the_log(ledger: Any) -> None:
    actor, credential = _shared(ledger)
    size = ledger.tlog.size()
    ledger.sharing.share(Act(actor), credential.id)
    ledger.sharing.unshare(Act(actor), credential.id)
    events = [
        decode_leaf(leaf)["event"] for _, leaf in ledger.tlog.leaves(size, ledger.tlog.size() - 1)
    ]
    assert events == ["ShareLinkMade", "CredentialSharingEnded"]


def test_no_link_is_made_once_the_learner_was_erased(ledger: Any) -> None:
    actor, credential = _shared(ledger)
    ledger.erasures.erase_learner(Act(actor), {"email": "learner@example.test"})
    with pytest.raises(SubjectErasedError):
        ledger.sharing.share(Act(actor), credential.id)
