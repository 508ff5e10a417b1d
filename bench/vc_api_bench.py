"""VC API over HTTP, side by side: credledger against a Digital Bazaar server in one run.

Two servers on 127.0.0.1, both one process:
  * credledger - `credledger serve` (uvicorn, as the command runs it) on SQLite in a temp
    dir; every issue is recorded durably (event store, vault, transparency log) before
    it is answered;
  * baseline   - bench/node/vc_api_server.mjs, a minimal VC API server built only from
    Digital Bazaar's libraries (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022,
    ed25519-multikey) and node:http, the contexts bundled (bench/node/vc_stack.mjs): it
    signs and verifies in memory and stores nothing.
The same ~3 KB Open Badges 3.0 credential (bench/data/ob3_microcredential.json, its
issuer set to each server's did:key, credledger's issuer registered with did_method key;
without the sample's credentialStatus, a list at credledger.example no server here can
fetch: an undeterminable status makes a verification undecided) is sent to
  * POST /v1/issuers/{id}/credentials/issue  a fresh credential id per request (ids are
                                             issued once), signed with eddsa-rdfc-2022;
  * POST /v1/credentials/verify              one credential credledger issued, again and
                                             again (both servers verify the same bytes).
The load generator is Debian's `wrk` (C, epoll, one thread) with bench/vc_api.lua for the
POST bodies: a closed loop of N connections (N = 1, 8, 32), each sending its next request
when the last is answered; `wrk` is installed with apt-get when missing. Levels alternate
between the two servers (credledger, then the baseline, at each level) with a pause
between them, so both see the same machine. Before timing, each server answers one
request of each kind, checked in full (the baseline verifies credledger's credential and
credledger the baseline's), then a short warm-up.
Printed per level: requests/s, p50 and p99 latency of each, and the ratios (credledger's
throughput over the baseline's, the baseline's latency over credledger's: above 1 means
credledger is ahead); CPU of each server and of wrk, and how busy the machine was.

  .venv/bin/python bench/vc_api_bench.py [--seconds 10] [--clients 1,8,32] [--json] [--markdown]

Needs node and `npm ci --prefix bench/node`. Everything listens and connects on 127.0.0.1
only; both servers are stopped even on error.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import fastapi
import httpx
import uvicorn
from figures import Figure, faster, print_json, slower
from load_bench import ADMIN_TOKEN, HOST, REQUEST_TIMEOUT, CpuMeter, Server, servers
from sign_verify_bench import CREDENTIAL, NODE_DIR, SEED

BENCH = Path(__file__).resolve().parent
LUA = BENCH / "vc_api.lua"
NODE_SERVER = NODE_DIR / "vc_api_server.mjs"
BASELINE_TOKEN = "vc-api-bench-baseline-token"
ID_PLACEHOLDER = "@ID@"
ISSUE = "issue"
VERIFY = "verify"
CREDLEDGER = "credledger"
BASELINE = "Digital Bazaar"


# -- the servers --------------------------------------------------------------------------------
class DigitalBazaarServer(Server):
    """bench/node/vc_api_server.mjs on 127.0.0.1, the W3C vector key as its did:key."""

    def command(self) -> list[str]:
        node = shutil.which("node")
        if node is None:
            raise SystemExit("node is not installed: the Digital Bazaar baseline needs it")
        command = [node, str(NODE_SERVER), "--host", HOST, "--port", str(self.port)]
        return [*command, "--seed", SEED.hex(), "--token", BASELINE_TOKEN]


@dataclass
class Target:
    """One server as the load generator sees it: where to post, as whom, what body."""

    name: str
    server: Server
    issue_path: str
    token: str
    did: str

    def issue_body(self) -> dict[str, Any]:
        credential = json.loads(CREDENTIAL.read_text("utf-8"))
        credential["issuer"]["id"] = self.did
        # The sample names a status list at credledger.example, which no server here can
        # fetch; a status that cannot be determined makes a verification undecided, so
        # both servers get the credential without it.
        del credential["credentialStatus"]
        return {"credential": credential}


def credledger_target(server: Server) -> Target:
    """Register an issuer over HTTP: its id, did:key and bearer token."""
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT, trust_env=False) as http:
        # did:key: the Digital Bazaar server resolves no did:web (issuers default to did:web).
        body = {"name": "VC API Bench Hogeschool", "did_method": "key"}
        created = http.post("/v1/issuers", json=body, headers=admin)
        created.raise_for_status()
        issuer = created.json()
    path = f"/v1/issuers/{issuer['id']}/credentials/issue"
    return Target(CREDLEDGER, server, path, str(issuer["token"]), str(issuer["did"]))


def baseline_target(server: Server) -> Target:
    credential = json.loads(CREDENTIAL.read_text("utf-8"))
    did = str(credential["issuer"]["id"])  # the vector key's did:key, which the server uses
    return Target(BASELINE, server, "/v1/issuers/bench/credentials/issue", BASELINE_TOKEN, did)


@contextlib.contextmanager
def both_servers(root: Path) -> Iterator[tuple[Target, Target]]:
    """credledger (via load_bench.servers: fresh SQLite store, admin token) and the
    Digital Bazaar server, both stopped on the way out whatever happened."""
    with servers(root / "credledger", 1, None) as (ours,):
        theirs = DigitalBazaarServer(root / "digital-bazaar", ours.env)
        try:
            theirs.start()
            yield credledger_target(ours), baseline_target(theirs)
        finally:
            theirs.stop()


def issue_once(http: httpx.Client, target: Target) -> dict[str, Any]:
    body = target.issue_body()
    body["credential"]["id"] = f"urn:uuid:{uuid.uuid4()}"
    answer = http.post(
        target.server.url + target.issue_path,
        json=body,
        headers={"Authorization": f"Bearer {target.token}"},
    )
    if answer.status_code != 201:
        raise RuntimeError(f"{target.name} did not issue: {answer.status_code} {answer.text}")
    vc: dict[str, Any] = answer.json()["verifiableCredential"]
    proofs = vc.get("proof", [])  # one proof object, or a set of them (VC DI 1.0 allows both)
    suites = [p.get("cryptosuite") for p in (proofs if isinstance(proofs, list) else [proofs])]
    if suites != ["eddsa-rdfc-2022"]:
        raise RuntimeError(f"{target.name} issued no eddsa-rdfc-2022 proof: {vc.get('proof')}")
    return vc


def check_verifies(http: httpx.Client, target: Target, vc: dict[str, Any], what: str) -> None:
    answer = http.post(
        target.server.url + "/v1/credentials/verify", json={"verifiableCredential": vc}
    )
    if answer.status_code != 200 or answer.json().get("verified") is not True:
        raise RuntimeError(f"{target.name} does not verify {what}: {answer.text[:1000]}")


def checked_credential(ours: Target, theirs: Target) -> dict[str, Any]:
    """One issue on each server, each credential verified by both; a tampered one must be
    refused by both. Returns credledger's credential, which both then verify under load."""
    with httpx.Client(timeout=REQUEST_TIMEOUT, trust_env=False) as http:
        issued = {t.name: issue_once(http, t) for t in (ours, theirs)}
        for verifier in (ours, theirs):
            for issuer, vc in issued.items():
                check_verifies(http, verifier, vc, f"{issuer}'s credential")
            tampered = json.loads(json.dumps(issued[CREDLEDGER]))
            tampered["credentialSubject"]["result"][0]["value"] = "10.0"
            refused = http.post(
                verifier.server.url + "/v1/credentials/verify",
                json={"verifiableCredential": tampered},
            )
            if refused.status_code == 200:
                raise RuntimeError(f"{verifier.name} verified a tampered credential")
        return issued[CREDLEDGER]


