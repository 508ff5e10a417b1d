"""Domain errors: each says, in the ledger's words, which rule an act broke.

Four kinds, and one "not yet", so a caller can catch broadly or precisely::

    LedgerError
    ├── InvalidInputError          the input cannot be taken as given (field by field)
    │   └── KeyProofRefusedError   a wallet's key proof is not accepted (OpenID4VCI codes)
    ├── NotKnownError              no such thing (or none this caller may know of)
    ├── NotAllowedError            the actor is known but may not do this
    ├── ContradictsRecordError     the act contradicts what the ledger recorded
    └── NotYetAnchoredError        recorded, but under no signed checkpoint yet (retry)

A field error's path is relative to the command's input (``("recipient", "email")``):
it names no transport. The API and the CLI each turn these errors into their own
answers through one table (``api/problems.py``, ``cli/errors.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


class LedgerError(Exception):
    """Base of every error the ledger raises on purpose."""


@dataclass(frozen=True)
class FieldError:
    """One invalid field: where it is in the command's input and what is wrong with it."""

    loc: tuple[str | int, ...]
    msg: str


def describe(errors: list[FieldError]) -> str:
    """``"recipient.email: is not an email address; result: ..."``."""
    return "; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in errors)


# -- the input cannot be taken as given ------------------------------------------------------


class InvalidInputError(LedgerError):
    """The input cannot be taken as given; ``errors`` names each field at fault."""

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors: list[FieldError] = list(errors or [])


class RequestInvalidError(InvalidInputError):
    """A command's input breaks its rules: every field at fault is named."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(describe(errors), errors)


class DefinitionInvalidError(InvalidInputError):
    """An achievement definition breaks the rules of its variant."""

    def __init__(self, errors: list[FieldError]) -> None:
        count = f"{len(errors)} fields" if len(errors) != 1 else "1 field"
        super().__init__(f"the definition has {count} missing or invalid", errors)


class IdempotencyKeyReusedError(InvalidInputError):
    """The same idempotency key came again with different input."""


class UnverifiableCredentialError(InvalidInputError):
    """A credential presented for recognition is not recognisable; ``reasons`` say why
    (each also a field error on ``credential``)."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons), [FieldError(("credential",), r) for r in reasons])


class NotAnAchievementCredentialError(UnverifiableCredentialError):
    """Only an achievement (an OB 3.0 AchievementCredential) is recognised."""


class PresentedCredentialInvalidError(UnverifiableCredentialError):
    """The presented credential failed verification."""


class PresentedCredentialUndecidedError(UnverifiableCredentialError):
    """Nothing failed, but not every check could be made (a status not read, a key not
    found): an undecided credential is not recognised either."""


class KeyProofRefusedError(InvalidInputError):
    """A wallet's proof of possession of a key (OpenID4VCI 1.0 Appendix F.1, a ``jwt``
    proof) is not accepted, so no credential is bound to that key.

    ``oid4vci_error`` is the OpenID4VCI Credential Request error code (§8.3.1.2) the Credential
    Endpoint answers with; ``error_description`` is the message in the characters that
    field allows (printable ASCII without ``"`` and ``\\``).
    """

    oid4vci_error = "invalid_proof"

    def __init__(self, message: str) -> None:
        super().__init__(message, [FieldError(("proofs",), message)])

    @property
    def error_description(self) -> str:
        return "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in str(self))


class KeyProofMalformedError(KeyProofRefusedError):
    """The proof is not a compact JWS whose header and claims are strict JSON objects in
    canonical base64url, or its header asks for what is not understood (``crit``), or
    the ``proofs`` parameter around it is not one ``jwt`` array of proofs."""


class KeyProofNotTypedError(KeyProofRefusedError):
    """The proof's ``typ`` is not ``openid4vci-proof+jwt``: it may be another kind of JWT
    (an ID token, a presentation) offered as a key proof."""


class KeyProofAlgorithmError(KeyProofRefusedError):
    """The proof's ``alg`` is not one the issuer accepts (``none`` and MACs never are), or
    the key it names cannot make that algorithm."""


class KeyProofKeyError(KeyProofRefusedError):
    """The proof does not name exactly one public key this issuer can use: a did:key
    ``kid`` of Ed25519 or P-256, or a public ``jwk``."""


class KeyProofSignatureError(KeyProofRefusedError):
    """The proof's signature does not verify under the key it names."""


class KeyProofAudienceError(KeyProofRefusedError):
    """The proof was made for another credential issuer (its ``aud``)."""


class KeyProofTimeError(KeyProofRefusedError):
    """The proof's ``iat`` is missing, too old or in the future (or its ``exp``/``nbf``
    say it is not valid now)."""


class KeyProofClientError(KeyProofRefusedError):
    """The proof's ``iss`` is not the client the access token was given to."""


class KeyProofNonceMissingError(KeyProofRefusedError):
    """The proof carries no ``c_nonce`` (``nonce``), which this issuer, having a Nonce
    Endpoint, requires (answered ``invalid_proof``, as §8.3.1.2 says)."""


class KeyProofNonceError(KeyProofRefusedError):
    """The proof's ``c_nonce`` is not one this issuer gave, or no longer fresh: the
    wallet should fetch a new one from the Nonce Endpoint."""

    oid4vci_error = "invalid_nonce"


# -- no such thing ---------------------------------------------------------------------------


class NotKnownError(LedgerError):
    """The thing does not exist, or the caller may not know that it does."""


