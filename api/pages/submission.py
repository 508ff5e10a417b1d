"""What a person submitted to ``POST /verify``: the form's fields, read without trust.

The body (at most :data:`credledger.api.limits.MAX_BODY_BYTES`, refused with 413 before
it gets here) is an urlencoded form or ``multipart/form-data``. The multipart reader is
small on purpose: the form has five fields, so it takes at most :data:`MAX_PARTS` parts,
only the fields it knows, and the bytes of each exactly as sent (a PNG survives).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from urllib.parse import parse_qs

FIELDS = ("credential", "file", "challenge", "domain", "url")
MAX_PARTS = 8
MAX_OPTION_CHARS = 2000
"""Challenge, domain and URL are short strings; longer ones are cut, not trusted."""
_BOUNDARY = re.compile(r"^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$")


class SubmissionError(ValueError):
    """The body is not a form this page reads."""


@dataclass(frozen=True)
class Submission:
    """The fields of one verification request (each may be empty)."""

    text: str = ""
    file: bytes = b""
    filename: str = ""
    challenge: str | None = None
    domain: str | None = None
    url: str | None = None


def _option(value: str | None) -> str | None:
    value = (value or "").strip()[:MAX_OPTION_CHARS]
    return value or None


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError("the form is not UTF-8 text") from None


def read_form(content_type: str, body: bytes) -> Submission:
    """The submission in ``body``, given the request's Content-Type."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        try:
            fields = parse_qs(
                body.decode("ascii"), keep_blank_values=True, max_num_fields=len(FIELDS) * 2
            )
        except (UnicodeDecodeError, ValueError):
            raise SubmissionError("the form could not be read") from None
        first = {name: values[0] for name, values in fields.items() if values}
        return Submission(
            text=first.get("credential", ""),
            challenge=_option(first.get("challenge")),
            domain=_option(first.get("domain")),
            url=_option(first.get("url")),
        )
    if kind == "multipart/form-data":
        return _multipart(content_type, body)
    raise SubmissionError("send the form (urlencoded or multipart)")


def _multipart(content_type: str, body: bytes) -> Submission:
    header = Message()
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not _BOUNDARY.match(boundary):
        raise SubmissionError("the form has no usable boundary")
    delimiter = b"--" + boundary.encode("ascii")
    pieces = body.split(delimiter)
    if len(pieces) < 3 or not pieces[-1].startswith(b"--"):
        raise SubmissionError("the form is cut short")
    if len(pieces) - 2 > MAX_PARTS:
        raise SubmissionError(f"the form has more than {MAX_PARTS} parts")
    values: dict[str, bytes] = {}
    filename = ""
    for piece in pieces[1:-1]:
        if not piece.startswith(b"\r\n") or not piece.endswith(b"\r\n"):
            raise SubmissionError("a part of the form is malformed")
        head, separator, content = piece[2:-2].partition(b"\r\n\r\n")
        if not separator:
            head, content = piece[2:-2].removesuffix(b"\r\n"), b""
        part = Message()
        for line in _text(head).split("\r\n"):
            header_name, colon, value = line.partition(":")
            if colon:
                part[header_name.strip()] = value.strip()
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or name not in FIELDS or name in values:
            continue
        values[name] = content
        if name == "file":
            given = part.get_param("filename", header="content-disposition")
            filename = given[:200] if isinstance(given, str) else ""
    return Submission(
        text=_text(values.get("credential", b"")),
        file=values.get("file", b""),
        filename=filename,
        challenge=_option(_text(values.get("challenge", b""))),
        domain=_option(_text(values.get("domain", b""))),
        url=_option(_text(values.get("url", b""))),
    )
