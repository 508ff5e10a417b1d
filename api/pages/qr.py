"""QR codes made here, as inline SVG: a share link or a claim URL scanned from a screen.

Made locally (segno, pure Python) so that no link ever reaches a QR service; inline SVG
so that the page needs no extra request and the code scales sharply on any screen.
"""

from __future__ import annotations

import segno


def qr_svg(text: str, *, title: str) -> str:
    """An inline ``<svg>`` of ``text`` (error correction M, 4-module quiet zone).

    ``title`` names the image for screen readers (the SVG carries ``role="img"``).
    """
    code = segno.make(text, error="m", micro=False)
    svg = code.svg_inline(scale=4, border=4, title=title, svgclass="qr", lineclass=None)
    return svg.replace("<svg ", '<svg role="img" ', 1)
