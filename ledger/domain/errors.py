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
        count = f"{len(errors)} fields" if len(errors) != 1 else "1 field"
        super().__init__(f"the definition has {count} missing or invalid")


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


class DefinitionNameTakenError(ConflictError):
    """The issuer already has a different achievement of this name: change it by revision."""

    def __init__(self, name: str, existing_id: str) -> None:
        self.existing_id = existing_id
        super().__init__(
            f"an achievement named {name!r} is already defined ({existing_id}) with another "
            "definition; record this one as its revision, or give it another name"
        )


class AlreadyRevokedError(ConflictError):
    """Revocation is final: a revoked credential changes no more."""


class InvalidTransitionError(ConflictError):
    """The credential's current status does not allow this change."""


class NotSuspendableError(ConflictError):
    """The credential carries no suspension status entry, so no verifier could see a
    suspension: its achievement was not defined ``suspendable``."""


class IdempotencyKeyReusedError(LedgerError):
    """The same Idempotency-Key came with a different request."""


class UnverifiableCredentialError(LedgerError):
    """A credential presented for recognition is not recognisable: invalid, undecided
    (``kind`` credential-undecided) or not an achievement."""

    def __init__(self, reasons: list[str], kind: str = "credential-not-verified") -> None:
        self.reasons = reasons
        self.kind = kind
        super().__init__("; ".join(reasons))
