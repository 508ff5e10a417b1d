"""DID authentication of a wallet: a presentation signed by the holder's did:key.

The Learner Credential Wallet answers a ``DIDAuthentication`` request with an empty
presentation naming its DID as ``holder``, signed (Ed25519Signature2020, or a Data
Integrity eddsa proof) for ``authentication`` over the challenge and domain it was
given. This checks exactly that, offline: the key is the holder's did:key (resolved
locally; no other DID method is taken), the challenge is one the claim issued and still
good, and the domain is the ledger's when the request named one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from credledger.crypto import data_integrity
from credledger.crypto.errors import CryptoError
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.keys import did_key_document, public_key_from_did_key
from credledger.crypto.proof_errors import InvalidChallengeError, InvalidDomainError
from credledger.ledger.credentials.vc_data_model import presentation_violations
from credledger.ledger.domain.errors import (
    FieldError,
    HolderNotAuthenticatedError,
    RequestInvalidError,
    UnsupportedHolderError,
)
from credledger.ledger.domain.holders import holder_did
from credledger.ledger.services.claim_secrets import VPR, Challenge


@dataclass(frozen=True)
class AuthenticatedHolder:
    did: str
    challenge: Challenge


def _refused(message: str) -> HolderNotAuthenticatedError:
    return HolderNotAuthenticatedError(message)


def _holder_of(vp: Mapping[str, Any]) -> str:
    """The presentation's holder: a did:key (anything else is refused)."""
    holder = vp.get("holder")
    holder_id = holder.get("id") if isinstance(holder, Mapping) else holder
    if not isinstance(holder_id, str):
        raise RequestInvalidError(
            [FieldError(("verifiablePresentation", "holder"), "names the holder's did:key")]
        )
    did = holder_did(holder_id)
    if not did.startswith("did:key:") or did != holder_id:
        raise UnsupportedHolderError(
            "the holder must be a did:key DID",
            [FieldError(("verifiablePresentation", "holder"), "must be a did:key DID")],
        )
    try:
        public_key_from_did_key(did)
    except CryptoError as exc:
        raise UnsupportedHolderError(
            f"the holder's did:key is not an Ed25519 key: {exc}",
            [FieldError(("verifiablePresentation", "holder"), "must be an Ed25519 did:key")],
        ) from None
    return did


def _authentication_key(holder: str) -> Callable[[str], bytes]:
    def resolve(vm_id: str) -> bytes:
        if vm_id.split("#", 1)[0] != holder:
            raise LookupError(f"{vm_id} is not a key of the holder {holder}")
        document = did_key_document(holder)
        if vm_id not in document["authentication"] and vm_id != holder:
            raise LookupError(f"{vm_id} is not an authentication method of {holder}")
        return public_key_from_did_key(vm_id)

    return resolve


def authenticate_holder(
    vp: Any,
    *,
    loader: DocumentLoader,
    challenge_of: Callable[[Any], Challenge | None],
    domain: str,
) -> AuthenticatedHolder:
    """The holder a DID-Auth presentation proves, with the challenge it answered.

    Raises RequestInvalidError (not a presentation), UnsupportedHolderError (not a
    did:key) or HolderNotAuthenticatedError (proof, purpose, challenge or domain)."""
    if not isinstance(vp, Mapping):
        raise RequestInvalidError(
            [FieldError(("verifiablePresentation",), "must be a presentation (an object)")]
        )
    violations = presentation_violations(vp)
    if violations:
        prefixed = [FieldError(("verifiablePresentation", *v.loc), v.msg) for v in violations]
        raise RequestInvalidError(prefixed)
    holder = _holder_of(vp)
    proofs = vp.get("proof")
    proof = proofs[0] if isinstance(proofs, list) and len(proofs) == 1 else proofs
    if not isinstance(proof, Mapping):
        raise _refused("the presentation carries no proof (one proof by the holder's key)")
    challenge = challenge_of(proof.get("challenge"))
    if challenge is None:
        raise _refused(
            "the presentation's challenge is not one this claim gave out, or it expired: "
            "ask for a new one"
        )
    wanted_domain = domain if challenge.purpose == VPR or "domain" in proof else None
    try:
        data_integrity.verify_proof(
            vp,
            loader=loader,
            resolve_key=_authentication_key(holder),
            expected_purpose="authentication",
            challenge=str(proof["challenge"]),
            domain=wanted_domain,
        )
    except InvalidDomainError:
        raise _refused(f"the presentation's proof is not for the domain {domain!r}") from None
    except InvalidChallengeError:
        raise _refused("the presentation's proof is not over the challenge given") from None
    except CryptoError as exc:
        raise _refused(f"the presentation's proof does not verify: {exc}") from None
    return AuthenticatedHolder(holder, challenge)
