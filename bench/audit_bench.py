"""Audit speed (events/s) on a large generated log, and `proof verify` time.

Builds a ledger through the application (issuers, achievements, credentials, status
changes, status list versions), then grows its event store to ``--events`` events by
storing copies of those events under fresh aggregate ids (bench only: the audit reads
events, it never replays aggregates), lets the transparency log follow (a leaf per
event, checkpoints every 1000 leaves), and times, in one run:

  * floor      - raw SHA-256 of the very same leaf bytes (0x00 || leaf), in memory;
  * leaf_for   - the ledger's own leaf recomputation over the same events, in memory;
  * audit      - ``audit_store`` on the data directory (``--jobs`` worker processes
                 checking leaves, one per CPU by default): read every event and leaf,
                 recompute and compare each leaf, rebuild and compare every Merkle tile,
                 verify every checkpoint and a consistency proof between each pair
                 (the log part, timed on its own too), then recompute every status
                 list version from the status changes and compare the read model;
  * proof verify - ``verify_bundle`` of a proof bundle (in process), and the
                 ``credledger proof verify`` command (a fresh process, imports included).

    .venv/bin/python bench/audit_bench.py [--events 1000000] [--keep DIR] [--jobs N] [--json]

With ``--events 0`` nothing is copied: the ledger is audited as the application made it,
with a checkpoint per act (``--credentials 3000`` makes one of 9,007 events).
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from credledger.crypto.keys import Ed25519KeyPair
from credledger.crypto.signed_note import NoteSigner
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment
from figures import faster, print_json, slower
from ledger_api import (
    ADMIN,
    Act,
    CredentialLedger,
    Settings,
    SQLiteTreeStore,
    TransparencyLog,
    audit_store,
    did_web_document,
    dump_json,
    leaf_for,
    load_bundle,
    open_recorder,
    origin_for,
    verify_bundle,
)

REPO = Path(__file__).resolve().parent.parent
BASE_URL = "https://ledger.bench.example"
# Suspendable, so that the seeded ledger holds suspensions as well as revocations.
DEFINITION = {
    **json.loads((REPO / "bench" / "data" / "definition.json").read_text()),
    "suspendable": True,
}


def seed_ledger(settings: Settings, credentials: int) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A real ledger with every common event type; returns the log vkey, one bundle and
    the issuer's DID document (the bundle's issuer is a did:web of a host that is not there).
    """
    ledger = CredentialLedger(settings)
    try:
        issuer = ledger.register_issuer(Act(ADMIN), "Bench University").issuer
        actor = str(issuer.id)  # one Act per act: an Act is what makes a retry recognisable
        achievement = ledger.define_achievement(Act(actor), DEFINITION)
        ids = []
        for i in range(credentials):
            recipient = {"email": f"s{i}@bench.example"}
            ids.append(ledger.issue_credential(Act(actor), achievement.id, recipient).credential.id)
        for i, credential_id in enumerate(ids[: credentials // 2]):
            change = ("revoke", "suspend")[i % 2]
            ledger.change_status(Act(actor), credential_id, change, "bench")
        bundle = ledger.proof_bundle(ids[-1])
        return ledger.tlog.vkey, bundle, did_web_document(ledger, issuer.id)
    finally:
        ledger.close()


# Aggregates whose copies stand alone: a credential with its status changes, a claimed
# status slot. Not the ledger's identity (one aggregate, the log's origin) nor status
# lists (each version is recomputed from the status changes before it), nor issuers and
# achievements (the copies would be orphans of nothing; kept few, as in a real ledger).
COPIED = ("%:Credential.Issued", "%:StatusSlot.Claimed")


def grow_events(settings: Settings, total: int) -> int:
    """Copy whole aggregates (every version) under fresh ids until the store holds ``total``.

    Copies are made of stored rows, topics and states untouched, so they carry whatever
    topics this checkout stores; an aggregate is copied whole so that every copy is a
    history the audit can follow (version 1 first, no version without its predecessor).
    """
    db = sqlite3.connect(settings.data_dir / "events.sqlite")
    templates: list[list[tuple[int, str, bytes]]] = []
    for (aggregate,) in db.execute(
        "SELECT originator_id FROM stored_events WHERE originator_version = 1 "
        f"AND ({' OR '.join('topic LIKE ?' for _ in COPIED)}) ORDER BY rowid",
        COPIED,
    ).fetchall():
        templates.append(
            db.execute(
                "SELECT originator_version, topic, state FROM stored_events "
                "WHERE originator_id = ? ORDER BY originator_version",
                (aggregate,),
            ).fetchall()
        )
    have = int(db.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])
    rows: list[tuple[str, int, str, bytes]] = []
    i = 0
    while have < total:
        aggregate = uuid.uuid4().hex
        for version, topic, state in templates[i % len(templates)][: total - have]:
            rows.append((aggregate, version, topic, state))
            have += 1
        i += 1
        if len(rows) >= 50_000:
            db.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", rows)
            db.commit()
            rows.clear()
    db.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", rows)
    db.commit()
    count = int(db.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])
    db.close()
    return count


def follow(settings: Settings) -> None:
    """Let the transparency log catch up with the grown event store (as the ledger would)."""
    vault = sqlite3.connect(settings.data_dir / "vault.sqlite")
    seed = vault.execute(
        "SELECT value FROM credledger_secrets WHERE name = 'log-signing-key'"
    ).fetchone()[0]
    vault.close()
    recorder = InfrastructureFactory.construct(
        Environment("credledger", settings.eventsourcing_env())
    ).application_recorder()
    tlog = TransparencyLog(
        SQLiteTreeStore(settings.data_dir / "log.sqlite"),
        NoteSigner(origin_for(BASE_URL), Ed25519KeyPair.from_seed(bytes(seed))),
        every_leaves=1000,
    )
    # In steps of 1000 events with a checkpoint after each, as a busy ledger would sign.
    last = recorder.max_notification_id() or 0
    for limit in range(1000, last + 1000, 1000):

        def select(start: int, n: int, limit: int = limit) -> Any:
            return recorder.select_notifications(start, min(n, limit - start + 1))

        tlog.catch_up(select)
        tlog.make_checkpoint()
    tlog.tree.close()


