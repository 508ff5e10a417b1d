"""Links in credentials go somewhere: every achievement image URL answers with a checked
PNG or SVG, and /docs serves interactive documentation from the package itself."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.domain.badge_images import check_svg
from credledger.ledger.domain.errors import DefinitionInvalidError
from fastapi.testclient import TestClient

from ..cli_helpers import clean_environment, ok, run, set_up_local, write_definition
from ..http_helpers import microcredential_definition


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def data_url(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


SAFE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>'


def define(ledger: Any, **changes: Any) -> Any:
    school = ledger.register_issuer(Act(ADMIN), "Hogeschool")
    actor = str(school.issuer.id)
    return actor, ledger.define_achievement(Act(actor), microcredential_definition(**changes))


def test_a_png_in_the_definition_is_served_with_its_type_and_caching_headers(
    ledger: Any, client: TestClient
) -> None:
    image = png()
    _, achievement = define(ledger, image=data_url("image/png", image))
    r = client.get(f"/v1/achievements/{achievement.id}/image")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert r.content == image
    assert "max-age" in r.headers["cache-control"]
    again = client.get(
        f"/v1/achievements/{achievement.id}/image", headers={"If-None-Match": r.headers["etag"]}
    )
    assert again.status_code == 304


def test_every_credential_names_an_image_that_answers(ledger: Any, client: TestClient) -> None:
    for changes in ({}, {"image": data_url("image/svg+xml", SAFE_SVG)}):
        actor, achievement = define(ledger, name=f"Course {len(changes)}", **changes)
        vc = ledger.issue_credential(Act(actor), achievement.id, {"email": "a@example.nl"}).vc
        url = vc["credentialSubject"]["achievement"]["image"]["id"]
        r = client.get(urlsplit(url).path)
        assert r.status_code == 200, url
        assert r.headers["content-type"] == "image/svg+xml"
        check_svg(r.content)


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        b'<image x:href="https://tracker.example/p.png"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://x.example/a.css);'
        b"</style></svg>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://x.example/#a)"/>'
        b"</svg>",
        b'<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        b"<html><body/></html>",
        b"<svg",
    ],
)
def test_an_svg_that_could_run_or_fetch_anything_is_refused(ledger: Any, svg: bytes) -> None:
    with pytest.raises(DefinitionInvalidError) as caught:
        define(ledger, image=data_url("image/svg+xml", svg))
    assert [e.loc[-1] for e in caught.value.errors] == ["image"]


@pytest.mark.parametrize(
    "image",
    [
        data_url("image/png", b"GIF89a not a png"),
        data_url("image/png", png(5000, 5000)),
        data_url("image/png", png() + b"\x00" * (64 * 1024)),
        "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        "data:image/png;base64,!!!",
        "javascript:alert(1)",
    ],
)
def test_an_image_that_is_not_a_small_png_or_svg_is_refused(ledger: Any, image: str) -> None:
    with pytest.raises(DefinitionInvalidError):
        define(ledger, image=image)


def test_an_image_of_an_unknown_achievement_is_a_problem(client: TestClient) -> None:
    r = client.get("/v1/achievements/00000000-0000-4000-8000-000000000000/image")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_the_cli_reads_an_image_file_named_in_the_definition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_environment(monkeypatch)
    local = set_up_local(tmp_path)
    (tmp_path / "badge.svg").write_bytes(SAFE_SVG)
    definition = write_definition(tmp_path / "course.yaml", name="Imaged", image="badge.svg")
    created = ok(run("achievement", "define", definition, *local.args(), "--json"))
    assert created["achievement"]["image"]["id"].endswith(f"/{created['id']}/image")


def test_docs_are_served_with_every_asset_from_the_package(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources
    assert all(source.startswith("/docs/assets/") for source in sources)
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 100
        assert "script-src 'self'" in asset.headers["content-security-policy"]
    assert "/openapi.json" in client.get("/docs/assets/docs-init.js").text
    assert client.get("/docs/assets/..%2Fapp.py").status_code == 404
