"""HTTP load on real `credledger serve` processes: awards/s and latency, verifications/s.

Scenarios (each on fresh storage): SQLite with one process; PostgreSQL with one process
and with two processes on different ports sharing one database (clients alternate
between them). Per scenario an issuer and bench/data/definition.json are registered
over HTTP, then a closed-loop async load generator (httpx, N concurrent clients, every
level bounded by a request count and a time cap) sends:
  * POST /v1/credentials         one award each, distinct recipient and Idempotency-Key;
  * POST /v1/credentials/verify  the same issued credential again and again;
  * GET /healthz                 the HTTP floor: the same stack doing no work.
Baseline in the same run, right before and right after each scenario (the better of the
two counts): the same work in-process on a fresh ledger on the same kind of store
(`Act.of` over the canonical body, then `CredentialLedger.issue_credential` in a loop;
`verifier.verify` for verification), so every HTTP rate is printed with its ratio.
CPU columns: the server processes' and this load generator's CPU (100% = one core) and
the whole machine's busy share over the level, to see what saturates.

  .venv/bin/python bench/load_bench.py [--requests 500] [--seconds 25] [--clients 1,8,32]
      [--database-url postgresql://...] [--profile DIR] [--json]

PostgreSQL scenarios need --database-url (or CREDLEDGER_TEST_DATABASE_URL, as exported
by `scripts/postgres start DIR`): a server where this user may CREATE DATABASE; each
scenario gets its own databases, dropped at the end. --profile DIR adds, per scenario,
one more award and one more verify run at the highest concurrency (not in the table)
while py-spy samples every server twice: the thread holding the GIL (how busy the one
interpreter is, and on what) and all endpoint threads on or off CPU (where requests
wait: PostgreSQL round trips, SQLite locks and fsync, the followers' locks); py-spy is
not a project dependency (`.venv/bin/pip install py-spy`).
Everything listens and connects on 127.0.0.1 only; servers are stopped even on error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from figures import Figure, faster, print_json, slower
from ledger_api import Act, CredentialLedger, Settings, canonical_json
from psycopg import sql

ADMIN_TOKEN = "load-bench-admin-token"
BASE_URL = "https://ledger.bench.test"  # shared by all processes: it names the log and lists
HOST = "127.0.0.1"
DEFINITION = json.loads(Path(__file__).with_name("data").joinpath("definition.json").read_text())
WARM_UP = 10
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 60.0
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


# -- measuring --------------------------------------------------------------------------------
@dataclass
class LoadResult:
    """One level: how many requests succeeded in how long, their latencies, and CPU use."""

    label: str
    clients: int
    ok: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    no_log_index: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    machine_busy: float = 0.0

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile of the successful requests' latencies, in ms."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process from /proc (Linux), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU used by the server processes, by this process and by the machine over a span."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids

    def __enter__(self) -> CpuMeter:
        self._servers = sum(process_cpu_seconds(p) for p in self.pids)
        self._client = time.process_time()
        self._machine = machine_ticks()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self._wall
        self.server = (sum(process_cpu_seconds(p) for p in self.pids) - self._servers) / wall
        self.client = (time.process_time() - self._client) / wall
        busy, total = machine_ticks()
        span = total - self._machine[1]
        self.machine = (busy - self._machine[0]) / span if span else 0.0


# -- servers and databases ----------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """One `credledger serve` process on 127.0.0.1, its output in a log file."""

    def __init__(self, data: Path, env: dict[str, str]) -> None:
        self.data = data
        self.port = free_port()
        self.env = env
        self.log_path = data.with_suffix(".log")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def command(self) -> list[str]:
        """The server's command line: `credledger serve` on this server's port and data."""
        command = [sys.executable, "-m", "credledger.cli.main", "serve", "--data"]
        command += [str(self.data), "--host", HOST, "--port", str(self.port)]
        return [*command, "--base-url", BASE_URL]

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                self.command(),
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=1, trust_env=False).status_code == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"server did not start:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None


@contextlib.contextmanager
def servers(root: Path, count: int, database_url: str | None) -> Iterator[list[Server]]:
    """``count`` servers on one store, started one after the other (the first creates the
    tables), all stopped on the way out whatever happened."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDLEDGER_")}
    env["CREDLEDGER_ADMIN_TOKEN"] = ADMIN_TOKEN
    if database_url:
        env["CREDLEDGER_DATABASE_URL"] = database_url
    root.mkdir(parents=True, exist_ok=True)
    started: list[Server] = []
    try:
        for i in range(count):
            server = Server(root / f"server{i}", env)
            started.append(server)
            server.start()
        yield started
    finally:
        for server in started:
            server.stop()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def fresh_database(admin_url: str, name: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of ``admin_url``; dropped afterwards."""
    if urlsplit(admin_url).hostname not in (HOST, "localhost"):
        raise SystemExit("the load bench only talks to 127.0.0.1")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# -- the load generator -------------------------------------------------------------------------
Request = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]
Check = Callable[[httpx.Response, "LoadResult"], bool]


async def run_level(
    label: str,
    urls: list[str],
    clients: int,
    requests: int,
    seconds: float,
    send: Request,
    check: Check,
) -> LoadResult:
    """``clients`` coroutines share ``requests`` numbered requests; each stops when they
    are used up or ``seconds`` have passed. Client i talks to server i mod len(urls)."""
    result = LoadResult(label, clients)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    pools = [
        httpx.AsyncClient(base_url=u, limits=limits, timeout=REQUEST_TIMEOUT, trust_env=False)
        for u in urls
    ]
    counter = iter(range(requests))
    deadline = time.perf_counter() + seconds

    async def client(pool: httpx.AsyncClient) -> None:
        for n in counter:
            if time.perf_counter() >= deadline:
                return
            start = time.perf_counter()
            try:
                response = await send(pool, n)
            except httpx.HTTPError as exc:
                result.failed[type(exc).__name__] += 1
                continue
            if check(response, result):
                result.ok += 1
                result.latencies.append(time.perf_counter() - start)
            else:
                result.failed[f"HTTP {response.status_code}"] += 1

    try:
        start = time.perf_counter()
        await asyncio.gather(*(client(pools[i % len(pools)]) for i in range(clients)))
        result.elapsed = time.perf_counter() - start
    finally:
        for pool in pools:
            await pool.aclose()
    return result


def award_sender(token: str, achievement_id: str, tag: str) -> Request:
    headers = {"Authorization": f"Bearer {token}"}

    async def send(pool: httpx.AsyncClient, n: int) -> httpx.Response:
        body = {"achievement_id": achievement_id, "recipient": {"email": f"{tag}-{n}@example.nl"}}
        return await pool.post(
            "/v1/credentials", json=body, headers={**headers, "Idempotency-Key": f"{tag}-{n}"}
        )

    return send


def created(response: httpx.Response, result: LoadResult) -> bool:
    if response.status_code != 201:
        return False
    if response.json().get("log_index") is None:
        result.no_log_index += 1
    return True


def verify_sender(vc: dict[str, Any]) -> Request:
    async def send(pool: httpx.AsyncClient, n: int) -> httpx.Response:
        return await pool.post("/v1/credentials/verify", json={"verifiableCredential": vc})

    return send


def verified(response: httpx.Response, result: LoadResult) -> bool:
    return response.status_code == 200 and response.json().get("verified") is True


async def health(pool: httpx.AsyncClient, n: int) -> httpx.Response:
    """The HTTP floor: a request through the same stack (middleware, thread pool) that
    does no work, so the levels show what HTTP alone costs at each concurrency."""
    return await pool.get("/healthz")


def answered(response: httpx.Response, result: LoadResult) -> bool:
    return response.status_code == 200


def register(url: str) -> tuple[str, str]:
    """An issuer (its token) and the bench definition (its id), over HTTP."""
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT, trust_env=False) as http:
        issuer = http.post("/v1/issuers", json={"name": "Load Bench Hogeschool"}, headers=admin)
        issuer.raise_for_status()
        token = str(issuer.json()["token"])
        defined = http.post(
            "/v1/achievements", json=DEFINITION, headers={"Authorization": f"Bearer {token}"}
        )
        defined.raise_for_status()
        return token, str(defined.json()["id"])


# -- py-spy -------------------------------------------------------------------------------------
# (label, a frame that puts a sample in it, a frame that keeps it out); frames look like
# "Qualified.name (package/file.py:line)", stacks are listed root first.
TICK = r"\(concurrent/futures/thread\.py"  # the lifespan tick runs in asyncio.to_thread
CATEGORIES: list[tuple[str, str, str | None]] = [
    ("event loop: uvicorn, h11, starlette, middleware", r"^BaseEventLoop\.", r"WorkerThread"),
    ("POST /v1/credentials (endpoint)", r"^issue \(api/routes_credentials", None),
    ("POST /v1/credentials/verify (endpoint)", r"^verify_credential ", None),
    ("  authenticate_issuer", r"^Issuers\.authenticate ", None),
    ("  Issuance.prepare (checks, render, sign, seal)", r"^Issuance\.prepare ", None),
    (
        "  aggregate loads outside the followers",
        r"^Repository\.get ",
        r"Follower\.catch_up",
    ),
    ("  eddsa-rdfc-2022 proof (create or verify)", r"\(crypto/eddsa_cryptosuites\.py", None),
    ("    JSON-LD expansion, toRdf", r"\(crypto/jsonld_", None),
    ("    RDFC-1.0", r"\(crypto/rdfc\.py", None),
    ("    Ed25519", r"^Ed25519KeyPair\.sign |^verify_ed25519 ", None),
    ("  JCS (digest of the signed VC)", r"\(crypto/jcs\.py", r"eddsa_cryptosuites"),
    ("  vault (subject keys, sealing)", r"\(ledger/vault\.py", None),
    ("  status list read (StatusLists.current)", r"^StatusLists\.current ", None),
    ("  save, without the followers", r"^Application\.save ", r"Follower\.catch_up"),
    ("    event store put (insert, commit)", r"^EventStore\.put ", None),
    ("  followers: catch_up after an act / before a list", r"^Follower\.catch_up ", TICK),
    ("    transparency log", r"^TransparencyLog\.catch_up ", TICK),
    ("    read model", r"^ReadModel\.catch_up ", TICK),
    ("  log_index_of", r"^Proofs\.log_index_of ", None),
    ("background tick (catch-up, checkpoint)", TICK, None),
]
WAITS: list[tuple[str, str]] = [
    (
        "waiting for PostgreSQL (psycopg)",
        r"^Connection\.wait \(psycopg|^wait_conn|_communicate_gen",
    ),
    (
        "in SQLite BEGIN IMMEDIATE / COMMIT (locks, fsync)",
        r"^SQLite(Database|TreeStore)\.transaction |^SQLiteConnection\.commit |^SQLiteCursor\.",
    ),
    ("in TransparencyLog.catch_up (its thread lock)", r"^TransparencyLog\.catch_up "),
    ("in ReadModel methods (its lock, sqlite3)", r"^ReadModel\.\w+ "),
]


def read_stacks(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def share(stacks: list[tuple[list[str], int]], include: str, exclude: str | None) -> int:
    rx, ex = re.compile(include), re.compile(exclude) if exclude else None
    return sum(
        c
        for frames, c in stacks
        if any(rx.search(f) for f in frames) and not (ex and any(ex.search(f) for f in frames))
    )


def gil_summary(path: Path, seconds: float) -> str:
    """Who holds the GIL: samples over the span (how busy the one interpreter is) and the
    inclusive share of each category (a sample counts wherever one of its frames fits)."""
    stacks = read_stacks(path)
    total = sum(c for _, c in stacks) or 1
    busy = total / (PROFILE_RATE * seconds)
    lines = [
        f"  GIL holder: {total} samples, {100 * busy:.0f}% of the ticks (fewer when py-spy "
        "itself is short of CPU); of them:"
    ]
    for label, include, exclude in CATEGORIES:
        lines.append(f"    {label:<56}{100 * share(stacks, include, exclude) / total:6.1f}%")
    return "\n".join(lines)


def wall_summary(path: Path, seconds: float) -> str:
    """Worker threads inside an endpoint, on or off CPU: how many are busy on average and
    where they are, including time spent waiting (self time at a lock or a socket)."""
    stacks = [(f, c) for f, c in read_stacks(path) if any("_run_sync_endpoint" in x for x in f)]
    total = sum(c for _, c in stacks) or 1
    lines = [f"  worker threads in endpoints: {total / (PROFILE_RATE * seconds):.1f} on average"]
    for label, include, exclude in CATEGORIES[1:]:
        lines.append(f"    {label:<56}{100 * share(stacks, include, exclude) / total:6.1f}%")
    for label, leaf in WAITS:
        rx = re.compile(leaf)
        n = sum(c for frames, c in stacks if rx.search(frames[-1]))
        lines.append(f"    self time: {label:<45}{100 * n / total:6.1f}%")
    return "\n".join(lines)


@dataclass
class Profile:
    gil: list[Path]
    wall: list[Path]
    seconds: float = 0.0

    def summary(self) -> str:
        parts = []
        for i, (gil, wall) in enumerate(zip(self.gil, self.wall, strict=True)):
            parts.append(f" process {i} ({gil.name}, {wall.name}):")
            if gil.exists():
                parts.append(gil_summary(gil, self.seconds))
            if wall.exists():
                parts.append(wall_summary(wall, self.seconds))
        return "\n".join(parts)


PROFILE_RATE = 100


@contextlib.contextmanager
def py_spy(pids: list[int], out: Path, tag: str) -> Iterator[Profile]:
    """While the block runs, sample each pid twice with py-spy: the thread holding the GIL
    (--gil) and every thread on or off CPU (--idle), as raw collapsed stacks."""
    binary = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    out.mkdir(parents=True, exist_ok=True)
    profile = Profile(
        [out / f"{tag}-p{i}-gil.txt" for i in range(len(pids))],
        [out / f"{tag}-p{i}-wall.txt" for i in range(len(pids))],
    )
    record = [binary, "record", "--rate", str(PROFILE_RATE), "--format", "raw"]
    procs = [
        subprocess.Popen(
            [*record, mode, "--pid", str(pid), "--output", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for mode, paths in (("--gil", profile.gil), ("--idle", profile.wall))
        for pid, path in zip(pids, paths, strict=True)
    ]
    time.sleep(1.0)  # let py-spy attach
    start = time.perf_counter()
    try:
        yield profile
    finally:
        profile.seconds = time.perf_counter() - start
        for proc in procs:
            proc.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


# -- in-process baseline ------------------------------------------------------------
@dataclass
class Baseline:
    awards: float
    verifications: float


def in_process(root: Path, database_url: str | None, requests: int, seconds: float) -> Baseline:
    """The same work without HTTP: a fresh ledger, the body digested into the act as the
    API does, ``issue_credential`` in a loop; then ``verifier.verify`` in a loop."""
    settings = Settings(data_dir=root, base_url=BASE_URL, database_url=database_url)
    ledger = CredentialLedger(settings)
    try:
        issuer = ledger.register_issuer(Act("admin"), "Load Bench Hogeschool").issuer
        actor = str(issuer.id)
        achievement = ledger.define_achievement(Act(actor), DEFINITION)

        def award(n: int) -> dict[str, Any]:
            recipient = {"email": f"baseline-{n}@example.nl"}
            body = {"achievement_id": str(achievement.id), "recipient": recipient}
            act = Act.of(actor, f"baseline-{n}", canonical_json(body))
            return ledger.issue_credential(act, achievement.id, recipient).vc

        vc = {}
        for n in range(WARM_UP):
            vc = award(-1 - n)
        awards = bounded_rate(award, requests, seconds)
        if not ledger.verifier.verify(vc).verified:
            raise RuntimeError("the baseline credential does not verify")
        verifications = bounded_rate(lambda _: ledger.verifier.verify(vc), requests, seconds)
        return Baseline(awards, verifications)
    finally:
        ledger.close()


def bounded_rate(work: Callable[[int], object], count: int, seconds: float) -> float:
    start = time.perf_counter()
    done = 0
    while done < count and time.perf_counter() - start < seconds:
        work(done)
        done += 1
    return done / (time.perf_counter() - start)


# -- scenarios ----------------------------------------------------------------------
@dataclass
class Scenario:
    name: str
    processes: int
    postgres: bool


@dataclass
class Args:
    requests: int
    seconds: float
    clients: list[int]
    database_url: str | None
    profile: Path | None


def baseline(scenario: Scenario, args: Args, root: Path, tag: str) -> Baseline:
    """The in-process rates on a fresh store of the scenario's kind (own database)."""
    if not scenario.postgres:
        return in_process(root / tag, None, args.requests, args.seconds)
    assert args.database_url is not None
    db = f"credledger_load_{tag.replace('-', '_')}_{secrets.token_hex(3)}".lower()
    with fresh_database(args.database_url, db) as url:
        return in_process(root / tag, url, args.requests, args.seconds)


def run_scenario(scenario: Scenario, args: Args, root: Path) -> tuple[Baseline, list[LoadResult]]:
    """The in-process baseline right before and right after the HTTP levels (the better
    of the two counts: on a shared machine interference only ever slows a run down), the
    servers in between on their own fresh store."""
    tag = re.sub(r"\W+", "-", scenario.name).strip("-")
    before = baseline(scenario, args, root, f"{tag}-before")
    with contextlib.ExitStack() as stack:
        url = None
        if scenario.postgres:
            assert args.database_url is not None
            db = f"credledger_load_{tag.replace('-', '_')}_{secrets.token_hex(3)}".lower()
            url = stack.enter_context(fresh_database(args.database_url, db))
        group = stack.enter_context(servers(root / tag, scenario.processes, url))
        results = asyncio.run(measure(scenario, args, group, tag))
    after = baseline(scenario, args, root, f"{tag}-after")
    for when, b in (("before", before), ("after", after)):
        print(
            f"{scenario.name}: in-process baseline {when}: {b.awards:.1f} awards/s, "
            f"{b.verifications:.1f} verifications/s",
            flush=True,
        )
    best = Baseline(
        max(before.awards, after.awards), max(before.verifications, after.verifications)
    )
    return best, results


async def measure(
    scenario: Scenario, args: Args, group: list[Server], tag: str
) -> list[LoadResult]:
    """Award levels, then verification levels; with --profile one more run of each at the
    highest concurrency under py-spy (not in the table: sampling slows the server)."""
    urls = [s.url for s in group]
    pids = [s.pid for s in group]
    token, achievement = register(urls[0])
    sender = award_sender(token, achievement, f"{tag}-warm")
    warm = await run_level("warm-up", urls, len(urls), WARM_UP * len(urls), 60, sender, created)
    if warm.ok == 0:
        raise RuntimeError(f"no award succeeded while warming up: {dict(warm.failed)}")
    vc = await issued_credential(urls[0], token, achievement, tag)
    work: list[tuple[str, Callable[[int], Request], Check]] = [
        ("award", lambda c: award_sender(token, achievement, f"{tag}-c{c}"), created),
        ("verify", lambda _: verify_sender(vc), verified),
    ]
    floor: tuple[str, Callable[[int], Request], Check] = (FLOOR, lambda _: health, answered)
    results = []
    for what, make, check in [floor, *work]:
        for clients in args.clients:
            label = f"{scenario.name}: {what}"
            with CpuMeter(pids) as cpu:
                result = await run_level(
                    label, urls, clients, args.requests, args.seconds, make(clients), check
                )
            result.server_cpu, result.client_cpu = cpu.server, cpu.client
            result.machine_busy = cpu.machine
            results.append(result)
            print_row(result)
    if args.profile is not None:
        top = max(args.clients)
        for what, make, check in work:
            with py_spy(pids, args.profile, f"{tag}-{what}") as profile:
                rerun = await run_level(
                    what, urls, top, args.requests, args.seconds, make(-top), check
                )
            print(
                f"profile: {scenario.name}, {what}, {top} clients "
                f"({rerun.rate:.1f}/s while sampled)\n{profile.summary()}",
                flush=True,
            )
    return results


async def issued_credential(url: str, token: str, achievement: str, tag: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT, trust_env=False) as http:
        created = await award_sender(token, achievement, f"{tag}-verify")(http, 0)
        created.raise_for_status()
        vc: dict[str, Any] = created.json()["credential"]
        first = await verify_sender(vc)(http, 0)  # publishes the status lists once
        if first.status_code != 200:
            raise RuntimeError(f"the issued credential does not verify: {first.text[:500]}")
        return vc


FLOOR = "GET /healthz (HTTP floor)"
HEADER = (
    f"{'level':<52}{'clients':>8}{'ok':>6}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}"
    f"{'srv CPU':>9}{'gen CPU':>9}{'machine':>9}"
)


def print_row(r: LoadResult, *, ratio: float | None = None) -> None:
    print(
        f"{r.label:<52}{r.clients:>8}{r.ok:>6}{r.rate:>9.1f}{r.percentile_ms(50):>9.1f}"
        f"{r.percentile_ms(99):>9.1f}{100 * r.server_cpu:>8.0f}%{100 * r.client_cpu:>8.0f}%"
        f"{100 * r.machine_busy:>8.0f}%" + (f"{ratio:>7.2f}x" if ratio is not None else ""),
        flush=True,
    )
    if r.failed:
        print(f"    failed: {dict(r.failed)}")
    if r.no_log_index:
        print(f"    answered before their leaf was appended (log_index null): {r.no_log_index}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=500, help="per level")
    parser.add_argument("--seconds", type=float, default=25.0, help="time cap per level")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CREDLEDGER_TEST_DATABASE_URL"),
        help="PostgreSQL server (127.0.0.1) for the PostgreSQL scenarios; skipped without",
    )
    parser.add_argument(
        "--scenarios", default="sqlite,pg1,pg2", help="any of sqlite, pg1, pg2 (comma-separated)"
    )
    parser.add_argument("--profile", type=Path, help="write py-spy profiles here")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the figures as one JSON line (the tables go to stderr)",
    )
    ns = parser.parse_args()
    # A SIGTERM (e.g. from `timeout`) unwinds like an error, so the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = Args(
        ns.requests,
        ns.seconds,
        [int(c) for c in ns.clients.split(",")],
        ns.database_url,
        ns.profile,
    )
    known = {
        "sqlite": Scenario("SQLite, 1 process", 1, postgres=False),
        "pg1": Scenario("PostgreSQL, 1 process", 1, postgres=True),
        "pg2": Scenario("PostgreSQL, 2 processes", 2, postgres=True),
    }
    chosen = [known[k] for k in ns.scenarios.split(",")]
    if ns.json:
        with contextlib.redirect_stdout(sys.stderr):
            results = run(args, chosen)
        print_json("load", figures_of(results), requests=args.requests, seconds=args.seconds)
    else:
        run(args, chosen)


