"""The VC Data Model's structural MUSTs: refused at issuance and at verification alike."""

from __future__ import annotations

from typing import Any

import pytest
from credledger.crypto.data_integrity import add_proof
from credledger.crypto.keys import Ed25519KeyPair, did_key_from_public_key, verification_method_id
from credledger.ledger.credentials.signing import document_loader
from credledger.ledger.credentials.vc_data_model import (
    data_model_violations,
    presentation_violations,
)
from fastapi.testclient import TestClient

from ...http_helpers import ADMIN_TOKEN, auth

VC1 = "https://www.w3.org/2018/credentials/v1"
VC2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"


def vc2(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@context": [VC2, EXAMPLES],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def locs(vc: dict[str, Any]) -> list[tuple[str | int, ...]]:
    return [v.loc for v in data_model_violations(vc)]


def test_a_minimal_credential_conforms() -> None:
    assert data_model_violations(vc2()) == []


def test_an_issuer_object_with_a_url_id_conforms() -> None:
    assert data_model_violations(vc2(issuer={"id": "https://school.example", "name": "S"})) == []


@pytest.mark.parametrize("issuer", [None, "", "not a url", {"id": None}, {"name": "no id"}, 7])
def test_the_issuer_must_be_a_url_or_an_object_with_a_url_id(issuer: Any) -> None:
    vc = vc2()
    vc["issuer"] = issuer
    assert locs(vc)
    assert locs(vc)[0][0] == "issuer"


def test_a_missing_issuer_is_reported() -> None:
    vc = vc2()
    del vc["issuer"]
    assert locs(vc) == [("issuer",)]


@pytest.mark.parametrize(
    ("subject", "where"),
    [
        ({}, ("credentialSubject",)),
        ([], ("credentialSubject",)),
        ([{"id": "did:example:a"}, {}], ("credentialSubject", 1)),
        ("did:example:a", ("credentialSubject",)),
    ],
)
def test_every_subject_must_be_an_object_making_a_claim(
    subject: Any, where: tuple[str | int, ...]
) -> None:
    assert locs(vc2(credentialSubject=subject)) == [where]


@pytest.mark.parametrize(
    "name", ["credentialStatus", "termsOfUse", "evidence", "refreshService", "credentialSchema"]
)
def test_status_terms_evidence_refresh_and_schema_objects_need_a_type(name: str) -> None:
    item = {"id": "https://example.org/thing/1"}
    assert (name, "type") in locs(vc2(**{name: item}))
    assert (name, 1, "type") in locs(vc2(**{name: [{**item, "type": "T"}, item]}))
    assert locs(vc2(**{name: {**item, "type": ["T"]}})) == []


def test_a_credential_schema_needs_a_url_id() -> None:
    assert locs(vc2(credentialSchema={"type": "JsonSchema"})) == [("credentialSchema", "id")]


def test_a_status_entry_may_have_no_id_in_vc_2_but_not_in_vc_1_1() -> None:
    status = {"type": "ExampleStatus"}
    assert locs(vc2(credentialStatus=status)) == []
    v1 = vc2(credentialStatus=status, issuanceDate="2024-01-01T00:00:00Z")
    v1["@context"] = [VC1]
    assert locs(v1) == [("credentialStatus", "id")]


@pytest.mark.parametrize(
    "value",
    ["Sat 25 Feb 2023 07:16:31 PM CST", "Sun, 26 Feb 2023 01:22:14 +0000", "2023-02-26", 20230226],
)
def test_valid_from_and_valid_until_are_date_time_stamps(value: Any) -> None:
    assert locs(vc2(validFrom=value)) == [("validFrom",)]
    assert locs(vc2(validUntil=value)) == [("validUntil",)]


@pytest.mark.parametrize(
    "value", ["2023-02-26T01:02:58.447Z", "2023-02-25T19:10:39-06:00", "4023-02-26T01:02:58Z"]
)
def test_date_time_stamps_with_fractions_offsets_and_far_years_conform(value: str) -> None:
    assert locs(vc2(validFrom=value, validUntil="9999-12-31T23:59:59Z")) == []


def test_valid_until_must_not_precede_valid_from() -> None:
    vc = vc2(validFrom="2025-01-01T00:00:00Z", validUntil="2024-01-01T00:00:00Z")
    assert locs(vc) == [("validUntil",)]


def test_a_vc_1_1_issuance_date_is_an_xml_schema_date_time() -> None:
    v1 = vc2(issuanceDate="1 January 2024")
    v1["@context"] = [VC1]
    assert locs(v1) == [("issuanceDate",)]


SRI = "sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"


@pytest.mark.parametrize(
    "related",
    [
        {"id": VC2, "digestSRI": SRI},
        [{"id": VC2, "mediaType": "application/ld+json", "digestMultibase": "uJKGMkOmFbVJ"}],
    ],
)
def test_related_resources_with_an_id_and_a_digest_conform(related: Any) -> None:
    assert locs(vc2(relatedResource=related)) == []


@pytest.mark.parametrize(
    ("related", "where"),
    [
        ([VC2], ("relatedResource", 0)),
        ([{"digestSRI": SRI}], ("relatedResource", 0, "id")),
        ([{"id": VC2}], ("relatedResource", 0)),
        (
            [{"id": VC2, "digestSRI": SRI}, {"id": VC2, "digestSRI": SRI}],
            ("relatedResource", 1, "id"),
        ),
    ],
)
def test_related_resources_need_a_unique_url_id_and_a_digest(
    related: Any, where: tuple[str | int, ...]
) -> None:
    assert locs(vc2(relatedResource=related)) == [where]


def test_a_bitstring_status_entry_needs_a_string_index_and_a_list_url() -> None:
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": True,
        "statusListCredential": "not a url",
    }
    assert locs(vc2(credentialStatus=entry)) == [
        ("credentialStatus", "statusListIndex"),
        ("credentialStatus", "statusListCredential"),
    ]
    entry.update(statusListIndex="042", statusListCredential="https://example.org/list/1")
    assert locs(vc2(credentialStatus=entry)) == [("credentialStatus", "statusListIndex")]


