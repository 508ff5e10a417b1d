"""A client written from the C2SP specs alone (tlog_tiles_client.py, no credledger code)
reads the log served on 127.0.0.1, on SQLite and on PostgreSQL: it verifies the signed
checkpoint with the log's key, recomputes the root from tiles alone, checks every entry
bundle and tile, and checks inclusion and consistency proofs it computes from tiles."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from credledger.ledger.application import CredentialLedger

from ..ledger_server import add_school, free_socket, serving
from . import tlog_tiles_client as c2sp

VECTORS = Path(__file__).parents[1] / "data" / "vectors" / "signed-note" / "c2sp-example.json"


@pytest.fixture
def served(ledger: CredentialLedger) -> Iterator[tuple[CredentialLedger, c2sp.TileClient]]:
    sock = free_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1/log/"
    with serving(ledger, sock), httpx.Client(timeout=30) as http:
        yield ledger, c2sp.TileClient(http, url, ledger.tlog.vkey)
    sock.close()


def grow(ledger: CredentialLedger, schools: int) -> None:
    for i in range(schools):
        add_school(ledger, f"School {i}")  # two acts, each signs a checkpoint


def test_the_client_verifies_the_specs_own_signed_note() -> None:
    good, changed = json.loads(VECTORS.read_text())["cases"]
    assert c2sp.verify_note(good["note"], good["vkey"]) == good["text"]
    with pytest.raises(c2sp.InvalidError):
        c2sp.verify_note(changed["note"], changed["vkey"])


def test_the_client_recomputes_the_signed_root_from_tiles_alone(
    served: tuple[CredentialLedger, c2sp.TileClient],
) -> None:
    ledger, client = served
    assert client.http.get(client.prefix + "key").text.strip() == ledger.tlog.vkey
    grow(ledger, 160)
    checkpoint = client.checkpoint()
    assert checkpoint.size > 320  # full tiles at level 0, a partial one at level 1
    entries = client.check_everything(checkpoint)
    assert len(entries) == checkpoint.size
    served_leaves = client.http.get(
        client.prefix + "leaves", params={"start": 0, "end": 999}
    ).json()["leaves"]
    assert [base64.b64decode(leaf["data"]) for leaf in served_leaves] == entries


def test_inclusion_and_consistency_proofs_from_tiles_verify(
    served: tuple[CredentialLedger, c2sp.TileClient],
) -> None:
    ledger, client = served
    grow(ledger, 20)
    older = client.checkpoint()
    grow(ledger, 140)
    newer = client.checkpoint()
    assert older.size < 256 < newer.size
    assert client.root(older.size) == older.root  # the older tree, from narrower tiles
    entries = client.check_everything(newer)
    for index in sorted({0, 1, 255, 256, older.size - 1, newer.size // 2, newer.size - 1}):
        proof = client.inclusion_proof(index, newer.size)
        c2sp.verify_inclusion(index, newer.size, c2sp.leaf_hash(entries[index]), proof, newer.root)
        assert proof == _served_path("inclusion", client, index=index, size=newer.size)
    proof = client.consistency_proof(older.size, newer.size)
    c2sp.verify_consistency(older.size, newer.size, proof, older.root, newer.root)
    assert proof == _served_path("consistency", client, first=older.size, second=newer.size)


def test_the_client_refuses_what_does_not_verify(
    served: tuple[CredentialLedger, c2sp.TileClient],
) -> None:
    ledger, client = served
    grow(ledger, 3)
    checkpoint = client.checkpoint()
    forged = checkpoint.note.replace(f"\n{checkpoint.size}\n", f"\n{checkpoint.size + 1}\n")
    with pytest.raises(c2sp.InvalidError):
        c2sp.open_checkpoint(forged, ledger.tlog.vkey)
    entries = client.check_everything(checkpoint)
    proof = client.inclusion_proof(2, checkpoint.size)
    with pytest.raises(c2sp.InvalidError):
        c2sp.verify_inclusion(
            2, checkpoint.size, c2sp.leaf_hash(entries[3]), proof, checkpoint.root
        )
    with pytest.raises(httpx.HTTPStatusError):  # beyond the signed tree: not served
        client.tile(0, 0, checkpoint.size + 1)


def _served_path(kind: str, client: c2sp.TileClient, **params: int) -> list[bytes]:
    r = client.http.get(client.prefix + f"proof/{kind}", params=params)
    r.raise_for_status()
    return [base64.b64decode(h) for h in r.json()["path"]]
