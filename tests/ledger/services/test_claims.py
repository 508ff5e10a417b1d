"""Claims, called as a service: an award offered to a wallet, opened by its secret,
delivered once to the holder's DID, withdrawn by its issuer, expired by time."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from credledger.ledger.audit.local import audit_store
from credledger.ledger.credentials.canonical import vc_digest
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.claim import Claim
from credledger.ledger.domain.errors import (
    ClaimExpiredError,
    ClaimUsedError,
    ClaimWithdrawnError,
    IdempotencyKeyReusedError,
    NotDeliverableError,
    RequestInvalidError,
    TxCodeMismatchError,
    TxCodeRequiredError,
    UnknownClaimError,
    UnknownCredentialError,
    UnsupportedHolderError,
)
from credledger.ledger.domain.holders import did_jwk
from credledger.ledger.log.leaves import decode_leaf
from credledger.ledger.services.claims import ClaimOffer, ClaimRequest
from credledger.ledger.services.issuance import AwardRequest

from ...wallets import Wallet
from .helpers import award, school_with_definition

DAY = 86_400


def secret_of(offer: ClaimOffer) -> str:
    return offer.urls.url.rsplit("/", 1)[1]


def offered(ledger: Any, **request: Any) -> tuple[str, Any, ClaimOffer]:
    """A school, one award, and a claim offered for it."""
    actor, achievement_id = school_with_definition(ledger)
    issued = award(ledger, actor, achievement_id)
    offer = ledger.claims.offer(Act(actor), issued.credential.id, ClaimRequest(**request))
    return actor, issued, offer


def stored_bytes(ledger: Any) -> bytes:
    return b"".join(bytes(n.state) for n in ledger.recorder.select_notifications(1, 100_000))


def test_an_offer_gives_a_claim_url_and_the_openid_offer_that_points_at_it(ledger: Any) -> None:
    _, _, offer = offered(ledger)
    assert offer.urls.url.startswith("https://ledger.example.test/claims/")
    assert len(secret_of(offer)) == 22, "a 128-bit secret, base64url"
    scheme, rest = offer.urls.offer.split("://?", 1)
    assert scheme == "openid-credential-offer"
    assert unquote(parse_qs(rest)["credential_offer_uri"][0]) == offer.urls.url + "/offer"
    assert offer.tx_code is None


def test_the_claim_is_recorded_without_its_secret_or_code(ledger: Any) -> None:
    _, issued, offer = offered(ledger, tx_code=True)
    assert offer.tx_code is not None
    assert offer.tx_code.isdigit()
    assert len(offer.tx_code) == 8
    claim = ledger.claims.open(secret_of(offer))
    assert claim.credential_id == issued.credential.id
    stored = stored_bytes(ledger)
    assert secret_of(offer).encode() not in stored
    assert offer.tx_code.encode() not in stored
    assert claim.tx_code["hash"]
    assert claim.tx_code["kdf"] == "scrypt"


def test_a_claim_lives_fourteen_days_unless_asked_otherwise(ledger: Any) -> None:
    _, issued, offer = offered(ledger)
    claim = ledger.claims.open(secret_of(offer))
    lifetime = claim.expires_at - ledger.records.credential(issued.credential.id).awarded_at
    assert abs(lifetime - timedelta(days=14)) < timedelta(minutes=1)
    actor = str(issued.credential.issuer_id)
    short = ledger.claims.offer(Act(actor), issued.credential.id, ClaimRequest(expires_in=3600))
    assert short.expires_at - claim.expires_at < timedelta(days=-13)


@pytest.mark.parametrize("expires_in", [0, 59, 366 * DAY + 1, -5, True])
def test_a_lifetime_out_of_bounds_is_refused(ledger: Any, expires_in: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    issued = award(ledger, actor, achievement_id)
    with pytest.raises(RequestInvalidError, match="expires_in"):
        ledger.claims.offer(Act(actor), issued.credential.id, ClaimRequest(expires_in=expires_in))


def test_only_the_issuer_offers_its_credential(ledger: Any) -> None:
    _, issued, _ = offered(ledger)
    other, _ = school_with_definition(ledger, "Other")
    with pytest.raises(UnknownCredentialError):
        ledger.claims.offer(Act(other), issued.credential.id, ClaimRequest())


def test_a_retried_offer_gives_the_same_url_and_code_and_records_nothing(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    issued = award(ledger, actor, achievement_id)
    act = Act.of(actor, "claim-1", b"the same request")
    first = ledger.claims.offer(act, issued.credential.id, ClaimRequest(tx_code=True))
    events = ledger.recorder.max_notification_id()
    again = ledger.claims.offer(act, issued.credential.id, ClaimRequest(tx_code=True))
    assert again == first
    assert ledger.recorder.max_notification_id() == events
    with pytest.raises(IdempotencyKeyReusedError):
        ledger.claims.offer(
            Act.of(actor, "claim-1", b"another request"), issued.credential.id, ClaimRequest()
        )


def test_unknown_and_malformed_secrets_open_nothing(ledger: Any) -> None:
    offered(ledger)
    for secret in ("A" * 22, "not-a-claim", "", "A" * 23, "../../v1/issuers"):
        with pytest.raises(UnknownClaimError):
            ledger.claims.open(secret)


def test_a_delivery_signs_the_award_for_the_holders_did(ledger: Any) -> None:
    _, issued, offer = offered(ledger)
    wallet = Wallet()
    claim = ledger.claims.open(secret_of(offer))
    delivery = ledger.claims.deliver(claim, wallet.did, "test", tx_code_given=False)
    vc = delivery.vc
    assert vc["credentialSubject"]["id"] == wallet.did
    assert vc["id"] == issued.vc["id"], "the award's identity"
    assert vc["credentialStatus"] == issued.vc["credentialStatus"], "the award's status"
    assert vc["credentialSubject"]["identifier"] == issued.vc["credentialSubject"]["identifier"]
    assert vc["proof"] != issued.vc["proof"]
    assert ledger.verifier.verify(vc).outcome == "valid"


def test_a_claim_delivers_once(ledger: Any) -> None:
    _, _, offer = offered(ledger)
    claim = ledger.claims.open(secret_of(offer))
    ledger.claims.deliver(claim, Wallet().did, "test", tx_code_given=False)
    with pytest.raises(ClaimUsedError):
        ledger.claims.open(secret_of(offer))
    with pytest.raises(ClaimUsedError):
        ledger.claims.deliver(claim, Wallet().did, "test", tx_code_given=False)


def test_a_second_delivery_through_a_stale_copy_of_the_claim_is_refused(ledger: Any) -> None:
    _, _, offer = offered(ledger)
    first = ledger.claims.open(secret_of(offer))
    second = ledger.claims.open(secret_of(offer))
    ledger.claims.deliver(first, Wallet().did, "test", tx_code_given=False)
    events = ledger.recorder.max_notification_id()
    with pytest.raises(ClaimUsedError):
        ledger.claims.deliver(second, Wallet().did, "test", tx_code_given=False)
    assert ledger.recorder.max_notification_id() == events


def test_the_delivery_is_in_the_log_under_the_copys_digest(ledger: Any) -> None:
    _, issued, offer = offered(ledger)
    claim = ledger.claims.open(secret_of(offer))
    delivery = ledger.claims.deliver(claim, Wallet().did, "test", tx_code_given=False)
    index = ledger.proofs.log_index_of(issued.credential.id, delivery.version)
    leaf = decode_leaf(ledger.tlog.leaf(index))
    assert leaf["event"] == "CredentialDelivered"
    assert leaf["digest"] == vc_digest(delivery.vc)
    assert leaf["digest"] != vc_digest(issued.vc)
    assert str(issued.credential.id) not in json.dumps(leaf, default=str)


def test_the_holder_of_a_delivered_copy_gets_its_proof_bundle(ledger: Any) -> None:
    _, issued, offer = offered(ledger)
    claim = ledger.claims.open(secret_of(offer))
    delivery = ledger.claims.deliver(claim, Wallet().did, "test", tx_code_given=False)
    bundle = ledger.proofs.holder_bundle(delivery.vc)
    assert bundle["credential"] == delivery.vc
    assert decode_leaf(base64.b64decode(bundle["leaf"]["data"]))["event"] == "CredentialDelivered"
    assert ledger.proofs.holder_bundle(issued.vc)["credential"] == issued.vc


def test_the_holders_did_is_recorded_only_sealed(ledger: Any) -> None:
    _, _, offer = offered(ledger)
    wallet = Wallet()
    claim = ledger.claims.open(secret_of(offer))
    ledger.claims.deliver(claim, wallet.did, "test", tx_code_given=False)
    stored = stored_bytes(ledger)
    assert wallet.did.encode() not in stored
    assert wallet.did[8:].encode() not in stored
    assert b"holder" in stored, "the actor of the delivery is the holder, unnamed"


def test_revoking_the_award_revokes_every_delivered_copy(ledger: Any) -> None:
    actor, issued, offer = offered(ledger)
    claim = ledger.claims.open(secret_of(offer))
    delivery = ledger.claims.deliver(claim, Wallet().did, "test", tx_code_given=False)
    ledger.change_status(Act(actor), issued.credential.id, "revoke", "awarded in error")
    ledger.publish_status_lists()
    report = ledger.verifier.verify(delivery.vc)
    assert report.status["revocation"] == "revoked"
    assert report.outcome == "invalid"


def test_an_expired_claim_is_refused(ledger: Any) -> None:
    _, _, offer = offered(ledger, expires_in=60)
    claim = ledger.claims.open(secret_of(offer))
    now = ledger.claims.clock()
    ledger.claims.clock = lambda: now + timedelta(seconds=61)
    with pytest.raises(ClaimExpiredError):
        ledger.claims.open(secret_of(offer))
    with pytest.raises(ClaimExpiredError):
        ledger.claims.deliver(claim, Wallet().did, "test", tx_code_given=False)


def test_the_issuer_withdraws_a_credentials_open_claims(ledger: Any) -> None:
    actor, issued, offer = offered(ledger)
    second = ledger.claims.offer(Act(actor), issued.credential.id, ClaimRequest())
    used = ledger.claims.offer(Act(actor), issued.credential.id, ClaimRequest())
    ledger.claims.deliver(
        ledger.claims.open(secret_of(used)), Wallet().did, "test", tx_code_given=False
    )
    withdrawn = ledger.claims.withdraw(Act(actor), issued.credential.id, "wrong address")
    assert withdrawn == 2
    for each in (offer, second):
        with pytest.raises(ClaimWithdrawnError):
            ledger.claims.open(secret_of(each))
    assert ledger.claims.withdraw(Act(actor), issued.credential.id, "again") == 0


def test_a_retried_withdrawal_answers_what_it_did_and_records_nothing(ledger: Any) -> None:
    actor, issued, _ = offered(ledger)
    act = Act.of(actor, "withdraw-1", b"withdraw the claims")
    assert ledger.claims.withdraw(act, issued.credential.id, "wrong address") == 1
    events = ledger.recorder.max_notification_id()
    assert ledger.claims.withdraw(act, issued.credential.id, "wrong address") == 1
    assert ledger.recorder.max_notification_id() == events


def test_the_ledgers_claim_lifetime_is_the_default(settings: Any) -> None:
    from credledger.ledger.application import CredentialLedger

    ledger = CredentialLedger(dataclasses.replace(settings, claim_lifetime=3600))
    try:
        _, issued, offer = offered(ledger)
        awarded = ledger.records.credential(issued.credential.id).awarded_at
        assert offer.expires_at - awarded < timedelta(hours=1, minutes=1)
    finally:
        ledger.close()


def test_another_issuer_cannot_withdraw_the_claims(ledger: Any) -> None:
    _, issued, offer = offered(ledger)
    other, _ = school_with_definition(ledger, "Other")
    with pytest.raises(UnknownCredentialError):
        ledger.claims.withdraw(Act(other), issued.credential.id, "not mine")
    assert ledger.claims.open(secret_of(offer))


def test_a_claim_of_a_revoked_credential_delivers_nothing(ledger: Any) -> None:
    actor, issued, offer = offered(ledger)
    claim = ledger.claims.open(secret_of(offer))
    ledger.change_status(Act(actor), issued.credential.id, "revoke", "awarded in error")
    with pytest.raises(ClaimWithdrawnError):
        ledger.claims.open(secret_of(offer))
    with pytest.raises(ClaimWithdrawnError):
        ledger.claims.deliver(claim, Wallet().did, "test", tx_code_given=False)
    with pytest.raises(NotDeliverableError):
        ledger.claims.offer(Act(actor), issued.credential.id, ClaimRequest())


def test_a_transaction_code_guards_the_claim(ledger: Any) -> None:
    _, _, offer = offered(ledger, tx_code=True)
    claim = ledger.claims.open(secret_of(offer))
    with pytest.raises(TxCodeRequiredError):
        ledger.claims.check_tx_code(claim, None)
    with pytest.raises(TxCodeMismatchError):
        ledger.claims.check_tx_code(claim, "00000000" if offer.tx_code != "00000000" else "1")
    ledger.claims.check_tx_code(claim, offer.tx_code)
    with pytest.raises(TxCodeRequiredError):
        ledger.claims.deliver(claim, Wallet().did, "test", tx_code_given=False)


def test_a_few_wrong_codes_stop_all_tries_for_a_while(ledger: Any) -> None:
    _, _, offer = offered(ledger, tx_code=True)
    claim = ledger.claims.open(secret_of(offer))
    wrong = "12345678" if offer.tx_code != "12345678" else "87654321"
    for _ in range(5):
        with pytest.raises(TxCodeMismatchError):
            ledger.claims.check_tx_code(claim, wrong)
    with pytest.raises(TxCodeMismatchError) as refused:
        ledger.claims.check_tx_code(claim, offer.tx_code)
    assert refused.value.retry_after
    assert refused.value.retry_after > 0


def test_a_holder_jwk_is_named_by_its_did_jwk(ledger: Any) -> None:
    _, _, offer = offered(ledger)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    claim = ledger.claims.open(secret_of(offer))
    delivery = ledger.claims.deliver(claim, jwk, "test", tx_code_given=False)
    assert delivery.vc["credentialSubject"]["id"] == did_jwk(jwk)
    assert did_jwk(jwk).startswith("did:jwk:eyJjcnYiOiJFZDI1NTE5Iiwia3R5IjoiT0tQIiwieCI6")


@pytest.mark.parametrize(
    "holder",
    [
        "did:web:wallet.example.test",
        "mailto:learner@example.test",
        {"kty": "OKP", "crv": "Ed25519", "x": "abc", "d": "secret"},
        {"kty": "RSA", "n": "abc", "e": "AQAB"},
    ],
)
def test_holders_claims_cannot_deliver_to_are_refused(ledger: Any, holder: Any) -> None:
    _, _, offer = offered(ledger)
    claim = ledger.claims.open(secret_of(offer))
    with pytest.raises(UnsupportedHolderError):
        ledger.claims.deliver(claim, holder, "test", tx_code_given=False)
    assert ledger.claims.open(secret_of(offer)), "nothing was recorded"


def test_an_award_offers_its_claim_in_the_same_act(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    act = Act.of(actor, "row-1", b"award with claim")
    issued = award(ledger, actor, achievement_id, act=act, claim=ClaimRequest(tx_code=True))
    assert issued.claim is not None
    assert issued.claim.tx_code
    claim = ledger.claims.open(secret_of(issued.claim))
    assert claim.credential_id == issued.credential.id
    assert claim.acts.keys() == issued.credential.acts.keys()
    again = award(ledger, actor, achievement_id, act=act, claim=ClaimRequest(tx_code=True))
    assert again.replayed
    assert again.claim == issued.claim


def test_a_batch_offers_a_claim_per_award(ledger: Any) -> None:
    actor, achievement_id = school_with_definition(ledger)
    outcomes = ledger.issuance.issue_many(
        [
            AwardRequest(Act(actor), achievement_id, {"email": f"{n}@example.test"}, claim=c)
            for n, c in enumerate([ClaimRequest(), None, ClaimRequest(expires_in=0)])
        ]
    )
    assert outcomes[0].claim is not None
    assert outcomes[1].claim is None
    assert isinstance(outcomes[2], RequestInvalidError)
    assert ledger.claims.open(secret_of(outcomes[0].claim))


def test_the_claims_recorded_are_open_only_to_their_secrets(ledger: Any) -> None:
    _, _, offer = offered(ledger)
    claims = [
        e for e in ledger.recorder.select_notifications(1, 10_000) if "claim:Claim" in e.topic
    ]
    assert len(claims) == 1
    assert ledger.repository.get(claims[0].originator_id).__class__ is Claim
    assert str(claims[0].originator_id) not in offer.urls.url


def test_the_audit_is_clean_after_claims_and_deliveries(ledger: Any) -> None:
    actor, issued, offer = offered(ledger)
    ledger.claims.deliver(
        ledger.claims.open(secret_of(offer)), Wallet().did, "test", tx_code_given=False
    )
    ledger.claims.offer(Act(actor), issued.credential.id, ClaimRequest())
    ledger.claims.withdraw(Act(actor), issued.credential.id, "superseded")
    report = audit_store(ledger.settings)
    assert report.intact, report.discrepancy


def test_the_claim_url_is_under_the_ledgers_base_url(ledger: Any) -> None:
    _, _, offer = offered(ledger)
    parts = urlsplit(offer.urls.url)
    assert (parts.scheme, parts.netloc) == ("https", "ledger.example.test")
    assert offer.urls.exchange == offer.urls.url + "/exchange"


def test_the_tick_records_the_expiry_of_an_open_claim_past_its_time(ledger: Any) -> None:
    _, _, offer = offered(ledger, expires_in=60)
    assert ledger.claims.expire_due() == 0, "nothing is due yet"
    now = ledger.claims.clock()
    ledger.claims.clock = lambda: now + timedelta(seconds=61)
    before = ledger.recorder.max_notification_id()
    assert ledger.claims.expire_due() == 1
    expired = ledger.claims.find(secret_of(offer))
    assert expired.state == "expired"
    assert ledger.recorder.max_notification_id() == before + 1
    with pytest.raises(ClaimExpiredError):
        ledger.claims.open(secret_of(offer))
    assert ledger.claims.expire_due() == 0, "recorded once"
    report = audit_store(ledger.settings)
    assert report.intact, report.discrepancy


def test_a_used_or_withdrawn_claim_does_not_expire(ledger: Any) -> None:
    actor, issued, used = offered(ledger, expires_in=60)
    withdrawn = ledger.claims.offer(Act(actor), issued.credential.id, ClaimRequest(expires_in=60))
    ledger.claims.deliver(
        ledger.claims.open(secret_of(used)), Wallet().did, "vcapi", tx_code_given=False
    )
    ledger.claims.withdraw(Act(actor), issued.credential.id, "sent to the wrong address")
    now = ledger.claims.clock()
    ledger.claims.clock = lambda: now + timedelta(seconds=61)
    assert ledger.claims.expire_due() == 0
    assert ledger.claims.find(secret_of(withdrawn)).state == "withdrawn"
