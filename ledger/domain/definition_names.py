"""One achievement per name and issuer: the same definition again finds it, a changed one
under the same name must be asked for as a revision.

Defining is what a user retries (a script run twice, a CSV pipeline rerun): a silent
second achievement of the same name would split one course's credentials in two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol
from uuid import UUID

from credledger.ledger.domain.achievement import Achievement
from credledger.ledger.domain.errors import DefinitionNameTakenError


class AchievementsByName(Protocol):
    """What the rule asks of the read model (the domain imports no store)."""

    def achievements_named(self, issuer_id: str, name: str) -> Iterable[str]: ...


def existing_definition(
    read_model: AchievementsByName,
    load: Callable[[UUID], Achievement],
    issuer_id: UUID,
    definition: dict[str, Any],
) -> Achievement | None:
    """The issuer's achievement with exactly this (normalised) definition, if any.

    Raises DefinitionNameTakenError when the name is in use (not archived) with another
    definition.
    """
    for achievement_id in read_model.achievements_named(str(issuer_id), definition["name"]):
        achievement = load(UUID(achievement_id))
        if achievement.archived:
            continue
        if achievement.definition == definition:
            return achievement
        raise DefinitionNameTakenError(definition["name"], achievement_id)
    return None
