"""The W3C EdDSA cryptosuites: ``eddsa-rdfc-2022``, ``eddsa-jcs-2022`` (and the legacy
``Ed25519Signature2020``, verification only).

One function per algorithm section of W3C "Data Integrity EdDSA Cryptosuites v1.0"
(§3.2 eddsa-rdfc-2022, §3.3 eddsa-jcs-2022): transformation, proof configuration,
hashing, proof serialization, proof verification, and the create/verify procedures
that chain them. Every intermediate is a plain value so tests can compare each one with
the specification's test vectors. Proof sets, chains, purposes, domains and challenges
are the Data Integrity layer's business (``data_integrity.py``), not the suites'.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any, Protocol

from credledger.crypto.errors import InvalidKeyError, InvalidSignatureError
from credledger.crypto.jcs import JcsError, canonicalize_bytes
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.jsonld_errors import CanonicalizationError, JsonLdError
from credledger.crypto.keys import verify_ed25519
from credledger.crypto.multibase import MultibaseError, decode_base58btc, encode_base58btc
from credledger.crypto.proof_errors import (
    ContextMismatchError,
    InvalidProofSignatureError,
    MalformedProofError,
    ProofGenerationError,
    ProofTransformationError,
    UnsupportedCryptosuiteError,
)
from credledger.crypto.rdfc import canonicalize

__all__ = [
    "DATA_INTEGRITY_PROOF",
    "DATA_INTEGRITY_V2_CONTEXT",
    "ED25519_SIGNATURE_2020",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "Signer",
    "check_context_prefix",
    "create_proof",
    "hashing",
    "jcs_proof_configuration",
    "jcs_transformation",
    "proof_serialization",
    "proof_verification",
    "rdfc_proof_configuration",
    "rdfc_transformation",
    "verify_proof_value",
]

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
DATA_INTEGRITY_V1_CONTEXT = "https://w3id.org/security/data-integrity/v1"
DATA_INTEGRITY_V2_CONTEXT = "https://w3id.org/security/data-integrity/v2"
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
_SUITE_CONTEXTS = (VC_V2_CONTEXT, DATA_INTEGRITY_V1_CONTEXT, DATA_INTEGRITY_V2_CONTEXT)

# XML Schema 1.1 dateTime (the timezone is optional, as the suites' spec allows).
_XSD_DATETIME = re.compile(
    r"-?(?:[1-9]\d{3,}|0\d{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?|24:00:00(?:\.0+)?)"
    r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?\Z"
)
_SIGNATURE_SIZE = 64


class Signer(Protocol):
    """Anything that makes Ed25519 signatures (``keys.Ed25519KeyPair`` does)."""

    def sign(self, message: bytes) -> bytes: ...


def as_context_list(context: Any) -> list[Any]:
    """A ``@context`` value as a list (``None`` for an absent one is the empty list)."""
    if context is None:
        return []
    return list(context) if isinstance(context, list) else [context]


def with_suite_context(context: Any) -> Any:
    """``context`` plus the Data Integrity v2 context, unless it already defines the proof terms.

    Digital Bazaar adds it the same way, so a VC 1.1 credential signed here carries the
    context its ``DataIntegrityProof`` terms need.
    """
    contexts = as_context_list(context)
    if any(url in contexts for url in _SUITE_CONTEXTS):
        return context
    return [*contexts, DATA_INTEGRITY_V2_CONTEXT]


def check_context_prefix(document_context: Any, proof_context: Any) -> None:
    """The document's ``@context`` must start with the proof's, in order (vc-di-eddsa §3.3.2)."""
    proof_list = as_context_list(proof_context)
    if as_context_list(document_context)[: len(proof_list)] != proof_list:
        raise ContextMismatchError("the proof's @context is not a prefix of the document's")


def _check_created(options: Mapping[str, Any], error: type[Exception]) -> None:
    created = options.get("created")
    if created is not None and (not isinstance(created, str) or not _XSD_DATETIME.match(created)):
        raise error(f"proof 'created' {created!r} is not an XML Schema dateTime")


def _check_suite(options: Mapping[str, Any], cryptosuite: str, error: type[Exception]) -> None:
    if options.get("type") != DATA_INTEGRITY_PROOF or options.get("cryptosuite") != cryptosuite:
        raise error(
            f"proof options are not a {DATA_INTEGRITY_PROOF} with cryptosuite {cryptosuite}"
        )


def _canonical_nquads(document: Mapping[str, Any], loader: DocumentLoader) -> str:
    return canonicalize(document, loader)


# -- eddsa-rdfc-2022 (vc-di-eddsa §3.2) ------------------------------------------------------


def rdfc_transformation(
    unsecured_document: Mapping[str, Any], options: Mapping[str, Any], loader: DocumentLoader
) -> str:
    """§3.2.3 Transformation: the RDFC-1.0 canonical N-Quads of the document."""
    _check_suite(options, EDDSA_RDFC_2022, ProofGenerationError)
    return _canonical_nquads(unsecured_document, loader)


def rdfc_proof_configuration(
    unsecured_document: Mapping[str, Any], options: Mapping[str, Any], loader: DocumentLoader
) -> str:
    """§3.2.5 Proof Configuration: the proof options, under the document's ``@context``."""
    _check_suite(options, EDDSA_RDFC_2022, ProofGenerationError)
    _check_created(options, ProofGenerationError)
    proof_config = {key: value for key, value in options.items() if key != "@context"}
    proof_config["@context"] = with_suite_context(unsecured_document.get("@context"))
    return _canonical_nquads(proof_config, loader)


