"""Status lists on the server: revocations per second, publishing (encode + sign) a list,
and serving an unchanged list (cached / 304), each against a baseline in the same run.

  .venv/bin/python bench/status_server_bench.py [--revocations 300] [--json]

Baselines: a bare Ed25519 signature over the same bytes for publishing (so the
ratio shows what encoding and Data Integrity canonicalisation add), and a bare
recorded act (suspend, which writes the same kind of event) for revocations.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from credledger.api.app import create_app
from credledger.crypto.keys import Ed25519KeyPair
from credledger.revocation.bitstring import Bitstring
from credledger.revocation.status_list import build_status_list_credential
from fastapi.testclient import TestClient
from figures import Figure, faster, print_json, slower
from ledger_api import ADMIN, Act, AwardRequest, CredentialLedger, Settings

ADMIN_TOKEN = "bench-admin-token-not-a-secret"


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def publish_figures(
    ledger: CredentialLedger, key_id: str, figures: dict[str, Figure], out: TextIO
) -> None:
    pair = Ed25519KeyPair.from_private_bytes(ledger.vault.signing_key(key_id))
    for length in (131_072, 1_048_576):
        bits = Bitstring.from_indices(length, range(0, length, 97))  # ~1% set
        now = datetime.now(UTC).replace(microsecond=0)

        def publish(bits: Bitstring = bits, now: datetime = now) -> None:
            doc = build_status_list_credential(
                list_url="https://bench.test/v1/status/x",
                issuer="did:key:z6Mkbench",
                purpose="revocation",
                bitstring=bits,
                valid_from=now,
            )
            ledger.signer.sign(doc, key_id, now)

        raw = json.dumps({"encodedList": bits.encode()}).encode()
        publish_ms = statistics.median(timed(publish, 10)) * 1000
        sign_ms = statistics.median(timed(lambda raw=raw: pair.sign(raw), 50)) * 1000
        figures[f"publish a {length:,}-entry list"] = slower(publish_ms, "ms")
        figures[f"bare Ed25519 over a {length:,}-entry list"] = slower(sign_ms, "ms")
        print(
            f"publish {length:>9,}-entry list: {publish_ms:8.2f} ms "
            f"(bare Ed25519 over its bytes {sign_ms:.3f} ms, {publish_ms / sign_ms:,.0f}x)",
            file=out,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--revocations", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    n = args.revocations
    figures: dict[str, Figure] = {}
    out = sys.stderr if args.json else sys.stdout  # with --json, stdout has the JSON line only
    with tempfile.TemporaryDirectory() as tmp:
        ledger = CredentialLedger(Settings(data_dir=Path(tmp), base_url="https://bench.test"))
        issuer = ledger.register_issuer(Act(ADMIN), "Bench").issuer
        actor = str(issuer.id)
        definition = json.loads(
            Path(__file__).with_name("data").joinpath("definition.json").read_text()
        )
        definition["suspendable"] = True  # suspensions are timed beside revocations
        achievement = ledger.define_achievement(Act(actor), definition)
        issued = []
        for i in range(0, 2 * n, 100):
            batch = [
                AwardRequest(Act(actor), achievement.id, {"eduid": f"u{i + j}"})
                for j in range(min(100, 2 * n - i))
            ]
            issued += ledger.issue_credentials(batch)
        ids = [c.credential.id for c in issued]  # type: ignore[union-attr]

        start = time.perf_counter()
        for cid in ids[:n]:
            ledger.change_status(Act(actor), cid, "suspend", "bench")
        suspend_rate = n / (time.perf_counter() - start)
        start = time.perf_counter()
        for cid in ids[n:]:
            ledger.change_status(Act(actor), cid, "revoke", "bench")
        revoke_rate = n / (time.perf_counter() - start)
        figures["revocations"] = faster(revoke_rate, "acts/s")
        figures["suspensions"] = faster(suspend_rate, "acts/s")
        print(
            f"revocations: {revoke_rate:,.0f}/s (suspensions, the same kind of act: "
            f"{suspend_rate:,.0f}/s, {suspend_rate / revoke_rate:.2f}x)",
            file=out,
        )

        publish_figures(ledger, issuer.active_key_id, figures, out)

        app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
        url = issued[0].vc["credentialStatus"][0]["statusListCredential"]  # type: ignore[union-attr]
        path = url.removeprefix("https://bench.test")
        with TestClient(app, base_url="http://127.0.0.1") as client:
            first = client.get(path)
            etag = first.headers["etag"]
            cached = timed(lambda: client.get(path), 300)
            not_modified = timed(lambda: client.get(path, headers={"If-None-Match": etag}), 300)
            health = timed(lambda: client.get("/healthz"), 300)
        for name, key, samples in (
            ("unchanged list, 200 from the last version", "GET a list, p50", cached),
            ("unchanged list, 304 Not Modified", "GET a list, 304, p50", not_modified),
            ("baseline: GET /healthz (no work)", "GET /healthz, p50", health),
        ):
            ms = sorted(samples)
            figures[key] = slower(ms[len(ms) // 2] * 1000, "ms")
            print(
                f"{name:<44} p50 {ms[len(ms) // 2] * 1000:6.2f} ms  "
                f"p99 {ms[int(len(ms) * 0.99)] * 1000:6.2f} ms  "
                f"({statistics.median(samples) / statistics.median(health):.1f}x baseline)",
                file=out,
            )
        ledger.close()
    if args.json:
        print_json("status_server", figures, revocations=n)


if __name__ == "__main__":
    main()
