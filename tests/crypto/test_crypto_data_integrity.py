"""Data Integrity proofs: what signing refuses, what verification refuses, and why.

The positive paths are pinned to the W3C vectors in ``test_crypto_di_vectors.py``;
these tests are about behaviour: every byte-level change to a signed document is
caught, each kind of mismatch raises its own error, proof sets and chains are built and
checked as the Data Integrity specification says.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.data_integrity import VerifiedProof, add_proof, verify_proof
from credledger.crypto.errors import InvalidSignatureError
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.jsonld_errors import UnknownContextError, UnsafeJsonLdError
from credledger.crypto.keys import (
    Ed25519KeyPair,
    did_key_from_public_key,
    public_key_from_did_key,
    verification_method_id,
)
from credledger.crypto.proof_errors import (
    ContextMismatchError,
    InvalidChallengeError,
    InvalidDomainError,
    InvalidProofSignatureError,
    MalformedProofError,
    MissingProofError,
    PreviousProofError,
    ProofGenerationError,
    ProofPurposeMismatchError,
    ProofTransformationError,
    ProofVerificationError,
    UnresolvableKeyError,
    UnsupportedCryptosuiteError,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..di_vectors import loader as vector_loader
from ..di_vectors import read_json, vectors

CREDENTIAL = Path(__file__).resolve().parents[2] / "bench" / "data" / "ob3_microcredential.json"
CREATED = "2025-01-15T09:30:00Z"
KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
OTHER_KEY = Ed25519KeyPair.from_seed(bytes(range(1, 33)))
VM = verification_method_id(did_key_from_public_key(KEY.public_key))
OTHER_VM = verification_method_id(did_key_from_public_key(OTHER_KEY.public_key))
LOADER = DocumentLoader()
SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]


def _credential() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(CREDENTIAL.read_text("utf-8"))
    return document


def _sign(
    document: dict[str, Any], suite: str = "eddsa-rdfc-2022", **options: Any
) -> dict[str, Any]:
    return add_proof(
        document, KEY, VM, cryptosuite=suite, created=CREATED, loader=LOADER, **options
    )


def _verify(document: dict[str, Any], **options: Any) -> VerifiedProof:
    return verify_proof(document, loader=LOADER, resolve_key=public_key_from_did_key, **options)


SIGNED = {suite: _sign(_credential(), suite) for suite in SUITES}


@pytest.mark.parametrize("suite", SUITES)
def test_a_signed_credential_verifies_and_reports_its_proof(suite: str) -> None:
    result = _verify(SIGNED[suite])
    assert result.verification_method == VM
    assert result.public_key == KEY.public_key
    assert result.cryptosuite == suite
    assert result.created == CREATED
    assert result.proof_purpose == "assertionMethod"
    assert result.document == _credential()


def test_signing_leaves_the_input_document_untouched() -> None:
    document = _credential()
    before = copy.deepcopy(document)
    _sign(document)
    assert document == before


def test_the_proof_lists_options_in_the_specification_order() -> None:
    proof = SIGNED["eddsa-rdfc-2022"]["proof"]
    assert list(proof) == [
        "type",
        "cryptosuite",
        "created",
        "verificationMethod",
        "proofPurpose",
        "proofValue",
    ]


# -- tampering --------------------------------------------------------------------------------


def _tampered(signed: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    def variant(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        document = copy.deepcopy(signed)
        change(document)
        return document

    yield "claim", variant(lambda d: d["credentialSubject"]["result"][0].update(value="9.0"))
    yield "name", variant(lambda d: d.update(name=d["name"] + "!"))
    # (Not "AchievementCredential": OB 3.0 makes it a synonym of OpenBadgeCredential.)
    yield "type added", variant(lambda d: d["type"].append("EndorsementCredential"))
    yield "number", variant(lambda d: d["credentialSubject"].update(creditsEarned=4.0))
    yield "created", variant(lambda d: d["proof"].update(created="2025-01-15T09:30:01Z"))
    yield "verificationMethod", variant(lambda d: d["proof"].update(verificationMethod=OTHER_VM))
    yield "proofPurpose", variant(lambda d: d["proof"].update(proofPurpose="authentication"))

    def flip_proof_value(d: dict[str, Any]) -> None:
        value = d["proof"]["proofValue"]
        d["proof"]["proofValue"] = value[:-1] + ("2" if value[-1] != "2" else "3")

    yield "proofValue", variant(flip_proof_value)
    yield "added claim", variant(lambda d: d["credentialSubject"].update(term="Fall"))
    yield "dropped claim", variant(lambda d: d.pop("validUntil"))


@pytest.mark.parametrize("suite", SUITES)
def test_every_byte_level_change_is_rejected(suite: str) -> None:
    for what, document in _tampered(SIGNED[suite]):
        with pytest.raises(ProofVerificationError):
            _verify(document, expected_purpose=None)
        if what in ("claim", "name", "number", "created", "proofValue", "verificationMethod"):
            with pytest.raises(InvalidProofSignatureError):
                _verify(document)


def test_a_changed_signature_is_also_an_invalid_signature_error() -> None:
    document = copy.deepcopy(SIGNED["eddsa-rdfc-2022"])
    value = document["proof"]["proofValue"]
    document["proof"]["proofValue"] = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    with pytest.raises(InvalidSignatureError):
        _verify(document)


def _string_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _string_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_leaves(item, (*path, index))
    elif isinstance(value, str):
        yield path


_LEAVES = list(_string_leaves(SIGNED["eddsa-rdfc-2022"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_LEAVES),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
    st.sampled_from(SUITES),
)
def test_any_string_replaced_anywhere_is_rejected(
    path: tuple[Any, ...], replacement: str, suite: str
) -> None:
    document = copy.deepcopy(SIGNED[suite])
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if parent[path[-1]] == replacement:
        replacement += "x"
    parent[path[-1]] = replacement
    with pytest.raises(ProofVerificationError):
        _verify(document)


# -- proof-level refusals ---------------------------------------------------------------------


def test_a_document_without_proof_is_refused() -> None:
    with pytest.raises(MissingProofError):
        _verify(_credential())
    with pytest.raises(MissingProofError):
        _verify({**_credential(), "proof": []})


def test_a_proof_for_another_purpose_is_refused() -> None:
    signed = _sign(_credential(), proof_purpose="authentication")
    with pytest.raises(ProofPurposeMismatchError):
        _verify(signed)
    assert _verify(signed, expected_purpose="authentication").proof_purpose == "authentication"


@pytest.mark.parametrize(
    ("field", "value"),
    [("cryptosuite", "ecdsa-rdfc-2019"), ("type", "BbsBlsSignature2020")],
)
def test_unsupported_suites_are_refused(field: str, value: str) -> None:
    document = copy.deepcopy(SIGNED["eddsa-rdfc-2022"])
    document["proof"][field] = value
    with pytest.raises(UnsupportedCryptosuiteError):
        _verify(document)


@pytest.mark.parametrize("field", ["type", "verificationMethod", "proofPurpose"])
def test_a_proof_missing_a_required_member_is_malformed(field: str) -> None:
    document = copy.deepcopy(SIGNED["eddsa-rdfc-2022"])
    del document["proof"][field]
    with pytest.raises(MalformedProofError):
        _verify(document, expected_purpose=None)


@pytest.mark.parametrize("value", [None, 42, "not-multibase", "uAAAA", "z" + "1" * 10])
def test_a_proof_value_that_is_no_64_byte_base58_signature_is_malformed(value: Any) -> None:
    document = copy.deepcopy(SIGNED["eddsa-rdfc-2022"])
    document["proof"]["proofValue"] = value
    with pytest.raises(MalformedProofError):
        _verify(document)


def test_a_created_value_that_is_no_datetime_is_refused_both_ways() -> None:
    with pytest.raises(ProofGenerationError):
        add_proof(_credential(), KEY, VM, created="yesterday", loader=LOADER)
    document = copy.deepcopy(SIGNED["eddsa-rdfc-2022"])
    document["proof"]["created"] = "2025-13-01T00:00:00Z"
    with pytest.raises(MalformedProofError):
        _verify(document)


def test_a_key_that_cannot_be_resolved_is_reported_as_such() -> None:
    def no_keys(method: str) -> bytes:
        raise KeyError(method)

    with pytest.raises(UnresolvableKeyError):
        verify_proof(SIGNED["eddsa-rdfc-2022"], loader=LOADER, resolve_key=no_keys)


def test_a_key_that_resolves_to_another_key_fails_the_signature() -> None:
    def wrong_key(method: str) -> bytes:
        return OTHER_KEY.public_key

    with pytest.raises(InvalidProofSignatureError):
        verify_proof(SIGNED["eddsa-rdfc-2022"], loader=LOADER, resolve_key=wrong_key)


# -- domain and challenge ---------------------------------------------------------------------


def test_domain_and_challenge_must_match_when_the_verifier_asks() -> None:
    signed = _sign(
        _credential(), proof_purpose="authentication", challenge="c-123", domain="verifier.example"
    )
    options = {"expected_purpose": "authentication"}
    assert _verify(signed, challenge="c-123", domain="verifier.example", **options)
    assert _verify(signed, **options)  # not asked, not checked
    with pytest.raises(InvalidChallengeError):
        _verify(signed, challenge="c-456", **options)
    with pytest.raises(InvalidDomainError):
        _verify(signed, domain="other.example", **options)


def test_a_domain_list_matches_as_a_set() -> None:
    signed = _sign(_credential(), domain=["a.example", "b.example"])
    assert _verify(signed, domain=["b.example", "a.example"])
    with pytest.raises(InvalidDomainError):
        _verify(signed, domain="a.example")


def test_a_challenge_is_covered_by_the_signature() -> None:
    signed = _sign(_credential(), challenge="c-123")
    signed["proof"]["challenge"] = "c-456"
    with pytest.raises(InvalidProofSignatureError):
        _verify(signed, challenge="c-456")


# -- contexts and JSON-LD ---------------------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_an_unknown_context_is_refused_when_signing(suite: str) -> None:
    document = _credential()
    document["@context"].append("https://attacker.example/context.jsonld")
    with pytest.raises(UnknownContextError):
        _sign(document, suite)


@pytest.mark.parametrize("suite", SUITES)
def test_an_unknown_context_is_refused_when_verifying(suite: str) -> None:
    document = copy.deepcopy(SIGNED[suite])
    document["@context"].append("https://attacker.example/context.jsonld")
    with pytest.raises(ProofTransformationError) as raised:
        _verify(document)
    assert isinstance(raised.value.__cause__, UnknownContextError)


def test_a_context_the_verifier_was_given_is_accepted() -> None:
    url = "https://issuer.example/contexts/extension/v1"
    extension = {"@context": {"grade": "https://issuer.example/vocab#grade"}}
    loader = DocumentLoader({url: extension})
    document = _credential()
    document["@context"].append(url)
    document["credentialSubject"]["grade"] = "8.0"
    signed = add_proof(document, KEY, VM, created=CREATED, loader=loader)
    verify_proof(signed, loader=loader, resolve_key=public_key_from_did_key)
    with pytest.raises(ProofTransformationError):
        _verify(signed)


def test_undefined_terms_are_refused_when_signing() -> None:
    document = _credential()
    document["credentialSubject"]["favouriteColour"] = "green"
    with pytest.raises(UnsafeJsonLdError) as raised:
        _sign(document)
    assert raised.value.code == "invalid property"


def test_a_vc_1_1_credential_gets_the_data_integrity_context_and_verifies() -> None:
    document = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": did_key_from_public_key(KEY.public_key),
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    signed = _sign(document)
    assert signed["@context"] == [
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/data-integrity/v2",
    ]
    assert _verify(signed).verification_method == VM


def test_a_jcs_proof_context_that_is_no_prefix_of_the_document_context_is_refused() -> None:
    document = copy.deepcopy(SIGNED["eddsa-jcs-2022"])
    document["proof"]["@context"] = ["https://www.w3.org/ns/credentials/examples/v2"]
    with pytest.raises(ContextMismatchError):
        _verify(document)


def test_an_rdfc_proof_with_a_foreign_context_is_refused() -> None:
    document = copy.deepcopy(SIGNED["eddsa-rdfc-2022"])
    document["proof"]["@context"] = "https://w3id.org/security/data-integrity/v2"
    with pytest.raises(ContextMismatchError):
        _verify(document)


def test_the_jcs_signature_covers_the_proof_context_prefix_only(test_data: Path) -> None:
    # vc-di-eddsa §3.3.2: the document is verified under the proof's @context.
    signed = read_json(vectors(test_data) / "eddsa-jcs-2022" / "signedJCS.json")
    signed["@context"].append("https://www.w3.org/ns/credentials/undefined-terms/v2")
    result = verify_proof(signed, loader=vector_loader(), resolve_key=public_key_from_did_key)
    assert result.cryptosuite == "eddsa-jcs-2022"


# -- proof sets and chains --------------------------------------------------------------------


def test_a_second_proof_makes_a_proof_set_and_both_verify() -> None:
    first = _sign(_credential())
    both = add_proof(first, OTHER_KEY, OTHER_VM, created=CREATED, loader=LOADER)
    assert isinstance(both["proof"], list)
    assert len(both["proof"]) == 2
    result = _verify(both)
    assert [p.verification_method for p in result.proofs] == [VM, OTHER_VM]


def test_one_bad_proof_in_a_set_fails_the_whole_document() -> None:
    both = add_proof(_sign(_credential()), OTHER_KEY, OTHER_VM, created=CREATED, loader=LOADER)
    both["proof"][1]["created"] = "2030-01-01T00:00:00Z"
    with pytest.raises(InvalidProofSignatureError):
        _verify(both)


def test_a_chained_proof_covers_the_proof_it_follows() -> None:
    first = _sign(_credential(), proof_id="urn:uuid:proof-1")
    chained = add_proof(
        first,
        OTHER_KEY,
        OTHER_VM,
        created=CREATED,
        loader=LOADER,
        previous_proof="urn:uuid:proof-1",
    )
    assert _verify(chained).proofs[1].verification_method == OTHER_VM
    # Re-signing the first proof (still valid on its own) breaks the chain above it.
    resigned = _sign(_credential(), proof_id="urn:uuid:proof-1", challenge="different")
    chained["proof"][0] = resigned["proof"]
    with pytest.raises(InvalidProofSignatureError):
        _verify(chained)


def test_a_chain_to_an_absent_proof_is_refused_both_ways() -> None:
    first = _sign(_credential(), proof_id="urn:uuid:proof-1")
    with pytest.raises(ProofGenerationError):
        add_proof(first, OTHER_KEY, OTHER_VM, created=CREATED, loader=LOADER, previous_proof="x")
    chained = add_proof(
        first,
        OTHER_KEY,
        OTHER_VM,
        created=CREATED,
        loader=LOADER,
        previous_proof="urn:uuid:proof-1",
    )
    chained["proof"][1]["previousProof"] = "urn:uuid:missing"
    with pytest.raises(PreviousProofError):
        _verify(chained)


# -- round trips ------------------------------------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20)


@settings(max_examples=40, deadline=None)
@given(
    name=_text,
    narrative=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
    credits=st.floats(min_value=0, max_value=1000, allow_nan=False),
    suite=st.sampled_from(SUITES),
)
def test_any_credential_content_signs_and_verifies(
    name: str, narrative: str, credits: float, suite: str
) -> None:
    document = _credential()
    document["name"] = name
    document["credentialSubject"]["achievement"]["criteria"]["narrative"] = narrative
    document["credentialSubject"]["creditsEarned"] = credits
    assert _verify(_sign(document, suite)).cryptosuite == suite


def test_the_verified_document_is_a_copy_without_the_proof() -> None:
    signed = SIGNED["eddsa-rdfc-2022"]
    result = _verify(signed)
    assert "proof" not in result.document
    assert "proof" in signed


def test_a_did_key_of_the_vector_key_pair_names_its_own_key(test_data: Path) -> None:
    signed = read_json(vectors(test_data) / "eddsa-rdfc-2022" / "signedDataInt.json")
    result = verify_proof(signed, loader=vector_loader(), resolve_key=public_key_from_did_key)
    assert did_key_from_public_key(result.public_key) == result.verification_method.split("#")[0]
