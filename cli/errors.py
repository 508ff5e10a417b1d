"""What a command says when it cannot do its job: what is wrong, and what to do about it.

Both backends (the in-process ledger and the HTTP server) turn their failures into one
``CommandError`` through one table, ``FAILURES``, so every command reports an error the
same way in both modes and exits non-zero without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from credledger.ledger.domain import errors
from credledger.ledger.store.vault import SubjectErasedError

USAGE = 2  # the exit code for a command that could not run (bad options, files, connection)

FIX_AND_RETRY = "fix what is named above and run the command again"
CHECK_THE_ID = "check the id; an issuer sees only its own achievements and credentials"
USE_THE_RIGHT_TOKEN = (
    "use the token this needs: the administrator's (from `credledger init`) "
    "to register issuers, an issuer's (from `credledger issuer add`) for everything else"
)
PASS_A_TOKEN = "pass the issuer's token with --token or set CREDLEDGER_TOKEN"
MAY_VERIFY_LATER = (
    "it may verify later: once every check can be made "
    "(`credledger verify FILE` shows them), run the command again"
)

GIVE_THE_CODE = "give the transaction code the institution sent with the claim"
NEW_CHALLENGE = "ask the exchange for a new challenge and sign it with the holder's did:key"
OFFER_ANEW = "the issuer can offer a new claim: `credledger credential claim ID`"


@dataclass(frozen=True)
class Failure:
    """How a command reports one kind of failure.

    ``status`` and ``problem`` are how the server answers it (local mode reports the
    same status). In local mode ``detail``, when set, is said instead of the ledger's own
    words (remote mode shows the server's). ``fields`` lists the fields at fault below
    the detail (not when the detail is the one reason); ``unsaid`` is a prefix of each
    field's message that the detail already says.
    """

    status: int
    problem: str
    hint: str | None = None
    detail: str | None = None
    fields: bool = True
    unsaid: str = ""
    exit_code: int = 1


_INVALID = Failure(422, "validation", FIX_AND_RETRY)
_NOT_KNOWN = Failure(404, "not-found", CHECK_THE_ID)
_NOT_ALLOWED = Failure(403, "forbidden", USE_THE_RIGHT_TOKEN)
_CONTRADICTS = Failure(409, "conflict")
_INVALID_PROOF = Failure(
    400, "invalid-proof", "make a new key proof that meets what is named above"
)

FAILURES: dict[type[Exception] | str, Failure] = {
    # What the ledger raises (local mode); the server answers each as the problem named
    # (remote mode). The first entry of a status speaks for answers that name no problem.
    errors.LedgerError: Failure(400, "bad-request"),
    errors.InvalidInputError: _INVALID,
    errors.RequestInvalidError: _INVALID,
    errors.DefinitionInvalidError: Failure(422, "invalid-definition", FIX_AND_RETRY),
    errors.IdempotencyKeyReusedError: Failure(
        422, "idempotency-key-reused", "use a new --idempotency-key"
    ),
    errors.UnverifiableCredentialError: Failure(422, "credential-not-verified", FIX_AND_RETRY),
    errors.NotAnAchievementCredentialError: Failure(
        422, "not-an-achievement-credential", FIX_AND_RETRY, fields=False
    ),
    errors.PresentedCredentialInvalidError: Failure(
        422, "credential-invalid", FIX_AND_RETRY, "the credential is invalid: it does not verify"
    ),
    errors.PresentedCredentialUndecidedError: Failure(
        422,
        "credential-undecided",
        MAY_VERIFY_LATER,
        "the credential is undecided: not every check could be made",
        unsaid="undecided: ",
    ),
    errors.KeyProofRefusedError: _INVALID_PROOF,
    errors.KeyProofMalformedError: _INVALID_PROOF,
    errors.KeyProofNotTypedError: _INVALID_PROOF,
    errors.KeyProofAlgorithmError: _INVALID_PROOF,
    errors.KeyProofKeyError: _INVALID_PROOF,
    errors.KeyProofSignatureError: _INVALID_PROOF,
    errors.KeyProofAudienceError: _INVALID_PROOF,
    errors.KeyProofTimeError: _INVALID_PROOF,
    errors.KeyProofClientError: _INVALID_PROOF,
    errors.KeyProofNonceMissingError: _INVALID_PROOF,
    errors.KeyProofNonceError: Failure(
        400, "invalid-nonce", "fetch a new c_nonce and make a new proof"
    ),
    errors.NotKnownError: _NOT_KNOWN,
    errors.UnknownIssuerError: _NOT_KNOWN,
    errors.UnknownAchievementError: _NOT_KNOWN,
    errors.UnknownCredentialError: _NOT_KNOWN,
    errors.UnknownEndorsementError: _NOT_KNOWN,
    errors.UnknownRecognitionError: _NOT_KNOWN,
    errors.UnknownKeyError: _NOT_KNOWN,
    errors.UnknownTokenError: _NOT_KNOWN,
    errors.UnknownShareLinkError: _NOT_KNOWN,
    errors.UnknownStatusListError: _NOT_KNOWN,
    errors.UnknownClaimError: _NOT_KNOWN,
    errors.NotInSignedTreeError: _NOT_KNOWN,
    errors.NotAllowedError: _NOT_ALLOWED,
    errors.ActorMayNotError: _NOT_ALLOWED,
    errors.NotYourCredentialError: _NOT_ALLOWED,
    errors.TxCodeRequiredError: Failure(403, "tx-code-required", GIVE_THE_CODE),
    errors.TxCodeMismatchError: Failure(403, "tx-code-mismatch", GIVE_THE_CODE),
    errors.TxCodeLockedError: Failure(429, "tx-code-locked", "wait, then try again"),
    errors.HolderNotAuthenticatedError: Failure(403, "holder-not-authenticated", NEW_CHALLENGE),
    errors.AccessTokenRefusedError: Failure(
        401, "invalid-token", "redeem the pre-authorized code again for a new access token"
    ),
    errors.UnsupportedHolderError: Failure(422, "unsupported-holder", "use a did:key holder"),
    errors.ContradictsRecordError: _CONTRADICTS,
    errors.AlreadyRecordedError: _CONTRADICTS,
    errors.AlreadyRevokedError: Failure(409, "already-revoked"),
    errors.InvalidTransitionError: _CONTRADICTS,
    errors.NotSuspendableError: Failure(409, "not-suspendable"),
    errors.AchievementArchivedError: Failure(409, "achievement-archived"),
    errors.DefinitionNameTakenError: _CONTRADICTS,
    errors.CredentialIdTakenError: _CONTRADICTS,
    errors.IssuedThroughVcApiError: _CONTRADICTS,
    errors.KeyInForceError: _CONTRADICTS,
    errors.KeyBoundToIdentityError: _CONTRADICTS,
    errors.SharedSubjectKeyError: _CONTRADICTS,
    errors.ConcurrentChangeError: _CONTRADICTS,
    errors.NotDeliverableError: Failure(409, "not-deliverable"),
    errors.ClaimClosedError: Failure(410, "claim-closed", OFFER_ANEW),
    errors.ClaimUsedError: Failure(410, "claim-used", OFFER_ANEW),
    errors.ClaimExpiredError: Failure(410, "claim-expired", OFFER_ANEW),
    errors.ClaimWithdrawnError: Failure(410, "claim-withdrawn", OFFER_ANEW),
    SubjectErasedError: Failure(
        410, "erased", detail="the personal data of this credential was erased"
    ),
    errors.NotYetAnchoredError: Failure(
        503,
        "not-yet-anchored",
        "the next checkpoint will cover it (within the checkpoint interval, or the "
        "server's next tick): run the command again in a moment",
    ),
    # What only the server answers (remote mode), by problem type: no ledger error behind it.
    "authentication-required": Failure(401, "authentication-required", PASS_A_TOKEN),
}
"""How every failure a command can meet is reported: by the ledger's error class (local
mode) or by the server's problem type (remote mode), so both modes say the same."""

