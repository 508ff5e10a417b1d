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
from .tlog_proofs import TLOG_PROOF, ProofFormat, tlog_proof_response

router = APIRouter(prefix="/v1/proofs", tags=["credentials"])


@router.post("", response_model=dict[str, Any], responses=TLOG_PROOF)
def holder_proof(body: ProofRequest, ledger: LedgerDep, format: ProofFormat = "json") -> Any:
    """The proof bundle of the credential presented (anyone holding it; found by its
    digest). 404 when this ledger recorded no credential with that digest, 410 when the
    learner's personal data was erased. With `format=tlog-proof`: the issuance's C2SP
    tlog-proof, as text."""
    if format == "tlog-proof":
        return tlog_proof_response(ledger.proofs.holder_tlog_proof(body.credential))
    return ledger.proofs.holder_bundle(body.credential)
