"""Typed failures of Data Integrity proof creation and verification.

Each class carries ``problem_type``, the error name the W3C Data Integrity spec
(§"Processing Errors") assigns, so an HTTP layer can answer with
``https://w3id.org/security#<problem_type>`` without a lookup table of its own.
Verification never returns a bare ``False``: it returns the verified proofs or raises
one of these.
"""

from __future__ import annotations

from credledger.crypto.errors import CryptoError, InvalidSignatureError

__all__ = [
    "ContextMismatchError",
    "InvalidChallengeError",
    "InvalidDomainError",
    "InvalidProofSignatureError",
    "MalformedProofError",
    "MissingProofError",
    "PreviousProofError",
    "ProofGenerationError",
    "ProofPurposeMismatchError",
    "ProofTransformationError",
    "ProofVerificationError",
    "UnresolvableKeyError",
    "UnsupportedCryptosuiteError",
]


class ProofGenerationError(CryptoError, ValueError):
    """The proof options are unusable (unknown suite, bad ``created``, missing previous proof)."""

    problem_type = "PROOF_GENERATION_ERROR"


class ProofVerificationError(CryptoError):
    """Base class: the document's proof(s) did not verify."""

    problem_type = "PROOF_VERIFICATION_ERROR"


class MissingProofError(ProofVerificationError):
    """The document carries no ``proof``."""


class MalformedProofError(ProofVerificationError):
    """A proof lacks ``type``/``verificationMethod``/``proofPurpose`` or has a bad value."""


class UnsupportedCryptosuiteError(ProofVerificationError):
    """The proof's type or cryptosuite is not one credledger verifies."""


class ProofPurposeMismatchError(ProofVerificationError):
    """The proof was made for another purpose than the verifier expects."""


class ContextMismatchError(ProofVerificationError):
    """The proof's ``@context`` does not agree with the document's."""


class InvalidDomainError(ProofVerificationError):
    """The proof's ``domain`` is not the one the verifier expects."""

    problem_type = "INVALID_DOMAIN_ERROR"


class InvalidChallengeError(ProofVerificationError):
    """The proof's ``challenge`` is not the one the verifier issued."""

    problem_type = "INVALID_CHALLENGE_ERROR"


class PreviousProofError(ProofVerificationError):
    """A ``previousProof`` names a proof id the proof set does not hold."""


class UnresolvableKeyError(ProofVerificationError):
    """The verification method could not be turned into an Ed25519 public key."""


class ProofTransformationError(ProofVerificationError):
    """The document could not be canonicalised (bad JSON-LD, unknown context, …)."""

    problem_type = "PROOF_TRANSFORMATION_ERROR"


class InvalidProofSignatureError(ProofVerificationError, InvalidSignatureError):
    """The signature does not match the document, the proof options and the key."""