_BY_PROBLEM: dict[str, Failure] = {}
_BY_STATUS: dict[int, Failure] = {}
for _failure in FAILURES.values():
    _BY_PROBLEM.setdefault(_failure.problem, _failure)
    _BY_STATUS.setdefault(_failure.status, _failure)


def failure_of(exc: Exception) -> Failure:
    """The table's entry for a ledger error: its class's, or its nearest ancestor's."""
    return next(FAILURES[cls] for cls in type(exc).__mro__ if cls in FAILURES)


def failure_of_answer(problem_type: object, status: int) -> Failure:
    """The table's entry for a server's answer: by its problem type, else its status."""
    slug = problem_type.rsplit("/", 1)[-1] if isinstance(problem_type, str) else None
    found = _BY_PROBLEM.get(slug) if slug else None
    return found or _BY_STATUS.get(status) or Failure(status, slug or "")


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
            self.hint = failure_of_answer(None, self.status).hint

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


def _parts(loc: object) -> list[str]:
    return [str(p) for p in loc] if isinstance(loc, list | tuple) else [str(loc)]


def field_loc(loc: object) -> str:
    """A field's path as the CLI names it: ``("recipient", "email")`` (the ledger's) and
    ``["body", "recipient", "email"]`` (the server's) are both ``"recipient.email"``."""
    parts = _parts(loc)
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "input"


def failed(
    failure: Failure, detail: str, items: list[tuple[object, str]], status: int | None = None
) -> CommandError:
    """The CommandError for a failure of the table; ``items`` are the (path, message) of
    each field at fault, as the ledger or the server names them."""
    listed = items if failure.fields else []
    problems = [
        FieldProblem(field_loc(loc), msg.removeprefix(failure.unsaid)) for loc, msg in listed
    ]
    if problems and detail == "; ".join(f"{'.'.join(_parts(loc))}: {msg}" for loc, msg in items):
        detail = "; ".join(f"{p.loc}: {p.msg}" for p in problems)  # the same list, CLI paths
    return CommandError(
        detail,
        problems,
        hint=failure.hint,
        status=failure.status if status is None else status,
        exit_code=failure.exit_code,
    )


def command_error(exc: Exception) -> CommandError:
    """The CommandError for a ledger error (local mode), as the server would answer it."""
    failure = failure_of(exc)
    fields = exc.errors if isinstance(exc, errors.InvalidInputError) else []
    return failed(failure, failure.detail or str(exc), [(e.loc, e.msg) for e in fields])


def answer_error(problem: dict[str, object], status: int) -> CommandError:
    """The CommandError for a server's problem document (remote mode)."""
    items = problem.get("errors")
    fields = [
        (item.get("loc", ()), str(item.get("msg", "")))
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict)
    ]
    detail = problem.get("detail")
    return failed(
        failure_of_answer(problem.get("type"), status),
        detail if isinstance(detail, str) else "refused by the server",
        fields,
        status,
    )


def usage_error(detail: str, hint: str | None = None) -> CommandError:
    return CommandError(detail, hint=hint, exit_code=USAGE)