class NotInSignedTreeError(NotKnownError):
    """A tile or entry bundle that the log's newest signed checkpoint does not cover
    (not yet, or never: beyond any tree the log can have)."""


class UnknownIssuerError(NotKnownError):
    """No such issuer (or not the caller's)."""


class UnknownAchievementError(NotKnownError):
    """No such achievement (or not the caller's)."""


class UnknownCredentialError(NotKnownError):
    """No such credential (or not the caller's), or not at the time asked about."""


class UnknownEndorsementError(NotKnownError):
    """No such endorsement."""


class UnknownRecognitionError(NotKnownError):
    """No such recognition."""


class UnknownKeyError(NotKnownError):
    """The issuer has no signing key of this id."""


class UnknownTokenError(NotKnownError):
    """The issuer has no token of this id."""


class UnknownShareLinkError(NotKnownError):
    """No live share link has this token (never made, ended, or its credential erased)."""


class UnknownStatusListError(NotKnownError):
    """No published status list of this id (or none published yet)."""


class UnknownClaimError(NotKnownError):
    """No claim behind this claim URL (a mistyped or made-up secret)."""


# -- the actor may not -----------------------------------------------------------------------


class NotAllowedError(LedgerError):
    """The caller is known but may not do this."""


class ActorMayNotError(NotAllowedError):
    """The act is another actor's to do (the administrator's, the endorser's, an
    institution's)."""


class NotYourCredentialError(NotAllowedError):
    """Only the issuer of a credential changes it."""


class TxCodeRequiredError(NotAllowedError):
    """The claim is guarded by a transaction code, and none was given."""


class TxCodeMismatchError(NotAllowedError):
    """The transaction code given is not the claim's (or too many wrong ones were tried
    lately: ``retry_after`` seconds)."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TxCodeLockedError(TxCodeMismatchError):
    """Too many wrong transaction codes were tried for this claim lately: none is taken
    for ``retry_after`` seconds."""


class AccessTokenRefusedError(NotAllowedError):
    """An OpenID4VCI access token is missing, not one this issuer gave, or expired: the
    wallet redeems its pre-authorized code again (OAuth's ``invalid_token``)."""


class HolderNotAuthenticatedError(NotAllowedError):
    """A wallet's presentation does not prove the holder: no proof by the holder's key
    for authentication, or not over the challenge and domain this claim issued."""


class UnsupportedHolderError(InvalidInputError):
    """The holder is named in a way claims cannot deliver to (a DID method other than
    did:key, a key that is no public key)."""


# -- the act contradicts the record ----------------------------------------------------------


class ContradictsRecordError(LedgerError):
    """The act contradicts what the ledger already recorded."""


class AlreadyRecordedError(ContradictsRecordError):
    """The act was done already and is done once (a withdrawal, a key registered or
    reported compromised)."""


class AlreadyRevokedError(ContradictsRecordError):
    """Revocation is final: a revoked credential changes no more."""


class InvalidTransitionError(ContradictsRecordError):
    """The credential's current status does not allow this change."""


class NotSuspendableError(ContradictsRecordError):
    """The credential carries no suspension status entry, so no verifier could see a
    suspension: its achievement was not defined ``suspendable``."""


class AchievementArchivedError(ContradictsRecordError):
    """Nothing is issued from an archived achievement."""


class DefinitionNameTakenError(ContradictsRecordError):
    """The issuer already has a different achievement of this name: change it by revision."""

    def __init__(self, name: str, existing_id: str) -> None:
        self.existing_id = existing_id
        super().__init__(
            f"an achievement named {name!r} is already defined ({existing_id}) with another "
            "definition; record this one as its revision, or give it another name"
        )


class CredentialIdTakenError(ContradictsRecordError):
    """A credential's id names one credential in the whole ledger."""


class IssuedThroughVcApiError(ContradictsRecordError):
    """A credential issued through the VC API is re-issued there (its document is the
    caller's), not by the ledger's own re-issue of an award."""


class KeyInForceError(ContradictsRecordError):
    """The act needs a key that is no longer in force (rotate first)."""


class KeyBoundToIdentityError(ContradictsRecordError):
    """The issuer's identity is the did:key of its signing key: the key cannot change
    without the identity, so a compromised key ends its signing."""


class SharedSubjectKeyError(ContradictsRecordError):
    """Older credentials of a learner share one sealing key across institutions: erasing
    one institution's would erase another's."""


class ClaimClosedError(ContradictsRecordError):
    """The claim can no longer be used: claimed already, expired, or withdrawn."""


class ClaimUsedError(ClaimClosedError):
    """A claim is used once: the credential was delivered through it already."""


class ClaimExpiredError(ClaimClosedError):
    """The claim's lifetime is over: its issuer can offer a new one."""


class ClaimWithdrawnError(ClaimClosedError):
    """The issuer withdrew the claim (or revoked its credential)."""


class NotDeliverableError(ContradictsRecordError):
    """The credential cannot be delivered to a wallet: revoked, or its subject is not
    one object a holder's DID can be given to."""


class ConcurrentChangeError(ContradictsRecordError):
    """Another act changed the same thing at the same moment; trying again succeeds."""


# -- recorded, but not yet anchored ------------------------------------------------------------


class NotYetAnchoredError(LedgerError):
    """The leaf is in the log, but no signed checkpoint covers it yet (a checkpoint
    interval, or a crash between an act and its checkpoint): a read does not sign one;
    the write path's next checkpoint will, within about ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after