# -- wrk ----------------------------------------------------------------------------------------
def ensure_wrk() -> str:
    """The path of `wrk`, installed from Debian (apt-get) when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise SystemExit("wrk is missing and there is no apt-get: install wrk")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*sudo, apt, "install", "-y", "--no-install-recommends", "wrk"]
    print("installing wrk from Debian (apt-get install wrk) ...", flush=True)
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run([*sudo, apt, "update"], env=env, capture_output=True)
        subprocess.run(install, env=env, check=True, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("apt-get install wrk did not give a wrk command")
    return found


@dataclass
class Level:
    """One wrk run against one server: its figures and the CPU it took."""

    server: str
    work: str
    clients: int
    seconds: float
    requests: int
    failed: int
    p50_ms: float
    p99_ms: float
    server_cpu: float
    wrk_cpu: float
    machine_busy: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(
    wrk: str, target: Target, path: str, body: Path, clients: int, seconds: int, ids: bool
) -> Level:
    """wrk, one thread, ``clients`` connections, for ``seconds``; with ``ids`` every request
    gets a fresh credential id. Failures (non-2xx, socket errors, timeouts) are counted."""
    prefix = str(uuid.uuid4())[:24] if ids else ""
    command = [wrk, "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "60s", "-s", str(LUA)]
    command += [target.server.url, "--", path, str(body), prefix, target.token]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with CpuMeter([target.server.pid]) as cpu:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("wrk-result ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    result = json.loads(lines[-1].removeprefix("wrk-result "))
    errors = result["errors"]
    failed = errors["status"] + errors["connect"] + errors["read"] + errors["write"]
    failed += errors["timeout"]
    elapsed = result["duration_us"] / 1e6
    wrk_cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / elapsed
    return Level(
        target.name,
        ISSUE if ids else VERIFY,
        clients,
        elapsed,
        result["requests"] - errors["status"],
        failed,
        result["latency_us"]["p50"] / 1000,
        result["latency_us"]["p99"] / 1000,
        cpu.server,
        wrk_cpu,
        cpu.machine,
    )


# -- the run ------------------------------------------------------------------------------------
def write_bodies(root: Path, ours: Target, theirs: Target, vc: dict[str, Any]) -> dict[str, Path]:
    """The request bodies wrk sends: per server an issue body with the id placeholder,
    and one verify body for both."""
    bodies = {}
    for target in (ours, theirs):
        body = target.issue_body()
        body["credential"]["id"] = f"urn:uuid:{ID_PLACEHOLDER}"
        path = root / f"issue-{target.server.port}.json"
        path.write_text(json.dumps(body))
        bodies[target.name] = path
    verify = root / "verify.json"
    verify.write_text(json.dumps({"verifiableCredential": vc}))
    bodies[VERIFY] = verify
    return bodies


def measure(
    wrk: str, root: Path, ours: Target, theirs: Target, args: argparse.Namespace
) -> list[Level]:
    vc = checked_credential(ours, theirs)
    bodies = write_bodies(root, ours, theirs, vc)
    plan = [(ISSUE, c) for c in args.clients] + [(VERIFY, c) for c in args.clients]
    for target in (ours, theirs):  # warm-up: JIT, caches, the first status and log work
        run_wrk(wrk, target, target.issue_path, bodies[target.name], 8, args.warm_up, True)
        run_wrk(wrk, target, "/v1/credentials/verify", bodies[VERIFY], 8, args.warm_up, False)
    levels = []
    for work, clients in plan:
        for target in (ours, theirs):
            time.sleep(args.pause)  # let the last level's stragglers (log, read model) finish
            if work == ISSUE:
                level = run_wrk(
                    wrk, target, target.issue_path, bodies[target.name], clients, args.seconds, True
                )
            else:
                path = "/v1/credentials/verify"
                level = run_wrk(wrk, target, path, bodies[VERIFY], clients, args.seconds, False)
            levels.append(level)
            print_level(level)
    return levels


def versions(wrk: str) -> dict[str, str]:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split()
    found = {
        "python": platform.python_version(),
        "uvicorn": uvicorn.__version__,
        "loop and parser": ", ".join(_installed("uvloop", "httptools")) or "asyncio, h11",
        "fastapi": fastapi.__version__,
        "sqlite": sqlite3.sqlite_version,
        "node": node,
        "wrk": wrk_version[1] if len(wrk_version) > 1 else "?",
    }
    for package in ("vc", "data-integrity", "eddsa-rdfc-2022-cryptosuite", "ed25519-multikey"):
        manifest = NODE_DIR / "node_modules" / "@digitalbazaar" / package / "package.json"
        found[f"@digitalbazaar/{package}"] = json.loads(manifest.read_text())["version"]
    found["jsonld"] = json.loads(
        (NODE_DIR / "node_modules" / "jsonld" / "package.json").read_text()
    )["version"]
    return found


def _installed(*names: str) -> list[str]:
    """``name version`` of each package installed (what `credledger serve` then uses)."""
    found = []
    for name in names:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found.append(f"{name} {importlib.metadata.version(name)}")
    return found


def print_setup(found: dict[str, str], args: argparse.Namespace, busy: float) -> None:
    libraries = ", ".join(f"{k} {v}" for k, v in found.items() if k.startswith("@digitalbazaar"))
    sent = json.loads(CREDENTIAL.read_text("utf-8"))
    del sent["credentialStatus"]  # as Target.issue_body sends it
    size = len(json.dumps(sent, indent=2).encode())
    print(f"machine: {os.cpu_count()} CPUs, {100 * busy:.0f}% busy in the second before the run")
    print(
        f"credledger: `credledger serve`, one process, uvicorn {found['uvicorn']} "
        f"({found['loop and parser']}), "
        f"FastAPI {found['fastapi']}, Python {found['python']}, SQLite {found['sqlite']} in a "
        "temp dir; stores and logs every issue durably before answering"
    )
    print(
        f"Digital Bazaar: bench/node/vc_api_server.mjs, one Node {found['node']} process, "
        f"node:http, {libraries}, jsonld {found['jsonld']}; in memory, STORES NOTHING"
    )
    print(
        f"load: wrk {found['wrk']}, 1 thread, closed loop, {args.seconds:g} s per level, "
        f"{args.warm_up:g} s warm-up, {args.pause:g} s pause between levels; "
        f"{CREDENTIAL.name} without credentialStatus ({size} bytes), eddsa-rdfc-2022"
    )


HEADER = (
    f"{'server':<16}{'work':<8}{'clients':>8}{'done':>7}{'per s':>9}{'p50 ms':>9}"
    f"{'p99 ms':>9}{'srv CPU':>9}{'wrk CPU':>9}{'machine':>9}"
)


def print_level(level: Level) -> None:
    print(
        f"{level.server:<16}{level.work:<8}{level.clients:>8}{level.requests:>7}"
        f"{level.rate:>9.1f}{level.p50_ms:>9.1f}{level.p99_ms:>9.1f}"
        f"{100 * level.server_cpu:>8.0f}%{100 * level.wrk_cpu:>8.0f}%"
        f"{100 * level.machine_busy:>8.0f}%",
        flush=True,
    )
    if level.failed:
        print(f"    FAILED requests: {level.failed}", flush=True)


def comparisons(levels: list[Level]) -> list[dict[str, Any]]:
    """Per work and clients, both servers' figures and the ratios (above 1: credledger ahead)."""
    rows = []
    for work in (ISSUE, VERIFY):
        for clients in sorted({lv.clients for lv in levels}):
            pair = {lv.server: lv for lv in levels if lv.work == work and lv.clients == clients}
            if len(pair) < 2:
                continue
            ours, theirs = pair[CREDLEDGER], pair[BASELINE]
            if not (ours.requests and theirs.requests):  # nothing answered: no ratio
                ours_p50 = ours_p99 = float("nan")
            else:
                ours_p50, ours_p99 = ours.p50_ms, ours.p99_ms
            rows.append(
                {
                    "work": work,
                    "clients": clients,
                    CREDLEDGER: ours,
                    BASELINE: theirs,
                    "throughput_ratio": ours.rate / theirs.rate if theirs.rate else float("nan"),
                    "p50_ratio": theirs.p50_ms / ours_p50 if ours_p50 else float("nan"),
                    "p99_ratio": theirs.p99_ms / ours_p99 if ours_p99 else float("nan"),
                }
            )
    return rows


