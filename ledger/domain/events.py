"""The one registry of recorded events: each event class, its public name, what its
Merkle leaf adds and what it does to a status.

Stored topics name Python classes; the public log must not change when code moves, so
every recorded event type has an explicit, tested public name here (the ``"event"`` of
its leaf). The leaf codec (``ledger/log/leaves.py``), the read model, the status fold,
the audit, proof bundles and status histories all ask this table instead of spelling
event names themselves, so a new event is added here once. A stored event this table
does not know is an error (:class:`UnknownEventError`), never skipped in silence.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from credledger.ledger.domain.achievement import Achievement
from credledger.ledger.domain.aggregate import PseudonymousAggregate
from credledger.ledger.domain.claim import Claim
from credledger.ledger.domain.credential import ACTIVE, REVOKED, SUSPENDED, Credential
from credledger.ledger.domain.endorsement import Endorsement
from credledger.ledger.domain.erasure import Erasure
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.domain.ledger_identity import Ledger
from credledger.ledger.domain.recognition import Recognition
from credledger.ledger.domain.share_link import ShareLink
from credledger.ledger.domain.status_lists import StatusList, StatusSlot
from eventsourcing.utils import get_topic


class LeafFields(enum.Enum):
    """What an event's leaf says beyond seq, event, aggregate, version, time, commitment."""

    NONE = "none"
    ISSUANCE = "issuance"
    """The signed credential's digest (and, before aliases, its id in ``"credential"``)."""
    STATUS_LIST = "status_list"
    """The list credential's URL (``"list"``), its version and its digest."""
    IDENTITY = "identity"
    """The ledger's log origin (when the event records one) and base URL, in clear."""


PURPOSE_REVOCATION = "revocation"
PURPOSE_SUSPENSION = "suspension"


@dataclass(frozen=True)
class StatusEffect:
    """What an event does to the status of the credential (or endorsement) it is about.

    ``status`` is the status it leaves (shown in the status history and the read model);
    ``sets`` and ``clears`` are the status purposes whose bit at its index it sets or
    clears on the published lists.
    """

    status: str
    sets: frozenset[str] = frozenset()
    clears: frozenset[str] = frozenset()

    @property
    def changes_bits(self) -> bool:
        """Whether a status list changes (what the status fold and its audit read)."""
        return bool(self.sets or self.clears)


ISSUED = StatusEffect(ACTIVE)
SUSPENSION_SET = StatusEffect(SUSPENDED, sets=frozenset({PURPOSE_SUSPENSION}))
SUSPENSION_CLEARED = StatusEffect(ACTIVE, clears=frozenset({PURPOSE_SUSPENSION}))
REVOCATION_SET = StatusEffect(
    REVOKED, sets=frozenset({PURPOSE_REVOCATION}), clears=frozenset({PURPOSE_SUSPENSION})
)
"""Revocation is final: a revoked credential is no longer shown suspended (and a withdrawn
endorsement is revoked)."""


class KeyEffect(enum.Enum):
    """What an issuer event does to its signing keys' periods (``domain/issuer_keys.py``)."""

    ACTIVATED = "activated"
    """A key became the active one (registration, rotation): the one before it ends."""
    RETIRED = "retired"
    """A key stopped signing for the issuer."""
    COMPROMISED = "compromised"
    """A key is trusted for nothing, from any time."""


@dataclass(frozen=True)
class EventKind:
    """One recorded event type: the class stored, its public name, its leaf and effects.

    ``name`` is the event's name on its aggregate (``Credential.Issued``), the last part
    of the topic it is stored under.
    """

    aggregate: type[Any]
    name: str
    public_name: str
    leaf: LeafFields = LeafFields.NONE
    status: StatusEffect | None = None
    keys: KeyEffect | None = None

    @property
    def status_after(self) -> str:
        """The status the event leaves its credential in (kinds with a status effect)."""
        if self.status is None:
            raise ValueError(f"{self.public_name} does not change a status")
        return self.status.status

    @cached_property
    def event_class(self) -> type[Any]:
        found = getattr(self.aggregate, self.name)
        if not isinstance(found, type):
            raise TypeError(f"{self.aggregate.__name__}.{self.name} is not an event class")
        return found

    @cached_property
    def topic(self) -> str:
        """The stored topic (``module:Class.Event``), fixed by the class's ``TOPIC``."""
        return get_topic(self.event_class)

    @cached_property
    def aliased(self) -> bool:
        """Events of an award's aggregates carry a ``log_alias`` their leaf names instead
        of the aggregate (those recorded before aliases existed have none)."""
        return issubclass(self.event_class, PseudonymousAggregate.Event)


