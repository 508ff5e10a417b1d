"""The fixed table from stored event classes to the public log's ``"event"`` names.

Stored topics name Python classes; the public log must not change when code moves,
so every recorded event type has an explicit, tested public name here.
"""

from __future__ import annotations

from typing import Final

PUBLIC_NAMES: Final[dict[str, str]] = {
    "Issuer.Registered": "IssuerRegistered",
    "Issuer.ProfileUpdated": "IssuerProfileUpdated",
    "Issuer.SigningKeyRotated": "IssuerSigningKeyRotated",
    "Issuer.SigningKeyRetired": "IssuerSigningKeyRetired",
    "Issuer.SigningKeyCompromised": "IssuerSigningKeyCompromised",
    "Issuer.CredentialsReissued": "IssuerCredentialsReissued",
    "Issuer.TokenIssued": "IssuerTokenIssued",
    "Issuer.TokenRevoked": "IssuerTokenRevoked",
    "Achievement.Defined": "AchievementDefined",
    "Achievement.Revised": "AchievementRevised",
    "Achievement.Archived": "AchievementArchived",
    "Credential.Issued": "CredentialIssued",
    "Credential.Suspended": "CredentialSuspended",
    "Credential.Reinstated": "CredentialReinstated",
    "Credential.Revoked": "CredentialRevoked",
    "Credential.Reissued": "CredentialReissued",
    "Endorsement.Endorsed": "EndorsementIssued",
    "Endorsement.Withdrawn": "EndorsementWithdrawn",
    "Recognition.Recorded": "RecognitionRecorded",
    "Recognition.Withdrawn": "RecognitionWithdrawn",
    "StatusSlot.Claimed": "StatusIndexClaimed",
    "StatusList.Opened": "StatusListOpened",
    "StatusList.Published": "StatusListPublished",
    "Ledger.Created": "LedgerCreated",
    "Ledger.IdentityAdopted": "LedgerIdentityAdopted",
    "Ledger.PublicBaseUrlMoved": "PublicBaseUrlMoved",
    "Erasure.Recorded": "ErasureRecorded",
}


class UnknownEventError(LookupError):
    """A stored event has no public name: the table above must be extended (and tested)."""


def public_name(topic: str) -> str:
    """Public name for a stored topic ``module:Class.Event``."""
    qualname = topic.rpartition(":")[2]
    try:
        return PUBLIC_NAMES[qualname]
    except KeyError:
        raise UnknownEventError(topic) from None
