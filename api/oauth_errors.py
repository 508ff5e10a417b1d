"""OAuth-style error answers for the OpenID4VCI endpoints, which the specifications define:
``{"error": code, "error_description": text}`` (RFC 6749 §5.2 at the Token Endpoint,
OpenID4VCI 1.0 §8.3.1.2 at the Credential Endpoint, RFC 6750 §3 for a refused access
token: 401 with ``WWW-Authenticate: Bearer``). Every other endpoint answers RFC 9457
problem documents (api/problems.py); these answer the wallets' own protocol.
"""

from __future__ import annotations

from dataclasses import dataclass

from credledger.ledger.domain import errors
from credledger.ledger.store.vault import SubjectErasedError
from fastapi.responses import JSONResponse

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
ERASED = "the personal data of this credential was erased"
"""Said instead of an erasure's own words, which name the subject's key."""


@dataclass
class OAuthError(Exception):
    """An error the endpoint answers as its protocol says."""

    status: int
    error: str
    description: str
    retry_after: int | None = None

    def response(self) -> JSONResponse:
        headers = dict(NO_STORE)
        if self.status == 401:
            headers["WWW-Authenticate"] = (
                f'Bearer error="{self.error}", error_description="{oauth_text(self.description)}"'
            )
        if self.retry_after:
            headers["Retry-After"] = str(self.retry_after)
        body = {"error": self.error, "error_description": oauth_text(self.description)}
        return JSONResponse(body, status_code=self.status, headers=headers)


def oauth_text(message: str) -> str:
    """The message in the characters ``error_description`` allows (RFC 6749 §5.2:
    printable ASCII without ``"`` and ``\\``), at most 300 of them."""
    return "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in message[:300])


Table = dict[type[Exception], tuple[int, str]]

TOKEN_ERRORS: Table = {
    errors.LedgerError: (400, "invalid_request"),
    errors.InvalidInputError: (400, "invalid_request"),
    errors.TxCodeRequiredError: (400, "invalid_request"),
    errors.TxCodeMismatchError: (400, "invalid_grant"),
    errors.UnknownClaimError: (400, "invalid_grant"),
    errors.ClaimClosedError: (400, "invalid_grant"),
    SubjectErasedError: (400, "invalid_grant"),
}
"""The Token Endpoint (RFC 6749 §5.2; OpenID4VCI 1.0 §6.3): a missing transaction code is
``invalid_request``, a wrong one, or a code unknown, used, expired or withdrawn,
``invalid_grant``."""

CREDENTIAL_ERRORS: Table = {
    errors.LedgerError: (400, "invalid_credential_request"),
    errors.InvalidInputError: (400, "invalid_credential_request"),
    errors.AccessTokenRefusedError: (401, "invalid_token"),
    errors.UnknownClaimError: (401, "invalid_token"),
    errors.UnsupportedHolderError: (400, "invalid_proof"),
    errors.ClaimClosedError: (400, "credential_request_denied"),
    errors.NotDeliverableError: (400, "credential_request_denied"),
    errors.HolderNotAuthenticatedError: (400, "credential_request_denied"),
    errors.TxCodeRequiredError: (400, "credential_request_denied"),
    errors.ConcurrentChangeError: (400, "credential_request_denied"),
    SubjectErasedError: (400, "credential_request_denied"),
}
"""The Credential Endpoint (OpenID4VCI 1.0 §8.3.1): a key proof refused answers its own
code (``invalid_proof``, ``invalid_nonce``); a claim that can no longer deliver,
``credential_request_denied``."""


def oauth_error_of(exc: Exception, table: Table) -> OAuthError:
    """The answer ``table`` gives ``exc`` (looked up along its class's MRO)."""
    if isinstance(exc, errors.KeyProofRefusedError):
        return OAuthError(400, exc.oid4vci_error, str(exc))
    status, code = next(table[cls] for cls in type(exc).__mro__ if cls in table)
    retry_after = exc.retry_after if isinstance(exc, errors.TxCodeLockedError) else None
    said = ERASED if isinstance(exc, SubjectErasedError) else str(exc)
    return OAuthError(status, code, said, retry_after)
