"""The transparency log's read endpoints over HTTP, for auditors, witnesses and holders.

Only what docs/api.md promises is used: /v1/log/key, /v1/log/checkpoint(s),
/v1/log/leaves, /v1/log/proof/consistency, /v1/log/cosignatures, and proof bundles
(/v1/credentials/{id}/proof with the issuer's token, or /v1/proofs presenting the
credential). Everything received is verified by the caller; this
module only moves bytes and turns HTTP failures into :class:`ServerError`.

Requests go through the one guarded fetcher (``ledger/verify/guarded_fetch.py``):
the server is the user's choice, so private addresses are allowed, but a redirect is
never followed, and every answer has a deadline and a size cap.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from credledger.crypto.strict_base64 import Base64Error, decode_base64
from credledger.ledger.verify.guarded_fetch import Fetched, FetchError, GuardedFetcher

USER_AGENT = "credledger-cli/0.1"
MAX_LEAVES_PER_CALL = 1000
MAX_ANSWER_BYTES = 64 * 1024 * 1024
"""A page of 1000 leaves or checkpoints is well under a megabyte; a bound all the same."""


class ServerError(Exception):
    """The server could not be reached or did not answer as the contract says."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _b64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise ServerError(f"{what} is not a base64 string")
    try:
        return decode_base64(text, what)
    except Base64Error as exc:
        raise ServerError(str(exc)) from None


class LogClient:
    """A client of one credledger server's log endpoints."""

    def __init__(self, server: str, *, timeout: float = 30.0) -> None:
        if not server.startswith(("http://", "https://")):
            raise ServerError(f"--server must be an http(s) URL, not {server!r}")
        self.server = server.rstrip("/")
        self.http = GuardedFetcher(
            allow_private=True,
            deadline=timeout,
            max_bytes=MAX_ANSWER_BYTES,
            user_agent=USER_AGENT,
        )

    def close(self) -> None:
        """Nothing is held open between requests."""

    def __enter__(self) -> LogClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        *,
        payload: bytes | None = None,
    ) -> Fetched:
        try:
            response = self.http.request(
                method,
                self.server + path,
                headers,
                payload=payload,
                follow_redirects=False,
            )
        except FetchError as exc:
            raise ServerError(f"cannot reach {self.server}: {exc}") from None
        if not response.ok:
            raise ServerError(_problem(response, path.split("?", 1)[0]), response.status)
        return response

    def _get(
        self, path: str, params: dict[str, Any] | None = None, *, token: str | None = None
    ) -> Fetched:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        return self._request("GET", f"{path}?{urlencode(params)}" if params else path, headers)

    def _json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return _answer_json(self._get(path, params), path)

    def log_key(self) -> str:
        return self._get("/v1/log/key").text.strip()

    def checkpoint(self) -> str:
        """The newest checkpoint note (with any witness cosignatures the log kept)."""
        return self._get("/v1/log/checkpoint").text

    def checkpoints(self) -> list[str]:
        """Every checkpoint note the log lists, oldest first."""
        notes: list[str] = []
        after = -1
        while True:
            page = self._json("/v1/log/checkpoints", {"after": after, "limit": 1000})
            entries = page.get("checkpoints") if isinstance(page, dict) else None
            if not isinstance(entries, list):
                raise ServerError("/v1/log/checkpoints did not list checkpoints")
            if not entries:
                return notes
            for entry in entries:
                if not isinstance(entry, dict) or not isinstance(entry.get("note"), str):
                    raise ServerError("/v1/log/checkpoints: an entry has no note")
                if type(entry.get("size")) is not int or entry["size"] <= after:
                    raise ServerError("/v1/log/checkpoints is not ordered by size")
                notes.append(entry["note"])
                after = entry["size"]

    def leaves(self, start: int, end: int) -> list[bytes]:
        """Leaves ``start`` to ``end`` inclusive (the server may return fewer)."""
        page = self._json("/v1/log/leaves", {"start": start, "end": end})
        entries = page.get("leaves") if isinstance(page, dict) else None
        if not isinstance(entries, list) or not entries:
            raise ServerError(f"/v1/log/leaves gave no leaves from {start}")
        out = []
        for offset, entry in enumerate(entries):
            if not isinstance(entry, dict) or entry.get("index") != start + offset:
                raise ServerError(f"/v1/log/leaves: leaf {start + offset} is out of order")
            out.append(_b64(entry.get("data"), f"leaf {start + offset}"))
        return out

    def consistency(self, first: int, second: int) -> list[bytes]:
        page = self._json("/v1/log/proof/consistency", {"first": first, "second": second})
        path = page.get("path") if isinstance(page, dict) else None
        if not isinstance(path, list):
            raise ServerError("/v1/log/proof/consistency gave no path")
        return [_b64(h, f"consistency proof hash {i}") for i, h in enumerate(path)]

    def proof_bundle(self, credential_id: str, token: str, *, tlog_proof: bool = False) -> Any:
        """A credential's bundle (or its tlog-proof text) by its id: for its issuer only."""
        path = f"/v1/credentials/{quote(credential_id, safe='')}/proof"
        params = {"format": "tlog-proof"} if tlog_proof else None
        response = self._get(path, params, token=token)
        return _answer_text(response, path) if tlog_proof else _answer_json(response, path)

    def holder_proof_bundle(self, credential: Any, *, tlog_proof: bool = False) -> Any:
        """The bundle (or tlog-proof text) of a credential one holds, by presenting it."""
        path = "/v1/proofs?format=tlog-proof" if tlog_proof else "/v1/proofs"
        response = self._request(
            "POST",
            path,
            {"Content-Type": "application/json"},
            payload=json.dumps({"credential": credential}).encode(),
        )
        return _answer_text(response, path) if tlog_proof else _answer_json(response, path)

    def post_cosignature(self, note: str) -> Any:
        response = self._request(
            "POST",
            "/v1/log/cosignatures",
            {"Content-Type": "text/plain; charset=utf-8"},
            payload=note.encode("utf-8"),
        )
        return _answer_json(response, "/v1/log/cosignatures")


def _answer_json(response: Fetched, path: str) -> Any:
    try:
        return json.loads(response.body)
    except ValueError:
        raise ServerError(f"{path} did not answer JSON") from None


def _answer_text(response: Fetched, path: str) -> str:
    try:
        return response.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ServerError(f"{path} did not answer UTF-8 text") from None


def _problem(response: Fetched, path: str) -> str:
    """The server's problem ``detail`` (RFC 9457), or the status line."""
    detail = None
    try:
        body = json.loads(response.body)
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            detail = body["detail"]
    except ValueError:
        pass
    status = f"{response.status} {response.reason}"
    return f"{path}: {status}" + (f": {detail}" if detail else "")
