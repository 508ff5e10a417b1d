"""QR codes are made locally and read back to the text they carry."""

from __future__ import annotations

from credledger.api.pages.qr import qr_svg


def test_a_qr_code_is_an_inline_svg_image_with_a_title() -> None:
    svg = qr_svg("https://ledger.example/c/abc", title="QR code of the link")
    assert svg.startswith('<svg role="img" ')
    assert "<title>QR code of the link</title>" in svg
    assert "http" not in svg.replace("https://ledger.example", "")  # nothing loaded from elsewhere


def test_the_title_is_escaped() -> None:
    svg = qr_svg("x", title='<script>"')
    assert "<script>" not in svg


def test_different_links_give_different_codes() -> None:
    assert qr_svg("https://ledger.example/c/a", title="t") != qr_svg(
        "https://ledger.example/c/b", title="t"
    )
