"""Request and response bodies: the shapes the OpenAPI document publishes.

Field types are checked here; rules that span fields (what a variant requires) are
the domain's and come back as the same 422 problem with the field named.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IssuerIn(Strict):
    name: ShortText
    url: AnyHttpUrl | None = None
    email: (
        Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)] | None
    ) = None


class IssuerCreated(BaseModel):
    id: str
    did: str
    token: str = Field(description="Bearer token for this issuer; shown once, stored hashed.")


class QualityAssurance(Strict):
    name: ShortText
    url: AnyHttpUrl | None = None
    description: Text | None = None


class AchievementIn(Strict):
    name: ShortText
    description: Text
    criteria: Text
    variant: Literal["regular", "microcredential", "extracurricular"]
    learning_outcomes: list[Text] = Field(min_length=1)
    ects: float | None = Field(default=None, description="Study load in ECTS (steps of 0.5)")
    sbu: int | None = Field(default=None, description="Study load in SBU hours")
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
    prerequisites: Text | list[Text] | None = None
    valid_for_days: int | None = Field(default=None, ge=1, le=36_500)
    image: Annotated[str, StringConstraints(max_length=100_000)] | None = None
    education_program_identifier: int | None = Field(
        default=None, ge=0, description="CROHO/crebo programme code (required for 'regular')"
    )
    tags: list[ShortText] | None = None


class AchievementCreated(BaseModel):
    id: str
    achievement: dict[str, Any]


class Evidence(Strict):
    narrative: Text
    url: AnyHttpUrl | None = None


class ResultIn(Strict):
    value: Annotated[str, StringConstraints(min_length=1, max_length=200)] | int | float


class CredentialIn(Strict):
    achievement_id: str
    recipient: dict[Literal["email", "eduid", "did"], str] = Field(
        description="Exactly one of {'email': ...}, {'eduid': ...}, {'did': ...}"
    )
    evidence: list[Evidence] | None = Field(default=None, max_length=50)
    result: ResultIn | None = None
    valid_until: datetime | None = None


class CredentialCreated(BaseModel):
    id: str
    credential: dict[str, Any]
    log_index: int | None


class CredentialView(BaseModel):
    id: str
    credential: dict[str, Any]
    status: Literal["active", "suspended", "revoked", "expired"]


class ReasonIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


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
    url: AnyHttpUrl | None = None
    email: (
        Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)] | None
    ) = None


class TokenCreated(BaseModel):
    token: str = Field(description="A further bearer token; shown once, stored hashed.")


class TokenRevoke(Strict):
    token: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class KeyRotated(BaseModel):
    key_id: str
    did: str


class ReissueIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    evidence: list[Evidence] | None = Field(default=None, max_length=50)
    result: ResultIn | None = None
    valid_until: datetime | None = None


class Withdrawn(BaseModel):
    id: str
    withdrawn: bool
