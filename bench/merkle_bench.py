"""Merkle log timings: appending, proofs at millions of leaves, storage and memory.

Appending (``--append-leaves`` leaves ``b"leaf i"``), each beside the floor measured
in the same run, raw SHA-256 of the same leaves (``leaf_hash`` only); the ratio is
the time to append the (already hashed) leaves over the time to hash them:

* ``CompactRange`` in memory (leaf hashes given; the nodes to persist are returned);
* ``TileTree`` in memory (C2SP tiles: the tiles to persist are returned);
* ``SQLiteTreeStore.append_leaves`` (C2SP tiles, the store the ledger uses) in batches
  of ``--batch`` (one transaction each, WAL, synchronous NORMAL as the log runs), on a
  fresh database under ``--out``, and the database's size per million leaves;
* merklelib 1.0 building the same tree from scratch (``--merklelib-leaves``).

The appends are timed ``--repeat`` times (3), each round after a floor of its own, each
in a fresh process; the medians are shown, and the range of the rounds' ratios.

Proofs: for every size in ``--sizes`` a tile store of that many leaves is built once
under ``--out`` straight from leaf hashes, no acts (bench/out/ is gitignored; an
interrupted build resumes) and reused; a fresh process then times ``--proofs``
random inclusion and consistency proofs (mean and p99 per proof, each a transaction
of its own as a request makes; every 50th one verified) beside the floor of one
primary-key lookup of a tile; the CPU time of each proof (the thread's) is shown
too, as on a shared machine the wall time's tail is mostly waiting for a core. Each
phase runs in its own process, so its peak RSS
shows that memory does not grow with the size of the log.

    .venv/bin/python bench/merkle_bench.py [--sizes 1000000,10000000] [--proofs 2000]
        [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import collections
import collections.abc
import json
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

from credledger.crypto.merkle_tree import CompactRange
from credledger.crypto.merkle_verify import verify_consistency, verify_inclusion
from credledger.crypto.rfc9162 import leaf_hash
from credledger.crypto.tlog_tiles import TileTree
from figures import Figure, print_json, slower
from ledger_api import SQLiteTreeStore

REPO = Path(__file__).resolve().parent.parent
LARGE_TREES = REPO / "tests" / "data" / "vectors" / "rfc6962" / "large-trees.json"
BUILD_BATCH = 10_000


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def leaves(start: int, end: int) -> list[bytes]:
    return [b"leaf %d" % i for i in range(start, end)]


# --- workers (each runs in its own process) -------------------------------------------


def work_floor(n: int) -> dict[str, Any]:
    data = leaves(0, n)
    t = time.perf_counter()
    for d in data:
        leaf_hash(d)
    return {"seconds": time.perf_counter() - t, "rss": peak_rss_mib()}


def work_compact(n: int) -> dict[str, Any]:
    hashes = [leaf_hash(d) for d in leaves(0, n)]
    tree = CompactRange()
    t = time.perf_counter()
    for h in hashes:
        tree.append(h)
    return {"seconds": time.perf_counter() - t, "rss": peak_rss_mib()}


def work_tiles(n: int) -> dict[str, Any]:
    hashes = [leaf_hash(d) for d in leaves(0, n)]
    tree = TileTree()
    t = time.perf_counter()
    for start in range(0, n, 1000):
        tree.extend(hashes[start : start + 1000])
    return {"seconds": time.perf_counter() - t, "rss": peak_rss_mib()}


def work_sqlite_append(n: int, batch: int, out: Path) -> dict[str, Any]:
    hashes = [leaf_hash(d) for d in leaves(0, n)]
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        path = Path(tmp) / "append.sqlite"
        store = SQLiteTreeStore(path)
        t = time.perf_counter()
        for start in range(0, n, batch):
            store.append_leaves(hashes[start : start + batch], start)
        seconds = time.perf_counter() - t
        store.close()
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        size = path.stat().st_size
    return {"seconds": seconds, "rss": peak_rss_mib(), "bytes": size}


def work_merklelib(n: int) -> dict[str, Any]:
    # merklelib 1.0 calls collections.Iterable, removed in Python 3.10.
    collections.Iterable = collections.abc.Iterable  # type: ignore[attr-defined]
    import merklelib

    data = leaves(0, n)
    rss0 = peak_rss_mib()
    t = time.perf_counter()
    tree = merklelib.MerkleTree(data)
    seconds = time.perf_counter() - t
    return {
        "seconds": seconds,
        "rss": peak_rss_mib(),
        "rss_growth": peak_rss_mib() - rss0,
        "root": tree.merkle_root,
    }


def work_build(size: int, path: Path) -> dict[str, Any]:
    store = SQLiteTreeStore(path)
    have = store.size()
    t = time.perf_counter()
    # Streamed in batches: memory stays flat however large the log grows.
    for start in range(have, size, BUILD_BATCH):
        end = min(size, start + BUILD_BATCH)
        store.append_leaves([leaf_hash(d) for d in leaves(start, end)], start)
    seconds = time.perf_counter() - t
    root = store.root(size).hex()
    store.close()
    return {"seconds": seconds, "built": size - have, "root": root, "rss": peak_rss_mib()}


def work_proofs(size: int, path: Path, count: int, seed: int) -> dict[str, Any]:
    store = SQLiteTreeStore(path)
    rng = random.Random(seed)
    root = store.root(size)
    roots: dict[int, bytes] = {}
    incl: list[int] = []
    cpu: dict[str, list[int]] = {"inclusion": [], "consistency": []}
    for k in range(count):
        index = rng.randrange(size)
        t, c = time.perf_counter_ns(), time.thread_time_ns()
        proof = store.inclusion_proof(index, size)
        incl.append(time.perf_counter_ns() - t)
        cpu["inclusion"].append(time.thread_time_ns() - c)
        if k % 50 == 0:
            verify_inclusion(leaf_hash(b"leaf %d" % index), index, size, proof, root)
    cons: list[int] = []
    for k in range(count):
        size1 = rng.randrange(1, size + 1)
        t, c = time.perf_counter_ns(), time.thread_time_ns()
        proof = store.consistency_proof(size1, size)
        cons.append(time.perf_counter_ns() - t)
        cpu["consistency"].append(time.thread_time_ns() - c)
        if k % 50 == 0:
            roots[size1] = store.root(size1)
            verify_consistency(size1, size, proof, roots[size1], root)
    # Floor: one primary-key lookup of one node, through the same driver.
    conn = sqlite3.connect(path)
    lookups: list[int] = []
    for _ in range(count):
        idx = rng.randrange(size)
        t = time.perf_counter_ns()
        conn.execute(
            "SELECT hashes FROM merkle_tiles WHERE level = 0 AND idx = ?", (idx >> 8,)
        ).fetchone()
        lookups.append(time.perf_counter_ns() - t)
    conn.close()
    store.close()
    return {
        "inclusion": stats_us(incl),
        "consistency": stats_us(cons),
        "cpu": {kind: stats_us(samples) for kind, samples in cpu.items()},
        "lookup": stats_us(lookups),
        "rss": peak_rss_mib(),
    }


def line(label: str, us: float, rest: str, out: TextIO) -> None:
    print(f"  {label:<44} {us:6.2f} µs {1e6 / us:>11,.0f}/s   {rest}", file=out)


def stats_us(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)
    return {
        "mean": sum(ordered) / len(ordered) / 1e3,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1e3,
    }


WORKERS = {
    "floor": lambda a: work_floor(a.n),
    "compact": lambda a: work_compact(a.n),
    "tiles": lambda a: work_tiles(a.n),
    "sqlite": lambda a: work_sqlite_append(a.n, a.batch, a.out),
    "merklelib": lambda a: work_merklelib(a.n),
    "build": lambda a: work_build(a.n, a.path),
    "proofs": lambda a: work_proofs(a.n, a.path, a.proofs, a.seed),
}


def run_worker(kind: str, n: int, args: argparse.Namespace, path: Path | None = None) -> Any:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        kind,
        "--n",
        str(n),
        "--batch",
        str(args.batch),
        "--out",
        str(args.out),
        "--proofs",
        str(args.proofs),
        "--seed",
        str(args.seed),
    ]
    if path is not None:
        cmd += ["--path", str(path)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


# --- the report -----------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000000,10000000",
        help="comma-separated log sizes for the proof timings",
    )
    parser.add_argument("--append-leaves", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000, help="leaves per append transaction")
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of the append timings (medians shown)"
    )
    parser.add_argument(
        "--merklelib-leaves", type=int, default=200_000, help="0: merklelib is not timed"
    )
    parser.add_argument("--proofs", type=int, default=2000, help="proofs timed per kind and size")
    parser.add_argument("--seed", type=int, default=9162)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args)))
        return

    n = args.append_leaves
    out = sys.stderr if args.json else sys.stdout  # with --json, stdout has the JSON line only
    figures: dict[str, Figure] = {}
    print(
        f"Appending {n:,} leaves (µs per leaf; ratio = time / floor time for the same leaves;"
        f" medians of {args.repeat} rounds, the ratios' range in brackets)",
        file=out,
    )
    # Each round measures the floor again right before the variants, in fresh processes,
    # so a ratio compares times taken moments apart; the medians over rounds are shown.
    floors: list[float] = []
    times: dict[str, list[float]] = {}
    ratios: dict[str, list[float]] = {}
    results: dict[str, Any] = {}
    variants = [
        ("CompactRange.append (in memory)", "compact", "append: CompactRange in memory"),
        ("TileTree.extend (in memory), 1000 a call", "tiles", "append: TileTree in memory"),
        (
            f"SQLiteTreeStore.append_leaves, {args.batch}/txn",
            "sqlite",
            f"append: SQLiteTreeStore, {args.batch}/txn",
        ),
    ]
    for _ in range(args.repeat):
        floor = run_worker("floor", n, args)
        floors.append(floor["seconds"] / n * 1e6)
        for _label, kind, _key in variants:
            results[kind] = run_worker(kind, n, args)
            us = results[kind]["seconds"] / n * 1e6
            times.setdefault(kind, []).append(us)
            ratios.setdefault(kind, []).append(us / floors[-1])
    floor_us = statistics.median(floors)
    figures["append: floor, leaf_hash only"] = slower(floor_us, "µs/leaf")
    line("floor: leaf_hash (SHA-256) only", floor_us, f"peak RSS {floor['rss']:5.0f} MiB", out)
    for label, kind, key in variants:
        us, ratio = statistics.median(times[kind]), statistics.median(ratios[kind])
        r = results[kind]
        figures[key] = slower(us, "µs/leaf")
        figures[f"{key}, ratio to the floor"] = slower(ratio, "x")
        spread = f" ({min(ratios[kind]):.2f}-{max(ratios[kind]):.2f})" if args.repeat > 1 else ""
        line(
            label,
            us,
            f"ratio {ratio:5.2f}x{spread} (with leaf hashing {ratio + 1:5.2f}x)"
            f"   peak RSS {r['rss']:5.0f} MiB",
            out,
        )
        if "bytes" in r:
            mb = r["bytes"] / n * 1e6 / 1e6
            figures["append: SQLite tile store, MB per 1M leaves"] = slower(mb, "MB")
            print(f"  {'':<44} the database: {mb:.1f} MB per 1M leaves", file=out)
    m = args.merklelib_leaves
    if m:
        floor_m = run_worker("floor", m, args)["seconds"] / m * 1e6
        r = run_worker("merklelib", m, args)
        us = r["seconds"] / m * 1e6
        figures["merklelib building the tree"] = slower(us, "µs/leaf")
        line(
            f"merklelib.MerkleTree, {m:,} leaves at once",
            us,
            f"ratio {us / floor_m:5.2f}x (hashing included)"
            f"   RSS growth {r['rss_growth']:5.0f} MiB",
            out,
        )

    expected = json.loads(LARGE_TREES.read_text())["roots_hex"] if LARGE_TREES.exists() else {}
    for size in [int(s) for s in args.sizes.split(",") if s]:
        path = args.out / f"tiles-{size}.sqlite"
        build = run_worker("build", size, args, path)
        if build["built"]:
            print(
                f"\nBuilt {build['built']:,} leaves into {path.name} in {build['seconds']:.0f} s "
                f"({build['built'] / build['seconds']:,.0f}/s, batches of {BUILD_BATCH:,}), "
                f"peak RSS {build['rss']:.0f} MiB",
                file=out,
            )
        else:
            print(f"\nReusing {path} ({size:,} leaves)", file=out)
        if str(size) in expected:
            assert build["root"] == expected[str(size)], "root differs from large-trees.json"
            print("  root equals the shared large-trees.json vector", file=out)
        p = run_worker("proofs", size, args, path)
        lookup = p["lookup"]["mean"]
        print(
            f"  proofs at {size:,} leaves, {args.proofs} each (µs; ratio = mean / one "
            f"primary-key lookup of a tile, {lookup:.1f} µs)   peak RSS {p['rss']:.0f} MiB",
            file=out,
        )
        figures[f"proofs at {size:,}: one node lookup (floor)"] = slower(lookup, "µs")
        for kind in ("inclusion", "consistency"):
            s = p[kind]
            figures[f"proofs at {size:,}: {kind}, mean"] = slower(s["mean"], "µs")
            figures[f"proofs at {size:,}: {kind}, p99"] = slower(s["p99"], "µs")
            c = p["cpu"][kind]
            print(
                f"    {kind:<12} mean {s['mean']:7.1f}   p99 {s['p99']:7.1f}   "
                f"ratio {s['mean'] / lookup:5.1f}x   (CPU time: mean {c['mean']:6.1f}, "
                f"p99 {c['p99']:6.1f})",
                file=out,
            )
    if args.json:
        print_json("merkle", figures, append_leaves=n, sizes=args.sizes)


if __name__ == "__main__":
    main()
