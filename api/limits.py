"""What a request must be before any endpoint sees it: small enough, and strict JSON.

One ASGI middleware reads the whole body first, so the size limit holds for chunked
uploads (no Content-Length) as well as declared ones, and checks every JSON body
against RFC 8259 and I-JSON (RFC 7493) before FastAPI parses it: no ``NaN`` or
``Infinity`` (Python's parser accepts them, nothing can canonicalise or store them), no
lone surrogates (no UTF-8 form), no member name twice in one object (parsers disagree
on which one counts), no number a double cannot hold exactly (``api/json_numbers.py``;
a 422 naming the field), no nesting deep enough to exhaust the recursion of the
canonicalisers, UTF-8 only. A refused request gets its problem document here and never
reaches the ledger.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .json_numbers import ExactNumbers, inexact_number_path, may_be_inexact
from .problems import Problem, problem_response

MAX_BODY_BYTES = 1_048_576
MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects accepted (credentials nest about ten levels)."""

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
_TEXT_PATHS = frozenset({"/v1/log/cosignatures"})
"""Endpoints that take a text/plain body (a C2SP signed note) instead of JSON."""
_FORM_PATHS = frozenset({"/verify", "/verify/bundle"})
"""The people pages' forms (api/pages): an HTML form body, read by api/pages/submission.py."""
_OWN_BODY_PATHS = frozenset({"/oid4vci/token", "/oid4vci/nonce", "/oid4vci/credential"})
"""The OpenID4VCI endpoints read (and refuse) their bodies themselves, in OAuth's error
format (api/routes_oid4vci.py): a form at the Token Endpoint, strict JSON elsewhere."""
_FORM_PATTERN = re.compile(r"/claims/[A-Za-z0-9_-]{1,64}")
"""The claim page's transaction code form (api/pages/claim_page.py)."""


def is_form_path(path: str) -> bool:
    return path in _FORM_PATHS or _FORM_PATTERN.fullmatch(path) is not None


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
FormRefusal = Callable[[Scope, Problem], Response]
"""How a refused form is answered (a page for people, api/pages) instead of a problem."""
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class RequestLimits:
    """ASGI middleware refusing over-large, non-JSON and non-strict-JSON request bodies."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int = MAX_BODY_BYTES,
        form_refusal: FormRefusal | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.form_refusal = form_refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and not _length_within(length, self.max_body_bytes):
            await self._refuse(scope, receive, send, self._too_large())
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away before finishing its request
            body += message.get("body", b"")
            if len(body) > self.max_body_bytes:
                await self._refuse(scope, receive, send, self._too_large())
                return
            if not message.get("more_body", False):
                break
        problem = _body_problem(scope["method"], scope["path"], headers, bytes(body))
        if problem is not None:
            await self._refuse(scope, receive, send, problem)
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    def _too_large(self) -> Problem:
        return Problem(413, f"request bodies are limited to {self.max_body_bytes} bytes")

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, problem: Problem) -> None:
        if self.form_refusal is not None and is_form_path(scope["path"]):
            await self.form_refusal(scope, problem)(scope, receive, send)
            return
        await problem_response(problem, scope["path"])(scope, receive, send)


def _length_within(value: str, limit: int) -> bool:
    # Length check before int(): a header of thousands of digits must not reach the parser.
    return value.isascii() and value.isdigit() and len(value) <= 18 and int(value) <= limit


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel giving the buffered body once, then the client's own messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _body_problem(method: str, path: str, headers: Headers, body: bytes) -> Problem | None:
    if method not in _WITH_BODY:
        return None
    if path in _OWN_BODY_PATHS:
        return None
    ctype = headers.get("content-type", "")
    if path in _TEXT_PATHS and ctype.startswith("text/plain"):
        return None
    if is_form_path(path) and ctype.lower().startswith(_FORM_TYPES):
        return None
    if ctype and "json" not in ctype.lower():
        return Problem(415, "send JSON (Content-Type: application/json)")
    if not ctype or not body:
        return None  # FastAPI answers a body it cannot read as JSON with a 422 naming it
    return strict_json_refusal(body)


class _NotJsonError(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotJsonError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's members, refusing a name given twice (I-JSON: names MUST be unique;
    Python would silently keep the last, so two readers could see two documents)."""
    members = dict(pairs)
    if len(members) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _NotJsonError(f"the member name {name!r} appears twice in one object")
            seen.add(name)
    return members


def strict_json_refusal(body: bytes) -> Problem | None:
    """Why ``body`` is not strict UTF-8 JSON (RFC 8259, I-JSON) as a problem, or None."""
    numbers = ExactNumbers()
    checked = may_be_inexact(body)
    try:
        value = json.loads(
            body.decode("utf-8"),
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_keys,
            parse_int=numbers.parse_int if checked else None,
            parse_float=numbers.parse_float if checked else None,
        )
    except UnicodeDecodeError:
        return _invalid("the body is not UTF-8")
    except json.JSONDecodeError as exc:
        return _invalid(f"the body is not JSON: {exc.msg} at position {exc.pos}")
    except _NotJsonError as exc:
        return _invalid(f"the body is not JSON this server accepts: {exc}")
    except (ValueError, RecursionError):  # e.g. an integer of thousands of digits
        return _invalid(
            "the body is not JSON this server accepts (number too long or nesting too deep)"
        )
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and _depth(value) > MAX_JSON_DEPTH:
        return _invalid(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    if _SURROGATE_ESCAPE.search(body) and _has_lone_surrogate(value):
        return _invalid(
            "a JSON string holds a lone surrogate (\\ud800-\\udfff), which is not Unicode text"
        )
    inexact = inexact_number_path(value) if numbers.found else None
    if inexact is not None:
        path, literal = inexact
        msg = (
            f"the number {literal[:40]} is beyond what a JSON number holds exactly (integers up "
            f"to 2^53 - 1, decimals a double reads back unchanged); send it as a string"
        )
        where = ".".join(map(str, ["body", *path]))
        return Problem(
            422, f"{where}: {msg}", kind="validation", errors=[{"loc": ["body", *path], "msg": msg}]
        )
    return None


def _invalid(detail: str) -> Problem:
    return Problem(400, detail, kind="invalid-json", errors=[{"loc": ["body"], "msg": detail}])


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    if isinstance(value, list):
        return value
    return []


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (walked without recursion)."""
    deepest, stack = 0, [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return deepest


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        else:
            stack.extend(_children(item))
    return False
