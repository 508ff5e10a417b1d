"""kill -9 during a sustained issuing load loses no acknowledged credential, doubles
none, leaves no half act; the log, the read model and the status lists resume exactly
where they stopped, consistent with every checkpoint published before, and the audit
passes."""

from __future__ import annotations

import random
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from credledger.ledger.application import CredentialLedger
from credledger.ledger.audit.local import audit_store
from credledger.ledger.store.settings import Settings
from credledger.revocation.bitstring import Bitstring

from . import rfc_auditor as rfc
from .http_helpers import microcredential_definition
from .server_process import ADMIN_TOKEN, ServerProcess

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
BASE = "http://127.0.0.1:8000"


class Load:
    """What the clients were told: acknowledged awards and revocations."""

    def __init__(self) -> None:
        self.issued: dict[str, str] = {}  # idempotency key -> credential id
        self.revoked: set[str] = set()
        self.lock = threading.Lock()
        self.token = ""
        self.achievement = ""


def set_up(url: str, load: Load) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        school = client.post("/v1/issuers", json={"name": "School"}, headers=ADMIN).json()
        load.token = school["token"]
        load.achievement = client.post(
            "/v1/achievements",
            json=microcredential_definition(),
            headers={"Authorization": f"Bearer {load.token}"},
        ).json()["id"]


def hammer(url: str, stop: threading.Event, load: Load, seed: int) -> None:
    rng = random.Random(seed)
    auth = {"Authorization": f"Bearer {load.token}"}
    with httpx.Client(base_url=url, timeout=10) as client:
        while not stop.is_set():
            try:
                if load.issued and rng.random() < 0.2:
                    victim = rng.choice(list(load.issued.values()))
                    r = client.post(
                        f"/v1/credentials/{victim}/revoke",
                        json={"reason": "x"},
                        headers={**auth, "Idempotency-Key": f"revoke-{victim}"},
                    )
                    if r.status_code == 200:
                        with load.lock:
                            load.revoked.add(victim)
                    continue
                key = uuid.uuid4().hex
                r = client.post(
                    "/v1/credentials",
                    headers={**auth, "Idempotency-Key": key},
                    json={
                        "achievement_id": load.achievement,
                        "recipient": {"eduid": f"learner-{key[:8]}"},
                    },
                )
            except httpx.HTTPError:
                return
            if r.status_code == 201:
                with load.lock:
                    load.issued[key] = r.json()["id"]


def watch_checkpoints(url: str, stop: threading.Event, seen: list[tuple[int, bytes]]) -> None:
    """Collect the checkpoints the server publishes while it is being written to."""
    with httpx.Client(base_url=url, timeout=5) as client:
        try:
            vkey = client.get("/v1/log/key").text
            while not stop.is_set():
                note = client.post("/v1/log/checkpoint", headers=ADMIN).text
                _, size, root = rfc.open_checkpoint(note, vkey)
                seen.append((size, root))
                time.sleep(0.05)
        except (httpx.HTTPError, AssertionError, ValueError):
            return


def crash_once(data: Path, ms: int, load: Load, published: list[tuple[int, bytes]]) -> None:
    server = ServerProcess(data, base_url=BASE)
    server.start()
    if not load.token:
        set_up(server.url, load)
    stop = threading.Event()
    workers = [threading.Thread(target=hammer, args=(server.url, stop, load, i)) for i in range(4)]
    workers.append(threading.Thread(target=watch_checkpoints, args=(server.url, stop, published)))
    for w in workers:
        w.start()
    time.sleep(ms / 1000)
    server.kill()
    stop.set()
    for w in workers:
        w.join()


def check_consistent(data: Path, load: Load, checkpoints: list[tuple[int, bytes]]) -> None:
    settings = Settings(data_dir=data, base_url=BASE)
    ledger = CredentialLedger(settings)
    try:
        issuer = None
        for credential_id in load.issued.values():  # every acknowledged award, exactly once
            credential = ledger.credential(uuid.UUID(credential_id))
            issuer = credential.issuer_id
        for credential_id in load.revoked:
            assert ledger.credential(uuid.UUID(credential_id)).state == "revoked"
        events = ledger.recorder.max_notification_id() or 0
        assert ledger.tlog.size() == events  # every event exactly one leaf
        ids = [n for _, n in ledger.tlog.events_of_leaves(0, events)]
        assert ids == sorted(set(ids))
        assert len(ids) == events
        credentials = ledger.read_model.db.execute(
            "SELECT id, status, status_group, status_index FROM credentials"
        ).fetchall()
        assert len({row[0] for row in credentials}) == len(credentials)
        assert {row[0] for row in credentials} >= set(load.issued.values())
        assert len({(row[2], row[3]) for row in credentials}) == len(credentials)  # no shared index
        if issuer is not None:  # the served revocation list says what the events say
            ledger.publish_status_lists()  # as `serve` does when it starts again
            revoked = {(row[2], row[3]) for row in credentials if row[1] == "revoked"}
            for group in {row[2] for row in credentials}:
                from credledger.ledger.domain.status_lists import list_id

                served = ledger.current_status_list(list_id(uuid.UUID(group), "revocation"))
                assert served.document is not None
                bits = Bitstring.decode(served.document["credentialSubject"]["encodedList"])
                for row in credentials:
                    if row[2] == group:
                        assert bits.get(row[3]) == ((row[2], row[3]) in revoked)
        leaves: list[bytes] = []
        while len(leaves) < ledger.tlog.size():  # at most 1000 a call
            leaves += [d for _, d in ledger.tlog.leaves(len(leaves), ledger.tlog.size() - 1)]
        latest = ledger.tlog.make_checkpoint()
        for size, root in checkpoints:  # every earlier checkpoint is still a prefix
            assert rfc.mth(leaves[:size]) == root
            if size:
                proof = ledger.tlog.consistency_proof(size, latest.size)
                assert rfc.verify_consistency(size, latest.size, proof, root, latest.root_hash)
        checkpoints.append((latest.size, latest.root_hash))
    finally:
        ledger.close()
    report = audit_store(settings)
    assert report.intact, report.as_dict()


def run(tmp_path: Path, kills: int, seed: int, low: int, high: int) -> Load:
    data = tmp_path / "data"
    load = Load()
    checkpoints: list[tuple[int, bytes]] = []
    rng = random.Random(seed)
    for _ in range(kills):
        crash_once(data, rng.randint(low, high), load, checkpoints)
        check_consistent(data, load, checkpoints)
    assert load.issued, "the load generator got no award acknowledged"
    assert len(checkpoints) > kills, "no checkpoint was published during the load"
    return load


def test_kill_9_during_issuing_loses_nothing_acknowledged(tmp_path: Path) -> None:
    run(tmp_path, kills=3, seed=7, low=600, high=1200)


@pytest.mark.slow
def test_kill_9_fifty_times(tmp_path: Path) -> None:
    load = run(tmp_path, kills=50, seed=11, low=200, high=1500)
    assert len(load.issued) > 100
