"""Achievements (badge classes): defined, revised and archived by their issuer."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from credledger.ledger.credentials import rendering
from credledger.ledger.domain.achievement import Achievement
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.definition_names import existing_definition
from credledger.ledger.domain.definitions import validate_definition
from credledger.ledger.domain.errors import (
    UnknownAchievementError,
)
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.services.issuers import Issuers
from credledger.ledger.store.aggregates import Aggregates, BatchReads
from credledger.ledger.store.read_model import ReadModel


class Achievements:
    """An issuer's achievement definitions and their OB 3.0 documents."""

    def __init__(
        self,
        aggregates: Aggregates,
        issuers: Issuers,
        read_model: ReadModel,
    ) -> None:
        self.aggregates = aggregates
        self.issuers = issuers
        self.read_model = read_model

    def achievement(self, achievement_id: UUID) -> Achievement:
        return self.aggregates.get(Achievement, achievement_id)

    def document(
        self, achievement: Achievement, *, with_context: bool = True, issuer: Issuer | None = None
    ) -> dict[str, Any]:
        """The achievement's Open Badges document; ``issuer``: its issuer, when the caller
        has just read it (read here otherwise)."""
        issuer = BatchReads(self.aggregates, [issuer] if issuer else ()).get(
            Issuer, achievement.issuer_id
        )
        return rendering.achievement_document(
            self.issuers.identity.base_url,
            achievement.id,
            achievement.definition,
            self.issuers.profile(issuer, with_context=False),
            with_context=with_context,
        )

    def search(
        self, q: str | None, *, limit: int = 50, offset: int = 0, issuer_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The catalogue, from the read model: this process's acts at once, another
        process's from its next tick (a read catches nothing up)."""
        return self.read_model.search_achievements(
            q, limit=limit, offset=offset, issuer_id=issuer_id
        )

    def define(self, act: Act, definition: Any) -> Achievement:
        return self.define_once(act, definition)[0]

    def define_once(self, act: Act, definition: Any) -> tuple[Achievement, bool]:
        """The achievement, and False when an identical one of this issuer already existed
        (definition_names.py: a changed definition under its name is refused)."""
        issuer = self.aggregates.get(Issuer, UUID(act.actor))
        normalised = validate_definition(definition)
        with self.aggregates.acting(act) as act:
            achievement_id = act.derived_id("achievement")
            existing = self.aggregates.earlier(Achievement, act, "achievement")
            if existing is not None and existing.already_done():
                return existing, True
            load = partial(self.aggregates.get, Achievement)
            same = existing_definition(self.read_model, load, issuer.id, normalised)
            if same is not None:
                return same, False
            achievement = Achievement(issuer_id=issuer.id, definition=normalised)
            saved = self.aggregates.save_new(Achievement, achievement_id, achievement)
            return saved or achievement, True

    def archive(self, act: Act, achievement_id: UUID) -> Achievement:
        with self.aggregates.acting(act) as act:
            achievement = self.owned(act, achievement_id)
            if not achievement.already_done():
                achievement.archive()
                self.aggregates.save(achievement)
            return achievement

    def revise(self, act: Act, achievement_id: UUID, definition: Any) -> Achievement:
        normalised = validate_definition(definition)
        with self.aggregates.acting(act) as act:
            achievement = self.owned(act, achievement_id)
            if not achievement.already_done():
                achievement.revise(normalised)
                self.aggregates.save(achievement)
            return achievement

    def owned(self, act: Act, achievement_id: UUID) -> Achievement:
        achievement = self.aggregates.get(Achievement, achievement_id)
        if str(achievement.issuer_id) != act.actor:
            raise UnknownAchievementError(f"no achievement {achievement_id}")
        return achievement
