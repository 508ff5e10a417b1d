"""What may be recognised: a valid AchievementCredential whose every status entry was read
and is clear. Anything else is refused with the reason, before anything is recorded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credledger.ledger.domain.errors import (
    NotAnAchievementCredentialError,
    PresentedCredentialInvalidError,
    PresentedCredentialUndecidedError,
)
from credledger.ledger.verify.verifier import Outcome, Report

RECOGNISABLE_TYPES = frozenset({"AchievementCredential", "OpenBadgeCredential"})
"""OB 3.0's credential of an achievement (OpenBadgeCredential is its alias)."""


def refuse_unless_achievement(vc: Any) -> None:
    """Only an achievement is recognised (not an endorsement, not any other credential)."""
    kinds = vc.get("type") if isinstance(vc, Mapping) else None
    types = {kinds} if isinstance(kinds, str) else set(kinds) if isinstance(kinds, list) else set()
    if not types & RECOGNISABLE_TYPES:
        named = sorted(t for t in types if isinstance(t, str) and t != "VerifiableCredential")
        raise NotAnAchievementCredentialError(
            [
                "only an AchievementCredential (OpenBadgeCredential) can be recognised; "
                f"this is {', '.join(named)[:200] or 'no such credential'}"
            ]
        )


def refuse_unless_valid(report: Report) -> None:
    """Invalid or undecided (a status not read, a key not found) is refused, with why."""
    outcome = report.outcome
    if outcome is Outcome.VALID:
        return
    if outcome is Outcome.INVALID:
        reasons = [str(e["message"]) for e in report.errors] or ["not verified"]
        raise PresentedCredentialInvalidError(reasons)
    reasons = [str(u["message"]) for u in report.unsettled]
    reasons += [
        f"the {purpose} status could not be read"
        for purpose, value in report.status.items()
        if value == "unknown" and not reasons
    ]
    raise PresentedCredentialUndecidedError(
        ["undecided: " + r for r in reasons or ["not every check could be made"]]
    )
