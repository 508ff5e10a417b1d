"""Shared steps of the use-case tests: a school with a definition, and an award."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.services.issuance import AwardRequest, IssuedCredential

from ...http_helpers import microcredential_definition


def school_with_definition(
    ledger: CredentialLedger, name: str = "School", **definition: Any
) -> tuple[str, UUID]:
    """A registered issuer (its actor string) and one achievement it defined."""
    school = ledger.issuers.register(Act(ADMIN), name)
    actor = str(school.issuer.id)
    achievement = ledger.achievements.define(Act(actor), microcredential_definition(**definition))
    return actor, achievement.id


def award(
    ledger: CredentialLedger, actor: str, achievement_id: UUID, **request: Any
) -> IssuedCredential:
    """One award through the issuance service."""
    recipient = request.pop("recipient", {"email": "learner@example.test"})
    act = request.pop("act", Act(actor))
    return ledger.issuance.issue(AwardRequest(act, achievement_id, recipient, **request))
