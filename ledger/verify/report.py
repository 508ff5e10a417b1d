"""What a verification found: its outcome, the checks run, warnings and errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """The three results of every verification: HTTP, CLI and library alike."""

    VALID = "valid"
    """Every check ran and passed: data model, validity, proofs, issuer, every status entry."""
    INVALID = "invalid"
    """A check failed: malformed, expired, forged, not the issuer's, revoked or suspended."""
    UNDECIDED = "undecided"
    """Nothing failed, but something could not be established (a key, a status list)."""


@dataclass
class Report:
    """A verification result: the outcome, the checks run, warnings, errors and status.

    ``undecided`` holds what could not be established; it never makes a credential
    valid, and the VC API's ``verified`` is true only for :attr:`Outcome.VALID`.
    """

    checks: list[str] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)
    unsettled: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, kind: str, message: str) -> None:
        self.errors.append({"kind": kind, "message": message})

    def warn(self, kind: str, message: str) -> None:
        self.warnings.append({"kind": kind, "message": message})

    def undecide(self, kind: str, message: str) -> None:
        """Record what could not be established (shown as a warning too)."""
        self.unsettled.append({"kind": kind, "message": message})
        self.warn(kind, message)

    @property
    def outcome(self) -> Outcome:
        if self.errors:
            return Outcome.INVALID
        if self.unsettled or any(v == "unknown" for v in self.status.values()):
            return Outcome.UNDECIDED
        return Outcome.VALID

    @property
    def verified(self) -> bool:
        return self.outcome is Outcome.VALID

    @property
    def undecided(self) -> bool:
        return self.outcome is Outcome.UNDECIDED

    def as_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "outcome": str(self.outcome),
            "checks": self.checks,
            "warnings": self.warnings,
            "errors": self.errors,
            "status": self.status,
        }
