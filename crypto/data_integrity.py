"""W3C Data Integrity proofs: add a proof, verify every proof (sets and chains).

The algorithms of "Verifiable Credential Data Integrity 1.0" §4: Add Proof, Add Proof
Set/Chain, Verify Proof, Verify Proof Sets and Chains. The cryptographic work is the
EdDSA suites' (``eddsa_cryptosuites``); this layer handles what surrounds it: which
proofs a chained proof covers, proof purpose, domain and challenge.

Pure: no clock (``created`` is passed in), no network (contexts come from the loader
passed in, keys from the ``resolve_key`` callable passed in). Verification returns what
was verified or raises a :class:`ProofVerificationError`; it never returns ``False``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credledger.crypto.eddsa_cryptosuites import (
    DATA_INTEGRITY_PROOF,
    ED25519_SIGNATURE_2020,
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    Signer,
    as_context_list,
    create_proof,
    verify_proof_value,
    with_suite_context,
)
from credledger.crypto.errors import CryptoError
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.jsonld_errors import UnknownContextError
from credledger.crypto.proof_errors import (
    InvalidChallengeError,
    InvalidDomainError,
    MalformedProofError,
    MissingProofError,
    PreviousProofError,
    ProofGenerationError,
    ProofPurposeMismatchError,
    ProofTransformationError,
    UnresolvableKeyError,
    UnsupportedCryptosuiteError,
)

__all__ = [
    "MAX_PROOFS",
    "SUPPORTED_CRYPTOSUITES",
    "ProofDetails",
    "VerifiedProof",
    "add_proof",
    "verify_proof",
]

SUPPORTED_CRYPTOSUITES = frozenset({EDDSA_RDFC_2022, EDDSA_JCS_2022})
"""Cryptosuites :func:`add_proof` creates (``Ed25519Signature2020`` is verified only)."""

MAX_PROOFS = 32
"""Most proofs one document may carry: each is verified over its own canonicalisation, so an
unbounded proof set would let one request buy seconds of work per megabyte."""


@dataclass(frozen=True, slots=True)
class ProofDetails:
    """One proof that verified."""

    type: str
    cryptosuite: str
    """The cryptosuite name, or the proof type for a legacy suite (``Ed25519Signature2020``)."""
    verification_method: str
    public_key: bytes
    proof_purpose: str
    created: str | None
    id: str | None


@dataclass(frozen=True, slots=True)
class VerifiedProof:
    """A document whose every proof verified.

    The convenience properties describe the first proof, which for the usual
    single-proof credential is the issuer's; ``proofs`` lists them all.
    """

    document: dict[str, Any]
    """The verified document without its ``proof``."""
    proofs: tuple[ProofDetails, ...]

    @property
    def verification_method(self) -> str:
        return self.proofs[0].verification_method

    @property
    def public_key(self) -> bytes:
        return self.proofs[0].public_key

    @property
    def cryptosuite(self) -> str:
        return self.proofs[0].cryptosuite

    @property
    def proof_purpose(self) -> str:
        return self.proofs[0].proof_purpose

    @property
    def created(self) -> str | None:
        return self.proofs[0].created


def _proof_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _without_proof(document: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "proof"}


def _check_known_contexts(document: Any, loader: DocumentLoader) -> None:
    """Every ``@context`` URL anywhere in the document must be one the loader holds."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "@context":
                for context in as_context_list(value):
                    if isinstance(context, str) and context not in loader:
                        raise UnknownContextError(context)
            else:
                _check_known_contexts(value, loader)
    elif isinstance(document, list):
        for item in document:
            _check_known_contexts(item, loader)


