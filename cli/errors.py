"""What a command says when it cannot do its job: what is wrong, and what to do about it.

Both backends (the in-process ledger and the HTTP server) turn their failures into one
``CommandError``, so every command reports errors the same way and exits non-zero
without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

USAGE = 2  # the exit code for a command that could not run (bad options, files, connection)

_HINTS = {
    401: "pass the issuer's token with --token or set CREDLEDGER_TOKEN",
    403: "use the token this needs: the administrator's (from `credledger init`) "
    "to register issuers, an issuer's (from `credledger issuer add`) for everything else",
    404: "check the id; an issuer sees only its own achievements and credentials",
    422: "fix what is named above and run the command again",
}


@dataclass(frozen=True)
class FieldProblem:
    """One invalid input, as the ledger or the server names it (``loc`` joined by dots)."""

    loc: str
    msg: str


@dataclass
class CommandError(Exception):
    """A command failed; ``status`` is the HTTP status (or its local equivalent) when known."""

    detail: str
    errors: list[FieldProblem] = field(default_factory=list)
    hint: str | None = None
    status: int | None = None
    exit_code: int = 1

    def __post_init__(self) -> None:
        if self.hint is None and self.status is not None:
            self.hint = _HINTS.get(self.status)

    def __str__(self) -> str:
        return self.detail

    @property
    def row_specific(self) -> bool:
        """True when the input itself was refused (a 422), so other inputs may still pass."""
        return self.status == 422

    def as_dict(self) -> dict[str, object]:
        return {
            "detail": self.detail,
            "status": self.status,
            "errors": [{"loc": e.loc, "msg": e.msg} for e in self.errors],
            "hint": self.hint,
        }


def field_loc(loc: object) -> str:
    """``["body", "recipient", "email"]`` -> ``"recipient.email"`` (the body is implied)."""
    parts = [str(p) for p in loc] if isinstance(loc, list | tuple) else [str(loc)]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


def usage_error(detail: str, hint: str | None = None) -> CommandError:
    return CommandError(detail, hint=hint, exit_code=USAGE)
