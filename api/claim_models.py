"""The shapes of claims over HTTP: what an issuer asks for, and what it is told once."""

from __future__ import annotations

from typing import Annotated

from credledger.ledger.services.claims import ClaimOffer, ClaimRequest
from credledger.ledger.store.settings import CLAIM_LIFETIME_BOUNDS
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

_LOW, _HIGH = CLAIM_LIFETIME_BOUNDS


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tx_code: StrictBool = Field(
        default=False,
        description="guard the claim with a transaction code (8 digits, answered once, "
        "to be sent to the learner another way than the claim URL)",
    )
    expires_in: Annotated[StrictInt, Field(ge=_LOW, le=_HIGH)] | None = Field(
        default=None,
        description="seconds the claim stays open (default: the ledger's, 14 days)",
    )


ClaimAsked = StrictBool | ClaimIn | None
"""An award's ``claim``: true (a claim with the defaults), or a claim's options."""


class ClaimOut(BaseModel):
    url: str = Field(description="the claim's interaction URL (a page, or JSON for wallets)")
    offer: str = Field(description="the OpenID4VCI credential offer URI")
    tx_code: str | None = Field(
        default=None, description="the transaction code (only when asked for, only now)"
    )
    expires_at: str


class ClaimsWithdrawn(BaseModel):
    withdrawn: int = Field(description="how many open claims were withdrawn")


def claim_request(asked: ClaimAsked) -> ClaimRequest | None:
    if asked is None or asked is False:
        return None
    if asked is True:
        return ClaimRequest()
    assert isinstance(asked, ClaimIn)
    return ClaimRequest(asked.tx_code, asked.expires_in)


def claim_out(offer: ClaimOffer | None) -> ClaimOut | None:
    return None if offer is None else ClaimOut(**offer.as_dict())