ISSUANCE, STATUS_LIST, IDENTITY = LeafFields.ISSUANCE, LeafFields.STATUS_LIST, LeafFields.IDENTITY
ACTIVATED, RETIRED, COMPROMISED = KeyEffect.ACTIVATED, KeyEffect.RETIRED, KeyEffect.COMPROMISED

# One kind per recorded event: aggregate, the event's name on it, its public name, then
# what its leaf adds and what it does to a status or to signing keys.
ISSUER_REGISTERED = EventKind(Issuer, "Registered", "IssuerRegistered", keys=ACTIVATED)
ISSUER_PROFILE_UPDATED = EventKind(Issuer, "ProfileUpdated", "IssuerProfileUpdated")
ISSUER_SIGNING_KEY_ROTATED = EventKind(
    Issuer, "SigningKeyRotated", "IssuerSigningKeyRotated", keys=ACTIVATED
)
ISSUER_SIGNING_KEY_RETIRED = EventKind(
    Issuer, "SigningKeyRetired", "IssuerSigningKeyRetired", keys=RETIRED
)
ISSUER_SIGNING_KEY_COMPROMISED = EventKind(
    Issuer, "SigningKeyCompromised", "IssuerSigningKeyCompromised", keys=COMPROMISED
)
ISSUER_CREDENTIALS_REISSUED = EventKind(Issuer, "CredentialsReissued", "IssuerCredentialsReissued")
ISSUER_TOKEN_ISSUED = EventKind(Issuer, "TokenIssued", "IssuerTokenIssued")
ISSUER_TOKEN_REVOKED = EventKind(Issuer, "TokenRevoked", "IssuerTokenRevoked")
ACHIEVEMENT_DEFINED = EventKind(Achievement, "Defined", "AchievementDefined")
ACHIEVEMENT_REVISED = EventKind(Achievement, "Revised", "AchievementRevised")
ACHIEVEMENT_ARCHIVED = EventKind(Achievement, "Archived", "AchievementArchived")
CREDENTIAL_ISSUED = EventKind(Credential, "Issued", "CredentialIssued", ISSUANCE, ISSUED)
CREDENTIAL_SUSPENDED = EventKind(
    Credential, "Suspended", "CredentialSuspended", status=SUSPENSION_SET
)
CREDENTIAL_REINSTATED = EventKind(
    Credential, "Reinstated", "CredentialReinstated", status=SUSPENSION_CLEARED
)
CREDENTIAL_REVOKED = EventKind(Credential, "Revoked", "CredentialRevoked", status=REVOCATION_SET)
CREDENTIAL_REISSUED = EventKind(Credential, "Reissued", "CredentialReissued", ISSUANCE)
CREDENTIAL_DELIVERED = EventKind(Credential, "Delivered", "CredentialDelivered", ISSUANCE)
"""A copy signed for a holder's DID (a claim): its leaf shows the copy's digest, so the
copy has its own proof bundle; it shares the award's status entries and so its status."""
CLAIM_OFFERED = EventKind(Claim, "Offered", "ClaimOffered")
CLAIM_CLAIMED = EventKind(Claim, "Claimed", "ClaimUsed")
CLAIM_WITHDRAWN = EventKind(Claim, "Withdrawn", "ClaimWithdrawn")
CLAIM_EXPIRED = EventKind(Claim, "Expired", "ClaimExpired")
"""Recorded by the server's tick for an open claim whose time ran out (actor: the clock)."""
CREDENTIAL_REASON_PUBLISHED = EventKind(
    Credential, "ReasonPublished", "CredentialStatusReasonPublished"
)
CREDENTIAL_SHARING_ENDED = EventKind(Credential, "SharingEnded", "CredentialSharingEnded")
SHARE_LINK_MADE = EventKind(ShareLink, "Made", "ShareLinkMade")
ENDORSEMENT_ENDORSED = EventKind(Endorsement, "Endorsed", "EndorsementIssued")
ENDORSEMENT_WITHDRAWN = EventKind(
    Endorsement, "Withdrawn", "EndorsementWithdrawn", status=REVOCATION_SET
)
RECOGNITION_RECORDED = EventKind(Recognition, "Recorded", "RecognitionRecorded")
RECOGNITION_WITHDRAWN = EventKind(Recognition, "Withdrawn", "RecognitionWithdrawn")
STATUS_SLOT_CLAIMED = EventKind(StatusSlot, "Claimed", "StatusIndexClaimed")
STATUS_LIST_OPENED = EventKind(StatusList, "Opened", "StatusListOpened")
STATUS_LIST_PUBLISHED = EventKind(StatusList, "Published", "StatusListPublished", STATUS_LIST)
LEDGER_CREATED = EventKind(Ledger, "Created", "LedgerCreated", IDENTITY)
LEDGER_IDENTITY_ADOPTED = EventKind(Ledger, "IdentityAdopted", "LedgerIdentityAdopted", IDENTITY)
LEDGER_PUBLIC_BASE_URL_MOVED = EventKind(
    Ledger, "PublicBaseUrlMoved", "PublicBaseUrlMoved", IDENTITY
)
ERASURE_RECORDED = EventKind(Erasure, "Recorded", "ErasureRecorded")

