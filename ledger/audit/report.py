"""What an audit of the transparency log found: the first discrepancy, and what it covered."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AuditReport", "AuditSetupError", "Discrepancy", "Progress"]

Progress = Callable[[int, int], None]
"""Called with (leaves checked, leaves in all) as the audit goes."""


class Discrepancy(Exception):  # noqa: N818  (a finding of the audit, not a failure)
    """The first place where the log and what it should be part ways."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        leaf: int | None = None,
        event: int | None = None,
        checkpoint: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.leaf = leaf
        self.event = event
        self.checkpoint = checkpoint

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole, so that a worker process's finding reaches the parent as found
        (an exception pickles only its message otherwise)."""
        return (_discrepancy, (self.kind, self.message, self.leaf, self.event, self.checkpoint))

    def as_dict(self) -> dict[str, Any]:
        where = {"leaf": self.leaf, "event": self.event, "checkpoint": self.checkpoint}
        return {"kind": self.kind, "message": self.message} | {
            k: v for k, v in where.items() if v is not None
        }


def _discrepancy(
    kind: str, message: str, leaf: int | None, event: int | None, checkpoint: int | None
) -> Discrepancy:
    return Discrepancy(kind, message, leaf=leaf, event=event, checkpoint=checkpoint)


class AuditSetupError(Exception):
    """The audit could not start: no ledger there, no key to check it with."""


@dataclass
class AuditReport:
    """What the audit covered, and the first discrepancy (None when the log is intact)."""

    mode: str
    log_key: str
    key_source: str
    origin: str | None = None
    events: int = 0
    leaves: int = 0
    tiles: int = 0
    checkpoints: int = 0
    size: int = 0
    status_list_versions: int = 0
    root_hash: bytes | None = None
    from_checkpoint: int | None = None
    warnings: list[str] = field(default_factory=list)
    discrepancy: Discrepancy | None = None
    seconds: float = 0.0
    log_seconds: float = 0.0
    """Of ``seconds``, the log's part: events, leaves, tiles and checkpoints."""

    @property
    def intact(self) -> bool:
        return self.discrepancy is None

    def check(self) -> None:
        """Raise the discrepancy, if any."""
        if self.discrepancy is not None:
            raise self.discrepancy

    def as_dict(self) -> dict[str, Any]:
        rate = self.leaves / self.seconds if self.seconds > 0 else None
        return {
            "intact": self.intact,
            "mode": self.mode,
            "origin": self.origin,
            "log_key": self.log_key,
            "key_source": self.key_source,
            "events": self.events,
            "leaves": self.leaves,
            "tiles": self.tiles,
            "checkpoints": self.checkpoints,
            "size": self.size,
            "status_list_versions": self.status_list_versions,
            "root_hash": base64.b64encode(self.root_hash).decode() if self.root_hash else None,
            "from_checkpoint": self.from_checkpoint,
            "warnings": self.warnings,
            "discrepancy": self.discrepancy.as_dict() if self.discrepancy else None,
            "seconds": round(self.seconds, 3),
            "leaves_per_second": round(rate) if rate else None,
        }
