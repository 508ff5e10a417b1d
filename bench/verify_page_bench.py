"""The verify page over HTTP: how long a person waits for a verdict (issue 14.5).

`credledger serve` (uvicorn, one process, SQLite) answers `POST /verify` with the form a
browser sends: a credential pasted, this ledger's own, with two status entries
(revocation and suspension, on two lists) and three endorsements by other institutions
embedded (each an EndorsementCredential with its own status entry), so one verification
checks four Data Integrity proofs, reads three status lists, resolves four issuers' keys
and proves the credential's inclusion in the newest signed checkpoint. A client in this
process sends the requests one after the other (a person waits for each page) and times
each from request to the last byte of the page.

Baselines in the same run, on the same server: `GET /healthz` (the HTTP floor), and
`POST /v1/credentials/verify` of the same credential (the VC API: the verifier alone,
no page and no log). Printed: p50, p95, p99 of each, the page over the VC API verify
(what the page adds) and the target (p95 within 300 ms).

  .venv/bin/python bench/verify_page_bench.py [--requests 300] [--json]

Everything listens and connects on 127.0.0.1 only; the server is stopped even on error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from figures import Figure, print_json, slower
from ledger_api import ADMIN, Act, CredentialLedger, Settings

TARGET_P95_MS = 300.0
DATA = Path(__file__).with_name("data")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def endorsed_credential(ledger: Any) -> dict[str, Any]:
    """A credential of this ledger with two status lists and three endorsements."""
    school = ledger.register_issuer(Act(ADMIN), "Hogeschool Leeuwarden", did_method="key")
    actor = str(school.issuer.id)
    definition = json.loads(DATA.joinpath("definition.json").read_text())
    achievement = ledger.define_achievement(Act(actor), definition)
    endorsements = []
    for name in ("Hogeschool Haarlem", "Universiteit Utrecht", "Npuls"):
        endorser = ledger.register_issuer(Act(ADMIN), name)
        _, document = ledger.endorse(
            Act(str(endorser.issuer.id)), str(achievement.id), f"{name} endorses this course"
        )
        endorsements.append(document)
    credential = json.loads(DATA.joinpath("ob3_microcredential.json").read_text())
    credential.pop("credentialStatus", None)
    credential["id"] = f"urn:uuid:{uuid.uuid4()}"
    credential["issuer"]["id"] = ledger.issuer_did(school.issuer)
    credential["endorsement"] = endorsements
    options = {
        "credentialStatus": [
            {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
            {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"},
        ]
    }
    vc: dict[str, Any] = ledger.given.issue(Act(actor), school.issuer.id, credential, options)
    ledger.publish_status_lists()
    return vc


@contextlib.contextmanager
def serving(data: Path, port: int) -> Iterator[str]:
    """`credledger serve` on 127.0.0.1:port until the block ends."""
    exe = Path(sys.executable).with_name("credledger")
    env = {**os.environ, "CREDLEDGER_ADMIN_TOKEN": "bench-admin-token-not-a-secret"}
    command = [str(exe), "serve", "--data", str(data), "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start: {server.stderr.read()}")  # type: ignore[union-attr]
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def timed(client: httpx.Client, n: int, method: str, path: str, **kwargs: Any) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.request(method, path, **kwargs)
        response.read()
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.text[:300]}")
    return samples


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    out = sys.stderr if args.json else sys.stdout
    with tempfile.TemporaryDirectory() as tmp:
        data, port = Path(tmp) / "ledger", free_port()
        ledger = CredentialLedger(Settings(data_dir=data, base_url=f"http://127.0.0.1:{port}"))
        try:
            vc = endorsed_credential(ledger)
        finally:
            ledger.close()
        pasted = {"credential": json.dumps(vc)}
        with serving(data, port) as url, httpx.Client(base_url=url, timeout=30) as client:
            page = client.post("/verify", data=pasted).text
            verdict = page.split('data-verdict="', 1)[1].split('"', 1)[0]
            endorsed = page.count('data-endorsement-verdict="valid"')
            if verdict != "valid" or endorsed != 3:
                raise SystemExit(f"the page said {verdict} with {endorsed} valid endorsements")
            warm = max(10, args.requests // 10)
            timed(client, warm, "POST", "/verify", data=pasted)
            runs = {
                "GET /healthz": timed(client, args.requests, "GET", "/healthz"),
                "POST /v1/credentials/verify": timed(
                    client, args.requests, "POST", "/v1/credentials/verify",
                    json={"verifiableCredential": vc},
                ),
                "POST /verify (the page)": timed(
                    client, args.requests, "POST", "/verify", data=pasted
                ),
            }  # fmt: skip
    figures: dict[str, Figure] = {}
    print(
        f"verify page: a credential with 2 status lists and 3 endorsements, "
        f"{args.requests} requests each, one after the other",
        file=out,
    )
    for name, samples in runs.items():
        p50, p95, p99 = (percentile(samples, p) for p in (50, 95, 99))
        for label, value in (("p50", p50), ("p95", p95), ("p99", p99)):
            figures[f"{name}, {label}"] = slower(value, "ms")
        print(f"  {name:30} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms", file=out)
    page_p95 = percentile(runs["POST /verify (the page)"], 95)
    api_p50 = statistics.median(runs["POST /v1/credentials/verify"])
    page_p50 = statistics.median(runs["POST /verify (the page)"])
    print(
        f"  the page over the VC API verify (p50): {page_p50 / api_p50:.2f}x; "
        f"target p95 <= {TARGET_P95_MS:.0f} ms: {'met' if page_p95 <= TARGET_P95_MS else 'MISSED'}",
        file=out,
    )
    if args.json:
        print_json("verify_page", figures, requests=args.requests)


if __name__ == "__main__":
    main()
