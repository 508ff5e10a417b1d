"""What a wallet reads before it asks for a credential: the Credential Issuer Metadata
(OpenID4VCI 1.0 §12.2) and the Authorization Server Metadata (RFC 8414).

The ledger is its own authorization server (the issuer metadata names none), for the
pre-authorized code flow only, anonymous (no client registration). One credential
configuration, ``openbadge_credential``: an Open Badges 3.0 credential as a W3C VC with a
Data Integrity proof (``ldp_vc``, Appendix A.1.2), bound to a key the wallet proves with
a ``jwt`` proof (EdDSA or ES256; a did:key or a JWK). Display texts in Dutch and English.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from credledger.ledger.credentials.rendering import OB_V3, VC_V2
from credledger.ledger.services.claims import CREDENTIAL_CONFIGURATION
from credledger.ledger.verify.key_proofs import KEY_PROOF_ALGORITHMS

TOKEN_PATH = "/oid4vci/token"
NONCE_PATH = "/oid4vci/nonce"
CREDENTIAL_PATH = "/oid4vci/credential"
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CRYPTOSUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
"""The Data Integrity cryptosuites a delivered copy is signed with (the award's own)."""

_CARD = {"background_color": "#12355b", "text_color": "#ffffff"}
_CONFIGURATION_DISPLAY = [
    {
        "name": "Open Badge (microcredential)",
        "locale": "en",
        "description": "A unit of learning you completed, as an Open Badges 3.0 credential "
        "signed by the institution that awarded it.",
        **_CARD,
    },
    {
        "name": "Open Badge (microcredential)",
        "locale": "nl",
        "description": "Een leereenheid die je hebt afgerond, als Open Badges 3.0-credential "
        "ondertekend door de instelling die hem toekende.",
        **_CARD,
    },
]
_CLAIMS = (
    (("credentialSubject", "achievement", "name"), "Achievement", "Prestatie"),
    (("credentialSubject", "achievement", "description"), "Description", "Beschrijving"),
    (("credentialSubject", "achievement", "criteria", "narrative"), "Criteria", "Criteria"),
    (("issuer", "name"), "Awarded by", "Toegekend door"),
    (("validFrom",), "Valid from", "Geldig vanaf"),
    (("validUntil",), "Valid until", "Geldig tot"),
)


def _claims() -> list[dict[str, Any]]:
    return [
        {
            "path": list(path),
            "display": [{"name": english, "locale": "en"}, {"name": dutch, "locale": "nl"}],
        }
        for path, english, dutch in _CLAIMS
    ]


def credential_issuer_metadata(base_url: str) -> dict[str, Any]:
    """The Credential Issuer Metadata of the ledger at ``base_url``."""
    host = urlsplit(base_url).netloc
    return {
        "credential_issuer": base_url,
        "credential_endpoint": base_url + CREDENTIAL_PATH,
        "nonce_endpoint": base_url + NONCE_PATH,
        "display": [
            {"name": f"Microcredentials ({host})", "locale": "en"},
            {"name": f"Microcredentials ({host})", "locale": "nl"},
        ],
        "credential_configurations_supported": {
            CREDENTIAL_CONFIGURATION: {
                "format": "ldp_vc",
                "credential_definition": {
                    "@context": [VC_V2, OB_V3],
                    "type": ["VerifiableCredential", "OpenBadgeCredential"],
                },
                "cryptographic_binding_methods_supported": ["did:key", "jwk"],
                "credential_signing_alg_values_supported": list(CRYPTOSUITES),
                "proof_types_supported": {
                    "jwt": {"proof_signing_alg_values_supported": sorted(KEY_PROOF_ALGORITHMS)}
                },
                "credential_metadata": {"display": _CONFIGURATION_DISPLAY, "claims": _claims()},
            }
        },
    }


def authorization_server_metadata(base_url: str) -> dict[str, Any]:
    """RFC 8414 metadata of the ledger as the authorization server of its own offers."""
    return {
        "issuer": base_url,
        "token_endpoint": base_url + TOKEN_PATH,
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
        "response_types_supported": [],
    }
