"""Sign and verify a ~3 KB Open Badges 3.0 credential: credledger against Digital Bazaar.

Both sides sign the same credential (eddsa-rdfc-2022, same key, same ``created``) N
times and verify it N times, each pinned to the same single CPU core, in one run. The
baseline is Digital Bazaar's @digitalbazaar/vc stack on Node.js (bench/node/di.mjs);
its node_modules come from ``npm ci --prefix bench/node``. Both must produce the same
proofValue, which is checked before anything is timed.

    .venv/bin/python bench/sign_verify_bench.py [--n 300] [--credential FILE] [--cpu 0]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from credledger.crypto.data_integrity import add_proof, verify_proof
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.keys import (
    Ed25519KeyPair,
    did_key_from_public_key,
    public_key_from_did_key,
    verification_method_id,
)

BENCH = Path(__file__).resolve().parent
NODE_DIR = BENCH / "node"
CREDENTIAL = BENCH / "data" / "ob3_microcredential.json"
CREATED = "2025-01-15T09:30:00Z"
# The W3C vc-di-eddsa vector key: the sample credential's issuer is its did:key.
SEED = bytes.fromhex("c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6")


def _credledger(credential: dict[str, Any], n: int) -> dict[str, Any]:
    key = Ed25519KeyPair.from_seed(SEED)
    method = verification_method_id(did_key_from_public_key(key.public_key))
    loader = DocumentLoader()

    def sign() -> dict[str, Any]:
        return add_proof(credential, key, method, created=CREATED, loader=loader)

    signed = sign()
    for _ in range(10):
        verify_proof(signed, loader=loader, resolve_key=public_key_from_did_key)
    start = time.perf_counter()
    for _ in range(n):
        sign()
    sign_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(n):
        verify_proof(signed, loader=loader, resolve_key=public_key_from_did_key)
    verify_seconds = time.perf_counter() - start
    return {
        "sign_per_s": n / sign_seconds,
        "verify_per_s": n / verify_seconds,
        "proof_value": signed["proof"]["proofValue"],
    }


def _digital_bazaar(credential_file: Path, n: int, cpu: int) -> dict[str, Any] | None:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules").is_dir():
        return None
    command = [node, str(NODE_DIR / "di.mjs"), "bench", str(credential_file), str(n), SEED.hex()]
    command.append(CREATED)
    taskset = shutil.which("taskset")
    if taskset is not None:
        command = [taskset, "-c", str(cpu), *command]
    completed = subprocess.run(command, capture_output=True, text=True, check=True, timeout=900)
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300, help="signatures and verifications each")
    parser.add_argument("--credential", type=Path, default=CREDENTIAL)
    parser.add_argument("--cpu", type=int, default=0, help="the core both sides run on")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    credential = json.loads(args.credential.read_text("utf-8"))
    ours = _credledger(credential, args.n)
    theirs = _digital_bazaar(args.credential, args.n, args.cpu)
    size = len(args.credential.read_bytes())
    print(f"eddsa-rdfc-2022, {args.credential.name} ({size} bytes), n={args.n}, one core")
    sign_rate, verify_rate = ours["sign_per_s"], ours["verify_per_s"]
    print(f"  credledger       sign {sign_rate:8.0f}/s   verify {verify_rate:8.0f}/s")
    report: dict[str, Any] = {"credential_bytes": size, "n": args.n, "credledger": ours}
    if theirs is None:
        print("  Digital Bazaar   (skipped: run `npm ci --prefix bench/node` to compare)")
    else:
        same = theirs["proof_value"] == ours["proof_value"]
        sign_ratio = ours["sign_per_s"] / theirs["sign_per_s"]
        verify_ratio = ours["verify_per_s"] / theirs["verify_per_s"]
        print(
            f"  Digital Bazaar   sign {theirs['sign_per_s']:8.0f}/s   "
            f"verify {theirs['verify_per_s']:8.0f}/s   (Node.js {theirs['node']})"
        )
        print(f"  ratio            sign {sign_ratio:8.1f}x    verify {verify_ratio:8.1f}x")
        print(f"  identical proofValue from both: {'yes' if same else 'NO'}")
        report["digital_bazaar"] = theirs
        report["ratio"] = {"sign": sign_ratio, "verify": verify_ratio}
        report["identical_proof_value"] = same
        if not same:
            print(json.dumps(report))
            return 1
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
