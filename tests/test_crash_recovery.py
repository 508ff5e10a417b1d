"""kill -9 during writes loses no acknowledged write, leaves no half act, and the log
and read model resume exactly where they stopped."""

from __future__ import annotations

import random
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from credledger.ledger.application import CredentialLedger
from credledger.ledger.settings import Settings

from . import rfc_auditor as rfc
from .server_process import ADMIN_TOKEN, ServerProcess

HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def hammer(url: str, stop: threading.Event, acknowledged: dict[str, str]) -> None:
    """Register issuers until stopped; remember every one the server acknowledged."""
    with httpx.Client(base_url=url, timeout=5) as client:
        while not stop.is_set():
            key = uuid.uuid4().hex
            try:
                r = client.post(
                    "/v1/issuers",
                    json={"name": f"School {key[:6]}"},
                    headers={**HEADERS, "Idempotency-Key": key},
                )
            except httpx.HTTPError:
                return
            if r.status_code == 201:
                acknowledged[key] = r.json()["id"]


def watch_checkpoints(url: str, stop: threading.Event, seen: list[tuple[int, bytes]]) -> None:
    """Collect the checkpoints the server publishes while it is being written to."""
    with httpx.Client(base_url=url, timeout=5) as client:
        try:
            vkey = client.get("/v1/log/key").text
            while not stop.is_set():
                note = client.post("/v1/log/checkpoint", headers=HEADERS).text
                _, size, root = rfc.open_checkpoint(note, vkey)
                seen.append((size, root))
                time.sleep(0.05)
        except httpx.HTTPError:
            return


def crash_once(
    data: Path, rounds_ms: int, acknowledged: dict[str, str], published: list[tuple[int, bytes]]
) -> None:
    server = ServerProcess(data)
    server.start()
    stop = threading.Event()
    workers = [
        threading.Thread(target=hammer, args=(server.url, stop, acknowledged)) for _ in range(4)
    ]
    workers.append(threading.Thread(target=watch_checkpoints, args=(server.url, stop, published)))
    for w in workers:
        w.start()
    time.sleep(rounds_ms / 1000)
    server.kill()
    stop.set()
    for w in workers:
        w.join()


def check_consistent(
    data: Path, acknowledged: dict[str, str], checkpoints: list[tuple[int, bytes]]
) -> None:
    ledger = CredentialLedger(Settings(data_dir=data, base_url="http://127.0.0.1:8000"))
    try:
        for issuer_id in acknowledged.values():
            assert ledger.issuer(uuid.UUID(issuer_id)).name.startswith("School")
        events = ledger.recorder.max_notification_id() or 0
        assert ledger.tlog.size() == events  # every event exactly one leaf
        assert len(ledger.tlog.events_of_leaves(0, events)) == events
        ids = [n for _, n in ledger.tlog.events_of_leaves(0, events)]
        assert ids == sorted(set(ids))
        rows = ledger.read_model.db.execute("SELECT COUNT(*) FROM issuers").fetchone()[0]
        assert rows == events
        leaves: list[bytes] = []
        while len(leaves) < events:  # at most 1000 a call
            leaves += [data for _, data in ledger.tlog.leaves(len(leaves), events - 1)]
        latest = ledger.tlog.make_checkpoint()
        for size, root in checkpoints:  # every earlier checkpoint is still a prefix
            assert rfc.mth(leaves[:size]) == root
            if size == 0:
                continue
            proof = ledger.tlog.consistency_proof(size, latest.size)
            assert rfc.verify_consistency(size, latest.size, proof, root, latest.root_hash)
        checkpoints.append((latest.size, latest.root_hash))
    finally:
        ledger.close()


@pytest.mark.parametrize("kills", [3])
def test_kill_9_during_writes_loses_nothing_acknowledged(tmp_path: Path, kills: int) -> None:
    data = tmp_path / "data"
    acknowledged: dict[str, str] = {}
    checkpoints: list[tuple[int, bytes]] = []
    rng = random.Random(7)
    for _ in range(kills):
        crash_once(data, rng.randint(300, 900), acknowledged, checkpoints)
        check_consistent(data, acknowledged, checkpoints)
    assert acknowledged, "the load generator got no write acknowledged"
    assert len(checkpoints) > kills, "no checkpoint was published during the load"


@pytest.mark.slow
def test_kill_9_fifty_times(tmp_path: Path) -> None:
    data = tmp_path / "data"
    acknowledged: dict[str, str] = {}
    checkpoints: list[tuple[int, bytes]] = []
    rng = random.Random(11)
    for _ in range(50):
        crash_once(data, rng.randint(100, 1500), acknowledged, checkpoints)
        check_consistent(data, acknowledged, checkpoints)