KINDS: Final[tuple[EventKind, ...]] = (
    ISSUER_REGISTERED,
    ISSUER_PROFILE_UPDATED,
    ISSUER_SIGNING_KEY_ROTATED,
    ISSUER_SIGNING_KEY_RETIRED,
    ISSUER_SIGNING_KEY_COMPROMISED,
    ISSUER_CREDENTIALS_REISSUED,
    ISSUER_TOKEN_ISSUED,
    ISSUER_TOKEN_REVOKED,
    ACHIEVEMENT_DEFINED,
    ACHIEVEMENT_REVISED,
    ACHIEVEMENT_ARCHIVED,
    CREDENTIAL_ISSUED,
    CREDENTIAL_SUSPENDED,
    CREDENTIAL_REINSTATED,
    CREDENTIAL_REVOKED,
    CREDENTIAL_REISSUED,
    CREDENTIAL_DELIVERED,
    CLAIM_OFFERED,
    CLAIM_CLAIMED,
    CLAIM_WITHDRAWN,
    CLAIM_EXPIRED,
    CREDENTIAL_REASON_PUBLISHED,
    CREDENTIAL_SHARING_ENDED,
    SHARE_LINK_MADE,
    ENDORSEMENT_ENDORSED,
    ENDORSEMENT_WITHDRAWN,
    RECOGNITION_RECORDED,
    RECOGNITION_WITHDRAWN,
    STATUS_SLOT_CLAIMED,
    STATUS_LIST_OPENED,
    STATUS_LIST_PUBLISHED,
    LEDGER_CREATED,
    LEDGER_IDENTITY_ADOPTED,
    LEDGER_PUBLIC_BASE_URL_MOVED,
    ERASURE_RECORDED,
)
"""Every event type a ledger records, with the public name its leaves carry (fixed
forever: monitors and verifiers read it) and what else its leaf and effects are."""

_BY_CLASS: Final[dict[type[Any], EventKind]] = {k.event_class: k for k in KINDS}
_BY_TOPIC: Final[dict[str, EventKind]] = {k.topic: k for k in KINDS}


class UnknownEventError(LookupError):
    """A stored event is not in the registry: the table above must be extended (and tested)."""


def kind_of(event: Any) -> EventKind:
    """The registry entry of a domain event (by its exact class)."""
    try:
        return _BY_CLASS[type(event)]
    except KeyError:
        raise UnknownEventError(type(event).__qualname__) from None


def kind_for_topic(topic: str) -> EventKind:
    """The registry entry of the event stored under ``topic``."""
    try:
        return _BY_TOPIC[topic]
    except KeyError:
        raise UnknownEventError(topic) from None


def public_name(topic: str) -> str:
    """Public name for a stored topic ``module:Class.Event``."""
    return kind_for_topic(topic).public_name


def topics(where: Callable[[EventKind], bool]) -> tuple[str, ...]:
    """The stored topics of the kinds ``where`` selects (to filter notifications by)."""
    return tuple(k.topic for k in KINDS if where(k))


def public_names(where: Callable[[EventKind], bool]) -> frozenset[str]:
    """The public names of the kinds ``where`` selects (to read a leaf's ``"event"``)."""
    return frozenset(k.public_name for k in KINDS if where(k))


def changes_bits(kind: EventKind) -> bool:
    """Selects the events that change a status list bit."""
    return kind.status is not None and kind.status.changes_bits


def _check(kinds: Iterable[EventKind]) -> None:
    """Fail at import, not in an audit: every kind names a class stored under its
    aggregate's topic, and no two share a class or a public name."""
    for kind in kinds:
        if kind.topic != f"{get_topic(kind.aggregate)}.{kind.name}":
            raise RuntimeError(f"{kind.public_name} is stored under {kind.topic}")
    for values in ([k.event_class for k in kinds], [k.public_name for k in kinds]):
        if len(set(values)) != len(values):
            raise RuntimeError("two recorded event types share a class or a public name")


_check(KINDS)
