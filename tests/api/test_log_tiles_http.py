"""The log as C2SP tlog-tiles over HTTP: /v1/log/tile/<L>/<N>[.p/<W>] and
/v1/log/tile/entries/<N>[.p/<W>], on both engines. Only what the newest signed
checkpoint covers is served; everything else is a problem document."""

from __future__ import annotations

import base64
import hashlib

import pytest
from fastapi.testclient import TestClient

from .. import rfc_auditor as rfc
from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition

FULL = "public, max-age=31536000, immutable"
PARTIAL = "public, max-age=60"


def signed_size(client: TestClient) -> int:
    note = client.get("/v1/log/checkpoint").text
    return rfc.open_checkpoint(note, client.get("/v1/log/key").text)[1]


def leaves(client: TestClient, start: int, end: int) -> list[bytes]:
    r = client.get("/v1/log/leaves", params={"start": start, "end": end - 1})
    return [base64.b64decode(leaf["data"]) for leaf in r.json()["leaves"]]


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def entries_of(bundle: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(bundle):
        length = int.from_bytes(bundle[at : at + 2], "big")
        out.append(bundle[at + 2 : at + 2 + length])
        at += 2 + length
    return out


def issue_many(client: TestClient, credentials: int) -> None:
    r = client.post("/v1/issuers", json={"name": "School"}, headers=auth(ADMIN_TOKEN))
    issuer = auth(r.json()["token"])
    r = client.post("/v1/achievements", json=microcredential_definition(), headers=issuer)
    award = {"achievement_id": r.json()["id"], "recipient": {"email": "a@example.nl"}}
    for start in range(0, credentials, 100):
        count = min(100, credentials - start)
        body = {"credentials": [award] * count}
        r = client.post("/v1/credentials/batch", json=body, headers=issuer)
        assert r.status_code in (200, 201), r.text


def test_the_signed_tree_is_served_as_a_partial_tile_and_bundle(client: TestClient) -> None:
    size = signed_size(client)
    assert 0 < size < 256
    stored = leaves(client, 0, size)
    tile = client.get(f"/v1/log/tile/0/000.p/{size}")
    assert tile.status_code == 200, tile.text
    assert tile.headers["content-type"] == "application/octet-stream"
    assert tile.headers["cache-control"] == PARTIAL
    assert tile.content == b"".join(leaf_hash(d) for d in stored)
    bundle = client.get(f"/v1/log/tile/entries/000.p/{size}")
    assert bundle.status_code == 200
    assert bundle.headers["cache-control"] == PARTIAL
    assert entries_of(bundle.content) == stored
    assert client.get("/v1/log/tile/0/000.p/1").content == tile.content[:32]


@pytest.mark.parametrize(
    "path",
    ["tile/0/000", "tile/entries/000", "tile/1/000.p/1", "tile/0/001.p/1", "tile/63/000.p/1"],
)
def test_what_no_signed_checkpoint_covers_is_not_found(client: TestClient, path: str) -> None:
    r = client.get(f"/v1/log/{path}")
    assert r.status_code == 404, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["cache-control"] == "no-store"
    assert r.json()["status"] == 404


def test_a_width_beyond_the_signed_tree_is_not_found(client: TestClient) -> None:
    size = signed_size(client)
    for path in (f"tile/0/000.p/{size + 1}", f"tile/entries/000.p/{size + 1}"):
        assert client.get(f"/v1/log/{path}").status_code == 404


def test_full_tiles_are_immutable_and_the_level_above_holds_their_roots(client: TestClient) -> None:
    issue_many(client, 200)
    size = signed_size(client)
    assert size > 256
    full = client.get("/v1/log/tile/0/000")
    assert full.status_code == 200, full.text
    assert full.headers["cache-control"] == FULL
    assert len(full.content) == 8192
    assert full.content == b"".join(leaf_hash(d) for d in leaves(client, 0, 256))
    bundle = client.get("/v1/log/tile/entries/000")
    assert bundle.headers["cache-control"] == FULL
    assert entries_of(bundle.content) == leaves(client, 0, 256)
    above = client.get("/v1/log/tile/1/000.p/1")
    assert above.status_code == 200
    assert above.content == rfc.mth(leaves(client, 0, 256))
    assert client.get("/v1/log/tile/0/000.p/17").content == full.content[: 17 * 32]


@pytest.mark.parametrize(
    "path",
    [
        "tile/00/000",
        "tile/01/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/+1/000",
        "tile/9999999999999999999999/000",
        "tile/0/5",
        "tile/0/0000",
        "tile/0/x000/001",
        "tile/0/001/000",
        "tile/0/x001/x000",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/007",
        "tile/0/000.p/-1",
        "tile/0/000.p/",
        "tile/0/000.p/1/2",
        "tile/0/",
        "tile/entries/0",
        "tile/entries/x000/000",
        "tile/entries/000.p/300",
        "tile/0/" + "x999/" * 20 + "999",
        "tile/0/%2e%2e/000",
        "tile/0/000%00",
    ],
)
def test_a_path_not_in_the_specs_canonical_form_is_a_bad_request(
    client: TestClient, path: str
) -> None:
    r = client.get(f"/v1/log/{path}")
    assert r.status_code == 400, (path, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("/bad-tile-path")


@pytest.mark.parametrize(
    "path",
    ["tile/0/x999/x999/x999/x999/x999/x999/999", "tile/62/x001/000", "tile/entries/x999/999.p/9"],
)
def test_a_canonical_path_far_beyond_the_tree_is_not_found(client: TestClient, path: str) -> None:
    assert client.get(f"/v1/log/{path}").status_code == 404
