"""A test wallet: a did:key holder that answers DID-Auth requests as the Learner
Credential Wallet does (an empty presentation, signed for authentication)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from credledger.crypto import data_integrity
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.keys import Ed25519KeyPair, did_key_from_public_key, verification_method_id

VC_V2 = "https://www.w3.org/ns/credentials/v2"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"


@dataclass
class Wallet:
    """One holder key; ``did_auth`` signs the presentation a DID-Auth request asks for."""

    keys: Ed25519KeyPair = field(default_factory=Ed25519KeyPair.generate)

    @property
    def did(self) -> str:
        return did_key_from_public_key(self.keys.public_key)

    def did_auth(
        self,
        challenge: str | None,
        domain: str | None = None,
        *,
        cryptosuite: str = "eddsa-rdfc-2022",
        holder: str | None = None,
        purpose: str = "authentication",
    ) -> dict[str, Any]:
        """An empty presentation naming ``holder`` (this wallet's DID), signed by this
        wallet's key over ``challenge`` and ``domain``."""
        vp = {
            "@context": [VC_V2],
            "type": ["VerifiablePresentation"],
            "holder": holder or self.did,
        }
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return data_integrity.add_proof(
            vp,
            self.keys,
            verification_method_id(self.did),
            cryptosuite=cryptosuite,
            proof_purpose=purpose,
            created=created,
            loader=DocumentLoader(),
            challenge=challenge,
            domain=domain,
        )
