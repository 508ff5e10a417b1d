"""Remote mode: the same acts over HTTP, against the contract's endpoints.

The server answers errors as RFC 9457 problem documents; their ``detail`` and
``errors`` become the CommandError the user sees. A request that carries an
Idempotency-Key is safe to send again, so it is retried on a dropped connection or a
busy server; one without a key is sent once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from .backend import Body, Outcome
from .errors import USAGE, CommandError, answer_error

RETRY_STATUSES = frozenset({429, 502, 503, 504})
ATTEMPTS = 3
USER_AGENT = "credledger-cli/0.1"


def problem_error(response: httpx.Response) -> CommandError:
    """The CommandError for a non-2xx answer (a problem document, or anything else)."""
    status = response.status_code
    try:
        problem: Any = response.json()
    except ValueError:
        problem = None
    if not isinstance(problem, dict) or not isinstance(problem.get("detail"), str):
        text = response.text.strip()[:200]
        detail = f"the server answered {status} {response.reason_phrase}"
        return CommandError(f"{detail}: {text}" if text else detail, status=status)
    return answer_error(problem, status)


def problem_from_document(problem: dict[str, Any]) -> CommandError:
    """The CommandError for one refused item of a batch (its problem document)."""
    return answer_error(problem, int(problem.get("status", 422)))


class RemoteBackend:
    """The Backend over HTTP; the token decides who acts (admin or an issuer)."""

    batch_size = 100  # rows per POST /v1/credentials/batch (one transaction on the server)

    def __init__(self, client: httpx.Client, *, backoff: float = 0.5) -> None:
        self.client = client
        self.backoff = backoff

    def _post(self, path: str, body: Body | None, key: str | None, *, retry: bool = False) -> Body:
        result: Body = self._send("POST", path, body, key, retry=retry).json()
        return result

    def _send(
        self, method: str, path: str, body: Body | None, key: str | None, *, retry: bool = False
    ) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key is not None else {}
        attempts_left = ATTEMPTS if key is not None or retry else 1
        while True:
            attempts_left -= 1
            try:
                response = self.client.request(method, path, json=body, headers=headers)
            except httpx.TransportError as exc:
                if attempts_left == 0:
                    raise CommandError(
                        f"cannot reach the server at {self.client.base_url}: {exc}",
                        hint="check --server, and that `credledger serve` is running there",
                        exit_code=USAGE,
                    ) from None
            else:
                if response.is_success:
                    return response
                if response.status_code not in RETRY_STATUSES or attempts_left == 0:
                    raise problem_error(response)
            time.sleep(self.backoff * (ATTEMPTS - attempts_left))

    def register_issuer(self, body: Body, key: str | None) -> Body:
        return self._post("/v1/issuers", body, key)

    def define_achievement(self, body: Body, key: str | None) -> Body:
        response = self._send("POST", "/v1/achievements", body, key)
        result: Body = response.json()
        return {**result, "created": response.status_code == 201}

    def revise_achievement(self, achievement_id: str, body: Body, key: str | None) -> Body:
        path = f"/v1/achievements/{quote(achievement_id, safe='')}"
        result: Body = self._send("PUT", path, body, key).json()
        return result

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            response = self.client.get(path, params=params)
        except httpx.TransportError as exc:
            raise CommandError(
                f"cannot reach the server at {self.client.base_url}: {exc}",
                hint="check --server, and that `credledger serve` is running there",
                exit_code=USAGE,
            ) from None
        if not response.is_success:
            raise problem_error(response)
        return response.json()

    def achievement(self, achievement_id: str) -> Body:
        result: Body = self._get(f"/v1/achievements/{quote(achievement_id, safe='')}")
        return result

    def issuers(self) -> list[Body]:
        return list(self._get("/v1/issuers", {"limit": 1000})["issuers"])

    def achievements(self, query: str | None) -> list[Body]:
        params: dict[str, Any] = {"limit": 200, **({"q": query} if query else {})}
        return list(self._get("/v1/achievements", params)["achievements"])

    def credentials(self) -> list[Body]:
        return list(self._get("/v1/credentials", {"limit": 1000})["credentials"])

    def credential(self, credential_id: str) -> Body:
        path = f"/v1/credentials/{quote(credential_id, safe='')}"
        view: Body = self._get(path)
        view["history"] = self._get(f"{path}/status-history")["history"]
        return view

    def issue_credential(self, body: Body, key: str | None) -> Body:
        return self._post("/v1/credentials", body, key)

    def issue_credentials(self, requests: Sequence[tuple[Body, str | None]]) -> list[Outcome]:
        """One request for the whole batch; every item keeps its own Idempotency-Key, so
        the batch is safe to send again after a dropped connection."""
        items = [{**body, **({"idempotency_key": key} if key else {})} for body, key in requests]
        keyed = all(key for _, key in requests)
        answer = self._post("/v1/credentials/batch", {"credentials": items}, None, retry=keyed)
        outcomes: list[Outcome] = []
        for result in answer.get("results", []):
            if result.get("status") == 201:
                keys = ("id", "credential", "log_index", "replayed")
                outcomes.append({k: result.get(k) for k in keys})
            else:
                outcomes.append(problem_from_document(result.get("problem") or {}))
        return outcomes

    def change_status(
        self,
        credential_id: str,
        change: str,
        reason: str,
        key: str | None,
        publish_reason: bool = False,
    ) -> Body:
        path = f"/v1/credentials/{quote(credential_id, safe='')}/{change}"
        body: Body = {"reason": reason}
        if publish_reason:
            body["publish_reason"] = True
        return self._post(path, body, key)

    def share(self, credential_id: str, key: str | None) -> Body:
        return self._post(f"/v1/credentials/{quote(credential_id, safe='')}/share", None, key)

    def unshare(self, credential_id: str, key: str | None) -> Body:
        self._send("DELETE", f"/v1/credentials/{quote(credential_id, safe='')}/share", None, key)
        return {}

    def endorse(self, body: Body, key: str | None) -> Body:
        return self._post("/v1/endorsements", body, key)

    def recognise(self, body: Body, key: str | None) -> Body:
        return self._post("/v1/recognitions", body, key)

    def erase_learner(self, body: Body, key: str | None) -> Body:
        return self._post("/v1/erasures", body, key)

    def rotate_key(self, issuer_id: str, key: str | None) -> Body:
        return self._post(f"/v1/issuers/{quote(issuer_id, safe='')}/keys/rotate", {}, key)

    def report_key_compromised(
        self, issuer_id: str, key_id: str, reason: str, key: str | None
    ) -> Body:
        path = f"/v1/issuers/{quote(issuer_id, safe='')}/keys/{quote(key_id, safe='')}"
        return self._post(f"{path}/compromised", {"reason": reason}, key)

    def reissue_signed_by(self, issuer_id: str, key_id: str, reason: str) -> Body:
        path = f"/v1/issuers/{quote(issuer_id, safe='')}/keys/{quote(key_id, safe='')}"
        return self._post(f"{path}/reissue", {"reason": reason}, None, retry=True)


def client(server: str, token: str, *, timeout: float = 30.0) -> httpx.Client:
    return httpx.Client(
        base_url=server.rstrip("/"),
        headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT},
        timeout=timeout,
    )
