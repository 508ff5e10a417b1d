"""Recorded acts per second through the application on SQLite, against raw SQLite inserts.

Measures, in one run and on the same machine:
  * raw floor   - sqlite3 inserts of the very same stored-event bytes (one transaction per
                  row, and batched), WAL + synchronous=FULL like the event store;
  * record      - CredentialIssued events created by the aggregate and saved by the
                  eventsourcing application (CBOR transcoding, optimistic concurrency),
                  one act per transaction and batched;
  * award       - the application's award use case: validation, rendering, status index,
                  eddsa-rdfc-2022 signature, sealing, saving, Merkle log and read model
                  followers; single and batched, and again without the signature
                  (a bench-only signer) to show what signing costs;
  * catch-up    - the read model rebuilt from the notification log.
Prints a table and ratios against the raw floor. Usage:
  .venv/bin/python bench/ledger_bench.py [--n 5000] [--json]
"""

from __future__ import annotations

import argparse
import json
import secrets
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from figures import faster, print_json
from ledger_api import (
    Act,
    AwardRequest,
    Credential,
    CredentialLedger,
    ReadModel,
    Settings,
    acting,
    followers_paused,
    replace_signer,
)


class UnsignedSigner:
    """Bench-only: returns the document unsigned, to time everything but the signature.

    Everything else (verification methods, the document loader) is the real signer's."""

    def __init__(self, signer: Any) -> None:
        self._signer = signer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._signer, name)

    def sign(
        self, document: dict[str, Any], key_id: str, created: datetime, **options: Any
    ) -> dict[str, Any]:
        return document


def make_credentials(n: int, issuer_id: Any, achievement_id: Any) -> list[Credential]:
    now = datetime.now(UTC)
    out = []
    for _ in range(n):
        with acting(Act(str(issuer_id))):
            out.append(
                Credential(
                    issuer_id=issuer_id,
                    achievement_id=achievement_id,
                    achievement_version=1,
                    subject_key_id=secrets.token_hex(32),
                    sealed=secrets.token_bytes(1400),
                    digest=secrets.token_bytes(32),
                    awarded_at=now,
                    valid_until=None,
                    signing_key_id="z6Mk" + secrets.token_hex(20),
                    status_slot=None,
                )
            )
    return out


def raw_floor(rows: list[tuple[bytes, int, str, bytes]], path: Path, batch: int) -> float:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE events (originator_id BLOB, originator_version INT, topic TEXT, "
        "state BLOB, PRIMARY KEY (originator_id, originator_version))"
    )
    start = time.perf_counter()
    for i in range(0, len(rows), batch):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", rows[i : i + batch])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return len(rows) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is shown")
    parser.add_argument("--json", action="store_true", help="print the medians as one JSON line")
    args = parser.parse_args()
    runs = [run_once(args.n, args.batch) for _ in range(args.repeat)]
    results = {name: statistics.median(r[name] for r in runs) for name in runs[0]}
    if args.json:
        figures = {name: faster(rate, "acts/s") for name, rate in results.items()}
        print_json("ledger", figures, n=args.n, repeat=args.repeat)
        return
    batch = args.batch
    floor_single = results["raw insert, 1 per txn"]
    floor_batch = results[f"raw insert, {batch} per txn"]
    print(f"median of {args.repeat} runs, n={args.n}")
    print(f"{'measure':<32}{'per second':>14}{'ratio to floor':>18}")
    for name, rate in results.items():
        floor = floor_batch if str(batch) in name or "catch-up" in name else floor_single
        print(f"{name:<32}{rate:>14,.0f}{floor / rate:>17.2f}x")


def run_once(n: int, batch: int) -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ledger = CredentialLedger(Settings(data_dir=root / "a", base_url="https://bench.test"))
        registered = ledger.register_issuer(Act("admin"), "Bench University")
        issuer_id = registered.issuer.id
        credentials = make_credentials(n, issuer_id, uuid4())
        stored = []  # the very rows the event store gets: its own topic and state bytes
        for c in credentials:
            event = ledger.mapper.to_stored_event(c.pending_events[0])
            stored.append((c.id.bytes, 1, event.topic, event.state))
        results["raw insert, 1 per txn"] = raw_floor(stored, root / "raw1.sqlite", 1)
        results[f"raw insert, {batch} per txn"] = raw_floor(stored, root / "rawb.sqlite", batch)

        half = n // 2
        with followers_paused(ledger):
            start = time.perf_counter()
            for c in credentials[:half]:
                ledger.save(c)
            results["record, 1 act per txn"] = half / (time.perf_counter() - start)
            start = time.perf_counter()
            rest = credentials[half:]
            for i in range(0, len(rest), batch):
                ledger.save(*rest[i : i + batch])
            results[f"record, {batch} acts per txn"] = len(rest) / (time.perf_counter() - start)
            start = time.perf_counter()
            ledger.tlog.catch_up(ledger.recorder.select_notifications)
            results["Merkle log catch-up"] = n / (time.perf_counter() - start)
        ledger.catch_up()

        definition = json.loads(
            Path(__file__).with_name("data").joinpath("definition.json").read_text()
        )
        achievement = ledger.define_achievement(Act(str(issuer_id)), definition)
        actor = str(issuer_id)
        m = max(n // 10, 100)

        def awards(offset: int) -> list[AwardRequest]:
            return [
                AwardRequest(Act(actor), achievement.id, {"email": f"l{offset + i}@example.nl"})
                for i in range(m)
            ]

        def timed(name: str, requests: list[AwardRequest], per_txn: int) -> None:
            start = time.perf_counter()
            for i in range(0, len(requests), per_txn):
                ledger.issue_credentials(requests[i : i + per_txn])
            results[name] = len(requests) / (time.perf_counter() - start)

        timed("award, signed, 1 per txn", awards(0), 1)
        timed(f"award, signed, {batch} per txn", awards(m), batch)
        replace_signer(ledger, UnsignedSigner)
        timed("award, unsigned, 1 per txn", awards(2 * m), 1)
        timed(f"award, unsigned, {batch} per txn", awards(3 * m), batch)

        total = ledger.recorder.max_notification_id() or 0
        model = ReadModel(root / "rebuilt.sqlite", ledger.mapper)
        start = time.perf_counter()
        model.catch_up(ledger.recorder.select_notifications)
        results["read-model catch-up"] = total / (time.perf_counter() - start)
        model.close()
        ledger.close()

    return results


if __name__ == "__main__":
    main()