def add_proof(
    document: Mapping[str, Any],
    key_pair: Signer,
    verification_method: str,
    *,
    cryptosuite: str = EDDSA_RDFC_2022,
    proof_purpose: str = "assertionMethod",
    created: str | None,
    loader: DocumentLoader,
    challenge: str | None = None,
    domain: str | Sequence[str] | None = None,
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` secured with one more proof (DI §4.1, §4.2).

    An existing ``proof`` makes a proof set; ``previous_proof`` (ids of existing proofs)
    makes a proof chain, the new proof then also covering those proofs. A document with
    no Data Integrity context (VC 1.1) gets ``data-integrity/v2`` appended, as Digital
    Bazaar's issuer does. JSON-LD problems (undefined terms, unknown contexts) raise the
    ``JsonLdError`` that names them; bad options raise :class:`ProofGenerationError`.
    """
    if cryptosuite not in SUPPORTED_CRYPTOSUITES:
        raise ProofGenerationError(f"unsupported cryptosuite {cryptosuite!r}")
    all_proofs = _proof_list(document.get("proof"))
    unsecured = _without_proof(document)
    if "@context" in unsecured or cryptosuite == EDDSA_RDFC_2022:
        unsecured["@context"] = with_suite_context(unsecured.get("@context"))
    _check_known_contexts(unsecured, loader)
    input_document = dict(unsecured)
    if previous_proof is not None:
        input_document["proof"] = _matching_proofs(previous_proof, all_proofs, ProofGenerationError)
    options: dict[str, Any] = {"type": DATA_INTEGRITY_PROOF}
    if proof_id is not None:
        options["id"] = proof_id
    options["cryptosuite"] = cryptosuite
    if created is not None:
        options["created"] = created
    options["verificationMethod"] = verification_method
    options["proofPurpose"] = proof_purpose
    if previous_proof is not None:
        options["previousProof"] = (
            previous_proof if isinstance(previous_proof, str) else list(previous_proof)
        )
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain if isinstance(domain, str) else list(domain)
    proof = create_proof(input_document, options, key_pair, loader)
    secured = dict(unsecured)
    secured["proof"] = [*all_proofs, proof] if all_proofs else proof
    return secured


def _matching_proofs(
    previous: Any, all_proofs: list[Any], error: type[CryptoError]
) -> list[dict[str, Any]]:
    """The proofs a ``previousProof`` value names, in its order; every id must be present."""
    wanted = [previous] if isinstance(previous, str) else previous
    if not isinstance(wanted, list | tuple) or not all(isinstance(i, str) for i in wanted):
        raise error("previousProof must be a proof id or a list of proof ids")
    by_id = {p["id"]: p for p in all_proofs if isinstance(p, dict) and isinstance(p.get("id"), str)}
    missing = [proof_id for proof_id in wanted if proof_id not in by_id]
    if missing:
        raise error(f"previousProof names proofs the document does not hold: {missing}")
    return [by_id[proof_id] for proof_id in wanted]


def verify_proof(
    document: Mapping[str, Any],
    *,
    loader: DocumentLoader,
    resolve_key: Callable[[str], bytes],
    expected_purpose: str | None = "assertionMethod",
    challenge: str | None = None,
    domain: str | Sequence[str] | None = None,
) -> VerifiedProof:
    """Verify every proof of ``document`` (DI §4.4 for each, §4.5 for sets and chains).

    ``resolve_key`` maps a verification method id to its raw Ed25519 public key (for
    did:key, ``keys.public_key_from_did_key``); it may raise to refuse a method.
    """
    if not isinstance(document, Mapping):
        raise MalformedProofError("a secured document must be a JSON object")
    all_proofs = _proof_list(document.get("proof"))
    if not all_proofs:
        raise MissingProofError("the document has no proof")
    if len(all_proofs) > MAX_PROOFS:
        raise MalformedProofError(f"more than {MAX_PROOFS} proofs on one document")
    unsecured = _without_proof(document)
    try:
        _check_known_contexts(unsecured, loader)
    except UnknownContextError as exc:
        raise ProofTransformationError(str(exc)) from exc
    verified = []
    for proof in all_proofs:
        if not isinstance(proof, dict):
            raise MalformedProofError("every proof must be a JSON object")
        input_document = unsecured
        if "previousProof" in proof:
            input_document = dict(unsecured)
            input_document["proof"] = _matching_proofs(
                proof["previousProof"], all_proofs, PreviousProofError
            )
        verified.append(
            _verify_one(
                input_document, proof, loader, resolve_key, expected_purpose, challenge, domain
            )
        )
    return VerifiedProof(document=unsecured, proofs=tuple(verified))


def _verify_one(
    input_document: dict[str, Any],
    proof: dict[str, Any],
    loader: DocumentLoader,
    resolve_key: Callable[[str], bytes],
    expected_purpose: str | None,
    challenge: str | None,
    domain: str | Sequence[str] | None,
) -> ProofDetails:
    """Steps 4-8 of DI §4.4 Verify Proof for one proof."""
    proof_type = proof.get("type")
    method = proof.get("verificationMethod")
    purpose = proof.get("proofPurpose")
    if (
        not isinstance(proof_type, str)
        or not isinstance(method, str)
        or not isinstance(purpose, str)
    ):
        raise MalformedProofError("a proof needs string type, verificationMethod and proofPurpose")
    if expected_purpose is not None and purpose != expected_purpose:
        raise ProofPurposeMismatchError(f"proof purpose {purpose!r}, expected {expected_purpose!r}")
    if domain is not None:
        wanted = {domain} if isinstance(domain, str) else set(domain)
        given = proof.get("domain")
        given_list = _proof_list(given)
        if not all(isinstance(item, str) for item in given_list) or wanted != set(given_list):
            raise InvalidDomainError(f"proof domain {given!r} is not {domain!r}")
    if challenge is not None and proof.get("challenge") != challenge:
        raise InvalidChallengeError("the proof's challenge is not the expected one")
    cryptosuite = proof.get("cryptosuite")
    if proof_type == DATA_INTEGRITY_PROOF:
        if not isinstance(cryptosuite, str) or cryptosuite not in SUPPORTED_CRYPTOSUITES:
            raise UnsupportedCryptosuiteError(f"unsupported cryptosuite {cryptosuite!r}")
        suite_name = str(cryptosuite)
    elif proof_type == ED25519_SIGNATURE_2020:
        suite_name = ED25519_SIGNATURE_2020
    else:
        raise UnsupportedCryptosuiteError(f"unsupported proof type {proof_type!r}")
    try:
        public_key = resolve_key(method)
    except (CryptoError, LookupError, ValueError) as exc:
        raise UnresolvableKeyError(f"cannot resolve {method!r}: {exc}") from exc
    verify_proof_value(input_document, proof, public_key, loader)
    created = proof.get("created")
    proof_id = proof.get("id")
    return ProofDetails(
        type=proof_type,
        cryptosuite=suite_name,
        verification_method=method,
        public_key=public_key,
        proof_purpose=purpose,
        created=created if isinstance(created, str) else None,
        id=proof_id if isinstance(proof_id, str) else None,
    )
