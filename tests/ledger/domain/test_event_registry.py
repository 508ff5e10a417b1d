"""The event registry: public names, leaf fields and effects, looked up by class or topic."""

from __future__ import annotations

import pytest
from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.events import (
    KINDS,
    KeyEffect,
    LeafFields,
    UnknownEventError,
    kind_for_topic,
    kind_of,
    public_name,
)

PUBLIC_NAMES = {
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
    "Credential.Delivered": "CredentialDelivered",
    "Claim.Offered": "ClaimOffered",
    "Claim.Claimed": "ClaimUsed",
    "Claim.Withdrawn": "ClaimWithdrawn",
    "Claim.Expired": "ClaimExpired",
    "Credential.ReasonPublished": "CredentialStatusReasonPublished",
    "Credential.SharingEnded": "CredentialSharingEnded",
    "ShareLink.Made": "ShareLinkMade",
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
"""The public log's event names (read by monitors and verifiers): fixed forever."""

STATUS = {
    "CredentialIssued": ("active", set(), set()),
    "CredentialSuspended": ("suspended", {"suspension"}, set()),
    "CredentialReinstated": ("active", set(), {"suspension"}),
    "CredentialRevoked": ("revoked", {"revocation"}, {"suspension"}),
    "EndorsementWithdrawn": ("revoked", {"revocation"}, {"suspension"}),
}
LEAVES = {
    "CredentialIssued": LeafFields.ISSUANCE,
    "CredentialReissued": LeafFields.ISSUANCE,
    "CredentialDelivered": LeafFields.ISSUANCE,
    "StatusListPublished": LeafFields.STATUS_LIST,
    "LedgerCreated": LeafFields.IDENTITY,
    "LedgerIdentityAdopted": LeafFields.IDENTITY,
    "PublicBaseUrlMoved": LeafFields.IDENTITY,
}
ALIASED = {
    "CredentialIssued",
    "CredentialSuspended",
    "CredentialReinstated",
    "CredentialRevoked",
    "CredentialReissued",
    "CredentialDelivered",
    "ClaimOffered",
    "ClaimUsed",
    "ClaimWithdrawn",
    "ClaimExpired",
    "CredentialStatusReasonPublished",
    "CredentialSharingEnded",
    "RecognitionRecorded",
    "RecognitionWithdrawn",
    "StatusIndexClaimed",
}
KEYS = {
    "IssuerRegistered": KeyEffect.ACTIVATED,
    "IssuerSigningKeyRotated": KeyEffect.ACTIVATED,
    "IssuerSigningKeyRetired": KeyEffect.RETIRED,
    "IssuerSigningKeyCompromised": KeyEffect.COMPROMISED,
}


def test_every_stored_event_keeps_its_public_name() -> None:
    names = {k.topic.rpartition(":")[2]: k.public_name for k in KINDS}
    assert names == PUBLIC_NAMES


def test_each_kind_is_found_by_its_class_and_its_stored_topic() -> None:
    for kind in KINDS:
        assert kind_for_topic(kind.topic) is kind
        assert public_name(kind.topic) == kind.public_name
        assert kind.event_class.__qualname__ == f"{kind.aggregate.__name__}.{kind.name}"


def test_leaf_fields_status_and_key_effects_are_as_recorded() -> None:
    for kind in KINDS:
        assert kind.leaf is LEAVES.get(kind.public_name, LeafFields.NONE), kind.public_name
        assert kind.aliased == (kind.public_name in ALIASED), kind.public_name
        assert kind.keys is KEYS.get(kind.public_name), kind.public_name
        effect = kind.status
        found = None if effect is None else (effect.status, set(effect.sets), set(effect.clears))
        assert found == STATUS.get(kind.public_name), kind.public_name


@pytest.mark.parametrize(
    "topic",
    [
        "credledger.ledger.credential:Credential.Renewed",
        "elsewhere.credential:Credential.Issued",  # a known name under another module
        "Credential.Issued",
    ],
)
def test_an_unknown_stored_event_is_an_error(topic: str) -> None:
    with pytest.raises(UnknownEventError):
        kind_for_topic(topic)


def test_an_event_of_an_unknown_class_is_an_error() -> None:
    class Renewed(Credential.Event):
        pass

    with pytest.raises(UnknownEventError):
        kind_of(object.__new__(Renewed))
