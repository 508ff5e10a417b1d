"""How soon an act is in a signed checkpoint, under the VC API issue load (issue 16.3).

One `credledger serve` process on SQLite in a temp dir, loaded by Debian's `wrk` (one
thread, N connections, closed loop) issuing the 3 KB Open Badges 3.0 credential through
`POST /v1/issuers/{id}/credentials/issue`, as `vc_api_bench.py` does. Afterwards every
leaf the load added is read back (`GET /v1/log/leaves`) with every checkpoint
(`GET /v1/log/checkpoints`), and for each leaf:

    latency = created_at of the first checkpoint whose size covers the leaf
              - the time recorded in the leaf (when its event was made, before commit)

Both times are the server's own clock, so no poller adds load or resolution error. Run
once per checkpoint interval (`CREDLEDGER_CHECKPOINT_INTERVAL`: 0, the default, signs in
every commit round; 1 signs at most once a second, the tick signing the rest). The
baseline beside it is the acknowledged latency of the same requests (wrk's p50 / p99):
with interval 0 an act is in a checkpoint before it is acknowledged.

    .venv/bin/python bench/checkpoint_latency_bench.py --clients 32 --seconds 10 --intervals 0,1
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cbor2
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_bench import ADMIN_TOKEN, REQUEST_TIMEOUT, Server
from vc_api_bench import ID_PLACEHOLDER, credledger_target, ensure_wrk, run_wrk


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def fetch_all(http: httpx.Client, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    response = http.get(path, params=params)
    response.raise_for_status()
    found: list[dict[str, Any]] = response.json()[key]
    return found


def leaf_times(http: httpx.Client, start: int, end: int) -> list[tuple[int, dt.datetime]]:
    """(index, recorded time) of leaves start..end-1, 1000 a request."""
    times = []
    for first in range(start, end, 1000):
        last = min(end, first + 1000) - 1
        for leaf in fetch_all(http, "/v1/log/leaves", "leaves", start=first, end=last):
            fields = cbor2.loads(base64.b64decode(leaf["data"]))
            times.append((int(leaf["index"]), moment(fields["time"])))
    return times


def checkpoints_after(http: httpx.Client, size: int) -> list[tuple[int, dt.datetime]]:
    found: list[tuple[int, dt.datetime]] = []
    while True:
        page = fetch_all(http, "/v1/log/checkpoints", "checkpoints", after=size, limit=1000)
        found += [(int(c["size"]), moment(c["created_at"])) for c in page]
        if len(page) < 1000:
            return found
        size = found[-1][0]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def log_size(http: httpx.Client) -> int:
    response = http.get("/v1/log/checkpoint")
    response.raise_for_status()
    return int(response.text.splitlines()[1])


def measure(interval: float, args: argparse.Namespace, wrk: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CREDLEDGER_")}
        env |= {
            "CREDLEDGER_ADMIN_TOKEN": ADMIN_TOKEN,
            "CREDLEDGER_CHECKPOINT_INTERVAL": str(interval),
        }
        server = Server(root / "server", env)
        server.start()
        try:
            target = credledger_target(server)
            body = target.issue_body()
            body["credential"]["id"] = f"urn:uuid:{ID_PLACEHOLDER}"
            path = root / "issue.json"
            path.write_text(json.dumps(body))
            run_wrk(wrk, target, target.issue_path, path, 8, args.warm_up, True)
            with httpx.Client(
                base_url=server.url, timeout=REQUEST_TIMEOUT, trust_env=False
            ) as http:
                time.sleep(interval + 1)  # what the warm-up left unsigned is signed first
                start = log_size(http)
                level = run_wrk(
                    wrk, target, target.issue_path, path, args.clients, args.seconds, True
                )
                time.sleep(interval + 6)  # the tick signs what the last round left
                end = log_size(http)
                leaves = leaf_times(http, start, end)
                heads = checkpoints_after(http, start)
        finally:
            server.stop()
    latencies = []
    heads.sort()
    h = 0
    for index, made in leaves:
        while heads[h][0] <= index:
            h += 1
        latencies.append((heads[h][1] - made).total_seconds() * 1000)
    return {
        "interval": interval,
        "acts": len(leaves),
        "checkpoints": len(heads),
        "rate": level.rate,
        "ack_p50": level.p50_ms,
        "ack_p99": level.p99_ms,
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warm-up", type=int, default=3)
    parser.add_argument("--intervals", default="0,1", help="checkpoint intervals, seconds")
    args = parser.parse_args()
    wrk = ensure_wrk()
    print(f"issue load: wrk, {args.clients} connections, {args.seconds} s per interval")
    print(
        f"{'interval s':>10}{'acts':>7}{'checkpoints':>13}{'issues/s':>10}"
        f"{'ack p50 / p99 ms':>19}{'in checkpoint p50 / p99 / max ms':>34}"
    )
    for interval in (float(x) for x in args.intervals.split(",")):
        r = measure(interval, args, wrk)
        print(
            f"{r['interval']:>10g}{r['acts']:>7}{r['checkpoints']:>13}{r['rate']:>10.1f}"
            f"{r['ack_p50']:>9.1f} / {r['ack_p99']:<7.1f}"
            f"{r['p50']:>14.1f} / {r['p99']:.1f} / {r['max']:.1f}"
        )


if __name__ == "__main__":
    main()
