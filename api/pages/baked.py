"""The credential inside an uploaded file: JSON text, or an Open Badges 3.0 baked image.

Open Badges 3.0 §5.3 bakes a credential into a PNG as an ``iTXt`` chunk with the keyword
``openbadgecredential``, and into an SVG as an ``<openbadges:credential>`` element (the
JSON in its text, or a VC-JWT in its ``verify`` attribute). Both readers refuse rather
than guess: a PNG is walked chunk by chunk with every length and CRC checked and a
compressed text inflated to a bound; an SVG with a DOCTYPE or entity declaration is
refused before any XML parser sees it (no entity expansion, no external reference), and
so is one not in UTF-8 (where those checks could not see a declaration).
"""

from __future__ import annotations

import re
import struct
import zlib
from xml.etree import ElementTree

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
MAX_TEXT_BYTES = 1_048_576
MAX_CHUNKS = 10_000
_OTHER_ENCODING = re.compile(r"""<\?xml[^>]*encoding\s*=\s*["'](?!utf-8["'])""")


class BakedImageError(ValueError):
    """The file holds no credential this reader can take out."""


def credential_text(data: bytes) -> str:
    """The credential (JSON or a VC-JWT) in an uploaded file, as text."""
    if data.startswith(PNG_SIGNATURE):
        return _from_png(data)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) or b"<svg" in head:
        return _from_svg(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BakedImageError("the file is neither JSON text nor a PNG or SVG badge") from None


def _from_png(data: bytes) -> str:
    position, chunks = len(PNG_SIGNATURE), 0
    while position + 12 <= len(data) and chunks < MAX_CHUNKS:
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 8 + length
        if end + 4 > len(data):
            raise BakedImageError("the PNG is cut short")
        body = data[position + 8 : end]
        (crc,) = struct.unpack(">I", data[end : end + 4])
        if zlib.crc32(kind + body) != crc:
            raise BakedImageError(f"the PNG's {kind.decode('latin-1')} chunk is damaged")
        if kind == b"iTXt" and body.startswith(KEYWORD + b"\x00"):
            return _itxt_text(body[len(KEYWORD) + 1 :])
        if kind == b"IEND":
            break
        position, chunks = end + 4, chunks + 1
    raise BakedImageError("the PNG holds no Open Badges credential (iTXt openbadgecredential)")


def _itxt_text(rest: bytes) -> str:
    """An iTXt chunk after its keyword: flag, method, language, translated keyword, text."""
    if len(rest) < 2:
        raise BakedImageError("the PNG's credential chunk is cut short")
    compressed, method = rest[0], rest[1]
    _language, _, rest = rest[2:].partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    if compressed:
        if method != 0:
            raise BakedImageError("the PNG's credential is compressed in an unknown way")
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, MAX_TEXT_BYTES)
        except zlib.error:
            raise BakedImageError("the PNG's credential does not inflate") from None
        if inflater.unconsumed_tail:
            raise BakedImageError("the PNG's credential is too large")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise BakedImageError("the PNG's credential is not UTF-8 text") from None


def _from_svg(data: bytes) -> str:
    try:
        lowered = data.decode("utf-8").lower()
    except UnicodeDecodeError:
        raise BakedImageError("only a UTF-8 SVG is read") from None
    if "<!doctype" in lowered or "<!entity" in lowered:
        raise BakedImageError("an SVG with a DOCTYPE or entities is not read")
    if _OTHER_ENCODING.search(lowered[:200]):
        raise BakedImageError("only a UTF-8 SVG is read")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise BakedImageError("the SVG is not well-formed XML") from None
    for element in root.iter(f"{{{OB3_NAMESPACE}}}credential"):
        token = element.get("verify")
        if token:
            return token.strip()
        text = (element.text or "").strip()
        if text:
            return text
    raise BakedImageError("the SVG holds no Open Badges credential (openbadges:credential)")
