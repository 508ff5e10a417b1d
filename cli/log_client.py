"""The transparency log's read endpoints over HTTP, for auditors, witnesses and holders.

Only what docs/api.md promises is used: /v1/log/key, /v1/log/checkpoint(s),
/v1/log/leaves, /v1/log/proof/consistency, /v1/log/cosignatures and
/v1/credentials/{id}/proof. Everything received is verified by the caller; this
module only moves bytes and turns HTTP failures into :class:`ServerError`.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import quote

import httpx

USER_AGENT = "credledger-cli/0.1"
MAX_LEAVES_PER_CALL = 1000


class ServerError(Exception):
    """The server could not be reached or did not answer as the contract says."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _b64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise ServerError(f"{what} is not a base64 string")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ServerError(f"{what} is not valid base64") from None


class LogClient:
    """A client of one credledger server's log endpoints."""

    def __init__(self, server: str, *, timeout: float = 30.0) -> None:
        if not server.startswith(("http://", "https://")):
            raise ServerError(f"--server must be an http(s) URL, not {server!r}")
        self.server = server.rstrip("/")
        self.http = httpx.Client(
            base_url=self.server,
            headers={"User-Agent": USER_AGENT},
            timeout=timeout,
            follow_redirects=False,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> LogClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        try:
            response = self.http.get(path, params=params)
        except httpx.HTTPError as exc:
            raise ServerError(f"cannot reach {self.server}: {exc}") from None
        if not response.is_success:
            raise ServerError(_problem(response, path), response.status_code)
        return response

    def _json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        response = self._get(path, params)
        try:
            return response.json()
        except ValueError:
            raise ServerError(f"{path} did not answer JSON") from None

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

    def proof_bundle(self, credential_id: str) -> Any:
        return self._json(f"/v1/credentials/{quote(credential_id, safe='')}/proof")

    def post_cosignature(self, note: str) -> Any:
        try:
            response = self.http.post(
                "/v1/log/cosignatures",
                content=note.encode("utf-8"),
                headers={"Content-Type": "text/plain; charset=utf-8"},
            )
        except httpx.HTTPError as exc:
            raise ServerError(f"cannot reach {self.server}: {exc}") from None
        if not response.is_success:
            raise ServerError(_problem(response, "/v1/log/cosignatures"), response.status_code)
        return response.json()


def _problem(response: httpx.Response, path: str) -> str:
    """The server's problem ``detail`` (RFC 9457), or the status line."""
    detail = None
    try:
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            detail = body["detail"]
    except ValueError:
        pass
    status = f"{response.status_code} {response.reason_phrase}"
    return f"{path}: {status}" + (f": {detail}" if detail else "")
