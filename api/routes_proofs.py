"""Proof bundles for holders: present the credential, get its bundle.

The lookup goes by the digest of the credential presented, so it answers only someone
who already holds the exact signed credential; by id, a bundle is its issuer's to
fetch (``GET /v1/credentials/{id}/proof``, with the issuer's token).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from .auth import LedgerDep
from .models import ProofRequest

router = APIRouter(prefix="/v1/proofs", tags=["credentials"])


@router.post("", response_model=dict[str, Any])
def holder_proof(body: ProofRequest, ledger: LedgerDep) -> dict[str, Any]:
    """The proof bundle of the credential presented (anyone holding it; found by its
    digest). 404 when this ledger recorded no credential with that digest, 410 when the
    learner's personal data was erased."""
    return ledger.proofs.holder_bundle(body.credential)
