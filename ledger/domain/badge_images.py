"""Achievement images: a PNG or SVG carried in the definition, checked, and a plain badge
drawn from the name when there is none, so ``/v1/achievements/{id}/image`` (named in
every credential) always answers with an image.

An SVG is served from the ledger's own origin, so one that could run script or fetch
anything is refused: no ``script`` or ``foreignObject``, no event handler attributes,
no references outside the document, no DTD.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from typing import Final
from xml.etree import ElementTree

from credledger.crypto.strict_base64 import Base64Error, decode_base64

MAX_IMAGE_BYTES: Final = 64 * 1024
PNG: Final = "image/png"
SVG: Final = "image/svg+xml"
_DATA_URL = re.compile(r"^data:(image/png|image/svg\+xml);base64,([A-Za-z0-9+/=\s]+)$")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FORBIDDEN_ELEMENTS = frozenset({"script", "foreignobject", "iframe", "embed", "object"})
_HREFS = frozenset({"href", "{http://www.w3.org/1999/xlink}href", "src"})


class ImageInvalidError(ValueError):
    """The image is not a PNG or SVG credledger will serve (the message says why)."""


@dataclass(frozen=True)
class BadgeImage:
    media_type: str
    data: bytes

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.data).hexdigest()[:32] + '"'


def parse_data_url(url: str) -> BadgeImage:
    """A ``data:image/png;base64,...`` or ``data:image/svg+xml;base64,...`` URL, checked."""
    match = _DATA_URL.match(url)
    if match is None:
        raise ImageInvalidError("must be a base64 data URL of a PNG or SVG image")
    try:  # whitespace and unused bits were always let pass: stored images keep opening
        data = decode_base64("".join(match.group(2).split()), canonical=False)
    except Base64Error:
        raise ImageInvalidError("its base64 is not valid") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageInvalidError(f"must be at most {MAX_IMAGE_BYTES // 1024} KiB")
    if match.group(1) == PNG:
        check_png(data)
        return BadgeImage(PNG, data)
    check_svg(data)
    return BadgeImage(SVG, data)


def check_png(data: bytes) -> None:
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 33:
        raise ImageInvalidError("is not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= 4096 and 0 < height <= 4096):
        raise ImageInvalidError("a PNG of at most 4096 x 4096 pixels")


def check_svg(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImageInvalidError("an SVG must be UTF-8 text") from None
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise ImageInvalidError("an SVG must not have a DTD or entities")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise ImageInvalidError(f"is not well-formed SVG: {exc}") from None
    if _local(root.tag) != "svg":
        raise ImageInvalidError("is not an SVG image (its root is not <svg>)")
    for element in root.iter():
        name = _local(element.tag).lower()
        if name in _FORBIDDEN_ELEMENTS:
            raise ImageInvalidError(f"an SVG must not contain <{_local(element.tag)}>")
        if name == "style" and _external(element.text or ""):
            raise ImageInvalidError("an SVG must not load anything from elsewhere")
        for attribute, value in element.attrib.items():
            local = _local(attribute).lower()
            if local.startswith("on"):
                raise ImageInvalidError(f"an SVG must not have event handlers ({local})")
            if attribute in _HREFS and not value.strip().startswith("#"):
                raise ImageInvalidError("an SVG must not refer to anything outside itself")
            if _external(value):
                raise ImageInvalidError("an SVG must not load anything from elsewhere")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _external(text: str) -> bool:
    """CSS that reaches out: url() to anything but a fragment, or @import."""
    lowered = text.lower()
    if "@import" in lowered:
        return True
    return any(
        not target.strip("'\" ").startswith("#")
        for target in re.findall(r"url\(([^)]*)\)", lowered)
    )


def default_badge(name: str) -> BadgeImage:
    """A plain round badge with the achievement's initials, for definitions without image."""
    words = [w for w in re.findall(r"\w+", name) if w[0].isalnum()]
    initials = "".join(w[0] for w in words[:3]).upper() or "?"
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">'
        '<circle cx="128" cy="128" r="120" fill="#1f4e79"/>'
        '<circle cx="128" cy="128" r="104" fill="none" stroke="#ffffff" stroke-width="6"/>'
        '<text x="128" y="150" font-family="sans-serif" font-size="64" font-weight="bold" '
        f'fill="#ffffff" text-anchor="middle">{_escape(initials)}</text></svg>'
    )
    return BadgeImage(SVG, svg.encode("utf-8"))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