def figures_of(results: list[tuple[Scenario, Baseline, list[LoadResult]]]) -> dict[str, Figure]:
    """Rates and medians per level, and the in-process baselines, by scenario."""
    figures: dict[str, Figure] = {}
    for scenario, base, levels in results:
        figures[f"{scenario.name}: in-process awards"] = faster(base.awards, "awards/s")
        figures[f"{scenario.name}: in-process verifications"] = faster(
            base.verifications, "verifications/s"
        )
        for r in levels:
            figures[f"{r.label}, {r.clients} clients"] = faster(r.rate)
            figures[f"{r.label}, {r.clients} clients, p50"] = slower(r.percentile_ms(50), "ms")
    return figures


def run(args: Args, chosen: list[Scenario]) -> list[tuple[Scenario, Baseline, list[LoadResult]]]:
    """Every chosen scenario (PostgreSQL ones only with a database URL), with the tables."""
    scenarios = [s for s in chosen if args.database_url or not s.postgres]
    if len(scenarios) < len(chosen):
        print("no --database-url / CREDLEDGER_TEST_DATABASE_URL: PostgreSQL scenarios skipped")
    with CpuMeter([]) as idle:
        time.sleep(1.0)
    print(f"machine busy before the run: {100 * idle.machine:.0f}% of {os.cpu_count()} CPUs")
    print(HEADER)
    results: list[tuple[Scenario, Baseline, list[LoadResult]]] = []
    with tempfile.TemporaryDirectory(prefix="credledger-load-") as tmp:
        for scenario in scenarios:
            results.append((scenario, *run_scenario(scenario, args, Path(tmp))))
    print("\nsummary (ratio = HTTP rate / in-process rate on a fresh store of the same kind)")
    print(HEADER + f"{'ratio':>8}")
    for scenario, base, levels in results:
        rates = f"{base.awards:.1f} awards/s, {base.verifications:.1f} verifications/s"
        print(f"{scenario.name}: in-process (better of before/after) {rates}")
        for r in levels:
            if r.label.endswith(FLOOR):
                print_row(r)
            else:
                reference = base.verifications if r.label.endswith("verify") else base.awards
                print_row(r, ratio=r.rate / reference)
    return results


if __name__ == "__main__":
    main()
