"""Reading what the user hands a command: documents in files, and award request bodies.

Only parsing and spelling happen here (files, dates, one body shape for one and for
many awards); every rule about what is valid stays with the ledger.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from .backend import Body
from .errors import usage_error

RECIPIENT_KINDS = ("email", "eduid", "did")


def read_document(path: Path) -> Any:
    """A JSON or YAML document (chosen by suffix: .json is JSON, anything else YAML)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise usage_error(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise usage_error(f"{path} is not UTF-8 text") from None
    try:
        is_json = path.suffix.lower() == ".json"
        document = json.loads(text) if is_json else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise usage_error(f"{path} is not valid JSON: {exc}") from None
    except yaml.YAMLError as exc:
        raise usage_error(f"{path} is not valid YAML: {exc}") from None
    try:
        json.dumps(document, allow_nan=False)
    except (TypeError, ValueError):
        raise usage_error(
            f"{path} holds a value JSON cannot carry (e.g. an unquoted YAML date)",
            hint="quote dates and times in YAML",
        ) from None
    return document


def read_object(path: Path, what: str) -> dict[str, Any]:
    document = read_document(path)
    if not isinstance(document, dict):
        raise usage_error(f"{path} must hold {what} (a JSON or YAML object)")
    return document


IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}


def inline_image(definition: dict[str, Any], base: Path) -> dict[str, Any]:
    """A definition whose ``image`` names a PNG or SVG file (relative to the definition's
    folder) carries it as a data URL; URLs are left as they are."""
    image = definition.get("image")
    if not isinstance(image, str) or image.startswith(("https://", "http://", "data:")):
        return definition
    path = base / image
    media_type = IMAGE_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise usage_error(f"image {image}: give a .png or .svg file (or an https URL)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise usage_error(f"cannot read the image {path}: {exc.strerror or exc}") from None
    encoded = base64.b64encode(data).decode("ascii")
    return {**definition, "image": f"data:{media_type};base64,{encoded}"}


def normalise_time(text: str) -> str:
    """A date or date-time as RFC 3339; a date or a time without a zone is taken as UTC.

    Text that is neither is passed on unchanged, for the ledger to refuse with its reason.
    """
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if len(text) == 10:  # a bare date: midnight UTC at its start
        moment = datetime.combine(date.fromisoformat(text), datetime.min.time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat().replace("+00:00", "Z")


def award_body(
    achievement_id: str,
    recipient_kind: str,
    recipient: str,
    *,
    result: str | None = None,
    evidence: str | None = None,
    evidence_url: str | None = None,
    valid_until: str | None = None,
) -> Body:
    """The ``POST /v1/credentials`` body; empty optional values are left out."""
    body: Body = {"achievement_id": achievement_id, "recipient": {recipient_kind: recipient}}
    if result:
        body["result"] = {"value": result}
    if evidence or evidence_url:
        item = {"narrative": evidence or ""}
        if evidence_url:
            item["url"] = evidence_url
        body["evidence"] = [item]
    if valid_until:
        body["valid_until"] = normalise_time(valid_until)
    return body