def revision_figures(rows: list[dict[str, Any]]) -> dict[str, Figure]:
    """credledger's figures per level for bench/compare_revisions.py: its rate, its CPU
    time a request (steadier than a rate on a shared machine) and its ratio to the
    baseline measured beside it."""
    figures: dict[str, Figure] = {}
    for row in rows:
        ours: Level = row[CREDLEDGER]
        level = f"{row['work']} at {row['clients']} clients"
        figures[f"{level}: credledger"] = faster(ours.rate)
        if ours.rate:
            figures[f"{level}: credledger CPU a request"] = slower(
                1000 * ours.server_cpu / ours.rate, "ms"
            )
        figures[f"{level}: ratio to Digital Bazaar"] = faster(row["throughput_ratio"], "x")
    return figures


def print_summary(rows: list[dict[str, Any]]) -> None:
    print(
        "\nsummary: requests/s and p50 / p99 ms; ratios = credledger's throughput / the "
        "baseline's, the baseline's latency / credledger's (above 1: credledger ahead)"
    )
    print(
        f"{'work':<8}{'clients':>8}{'credledger/s':>14}{'p50 / p99':>17}{'DB/s':>9}"
        f"{'p50 / p99':>17}{'ratio/s':>9}{'p50 x':>8}{'p99 x':>8}"
    )
    for row in rows:
        ours, theirs = row[CREDLEDGER], row[BASELINE]
        print(
            f"{row['work']:<8}{row['clients']:>8}{ours.rate:>14.1f}"
            f"{f'{ours.p50_ms:.1f} / {ours.p99_ms:.1f}':>17}{theirs.rate:>9.1f}"
            f"{f'{theirs.p50_ms:.1f} / {theirs.p99_ms:.1f}':>17}"
            f"{row['throughput_ratio']:>8.2f}x{row['p50_ratio']:>7.2f}x{row['p99_ratio']:>7.2f}x"
        )
    print(
        "The Digital Bazaar server stores nothing; credledger records every issue durably "
        "(SQLite, synchronous FULL) and appends it to its transparency log."
    )


