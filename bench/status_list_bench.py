"""Status list codec and status check timings, beside Digital Bazaar's library in the same run.

For 131,072- and 1,048,576-entry lists with 1% of the bits set at random (the same
indices on both sides): build the list, encode it, decode it. Then the verifier's
status check: cold (fetch + verify + decode every time, no cache), warm (through
StatusListCache), and Digital Bazaar's checkStatus (in-memory loader, no proof
verification) as the baseline. Digital Bazaar's side runs when
bench/node-status/node_modules exists (``npm ci`` there); otherwise only ours prints.

    .venv/bin/python bench/status_list_bench.py [--iterations N] [--checks N]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from credledger.revocation.bitstring import Bitstring
from credledger.revocation.cache import StatusListCache
from credledger.revocation.check import check_status
from credledger.revocation.status_list import build_status_list_credential, status_list_entry

NODE_DIR = Path(__file__).resolve().parent / "node-status"
LIST_URL = "https://example.com/status/1"
ISSUER = "did:example:12345"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
SIZES = (131_072, 1_048_576)


def timed(fn: Callable[[], object], iterations: int, warmup: int = 3) -> list[float]:
    """Per-call milliseconds of ``fn`` over ``iterations`` calls after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def node_available() -> bool:
    return shutil.which("node") is not None and (NODE_DIR / "node_modules").is_dir()


def node_bench(length: int, indices: list[int], iterations: int) -> dict[str, Any]:
    request = json.dumps({"length": length, "indices": indices, "iterations": iterations})
    completed = subprocess.run(
        ["node", "status.mjs", "bench"],
        cwd=NODE_DIR,
        input=request,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def list_document(bits: Bitstring) -> dict[str, Any]:
    return build_status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER,
        purpose="revocation",
        bitstring=bits,
        valid_from=NOW - timedelta(days=1),
    )


def credential(index: int) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
        "credentialStatus": status_list_entry(LIST_URL, index, "revocation"),
        "credentialSubject": {"id": "did:example:6789"},
    }


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def codec_rows(iterations: int) -> list[tuple[str, float, float | None]]:
    rows: list[tuple[str, float, float | None]] = []
    for length in SIZES:
        indices = random.Random(length).sample(range(length), length // 100)
        bits = Bitstring.from_indices(length, indices)
        encoded = bits.encode()
        ours = {
            "build": timed(lambda: Bitstring.from_indices(length, indices), iterations),  # noqa: B023
            "encode": timed(bits.encode, iterations),
            "decode": timed(lambda: Bitstring.decode(encoded), iterations),  # noqa: B023
        }
        theirs: dict[str, Any] | None = None
        if node_available():
            theirs = node_bench(length, indices, iterations)
            same = theirs["encoded"] == encoded
            print(f"{length:>9} entries: encodedList identical to Digital Bazaar's: {same}")
        for op, key in (("build", "create_ms"), ("encode", "encode_ms"), ("decode", "decode_ms")):
            baseline = None if theirs is None else statistics.median(theirs[key])
            rows.append((f"{length:>9} {op}", statistics.median(ours[op]), baseline))
    return rows


def check_rows(checks: int) -> tuple[list[tuple[str, float, float | None]], dict[str, float]]:
    length = SIZES[0]
    indices = random.Random(7).sample(range(length), length // 100)
    document = list_document(Bitstring.from_indices(length, indices))
    vc = credential(indices[0])

    def fetch(url: str) -> Mapping[str, Any]:
        return document

    def verify(doc: Mapping[str, Any]) -> None:
        return None

    def cold() -> None:
        [result] = check_status(vc, fetch_list=fetch, verify_list_credential=verify, now=NOW)
        assert result.is_set is True

    cache = StatusListCache(default_ttl=timedelta(minutes=5))

    def warm() -> None:
        [result] = check_status(
            vc, fetch_list=fetch, verify_list_credential=verify, now=NOW, cache=cache
        )
        assert result.is_set is True

    cold_ms = timed(cold, max(50, checks // 100))
    warm_ms = timed(warm, checks)
    baseline = None
    if node_available():
        baseline = statistics.median(
            node_bench(length, indices, max(50, checks // 100))["check_ms"]
        )
    rows = [
        ("status check, cold (no cache)", statistics.median(cold_ms), baseline),
        ("status check, warm (cache)", statistics.median(warm_ms), baseline),
    ]
    warm_stats = {
        "mean": statistics.fmean(warm_ms),
        "p50": percentile(warm_ms, 0.50),
        "p99": percentile(warm_ms, 0.99),
        "cold_mean": statistics.fmean(cold_ms),
    }
    return rows, warm_stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=30, help="codec runs per measurement")
    parser.add_argument("--checks", type=int, default=20_000, help="warm status checks")
    args = parser.parse_args()
    if not node_available():
        print("(Digital Bazaar baseline skipped: run `npm ci` in bench/node-status)")
    rows = codec_rows(args.iterations)
    more, warm = check_rows(args.checks)
    rows += more
    print()
    print(f"{'operation (median ms)':<32} {'credledger':>11} {'digitalbazaar':>14} {'ratio':>8}")
    for name, ours, theirs in rows:
        if theirs is None:
            print(f"{name:<32} {ours:>11.3f} {'-':>14} {'-':>8}")
        else:
            print(f"{name:<32} {ours:>11.3f} {theirs:>14.3f} {theirs / ours:>7.1f}x")
    print()
    print(
        f"warm status check (131,072 entries, {args.checks} checks): "
        f"mean {warm['mean'] * 1000:.1f} us, p50 {warm['p50'] * 1000:.1f} us, "
        f"p99 {warm['p99'] * 1000:.1f} us; cold mean {warm['cold_mean']:.3f} ms "
        f"({warm['cold_mean'] / warm['mean']:.0f}x the warm mean)"
    )
    print("ratio = digitalbazaar / credledger (above 1: credledger is faster)")


if __name__ == "__main__":
    main()
