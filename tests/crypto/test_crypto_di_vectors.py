"""Every intermediate of the W3C Data Integrity EdDSA test vectors, reproduced from the inputs.

For each suite the vectors give the unsigned document, the proof options and the key
pair, then every step: canonical document, canonical proof configuration, both hashes,
their concatenation, the signature (hex and base58btc) and the signed document. Each
step is computed here from the inputs alone and compared byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.data_integrity import add_proof, verify_proof
from credledger.crypto.eddsa_cryptosuites import (
    create_proof,
    hashing,
    jcs_proof_configuration,
    jcs_transformation,
    proof_serialization,
    rdfc_proof_configuration,
    rdfc_transformation,
)
from credledger.crypto.keys import (
    Ed25519KeyPair,
    did_key_from_public_key,
    public_key_from_did_key,
    verification_method_id,
)
from credledger.crypto.multibase import encode_base58btc
from credledger.crypto.proof_errors import InvalidProofSignatureError
from credledger.crypto.rdfc import canonicalize

from ..di_vectors import (
    VECTOR_CREATED,
    VECTOR_KEY_VM,
    key_pair,
    loader,
    read_json,
    read_text,
    vector_key,
    vectors,
)


@dataclass(frozen=True)
class SuiteCase:
    name: str
    folder: str
    suffix: str
    unsigned: str
    cryptosuite: str


CASES = [
    SuiteCase("rdfc", "eddsa-rdfc-2022", "DataInt", "unsigned.json", "eddsa-rdfc-2022"),
    SuiteCase(
        "rdfc-employ",
        "eddsa-rdfc-2022/employ",
        "DataInt",
        "employmentAuth.json",
        "eddsa-rdfc-2022",
    ),
    SuiteCase("jcs", "eddsa-jcs-2022", "JCS", "unsigned.json", "eddsa-jcs-2022"),
]


def _file(test_data: Path, case: SuiteCase, stem: str) -> Path:
    extension = ".json" if stem in ("proofConfig", "signed") else ".txt"
    return vectors(test_data) / case.folder / f"{stem}{case.suffix}{extension}"


def _steps(test_data: Path, case: SuiteCase) -> tuple[str, str, dict[str, Any]]:
    """The canonical document and proof configuration, computed from the inputs."""
    unsigned = read_json(vectors(test_data) / case.unsigned)
    proof_config = read_json(_file(test_data, case, "proofConfig"))
    if case.cryptosuite == "eddsa-rdfc-2022":
        # The vector's proof config already shows the @context step 5 copies in.
        options = {k: v for k, v in proof_config.items() if k != "@context"}
        assert proof_config["@context"] == unsigned["@context"]
        canonical_document = rdfc_transformation(unsigned, options, loader())
        canonical_config = rdfc_proof_configuration(unsigned, options, loader())
    else:
        canonical_document = jcs_transformation(unsigned, proof_config)
        canonical_config = jcs_proof_configuration(proof_config)
    return canonical_document, canonical_config, unsigned


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_canonical_document_matches_the_vector(test_data: Path, case: SuiteCase) -> None:
    canonical_document, _, _ = _steps(test_data, case)
    assert canonical_document == read_text(_file(test_data, case, "canonDoc"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_canonical_proof_configuration_matches_the_vector(test_data: Path, case: SuiteCase) -> None:
    _, canonical_config, _ = _steps(test_data, case)
    assert canonical_config == read_text(_file(test_data, case, "proofCanon"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hashes_match_the_vector(test_data: Path, case: SuiteCase) -> None:
    canonical_document, canonical_config, _ = _steps(test_data, case)
    proof_hash = hashlib.sha256(canonical_config.encode()).hexdigest()
    document_hash = hashlib.sha256(canonical_document.encode()).hexdigest()
    assert proof_hash == read_text(_file(test_data, case, "proofHash"))
    assert document_hash == read_text(_file(test_data, case, "docHash"))
    combined = hashing(canonical_document, canonical_config)
    assert combined.hex() == read_text(_file(test_data, case, "combinedHash"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_signature_matches_the_vector_in_hex_and_base58(test_data: Path, case: SuiteCase) -> None:
    canonical_document, canonical_config, _ = _steps(test_data, case)
    signature = proof_serialization(
        hashing(canonical_document, canonical_config), vector_key(test_data)
    )
    assert signature.hex() == read_text(_file(test_data, case, "sigHex"))
    assert encode_base58btc(signature) == read_text(_file(test_data, case, "sigBTC58"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_add_proof_reproduces_the_signed_document(test_data: Path, case: SuiteCase) -> None:
    unsigned = read_json(vectors(test_data) / case.unsigned)
    signed = add_proof(
        unsigned,
        vector_key(test_data),
        VECTOR_KEY_VM,
        cryptosuite=case.cryptosuite,
        created=VECTOR_CREATED,
        loader=loader(),
    )
    assert signed == read_json(_file(test_data, case, "signed"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_signed_vector_verifies(test_data: Path, case: SuiteCase) -> None:
    signed = read_json(_file(test_data, case, "signed"))
    result = verify_proof(signed, loader=loader(), resolve_key=public_key_from_did_key)
    assert result.cryptosuite == case.cryptosuite
    assert result.verification_method == VECTOR_KEY_VM
    assert result.document == {k: v for k, v in signed.items() if k != "proof"}


# -- Ed25519Signature2020 (VC 1.1 era; verified, never created) --------------------------------


def _ed_sig(test_data: Path, stem: str) -> Path:
    suffix = ".json" if stem in ("proofConfig", "signed") else ".txt"
    return vectors(test_data) / "Ed25519Signature2020" / f"{stem}EdSig{suffix}"


def test_ed25519_signature_2020_intermediates_match_the_vector(test_data: Path) -> None:
    signed = read_json(_ed_sig(test_data, "signed"))
    document = {k: v for k, v in signed.items() if k != "proof"}
    canonical_document = canonicalize(document, loader())
    canonical_config = canonicalize(read_json(_ed_sig(test_data, "proofConfig")), loader())
    assert canonical_document == read_text(_ed_sig(test_data, "canonDoc"))
    assert canonical_config == read_text(_ed_sig(test_data, "proofCanon"))
    combined = hashing(canonical_document, canonical_config)
    assert combined.hex() == read_text(_ed_sig(test_data, "combinedHash"))
    signature = vector_key(test_data).sign(combined)
    assert signature.hex() == read_text(_ed_sig(test_data, "sigHex"))
    assert encode_base58btc(signature) == read_text(_ed_sig(test_data, "sigBTC58"))


def test_ed25519_signature_2020_signed_vector_verifies(test_data: Path) -> None:
    signed = read_json(_ed_sig(test_data, "signed"))
    result = verify_proof(signed, loader=loader(), resolve_key=public_key_from_did_key)
    assert result.cryptosuite == "Ed25519Signature2020"


# -- proof sets and chains ------------------------------------------------------------------


def _chain_dir(test_data: Path) -> Path:
    return vectors(test_data) / "proof-set-chain"


def _chain_key(test_data: Path, number: int) -> Any:
    return key_pair(read_json(_chain_dir(test_data) / "multiKeyPairs.json")[f"keyPair{number}"])


@pytest.mark.parametrize(
    ("document", "config", "signed_config", "key_number"),
    [
        ("unsigned.json", "proofSetConfig1.json", "proofSetConfigSigned1.json", 1),
        ("unsigned.json", "proofSetConfig2.json", "proofSetConfigSigned2.json", 2),
        ("proofChainTempDoc1.json", "proofChainConfig1.json", "proofChainConfigSigned1.json", 3),
        ("proofChainTempDoc2.json", "proofChainConfig2.json", "proofChainConfigSigned2.json", 4),
    ],
)
def test_each_set_and_chain_proof_signs_its_documented_input(
    test_data: Path, document: str, config: str, signed_config: str, key_number: int
) -> None:
    folder = _chain_dir(test_data)
    proof = create_proof(
        read_json(folder / document),
        read_json(folder / config),
        _chain_key(test_data, key_number),
        loader(),
    )
    assert proof == read_json(folder / signed_config)


def test_add_proof_builds_the_vector_proof_set_then_chain(test_data: Path) -> None:
    folder = _chain_dir(test_data)
    document = read_json(folder / "unsigned.json")
    steps = [
        ("proofSetConfig1.json", 1, "signedProofSet1.json"),
        ("proofSetConfig2.json", 2, "signedProofSet2.json"),
        ("proofChainConfig1.json", 3, "signedProofChain1.json"),
        ("proofChainConfig2.json", 4, "signedProofChain2.json"),
    ]
    for config_name, key_number, expected in steps:
        config = read_json(folder / config_name)
        document = add_proof(
            document,
            _chain_key(test_data, key_number),
            config["verificationMethod"],
            created=config["created"],
            loader=loader(),
            proof_id=config.get("id"),
            previous_proof=config.get("previousProof"),
        )
        assert document == read_json(folder / expected), expected


@pytest.mark.parametrize(
    ("name", "proofs"),
    [
        ("signedProofSet1.json", 1),
        ("signedProofSet2.json", 2),
        ("signedProofChain1.json", 3),
        ("signedProofChain2.json", 4),
    ],
)
def test_every_proof_of_the_vector_sets_and_chains_verifies(
    test_data: Path, name: str, proofs: int
) -> None:
    signed = read_json(_chain_dir(test_data) / name)
    result = verify_proof(signed, loader=loader(), resolve_key=public_key_from_did_key)
    assert len(result.proofs) == proofs
    assert [p.verification_method for p in result.proofs] == [
        p["verificationMethod"] for p in (signed["proof"] if proofs > 1 else [signed["proof"]])
    ]


# -- tampering with the signed vectors ------------------------------------------------------

SIGNED_VECTORS = [
    "eddsa-rdfc-2022/signedDataInt.json",
    "eddsa-rdfc-2022/employ/signedDataInt.json",
    "eddsa-jcs-2022/signedJCS.json",
    "Ed25519Signature2020/signedEdSig.json",
    "proof-set-chain/signedProofSet2.json",
    "proof-set-chain/signedProofChain2.json",
]
OTHER_VM = verification_method_id(
    did_key_from_public_key(Ed25519KeyPair.from_seed(bytes(32)).public_key)
)


def _last_proof(document: dict[str, Any]) -> dict[str, Any]:
    proof = document["proof"]
    last: dict[str, Any] = proof[-1] if isinstance(proof, list) else proof
    return last


def _claim(document: dict[str, Any]) -> None:
    subject = document["credentialSubject"]
    key = "alumniOf" if "alumniOf" in subject else "givenName"
    subject[key] += "."


def _proof_value(document: dict[str, Any]) -> None:
    proof = _last_proof(document)
    value = proof["proofValue"]
    proof["proofValue"] = value[:20] + ("B" if value[20] != "B" else "C") + value[21:]


TAMPERINGS: dict[str, Callable[[dict[str, Any]], None]] = {
    "claim": _claim,
    "proofValue": _proof_value,
    "created": lambda d: _last_proof(d).update(created="2023-02-24T23:36:39Z"),
    "verificationMethod": lambda d: _last_proof(d).update(verificationMethod=OTHER_VM),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERINGS))
@pytest.mark.parametrize("name", SIGNED_VECTORS)
def test_tampering_with_a_signed_vector_is_rejected(
    test_data: Path, name: str, tampering: str
) -> None:
    signed = read_json(vectors(test_data) / name)
    TAMPERINGS[tampering](signed)
    with pytest.raises(InvalidProofSignatureError):
        verify_proof(signed, loader=loader(), resolve_key=public_key_from_did_key)
