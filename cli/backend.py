"""The acts a command can ask for, the same whether the ledger is in-process or remote.

Each method takes the request body of the HTTP contract and returns its response body,
so a command builds one body and prints one result in both modes. ``key`` is the
Idempotency-Key: the same key and body record nothing twice.
"""

from __future__ import annotations

from typing import Any, Protocol

Body = dict[str, Any]


class Backend(Protocol):
    def register_issuer(self, body: Body, key: str | None) -> Body:
        """``{"name", "url"?, "email"?}`` -> ``{"id", "did", "token"}`` (as administrator)."""
        ...

    def define_achievement(self, body: Body, key: str | None) -> Body:
        """An achievement definition -> ``{"id", "achievement"}``."""
        ...

    def issue_credential(self, body: Body, key: str | None) -> Body:
        """``{"achievement_id", "recipient", ...}`` -> ``{"id", "credential", "log_index"}``."""
        ...

    def change_status(self, credential_id: str, change: str, reason: str, key: str | None) -> Body:
        """``change`` is revoke, suspend or reinstate -> ``{"status"}``."""
        ...

    def endorse(self, body: Body, key: str | None) -> Body:
        """``{"subject", "comment"}`` -> ``{"id", "credential"}``."""
        ...

    def recognise(self, body: Body, key: str | None) -> Body:
        """``{"credential", "decision", ...}`` -> ``{"id", "verification"}``."""
        ...
