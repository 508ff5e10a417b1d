"""Request and response bodies: the shapes the OpenAPI document publishes.

Field types are checked here; rules that span fields (what a variant requires) are
the domain's and come back as the same 422 problem with the field named.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StringConstraints,
)

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer every JSON reader holds exactly (I-JSON, RFC 7493): signed documents
must canonicalise to the same bytes in JavaScript verifiers."""


def _no_controls(text: str) -> str:
    """Text may hold tabs and line breaks, but no other control characters (NUL among them)."""
    if _CONTROLS.search(text):
        raise ValueError("must not hold control characters (other than tab and line breaks)")
    return text


Text = Annotated[
    str, StringConstraints(min_length=1, max_length=20_000), AfterValidator(_no_controls)
]
ShortText = Annotated[
    str, StringConstraints(min_length=1, max_length=500), AfterValidator(_no_controls)
]
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _no_control_characters(value: Any) -> Any:
    """Identifiers (e-mail addresses, eduIDs, DIDs, URLs) hold no control character at all:
    a NUL or line break in one would be signed, compared and logged as something else."""
    if isinstance(value, str) and _ANY_CONTROL.search(value):
        raise ValueError("must not hold control characters")
    return value


Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2_000),
    AfterValidator(_no_control_characters),
]
Url = Annotated[AnyHttpUrl, BeforeValidator(_no_control_characters)]
"""An http(s) URL, refused (not silently percent-encoded or stripped) if it holds a
control character."""
Email = Annotated[
    str,
    StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320),
    AfterValidator(_no_control_characters),
]
SafeInt = Annotated[int, Field(ge=-MAX_SAFE_INTEGER, le=MAX_SAFE_INTEGER)]


def _representable(moment: datetime) -> datetime:
    try:
        moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("is out of range once converted to UTC") from None
    return moment


