"""The published OpenAPI document: what FastAPI infers, plus the errors it cannot know.

FastAPI documents a 422 as its own ``HTTPValidationError`` in ``application/json``;
credledger answers every error, that one included, as an RFC 9457 problem document. The
document says so: each operation's 422 and a ``default`` response carry the ``Problem``
schema in ``application/problem+json``, and a documented error answer of another shape
(the VC API's 400 verification report) may also be a problem when the request itself is
malformed; so clients (and schemathesis) can check every error body against the document.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from .problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                },
            },
        },
    },
}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}}}


def with_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Document every error of every operation as a problem (in place; also returned)."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = _problem_response("Validation failed")
            for status, response in responses.items():
                if status[0] in "45":  # e.g. the VC API's 400 report: or a problem, if malformed
                    content = response.setdefault("content", {})
                    content.setdefault(PROBLEM_JSON, {"schema": _PROBLEM_REF})
            responses["default"] = _problem_response("An error, as RFC 9457 problem details")
    return document


def install(app: FastAPI) -> None:
    """Serve the document with problem responses at ``/openapi.json``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
