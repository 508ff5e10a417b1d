"""Signing credentials with an issuer's key: Data Integrity eddsa-rdfc-2022 under its DID."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from credledger.crypto.data_integrity import add_proof
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.jsonld_errors import JsonLdError
from credledger.crypto.keys import (
    Ed25519KeyPair,
    did_key_from_public_key,
    public_key_from_multibase,
    verification_method_id,
)
from credledger.crypto.proof_errors import ProofGenerationError
from credledger.ledger.credentials import rendering
from credledger.ledger.domain.errors import FieldError, RequestInvalidError
from credledger.ledger.store.vault import Vault

EXTENSION_CONTEXT_FILE = "credledger-edubadges-v1.jsonld"


@cache
def extension_context() -> dict[str, Any]:
    """credledger's own JSON-LD context for the edubadges extension terms (bundled)."""
    text = (
        resources.files("credledger.crypto.contexts").joinpath(EXTENSION_CONTEXT_FILE).read_text()
    )
    return dict(json.loads(text))


def document_loader(*base_urls: str) -> DocumentLoader:
    """Bundled contexts plus the extension context at each of the server's base URLs
    (credentials issued before a move name it under an earlier one); nothing fetched."""
    context = extension_context()
    return DocumentLoader({rendering.extension_context_url(b): context for b in base_urls})


class CredentialSigner:
    """Adds an eddsa-rdfc-2022 DataIntegrityProof made with the issuer's stored key."""

    def __init__(self, vault: Vault, base_urls: Sequence[str]) -> None:
        self.vault = vault
        self.loader = document_loader(*base_urls)

    def key_pair(self, key_id: str) -> Ed25519KeyPair:
        return Ed25519KeyPair.from_private_bytes(self.vault.signing_key(key_id))

    def verification_method(self, key_id: str) -> str:
        return verification_method_id(did_key_from_public_key(public_key_from_multibase(key_id)))

    def sign(
        self,
        document: dict[str, Any],
        key_id: str,
        created: datetime,
        *,
        cryptosuite: str = "eddsa-rdfc-2022",
        verification_method: str | None = None,
        proof_array: bool = False,
    ) -> dict[str, Any]:
        """``cryptosuite``: eddsa-rdfc-2022 (the default, what OB 3.0 requires) or
        eddsa-jcs-2022 (signs the JSON bytes; for verifiers without RDF tooling).
        ``verification_method``: the key's id under the issuer's DID (default: did:key).
        ``proof_array``: write ``proof`` as an array (a set of one), as OB 3.0's schema
        asks; the signature is the same, since a proof never covers its container."""
        try:
            signed: dict[str, Any] = add_proof(
                document,
                self.key_pair(key_id),
                verification_method or self.verification_method(key_id),
                cryptosuite=cryptosuite,
                proof_purpose="assertionMethod",
                created=rendering.rfc3339(created),
                loader=self.loader,
            )
        except (JsonLdError, ProofGenerationError) as exc:
            # The document itself cannot be signed (unknown context, undefined term...).
            raise RequestInvalidError([FieldError(("credential",), str(exc))]) from exc
        if proof_array and isinstance(signed.get("proof"), dict):
            signed["proof"] = [signed["proof"]]
        return signed