def vp(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"@context": [VC2], "type": ["VerifiablePresentation"]}
    body.update(changes)
    return body


def test_a_minimal_presentation_conforms() -> None:
    assert presentation_violations(vp(holder={"id": "did:example:alice"})) == []


@pytest.mark.parametrize(
    "contexts", [[{"Extra": "https://example.org/#Extra"}, VC2], [EXAMPLES], None]
)
def test_a_presentation_starts_with_the_base_context(contexts: Any) -> None:
    presentation = vp()
    presentation["@context"] = contexts
    assert [v.loc for v in presentation_violations(presentation)] == [("@context",)]


@pytest.mark.parametrize(
    ("holder", "where"),
    [
        ("z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj", ("holder",)),
        ({"name": "Acme"}, ("holder", "id")),
        ({"id": "z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj"}, ("holder", "id")),
    ],
)
def test_a_holder_is_a_url_or_an_object_with_a_url_id(
    holder: Any, where: tuple[str | int, ...]
) -> None:
    assert [v.loc for v in presentation_violations(vp(holder=holder))] == [where]


def test_only_a_vc_1_1_presentation_may_carry_credentials_as_strings() -> None:
    jwt = "eyJhbGciOiJFZERTQSJ9.e30.c2ln"
    assert [v.loc for v in presentation_violations(vp(verifiableCredential=[jwt]))] == [
        ("verifiableCredential", 0)
    ]
    v1 = vp(verifiableCredential=[jwt])
    v1["@context"] = [VC1]
    assert presentation_violations(v1) == []


# -- the rules in use: the VC API's issue and verify endpoints ------------------------------


@pytest.fixture
def issuer(client: TestClient) -> dict[str, Any]:
    r = client.post("/v1/issuers", json={"name": "Data Model School"}, headers=auth(ADMIN_TOKEN))
    return dict(r.json())


def test_issuing_with_a_null_issuer_is_refused_rather_than_filled_in(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    r = client.post(
        f"/v1/issuers/{issuer['id']}/credentials/issue",
        json={"credential": {**vc2(), "issuer": None}},
        headers=auth(issuer["token"]),
    )
    assert r.status_code == 400, r.text
    assert ["body", "credential", "issuer"] in [e["loc"] for e in r.json()["errors"]]


def test_issuing_a_status_entry_without_a_type_is_refused(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    given = vc2(issuer=issuer["did"], credentialStatus={"id": "https://example.org/status/1"})
    r = client.post(
        f"/v1/issuers/{issuer['id']}/credentials/issue",
        json={"credential": given},
        headers=auth(issuer["token"]),
    )
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["loc"] == ["body", "credential", "credentialStatus", "type"]


def test_a_validly_signed_but_nonconforming_credential_does_not_verify(
    client: TestClient,
) -> None:
    key = Ed25519KeyPair.from_seed(bytes(range(32)))
    did = did_key_from_public_key(key.public_key)
    signed = add_proof(
        vc2(issuer=did, credentialSubject=[{"id": "did:example:a"}, {}]),
        key,
        verification_method_id(did),
        created="2026-01-01T00:00:00Z",
        loader=document_loader("http://x"),
    )
    r = client.post("/v1/credentials/verify", json={"verifiableCredential": signed})
    assert r.status_code == 400
    assert any("credentialSubject.1" in e["message"] for e in r.json()["errors"])


def test_an_unsigned_presentation_without_the_base_context_does_not_verify(
    client: TestClient,
) -> None:
    presentation = vp()
    presentation["@context"] = [EXAMPLES]
    r = client.post("/v1/presentations/verify", json={"verifiablePresentation": presentation})
    assert r.status_code == 400
    assert r.json()["errors"][0]["message"].startswith("@context")
