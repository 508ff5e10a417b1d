"""Domain errors: each names one broken rule so the API can map it to a precise response."""

from __future__ import annotations

from dataclasses import dataclass, field


class LedgerError(Exception):
    """Base of every error the ledger raises on purpose."""


@dataclass
class FieldError:
    """One invalid field: where it is and what is wrong with it."""

    loc: tuple[str | int, ...]
    msg: str


class DefinitionInvalidError(LedgerError):
    """An achievement definition breaks the rules of its variant."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in errors))


@dataclass
class RequestInvalidError(LedgerError):
    """A command's input is invalid (field-level errors)."""

    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in self.errors)


class NotFoundError(LedgerError):
    """The thing does not exist, or the caller may not know that it does."""


class ForbiddenError(LedgerError):
    """The caller is known but may not do this."""


class ConflictError(LedgerError):
    """The act contradicts what is already recorded (e.g. revoking twice)."""


class AchievementArchivedError(ConflictError):
    """Nothing is issued from an archived achievement."""


class AlreadyRevokedError(ConflictError):
    """Revocation is final: a revoked credential changes no more."""


class InvalidTransitionError(ConflictError):
    """The credential's current status does not allow this change."""


class IdempotencyKeyReusedError(LedgerError):
    """The same Idempotency-Key came with a different request."""


class UnverifiableCredentialError(LedgerError):
    """A credential presented for recognition is not recognisable: invalid, undecided
    (``kind`` credential-undecided) or not an achievement."""

    def __init__(self, reasons: list[str], kind: str = "credential-not-verified") -> None:
        self.reasons = reasons
        self.kind = kind
        super().__init__("; ".join(reasons))