def floor_and_reference(settings: Settings, limit: int) -> tuple[float, float, int]:
    """Seconds per leaf for raw SHA-256 of the stored leaves, and for ``leaf_for``."""
    db = sqlite3.connect(settings.data_dir / "log.sqlite")
    leaves = [
        bytes(r[0])
        for r in db.execute("SELECT data FROM log_leaves ORDER BY idx LIMIT ?", (limit,))
    ]
    db.close()
    sha = hashlib.sha256
    t = time.perf_counter()
    for data in leaves:
        sha(b"\x00" + data).digest()
    floor = (time.perf_counter() - t) / len(leaves)
    recorder = open_recorder(settings)
    notifications = list(recorder.select_notifications(1, limit))
    t = time.perf_counter()
    for seq, notification in enumerate(notifications):
        leaf_for(seq, notification)
    reference = (time.perf_counter() - t) / len(notifications)
    return floor, reference, len(leaves)


def time_proof_verify(
    data_dir: Path, bundle: dict[str, Any], did_file: Path, runs: int
) -> tuple[float, float]:
    """Mean seconds of verify_bundle in process, and of the CLI command (fresh process)."""
    blob = dump_json(bundle)
    did_document = json.loads(did_file.read_text())

    def resolve(did: str) -> dict[str, Any]:
        if did != did_document["id"]:
            raise LookupError(did)
        return dict(did_document)

    verify_bundle(load_bundle(blob), resolve_did=resolve)  # warm the context cache
    t = time.perf_counter()
    for _ in range(runs):
        verify_bundle(load_bundle(blob), resolve_did=resolve)
    in_process = (time.perf_counter() - t) / runs
    path = data_dir / "bundle.json"
    path.write_bytes(blob)
    command = [sys.executable, "-m", "credledger.cli.main", "proof", "verify", str(path)]
    command += ["--did-document", str(did_file)]
    t = time.perf_counter()
    for _ in range(3):
        subprocess.run(command, check=True, capture_output=True)
    return in_process, (time.perf_counter() - t) / 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=50_000, help="events in the log")
    parser.add_argument("--credentials", type=int, default=20, help="credentials issued for real")
    parser.add_argument("--keep", type=Path, help="reuse / keep the data directory here")
    parser.add_argument("--runs", type=int, default=20, help="proof verifications timed")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    parser.add_argument(
        "--jobs",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="audit worker processes (default: one per CPU; revisions before them use one)",
    )
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="audit-bench-")
    data_dir = args.keep or Path(tmp.name) / "data"
    settings = Settings(data_dir=data_dir.resolve(), base_url=BASE_URL)
    bundle_file = data_dir / "bench-bundle.json"
    did_file = data_dir / "bench-did.json"
    t = time.perf_counter()
    if not (data_dir / "events.sqlite").exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        vkey, bundle, did_document = seed_ledger(settings, args.credentials)
        bundle_file.write_bytes(dump_json(bundle))
        did_file.write_text(json.dumps(did_document))
    bundle = load_bundle(bundle_file.read_bytes())
    vkey = bundle["log_key"]
    events = grow_events(settings, args.events)
    follow(settings)
    print(f"log of {events:,} events built in {time.perf_counter() - t:.1f} s", file=sys.stderr)

    floor, reference, sample = floor_and_reference(settings, min(events, 200_000))
    # Revisions from before worker processes take no jobs (bench/compare_revisions.py).
    has_jobs = "jobs" in inspect.signature(audit_store).parameters
    args.jobs = args.jobs if has_jobs else 1
    report = audit_store(settings, log_key=vkey, **({"jobs": args.jobs} if has_jobs else {}))
    report.check()
    audit = report.seconds / report.leaves
    log_part = report.log_seconds / report.leaves
    in_process, command = time_proof_verify(data_dir, bundle, did_file, args.runs)

    if args.json:
        print_json(
            "audit",
            {
                "floor: SHA-256 of the leaf bytes": faster(1 / floor, "events/s"),
                "leaf_for alone (in memory)": faster(1 / reference, "events/s"),
                "audit_store (everything)": faster(1 / audit, "events/s"),
                "audit: the log (events, leaves, tiles, checkpoints)": faster(
                    1 / log_part, "events/s"
                ),
                "proof verify in process": slower(in_process * 1e3, "ms"),
                "proof verify as a command": slower(command * 1e3, "ms"),
            },
            events=report.leaves,
            jobs=args.jobs,
        )
        tmp.cleanup()
        return
    print(
        f"audit of {report.leaves:,} events "
        f"({report.tiles:,} tiles, {report.checkpoints} checkpoints, {args.jobs} jobs)"
    )
    print(f"{'what':<34}{'per event':>12}{'events/s':>14}{'x floor':>10}")
    for name, seconds in (
        ("floor: SHA-256 of the leaf bytes", floor),
        ("leaf_for alone (in memory)", reference),
        ("audit_store (everything)", audit),
        ("  of which the log part", log_part),
    ):
        print(f"{name:<34}{seconds * 1e6:>10.2f}us{1 / seconds:>14,.0f}{seconds / floor:>10.1f}")
    print(f"(floor and leaf_for over the first {sample:,} events)")
    print(
        f"proof verify: {in_process * 1e3:.1f} ms in process, {command * 1e3:.0f} ms as a command"
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
