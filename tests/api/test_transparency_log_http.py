"""An auditor holding only /v1/log/key checks the log over HTTP with RFC-written code."""

from __future__ import annotations

import base64

import pytest
from credledger.crypto import cbor
from fastapi.testclient import TestClient

from .. import rfc_auditor as rfc
from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition


def populate(client: TestClient, institutions: int = 3) -> None:
    for i in range(institutions):
        r = client.post("/v1/issuers", json={"name": f"School {i}"}, headers=auth(ADMIN_TOKEN))
        token = r.json()["token"]
        client.post(
            "/v1/achievements",
            json=microcredential_definition(name=f"Course {i}"),
            headers=auth(token),
        )


def all_leaves(client: TestClient, size: int) -> list[bytes]:
    out: list[bytes] = []
    while len(out) < size:
        r = client.get("/v1/log/leaves", params={"start": len(out), "end": size - 1})
        assert r.status_code == 200, r.text
        page = r.json()["leaves"]
        assert [leaf["index"] for leaf in page] == list(range(len(out), len(out) + len(page)))
        out += [base64.b64decode(leaf["data"]) for leaf in page]
    return out


def checkpoint(client: TestClient) -> tuple[str, int, bytes]:
    vkey = client.get("/v1/log/key").text
    note = client.post("/v1/log/checkpoint", headers=auth(ADMIN_TOKEN)).text
    return rfc.open_checkpoint(note, vkey)


def test_an_auditor_recomputes_the_checkpoint_root_from_the_leaves(client: TestClient) -> None:
    populate(client)
    _, size, root = checkpoint(client)
    assert size == 7  # LedgerCreated, three IssuerRegistered and three AchievementDefined
    leaves = all_leaves(client, size)
    assert rfc.mth(leaves) == root
    decoded = [cbor.decode(leaf) for leaf in leaves]
    assert [d["seq"] for d in decoded] == list(range(size))
    assert {d["event"] for d in decoded} == {
        "LedgerCreated",
        "IssuerRegistered",
        "AchievementDefined",
    }


def test_every_inclusion_proof_verifies_with_an_rfc_verifier(client: TestClient) -> None:
    populate(client)
    _, size, root = checkpoint(client)
    leaves = all_leaves(client, size)
    for index in range(size):
        r = client.get("/v1/log/proof/inclusion", params={"index": index, "size": size})
        path = [base64.b64decode(h) for h in r.json()["path"]]
        assert rfc.verify_inclusion(index, size, leaves[index], path, root)
        assert not rfc.verify_inclusion(index, size, leaves[index] + b"x", path, root)


def test_consecutive_checkpoints_are_consistent(client: TestClient) -> None:
    populate(client, 1)
    _, first, root1 = checkpoint(client)
    populate(client, 2)
    _, second, root2 = checkpoint(client)
    assert second > first
    r = client.get("/v1/log/proof/consistency", params={"first": first, "second": second})
    path = [base64.b64decode(h) for h in r.json()["path"]]
    assert rfc.verify_consistency(first, second, path, root1, root2)
    listed = client.get("/v1/log/checkpoints").json()["checkpoints"]
    sizes = [c["size"] for c in listed]
    assert sizes == sorted(sizes)
    assert {first, second} <= set(sizes)


def test_leaves_carry_no_personal_data(client: TestClient) -> None:
    r = client.post(
        "/v1/issuers",
        json={"name": "Secret School", "email": "dean@secret.example"},
        headers=auth(ADMIN_TOKEN),
    )
    assert r.status_code == 201
    _, size, _ = checkpoint(client)
    blob = b"".join(all_leaves(client, size))
    assert b"dean@secret.example" not in blob
    assert b"Secret School" not in blob


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/log/proof/inclusion", {"index": 5, "size": 3}),
        ("/v1/log/proof/inclusion", {"index": 0, "size": 999}),
        ("/v1/log/proof/consistency", {"first": 4, "second": 2}),
        ("/v1/log/proof/consistency", {"first": 0, "second": 2}),
        ("/v1/log/proof/consistency", {"first": 1, "second": 999}),
        ("/v1/log/leaves", {"start": 999, "end": 1000}),
        ("/v1/log/leaves", {"start": -1, "end": 2}),
    ],
)
def test_out_of_range_requests_get_a_problem(
    client: TestClient, path: str, params: dict[str, int]
) -> None:
    populate(client, 2)
    r = client.get(path, params=params)
    assert r.status_code in (400, 404, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json")