# -- eddsa-jcs-2022 (vc-di-eddsa §3.3) -------------------------------------------------------


def jcs_transformation(unsecured_document: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """§3.3.3 Transformation: the RFC 8785 canonical JSON of the document."""
    _check_suite(options, EDDSA_JCS_2022, ProofGenerationError)
    return canonicalize_bytes(unsecured_document).decode("utf-8")


def jcs_proof_configuration(options: Mapping[str, Any]) -> str:
    """§3.3.5 Proof Configuration: the RFC 8785 canonical JSON of the proof options."""
    _check_suite(options, EDDSA_JCS_2022, ProofGenerationError)
    _check_created(options, ProofGenerationError)
    return canonicalize_bytes(options).decode("utf-8")


# -- shared steps ----------------------------------------------------------------------------


def hashing(transformed_document: str, canonical_proof_config: str) -> bytes:
    """§3.2.4 / §3.3.4 Hashing: SHA-256(proof config) ‖ SHA-256(document), 64 bytes."""
    proof_config_hash = hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
    document_hash = hashlib.sha256(transformed_document.encode("utf-8")).digest()
    return proof_config_hash + document_hash


def proof_serialization(hash_data: bytes, signer: Signer) -> bytes:
    """§3.2.6 / §3.3.6 Proof Serialization: the Ed25519 signature of the hash data."""
    return signer.sign(hash_data)


def proof_verification(hash_data: bytes, proof_bytes: bytes, public_key: bytes) -> None:
    """§3.2.7 / §3.3.7 Proof Verification: raise unless the Ed25519 signature verifies."""
    try:
        verify_ed25519(public_key, proof_bytes, hash_data)
    except InvalidKeyError as exc:
        raise InvalidProofSignatureError(f"the verification key is unusable: {exc}") from exc
    except InvalidSignatureError as exc:
        raise InvalidProofSignatureError("the proof's signature does not verify") from exc


def create_proof(
    unsecured_document: Mapping[str, Any],
    options: Mapping[str, Any],
    signer: Signer,
    loader: DocumentLoader,
) -> dict[str, Any]:
    """§3.2.1 / §3.3.1 Create Proof for ``options["cryptosuite"]``: the proof, with proofValue."""
    cryptosuite = options.get("cryptosuite")
    proof = dict(options)
    if cryptosuite == EDDSA_RDFC_2022:
        canonical_proof_config = rdfc_proof_configuration(unsecured_document, options, loader)
        transformed = rdfc_transformation(unsecured_document, options, loader)
    elif cryptosuite == EDDSA_JCS_2022:
        if "@context" in unsecured_document:
            proof["@context"] = unsecured_document["@context"]
        canonical_proof_config = jcs_proof_configuration(proof)
        transformed = jcs_transformation(unsecured_document, options)
    else:
        raise ProofGenerationError(f"cannot create {cryptosuite!r} proofs")
    proof_bytes = proof_serialization(hashing(transformed, canonical_proof_config), signer)
    proof["proofValue"] = encode_base58btc(proof_bytes)
    return proof


# -- verification ----------------------------------------------------------------------------


def _proof_bytes(proof: Mapping[str, Any]) -> bytes:
    value = proof.get("proofValue")
    if not isinstance(value, str):
        raise MalformedProofError("the proof has no string 'proofValue'")
    try:
        signature = decode_base58btc(value)
    except MultibaseError as exc:
        raise MalformedProofError(f"proofValue is not base58btc multibase: {exc}") from exc
    if len(signature) != _SIGNATURE_SIZE:
        raise MalformedProofError(f"proofValue holds {len(signature)} bytes, not 64")
    return signature


def verify_proof_value(
    unsecured_document: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: bytes,
    loader: DocumentLoader,
) -> None:
    """§3.2.2 / §3.3.2 Verify Proof (and Ed25519Signature2020): raise unless it verifies.

    ``unsecured_document`` is the document the proof was made over (without the proof
    itself, with any chained previous proofs already in place).
    """
    proof_bytes = _proof_bytes(proof)
    proof_options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in proof_options:
        check_context_prefix(unsecured_document.get("@context"), proof_options["@context"])
    proof_type, cryptosuite = proof.get("type"), proof.get("cryptosuite")
    try:
        if proof_type == DATA_INTEGRITY_PROOF and cryptosuite == EDDSA_RDFC_2022:
            transformed = _canonical_nquads(unsecured_document, loader)
            _check_created(proof_options, MalformedProofError)
            config = {k: v for k, v in proof_options.items() if k != "@context"}
            config["@context"] = with_suite_context(unsecured_document.get("@context"))
            canonical_proof_config = _canonical_nquads(config, loader)
        elif proof_type == DATA_INTEGRITY_PROOF and cryptosuite == EDDSA_JCS_2022:
            document = dict(unsecured_document)
            if "@context" in proof_options:
                document["@context"] = proof_options["@context"]
            _check_created(proof_options, MalformedProofError)
            transformed = canonicalize_bytes(document).decode("utf-8")
            canonical_proof_config = canonicalize_bytes(proof_options).decode("utf-8")
        elif proof_type == ED25519_SIGNATURE_2020:
            transformed, canonical_proof_config = _ed25519_2020(
                unsecured_document, proof_options, loader
            )
        else:
            raise UnsupportedCryptosuiteError(
                f"unsupported proof type {proof_type!r} / cryptosuite {cryptosuite!r}"
            )
    except (JsonLdError, CanonicalizationError, JcsError) as exc:
        raise ProofTransformationError(f"the document cannot be canonicalised: {exc}") from exc
    proof_verification(hashing(transformed, canonical_proof_config), proof_bytes, public_key)


def _ed25519_2020(
    unsecured_document: Mapping[str, Any], proof_options: dict[str, Any], loader: DocumentLoader
) -> tuple[str, str]:
    """The legacy suite as Digital Bazaar's jsonld-signatures computes it (VC 1.1 era)."""
    if ED25519_2020_CONTEXT not in as_context_list(unsecured_document.get("@context")):
        raise ContextMismatchError(
            f"an {ED25519_SIGNATURE_2020} document needs {ED25519_2020_CONTEXT}"
        )
    _check_created(proof_options, MalformedProofError)
    config = {"@context": unsecured_document.get("@context"), **proof_options}
    for legacy_value in ("jws", "signatureValue"):
        config.pop(legacy_value, None)
    return _canonical_nquads(unsecured_document, loader), _canonical_nquads(config, loader)