def print_markdown(rows: list[dict[str, Any]]) -> None:
    """The summary as a Markdown table, as BENCHMARKS.md shows it."""
    print(
        "\n| work | clients | credledger /s | p50 / p99 ms | Digital Bazaar /s | p50 / p99 ms "
        "| throughput ratio | p50 ratio | p99 ratio | machine busy |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        ours, theirs = row[CREDLEDGER], row[BASELINE]
        print(
            f"| {row['work']} | {row['clients']} | {ours.rate:,.0f} "
            f"| {ours.p50_ms:.1f} / {ours.p99_ms:.1f} | {theirs.rate:,.0f} "
            f"| {theirs.p50_ms:.1f} / {theirs.p99_ms:.1f} | {row['throughput_ratio']:.2f}x "
            f"| {row['p50_ratio']:.2f}x | {row['p99_ratio']:.2f}x "
            f"| {100 * ours.machine_busy:.0f}% / {100 * theirs.machine_busy:.0f}% |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument(
        "--seconds", type=int, default=10, help="per level and server (wrk: whole seconds)"
    )
    parser.add_argument("--clients", default="1,8,32", help="concurrent connections per level")
    parser.add_argument("--warm-up", type=int, default=3, help="seconds, per server and work")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds before each level")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args()
    args.clients = [int(c) for c in args.clients.split(",")]
    if args.seconds < 1 or args.warm_up < 1:
        parser.error("--seconds and --warm-up are whole seconds, at least 1 (wrk's unit)")
    if not (NODE_DIR / "node_modules").is_dir():
        raise SystemExit(
            "the baseline needs Digital Bazaar's libraries: npm ci --prefix bench/node"
        )
    # A SIGTERM (e.g. from `timeout`) unwinds like an error, so the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    wrk = ensure_wrk()
    found = versions(wrk)
    with CpuMeter([]) as idle:
        time.sleep(1.0)
    print_setup(found, args, idle.machine)
    print(HEADER)
    with tempfile.TemporaryDirectory(prefix="credledger-vcapi-") as tmp:
        root = Path(tmp)
        with both_servers(root) as (ours, theirs):
            levels = measure(wrk, root, ours, theirs, args)
    rows = comparisons(levels)
    print_summary(rows)
    if args.markdown:
        print_markdown(rows)
    failed = sum(level.failed for level in levels)
    if args.json:
        report = {
            "setup": {**found, "cpus": os.cpu_count(), "machine_busy_before": idle.machine},
            "seconds": args.seconds,
            "levels": [{**asdict(lv), "per_s": lv.rate} for lv in levels],
            "ratios": [
                {k: v for k, v in row.items() if k not in (CREDLEDGER, BASELINE)} for row in rows
            ],
        }
        print(json.dumps(report))
        print_json("vc_api", revision_figures(rows), seconds=args.seconds)  # the last line
    if failed:
        print(f"{failed} requests failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
