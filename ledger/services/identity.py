"""Reading, creating, adopting and moving the ledger's recorded identity.

The recorded identity wins over what a start is configured with: a configured base
URL or origin that differs is refused, never applied, so no start can silently
change the URLs credentials are issued under or the origin checkpoints are signed for.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from credledger.ledger.domain.acts import Act, acting
from credledger.ledger.domain.ledger_identity import (
    LEDGER_ID,
    BaseUrlChangeRefusedError,
    BaseUrlInvalidError,
    Ledger,
    LedgerIdentity,
    LogOriginChangeRefusedError,
    normalise_base_url,
    origin_for,
)
from credledger.ledger.store.settings import Settings
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

LEDGER_ACTOR = "ledger"


def move_command(new_base_url: str, settings: Settings) -> str:
    """The command that moves this ledger's base URL, for refusal messages."""
    where = "" if settings.database_url else f" --data {settings.data_dir}"
    return f"credledger move-base-url {new_base_url}{where}"


def recorded_identity(app: Any) -> LedgerIdentity | None:
    """The identity recorded in the store, or None for a store that has none yet."""
    try:
        record = app.repository.get(LEDGER_ID)
    except AggregateNotFoundError:
        return None
    if not isinstance(record, Ledger):
        raise TypeError(f"aggregate {LEDGER_ID} is not the ledger's identity")
    return record.identity


def establish_identity(
    app: Any, settings: Settings, checkpoint_origin: str | None
) -> LedgerIdentity:
    """The ledger's identity: the recorded one, else recorded now, then checked against
    ``settings``. ``checkpoint_origin``: the origin of the newest stored checkpoint."""
    identity = recorded_identity(app)
    if identity is None:
        base_url = normalise_base_url(settings.base_url or settings.default_base_url)
        existing = bool(app.recorder.max_notification_id())
        with acting(Act(LEDGER_ACTOR)):
            if not existing:
                origin = settings.log_origin or origin_for(base_url)
                record = Ledger.create(origin, base_url)
            elif checkpoint_origin is not None:
                record = Ledger.adopt(checkpoint_origin, base_url, origin_from="checkpoint")
            else:
                origin = settings.log_origin or origin_for(base_url)
                record = Ledger.adopt(origin, base_url, origin_from="base_url")
        with suppress(IntegrityError):  # another process recorded it first: theirs stands
            app.save(record)
        identity = recorded_identity(app)
        assert identity is not None
    _check_settings(identity, settings)
    return identity


def _check_settings(identity: LedgerIdentity, settings: Settings) -> None:
    if settings.base_url is not None:
        asked = normalise_base_url(settings.base_url)
        if asked != identity.base_url:
            raise BaseUrlChangeRefusedError(
                f"this ledger's public base URL is {identity.base_url} (recorded with it); "
                f"the base URL given at this start ({asked}) is not applied. Start without "
                "--base-url / CREDLEDGER_BASE_URL to keep the recorded one, or move it "
                f"explicitly (recorded in the log) with: {move_command(asked, settings)}"
            )
    if settings.log_origin is not None and settings.log_origin != identity.log_origin:
        raise LogOriginChangeRefusedError(
            f"this ledger's log origin is {identity.log_origin!r}, fixed when it was created; "
            f"it cannot become {settings.log_origin!r}"
        )


def move_base_url(app: Any, new_base_url: str, act: Act) -> tuple[LedgerIdentity, bool]:
    """Record a move of the public base URL; returns the identity and whether it moved
    (moving to the current base URL records nothing)."""
    target = normalise_base_url(new_base_url)
    record = app.repository.get(LEDGER_ID)
    if not isinstance(record, Ledger):
        raise TypeError(f"aggregate {LEDGER_ID} is not the ledger's identity")
    current = record.identity.base_url
    if target == current:
        return record.identity, False
    with acting(act):
        record.move_base_url(base_url=target, previous=current)
    app.save(record)
    return record.identity, True


__all__ = [
    "BaseUrlChangeRefusedError",
    "BaseUrlInvalidError",
    "LogOriginChangeRefusedError",
    "establish_identity",
    "move_base_url",
    "recorded_identity",
]
