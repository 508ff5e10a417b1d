"""The VC-API exchange of a claim, as a service: a DIDAuthentication request, then the
holder's presentation answered with the credential signed for the holder's DID."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.errors import (
    ClaimUsedError,
    HolderNotAuthenticatedError,
    RequestInvalidError,
    TxCodeRequiredError,
    UnsupportedHolderError,
)
from credledger.ledger.services.claim_exchange import exchange_body
from credledger.ledger.services.claim_secrets import PASS
from credledger.ledger.services.claims import ClaimRequest

from ...wallets import Wallet
from .helpers import award, school_with_definition


def a_claim(ledger: Any, **request: Any) -> tuple[Any, Any]:
    actor, achievement_id = school_with_definition(ledger)
    issued = award(ledger, actor, achievement_id)
    offer = ledger.claims.offer(Act(actor), issued.credential.id, ClaimRequest(**request))
    return issued, offer


def secret(offer: Any) -> str:
    return str(offer.urls.url.rsplit("/", 1)[1])


def test_an_empty_post_asks_for_did_authentication(ledger: Any) -> None:
    _, offer = a_claim(ledger)
    request = ledger.claim_exchange.request(secret(offer))["verifiablePresentationRequest"]
    assert request["query"][0]["type"] == "DIDAuthentication"
    assert {"method": "key"} in request["query"][0]["acceptedMethods"]
    assert request["domain"] == "ledger.example.test"
    service = request["interact"]["service"][0]
    assert service["serviceEndpoint"] == offer.urls.exchange
    again = ledger.claim_exchange.request(secret(offer))["verifiablePresentationRequest"]
    assert again["challenge"] != request["challenge"], "every request its own challenge"


def test_asking_records_nothing(ledger: Any) -> None:
    _, offer = a_claim(ledger)
    events = ledger.recorder.max_notification_id()
    ledger.claim_exchange.request(secret(offer))
    assert ledger.recorder.max_notification_id() == events


def test_the_holders_answer_gets_the_credential_bound_to_its_did(ledger: Any) -> None:
    issued, offer = a_claim(ledger)
    wallet = Wallet()
    request = ledger.claim_exchange.request(secret(offer))["verifiablePresentationRequest"]
    vp = wallet.did_auth(request["challenge"], request["domain"])
    answer = ledger.claim_exchange.respond(secret(offer), vp)
    assert answer["type"] == ["VerifiablePresentation"]
    (vc,) = answer["verifiableCredential"]
    assert vc["credentialSubject"]["id"] == wallet.did
    assert vc["id"] == issued.vc["id"]
    assert ledger.verifier.verify(vc).outcome == "valid"
    with pytest.raises(ClaimUsedError):
        ledger.claim_exchange.respond(secret(offer), vp)


def refused_without_a_record(ledger: Any, offer: Any, vp: Any, error: type[Exception]) -> str:
    events = ledger.recorder.max_notification_id()
    with pytest.raises(error) as refused:
        ledger.claim_exchange.respond(secret(offer), vp)
    assert ledger.recorder.max_notification_id() == events
    assert ledger.claims.open(secret(offer)), "the claim is still open"
    return str(refused.value)


def test_a_made_up_challenge_is_refused(ledger: Any) -> None:
    _, offer = a_claim(ledger)
    vp = Wallet().did_auth("a-challenge-of-my-own", "ledger.example.test")
    assert "challenge" in refused_without_a_record(ledger, offer, vp, HolderNotAuthenticatedError)


def test_another_claims_challenge_is_refused(ledger: Any) -> None:
    _, offer = a_claim(ledger)
    _, other = a_claim(ledger)
    request = ledger.claim_exchange.request(secret(other))["verifiablePresentationRequest"]
    vp = Wallet().did_auth(request["challenge"], request["domain"])
    assert "challenge" in refused_without_a_record(ledger, offer, vp, HolderNotAuthenticatedError)


def test_an_expired_challenge_is_refused(ledger: Any) -> None:
    _, offer = a_claim(ledger)
    request = ledger.claim_exchange.request(secret(offer))["verifiablePresentationRequest"]
    vp = Wallet().did_auth(request["challenge"], request["domain"])
    now = ledger.claims.clock()
    ledger.claims.clock = lambda: now + timedelta(minutes=31)
    refused_without_a_record(ledger, offer, vp, HolderNotAuthenticatedError)


def test_another_domain_is_refused(ledger: Any) -> None:
    _, offer = a_claim(ledger)
    request = ledger.claim_exchange.request(secret(offer))["verifiablePresentationRequest"]
    vp = Wallet().did_auth(request["challenge"], "evil.example.test")
    assert "domain" in refused_without_a_record(ledger, offer, vp, HolderNotAuthenticatedError)
    no_domain = Wallet().did_auth(request["challenge"])
    refused_without_a_record(ledger, offer, no_domain, HolderNotAuthenticatedError)


def test_a_signature_by_another_key_is_refused(ledger: Any) -> None:
    _, offer = a_claim(ledger)
    request = ledger.claim_exchange.request(secret(offer))["verifiablePresentationRequest"]
    vp = Wallet().did_auth(request["challenge"], request["domain"], holder=Wallet().did)
    refused_without_a_record(ledger, offer, vp, HolderNotAuthenticatedError)


def test_a_tampered_presentation_is_refused(ledger: Any) -> None:
    _, offer = a_claim(ledger)
    request = ledger.claim_exchange.request(secret(offer))["verifiablePresentationRequest"]
    vp = Wallet().did_auth(request["challenge"], request["domain"])
    vp["id"] = "urn:uuid:00000000-0000-4000-8000-000000000001"
    assert "verify" in refused_without_a_record(ledger, offer, vp, HolderNotAuthenticatedError)


def test_a_proof_for_another_purpose_is_refused(ledger: Any) -> None:
    _, offer = a_claim(ledger)
    request = ledger.claim_exchange.request(secret(offer))["verifiablePresentationRequest"]
    vp = Wallet().did_auth(request["challenge"], request["domain"], purpose="assertionMethod")
    refused_without_a_record(ledger, offer, vp, HolderNotAuthenticatedError)


def test_a_holder_of_another_did_method_is_refused(ledger: Any) -> None:
    _, offer = a_claim(ledger)
    request = ledger.claim_exchange.request(secret(offer))["verifiablePresentationRequest"]
    vp = Wallet().did_auth(request["challenge"], request["domain"], holder="did:web:w.example")
    assert "did:key" in refused_without_a_record(ledger, offer, vp, UnsupportedHolderError)


def test_something_that_is_no_presentation_is_refused(ledger: Any) -> None:
    _, offer = a_claim(ledger)
    refused_without_a_record(ledger, offer, {"type": ["Nonsense"]}, RequestInvalidError)
    refused_without_a_record(ledger, offer, ["not", "an", "object"], RequestInvalidError)


def test_the_deep_links_challenge_is_answered_without_a_domain(ledger: Any) -> None:
    _, offer = a_claim(ledger)
    claim = ledger.claims.open(secret(offer))
    challenge = ledger.claim_exchange.link_challenge(claim, tx_code_given=False)
    wallet = Wallet()
    answer = ledger.claim_exchange.respond(secret(offer), wallet.did_auth(challenge))
    assert answer["verifiableCredential"][0]["credentialSubject"]["id"] == wallet.did


def test_a_guarded_claim_needs_the_pass_its_page_gives_for_the_code(ledger: Any) -> None:
    _, offer = a_claim(ledger, tx_code=True)
    with pytest.raises(TxCodeRequiredError):
        ledger.claim_exchange.request(secret(offer))
    claim = ledger.claims.open(secret(offer))
    ledger.claims.check_tx_code(claim, offer.tx_code)
    pass_token = ledger.claims.challenge(claim, PASS, tx_code_given=True)
    request = ledger.claim_exchange.request(secret(offer), pass_token)
    request = request["verifiablePresentationRequest"]
    assert request["interact"]["service"][0]["serviceEndpoint"].endswith(f"?p={pass_token}")
    wallet = Wallet()
    answer = ledger.claim_exchange.respond(
        secret(offer), wallet.did_auth(request["challenge"], request["domain"])
    )
    assert answer["verifiableCredential"][0]["credentialSubject"]["id"] == wallet.did


def test_a_link_challenge_made_without_the_code_does_not_open_a_guarded_claim(
    ledger: Any,
) -> None:
    _, offer = a_claim(ledger, tx_code=True)
    claim = ledger.claims.open(secret(offer))
    challenge = ledger.claim_exchange.link_challenge(claim, tx_code_given=False)
    refused_without_a_record(ledger, offer, Wallet().did_auth(challenge), TxCodeRequiredError)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({}, "start"),
        ({"verifiablePresentation": {"type": "VerifiablePresentation"}}, "presentation"),
        ({"type": ["VerifiablePresentation"], "holder": "did:key:z"}, "bare"),
    ],
)
def test_an_exchange_post_is_a_start_an_answer_or_a_bare_presentation(body: Any, kind: str) -> None:
    assert exchange_body(body)[0] == kind


@pytest.mark.parametrize("body", [[], "text", {"verifiablePresentation": 1, "more": 2}, {"a": 1}])
def test_other_exchange_posts_are_refused(body: Any) -> None:
    with pytest.raises(RequestInvalidError):
        exchange_body(body)
