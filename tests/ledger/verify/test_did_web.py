"""did:web: published by the ledger, every key kept; resolution of others is guarded."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from credledger.crypto.data_integrity import add_proof
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.verify.did_web import DidResolutionError, did_web_url, fetch_did_web
from credledger.ledger.verify.guarded_fetch import GuardedFetcher
from fastapi.testclient import TestClient

from ...http_helpers import ADMIN_TOKEN, auth


def test_the_did_web_document_lists_every_key_after_a_rotation(
    client: TestClient, ledger: Any
) -> None:
    school = client.post("/v1/issuers", json={"name": "S"}, headers=auth(ADMIN_TOKEN)).json()
    first = client.get(f"/v1/issuers/{school['id']}/did.json").json()
    did = first["id"]
    assert did == f"did:web:ledger.example.test:v1:issuers:{school['id']}"
    assert did_web_url(did) == f"https://ledger.example.test/v1/issuers/{school['id']}/did.json"
    client.post(f"/v1/issuers/{school['id']}/keys/rotate", headers=auth(school["token"]))
    second = client.get(f"/v1/issuers/{school['id']}/did.json").json()
    assert len(second["verificationMethod"]) == 2
    assert set(first["assertionMethod"]) < set(second["assertionMethod"])


def test_a_credential_signed_under_the_did_web_verifies(ledger: Any) -> None:
    issuer = ledger.register_issuer(Act(ADMIN), "S").issuer
    did = ledger.dids.did_web(issuer.id)
    key_id = issuer.active_key_id
    vc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": did,
        "credentialSubject": {"id": "did:example:1"},
    }
    signed = add_proof(
        vc,
        ledger.signer.key_pair(key_id),
        f"{did}#{key_id}",
        created="2026-01-01T00:00:00Z",
        loader=ledger.signer.loader,
    )
    assert ledger.verifier.verify(signed).verified
    other = ledger.register_issuer(Act(ADMIN), "Other").issuer
    forged = {**vc, "issuer": ledger.dids.did_web(other.id)}
    forged = add_proof(
        forged,
        ledger.signer.key_pair(key_id),
        f"{did}#{key_id}",
        created="2026-01-01T00:00:00Z",
        loader=ledger.signer.loader,
    )
    assert not ledger.verifier.verify(forged).verified


def test_unknown_issuers_of_this_ledger_do_not_resolve(ledger: Any) -> None:
    with pytest.raises(DidResolutionError):
        ledger.dids.resolve(ledger.dids.did_web(UUID(int=0)))


@pytest.mark.parametrize(
    "did", ["did:web:127.0.0.1%3A8000", "did:web:localhost:issuers:1", "did:web:10.0.0.7"]
)
def test_foreign_did_web_on_private_addresses_is_refused(did: str) -> None:
    with pytest.raises(DidResolutionError, match=r"non-public|cannot resolve"):
        fetch_did_web(did, GuardedFetcher())
