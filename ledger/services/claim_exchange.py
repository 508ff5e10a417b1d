"""The VC-API exchange of a claim, as the Learner Credential Wallet drives it.

    POST <claim>/exchange  {}                              -> a verifiablePresentationRequest:
        DIDAuthentication, a fresh challenge, the ledger's domain, where to answer
    POST <claim>/exchange  {"verifiablePresentation": VP}  -> {"verifiablePresentation":
        {"verifiableCredential": [the award, signed for the holder's DID]}}
    POST <claim>/exchange  VP                              -> the same presentation, bare:
        the wallet's older "credential request" deep link (``dccrequest://request?
        vc_request_url=…&challenge=…``) posts its DID-Auth presentation as the body

A claim guarded by a transaction code takes a pass (``?p=``) that the claim page hands
out once the code was given: the wallet cannot be asked for the code itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.ledger.credentials.rendering import VC_V2
from credledger.ledger.domain.claim import Claim
from credledger.ledger.domain.errors import FieldError, RequestInvalidError, TxCodeRequiredError
from credledger.ledger.services.claim_secrets import LINK, PASS, VPR
from credledger.ledger.services.claims import Claims
from credledger.ledger.services.holder_auth import authenticate_holder

PROTOCOL = "vcapi"
ACCEPTED_CRYPTOSUITES = ("Ed25519Signature2020", "eddsa-rdfc-2022", "eddsa-jcs-2022")


class ClaimExchange:
    """The two steps of the exchange; nothing is recorded until a delivery."""

    def __init__(self, claims: Claims, loader: DocumentLoader | None = None) -> None:
        self.claims = claims
        self.loader = loader or DocumentLoader()

    def _passed(self, claim: Claim, pass_token: str | None) -> bool:
        """Whether the transaction code was given (a valid pass, or no code needed)."""
        if not claim.guarded:
            return True
        found = self.claims.read_challenge(claim, pass_token) if pass_token else None
        return found is not None and found.purpose == PASS and found.tx_code_given

    def endpoint(self, secret_text: str, pass_token: str | None = None) -> str:
        url = self.claims.urls(secret_text).exchange
        return url if pass_token is None else f"{url}?p={quote(pass_token, safe='')}"

    def request(self, secret_text: str, pass_token: str | None = None) -> dict[str, Any]:
        """The presentation request that starts the exchange."""
        claim = self.claims.open(secret_text)
        passed = self._passed(claim, pass_token)
        if not passed:
            raise TxCodeRequiredError(
                "this claim needs its transaction code: open the claim's page and enter it"
            )
        challenge = self.claims.challenge(claim, VPR, tx_code_given=claim.guarded)
        return {
            "verifiablePresentationRequest": {
                "query": [
                    {
                        "type": "DIDAuthentication",
                        "acceptedMethods": [{"method": "key"}],
                        "acceptedCryptosuites": [
                            {"cryptosuite": suite} for suite in ACCEPTED_CRYPTOSUITES
                        ],
                    }
                ],
                "challenge": challenge,
                "domain": self.claims.domain,
                "interact": {
                    "service": [
                        {
                            "type": "UnmediatedPresentationService2021",
                            "serviceEndpoint": self.endpoint(
                                secret_text, pass_token if claim.guarded else None
                            ),
                        }
                    ]
                },
            }
        }

    def link_challenge(self, claim: Claim, *, tx_code_given: bool) -> str:
        """The challenge a deep link carries (the holder signs it without a domain)."""
        return self.claims.challenge(claim, LINK, tx_code_given=tx_code_given)

    def respond(self, secret_text: str, vp: Any) -> dict[str, Any]:
        """Deliver the claim to the holder a DID-Auth presentation proves: the
        presentation holding the credential signed for the holder's DID."""
        claim = self.claims.open(secret_text)

        def challenge_of(token: Any) -> Any:
            found = self.claims.read_challenge(claim, token)
            return found if found is not None and found.purpose in (VPR, LINK) else None

        holder = authenticate_holder(
            vp, loader=self.loader, challenge_of=challenge_of, domain=self.claims.domain
        )
        delivery = self.claims.deliver(
            claim,
            holder.did,
            PROTOCOL,
            tx_code_given=holder.challenge.tx_code_given,
        )
        context = delivery.vc.get("@context")
        first = context[0] if isinstance(context, list) and context else VC_V2
        return {
            "@context": [first],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [delivery.vc],
        }


def exchange_body(body: Any) -> tuple[str, Any]:
    """What a POST to the exchange is: ("start", None), ("presentation", VP) wrapped as
    the VC API says, or ("bare", VP) as the older deep link posts it."""
    if not isinstance(body, Mapping):
        raise RequestInvalidError([FieldError((), "must be a JSON object")])
    if not body:
        return "start", None
    if set(body) == {"verifiablePresentation"}:
        return "presentation", body["verifiablePresentation"]
    types = body.get("type")
    if "VerifiablePresentation" in (types if isinstance(types, list) else [types]):
        return "bare", body
    raise RequestInvalidError(
        [
            FieldError(
                (),
                'must be {} to start, or {"verifiablePresentation": …} answering the request',
            )
        ]
    )
