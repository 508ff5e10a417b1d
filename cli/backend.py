"""The acts a command can ask for, the same whether the ledger is in-process or remote.

Each method takes the request body of the HTTP contract and returns its response body,
so a command builds one body and prints one result in both modes. ``key`` is the
Idempotency-Key: the same key and body record nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .errors import CommandError

Body = dict[str, Any]
Outcome = Body | CommandError


class Backend(Protocol):
    batch_size: int
    """How many awards one ``issue_credentials`` call should carry."""

    def register_issuer(self, body: Body, key: str | None) -> Body:
        """``{"name", "url"?, "email"?}`` -> ``{"id", "did", "token"}`` (as administrator)."""
        ...

    def define_achievement(self, body: Body, key: str | None) -> Body:
        """An achievement definition -> ``{"id", "achievement", "created"}``; ``created``
        is False when the issuer already had this exact definition."""
        ...

    def revise_achievement(self, achievement_id: str, body: Body, key: str | None) -> Body:
        """A changed definition of an existing achievement -> ``{"id", "achievement"}``."""
        ...

    def achievement(self, achievement_id: str) -> Body:
        """The OB 3.0 Achievement (public), e.g. for its ResultDescription."""
        ...

    def issuers(self) -> list[Body]:
        """Registered institutions: ``{"id", "name", "url", "did", "registered_at"}``."""
        ...

    def achievements(self, query: str | None) -> list[Body]:
        """The catalogue (not archived), or the achievements holding every word of ``query``."""
        ...

    def credentials(self) -> list[Body]:
        """The acting issuer's credentials: ids, achievement, status, dates."""
        ...

    def credential(self, credential_id: str) -> Body:
        """``{"id", "status", "log_index", "credential", "history"}`` of an own credential."""
        ...

    def issue_credential(self, body: Body, key: str | None) -> Body:
        """``{"achievement_id", "recipient", ...}`` -> ``{"id", "credential", "log_index"}``."""
        ...

    def issue_credentials(self, requests: Sequence[tuple[Body, str | None]]) -> list[Outcome]:
        """Many awards (body, key), in order: each outcome is a response body (with
        ``replayed`` true for a row issued before under the same key) or a refusal.

        Stops early, returning fewer outcomes, after an error that would refuse every
        later request too (a wrong token, an unknown achievement, a lost connection).
        """
        ...

    def change_status(
        self,
        credential_id: str,
        change: str,
        reason: str,
        key: str | None,
        publish_reason: bool = False,
    ) -> Body:
        """``change`` is revoke, suspend or reinstate -> ``{"status"}``; ``publish_reason``
        shows the reason to whoever checks the credential."""
        ...

    def share(self, credential_id: str, key: str | None) -> Body:
        """A new share link to the credential -> ``{"url"}``."""
        ...

    def unshare(self, credential_id: str, key: str | None) -> Body:
        """End every share link of the credential -> ``{}``."""
        ...

    def endorse(self, body: Body, key: str | None) -> Body:
        """``{"subject", "comment"}`` -> ``{"id", "credential"}``."""
        ...

    def recognise(self, body: Body, key: str | None) -> Body:
        """``{"credential", "decision", ...}`` -> ``{"id", "verification"}``."""
        ...

    def erase_learner(self, body: Body, key: str | None) -> Body:
        """``{"recipient"}`` -> ``{"id", "credentials", "copies"}`` (the issuer's learner)."""
        ...

    def rotate_key(self, issuer_id: str, key: str | None) -> Body:
        """A new signing key for the issuer -> ``{"key_id", "did"}``."""
        ...

    def report_key_compromised(
        self, issuer_id: str, key_id: str, reason: str, key: str | None
    ) -> Body:
        """-> ``{"key_id", "state", "active_key_id", "did", "affected"}``."""
        ...

    def reissue_signed_by(self, issuer_id: str, key_id: str, reason: str) -> Body:
        """Re-sign what ``key_id`` signed -> ``{"key_id", "reissued", "skipped"}``."""
        ...