Moment = Annotated[datetime, AfterValidator(_representable)]
"""A time that can be converted to UTC (0001-01-01T00:00:00+14:00 cannot)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class IssuerIn(Strict):
    name: ShortText
    did_method: Literal["web", "key"] | None = Field(
        default=None,
        description="the issuer's identity: `web` (default), a did:web under this ledger whose "
        "document lists every key, so rotations keep it; `key`, the did:key of its one key "
        "(for verifiers that resolve nothing else; it can never rotate)",
    )
    url: Url | None = None
    email: Email | None = None


class IssuerCreated(BaseModel):
    id: str
    did: str
    token: str = Field(description="Bearer token for this issuer; shown once, stored hashed.")


ResultKind = Literal["status", "grade", "pass_fail", "percentage"]


class ResultSpec(Strict):
    """What result an award carries (docs/definitions.md); becomes the ResultDescription."""

    type: ResultKind
    pass_mark: float | Annotated[str, StringConstraints(max_length=20)] | None = Field(
        default=None, description="grade or percentage: the lowest value that is awarded"
    )


class QualityAssurance(Strict):
    name: ShortText
    url: Url | None = None
    description: Text | None = None


class AchievementIn(Strict):
    name: ShortText
    description: Text
    criteria: Text
    variant: Literal["regular", "microcredential", "extracurricular"]
    learning_outcomes: list[Text] = Field(min_length=1, max_length=100)
    ects: float | None = Field(
        default=None, ge=0, le=1000, description="Study load in ECTS (steps of 0.5)"
    )
    sbu: int | None = Field(default=None, ge=0, le=100_000, description="Study load in SBU hours")
    eqf_level: int | None = Field(default=None, ge=1, le=8)
    language: Annotated[str, StringConstraints(max_length=35)] | None = None
    participation: (
        Literal[
            "online",
            "onsite or blended",
            "volunteering",
            "work experience",
            "personalized learning activities",
        ]
        | None
    ) = None
    assessment: (
        Literal["testing", "application of a skill", "portfolio", "recognition of prior learning"]
        | None
    ) = None
    identity_checked: bool | None = None
    supervision: (
        Literal[
            "unsupervised with no identity verification",
            "supervised with no identity verification",
            "supervised online",
            "onsite with identity verification",
        ]
        | None
    ) = None
    quality_assurance: QualityAssurance | None = None
    prerequisites: Text | Annotated[list[Text], Field(max_length=100)] | None = None
    valid_for_days: int | None = Field(default=None, ge=1, le=36_500)
    image: Annotated[str, StringConstraints(max_length=100_000)] | None = None
    education_program_identifier: int | None = Field(
        default=None,
        ge=0,
        le=999_999_999,
        description="CROHO/crebo programme code (required for 'regular')",
    )
    tags: list[ShortText] | None = Field(default=None, max_length=100)
    result: ResultKind | ResultSpec | None = Field(
        default=None,
        description="the result an award carries: status (default: 'Completed'), grade "
        "(Dutch, 1 to 10), pass_fail, percentage",
    )
    suspendable: bool | None = Field(
        default=None,
        description="Awards also carry a suspension status entry (a VC 2.0 array of two "
        "entries, outside the OB 3.0 schema); without it a credential can be revoked but "
        "not suspended",
    )


class AchievementCreated(BaseModel):
    id: str
    achievement: dict[str, Any]


class Evidence(Strict):
    narrative: Text
    url: Url | None = None


class ResultIn(Strict):
    value: (
        Annotated[
            str, StringConstraints(min_length=1, max_length=200), AfterValidator(_no_controls)
        ]
        | SafeInt
        | StrictFloat
    ) = Field(
        description="OB 3.0 carries it as a string; a number must be one JSON holds exactly "
        "(an integer within ±(2^53 - 1), or a decimal a double reads back unchanged)"
    )


class CredentialIn(Strict):
    achievement_id: Annotated[str, StringConstraints(max_length=100)]
    recipient: dict[Literal["email", "eduid", "did"], Identifier] = Field(
        description="Exactly one of {'email': ...}, {'eduid': ...}, {'did': ...}"
    )
    evidence: list[Evidence] | None = Field(default=None, max_length=50)
    result: ResultIn | None = None
    valid_until: Moment | None = None


class ErasureIn(Strict):
    recipient: dict[Literal["email", "eduid", "did"], Identifier] = Field(
        description="The learner: exactly one of {'email': ...}, {'eduid': ...}, {'did': ...}"
    )


class ErasureOut(BaseModel):
    id: str
    credentials: list[str] = Field(
        description="Ids of the credentials whose personal data was erased (410 from now on)"
    )
    copies: int = Field(description="Copies (recognitions) erased with them")


class CredentialCreated(BaseModel):
    id: str
    credential: dict[str, Any]
    log_index: int | None


class CredentialView(BaseModel):
    id: str
    credential: dict[str, Any]
    status: Literal["active", "suspended", "revoked", "expired"]
    log_index: int | None = Field(default=None, description="the issuance leaf in the log")


class IssuerSummary(BaseModel):
    id: str
    name: str
    url: str | None = None
    did: str | None = None
    registered_at: str | None = None


class IssuerList(BaseModel):
    issuers: list[IssuerSummary]


class CredentialSummary(BaseModel):
    id: str
    achievement_id: str
    status: str
    awarded_at: str | None = None
    valid_until: str | None = None
    changed_at: str | None = None


class CredentialList(BaseModel):
    credentials: list[CredentialSummary]


class ReasonIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class StatusChangeIn(ReasonIn):
    publish_reason: bool = Field(
        default=False,
        description="show the reason to whoever checks the credential (on the verify page); "
        "otherwise only the issuer sees it",
    )


class ShareLinkOut(BaseModel):
    url: str = Field(description="the link to give: `<base>/c/<token>`")


class StatusOut(BaseModel):
    status: Literal["active", "suspended", "revoked", "expired"]


class StatusChangeOut(BaseModel):
    status: str
    event: str
    time: datetime
    actor: str
    reason: str | None


class StatusHistory(BaseModel):
    id: str
    history: list[StatusChangeOut]
    at: datetime | None = None
    status_at: str | None = None


class EndorsementIn(Strict):
    subject: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    comment: Text


class EndorsementCreated(BaseModel):
    id: str
    credential: dict[str, Any]


class ProofRequest(Strict):
    credential: dict[str, Any]


class RecognitionIn(Strict):
    credential: dict[str, Any]
    decision: Literal["recognised", "rejected"]
    ects: float | None = Field(default=None, ge=0, le=1000)
    exemption: Text | None = None
    note: Text | None = None


class RecognitionCreated(BaseModel):
    id: str
    verification: dict[str, Any]


class AchievementSummary(BaseModel):
    id: str
    issuer_id: str
    name: str
    description: str
    variant: str
    language: str | None
    ects: str | None
    sbu: int | None
    eqf_level: int | None


class AchievementList(BaseModel):
    achievements: list[AchievementSummary]


class IssuerUpdate(Strict):
    name: ShortText | None = None
    url: Url | None = None
    email: Email | None = None


class TokenCreated(BaseModel):
    token: str = Field(description="A further bearer token; shown once, stored hashed.")


class TokenRevoke(Strict):
    token: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class KeyRotated(BaseModel):
    key_id: str
    did: str


MultibaseKey = Annotated[str, StringConstraints(pattern=r"^z[1-9A-HJ-NP-Za-km-z]{40,60}$")]


class KeyCompromised(BaseModel):
    key_id: str
    state: str
    active_key_id: str = Field(description="the key in force now (a new one if it was this one)")
    did: str
    affected: int = Field(description="unrevoked credentials still signed by the key")


class ReissueOut(BaseModel):
    key_id: str
    reissued: list[str] = Field(description="ids of the credentials signed anew")
    skipped: dict[str, str] = Field(description="credential id -> why it was not re-signed")


class ReissueIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    evidence: list[Evidence] | None = Field(default=None, max_length=50)
    result: ResultIn | None = None
    valid_until: Moment | None = None


class Withdrawn(BaseModel):
    id: str
    withdrawn: bool


class BatchIn(BaseModel):
    credentials: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=1000,
        description="Items shaped like POST /v1/credentials bodies, each with an optional "
        "`idempotency_key`",
    )


class BatchItemResult(BaseModel):
    status: int
    id: str | None = None
    credential: dict[str, Any] | None = None
    log_index: int | None = None
    replayed: bool | None = Field(
        default=None, description="true: issued before under the same idempotency_key"
    )
    problem: dict[str, Any] | None = None


class BatchResult(BaseModel):
    results: list[BatchItemResult]
