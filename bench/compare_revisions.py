"""Two revisions of credledger side by side: the same benchmarks, interleaved, one machine.

Given two checkouts A and B (each with its own ``.venv``, made by ``scripts/setup``),
runs this checkout's benchmark scripts (the ones beside this file) with each checkout's
interpreter, so the same benchmark measures each revision's code. Runs alternate
A, B, B, A, A, B, ... (``--rounds`` rounds, each bench in turn) so that both sides share
the machine's load and its drift; each run prints its figures as one JSON line
(``--json``). Printed per figure: the median over rounds of A and of B, the ratio of the
medians B/A, and the spread of the paired per-round ratios B/A (min and max).

Reading a ratio: every figure says which way is better (a rate: higher; a time: lower).
A figure is "within noise" when its per-round ratios fall on both sides of 1.00; "B
better" / "B worse" when all rounds agree; "clearly worse" when every round is worse by
more than ``--threshold`` (10%) -- the case worth a profile.

    .venv/bin/python bench/compare_revisions.py /work/wt/baseline . [--rounds 5]
        [--bench ledger,cli_award,audit,status_server,merkle,vc_api,load] [--markdown]
        [--save FILE]

The scripts import ledger names through bench/ledger_api.py, which finds them in either
layout of ledger/ (before and after its move into rooms), so an older checkout's own
copies of the scripts are not used. Each side's credledger is checked to come from its
own checkout before anything is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent

# Modest sizes: a round of every bench on both sides takes about two minutes on a busy
# 2-core machine. Each entry: the script and its arguments (``--json`` is added).
BENCHES: dict[str, list[str]] = {
    "ledger": ["ledger_bench.py", "--n", "1000", "--repeat", "1"],
    "cli_award": ["cli_award_bench.py", "--rows", "200"],
    "audit": ["audit_bench.py", "--events", "20000", "--credentials", "20", "--runs", "10"],
    "status_server": ["status_server_bench.py", "--revocations", "100"],
    "merkle": [
        "merkle_bench.py",
        "--sizes",
        "100000",
        "--append-leaves",
        "50000",
        "--merklelib-leaves",
        "0",
        "--proofs",
        "500",
    ],
    "vc_api": ["vc_api_bench.py", "--seconds", "8", "--clients", "8,32", "--warm-up", "2"],
    "load": [
        "load_bench.py",
        "--scenarios",
        "sqlite",
        "--requests",
        "100",
        "--seconds",
        "5",
        "--clients",
        "1,8",
    ],
}


@dataclass
class Side:
    """One checkout: its name in the tables, its directory and its interpreter."""

    name: str
    root: Path
    scratch: Path

    @property
    def python(self) -> Path:
        return self.root / ".venv" / "bin" / "python"

    def describe(self) -> str:
        head = subprocess.run(
            ["git", "-C", str(self.root), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        return f"{self.name} = {self.root} ({head[:90]})"

    def check_interpreter(self) -> None:
        """The side's interpreter must import credledger from the side's own checkout."""
        done = subprocess.run(
            [
                str(self.python),
                "-c",
                "import credledger.ledger as m, os; print(os.path.realpath(m.__file__))",
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=self.scratch,
        )
        where = Path(done.stdout.strip()) if done.returncode == 0 else None
        if where is None or not where.is_relative_to(self.root.resolve()):
            raise SystemExit(
                f"{self.name}: {self.python} does not import credledger from {self.root} "
                f"(it gives {done.stdout.strip() or done.stderr.strip()[-300:]}); "
                f"run scripts/setup there"
            )


@dataclass
class Results:
    """Every figure of every run: bench -> figure -> side -> values in round order."""

    values: dict[str, dict[str, dict[str, list[float]]]] = field(default_factory=dict)
    better: dict[tuple[str, str], str] = field(default_factory=dict)
    units: dict[tuple[str, str], str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)

    def add(self, bench: str, side: str, figures: dict[str, Any]) -> None:
        for name, figure in figures.items():
            per_side = self.values.setdefault(bench, {}).setdefault(name, {})
            per_side.setdefault(side, []).append(float(figure["value"]))
            self.better[bench, name] = str(figure["better"])
            self.units[bench, name] = str(figure["unit"])


def run_one(side: Side, bench: str, timeout: float) -> tuple[dict[str, Any] | None, str, float]:
    """One benchmark run on one side: (its JSON line, or None and why; wall seconds)."""
    script, *arguments = BENCHES[bench]
    arguments = [*arguments, "--json"]
    if bench == "merkle":  # its proof stores are cached: one directory per side
        arguments += ["--out", str(side.scratch / "merkle-out")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDLEDGER_")}
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = f"{side.python.parent}{os.pathsep}{env.get('PATH', '')}"
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [str(side.python), str(BENCH / script), *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=side.scratch,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s", time.perf_counter() - started
    seconds = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return None, f"exit {done.returncode}: {done.stderr.strip()[-1500:]}", seconds
    return json.loads(lines[-1]), "", seconds


def measure(sides: tuple[Side, Side], benches: list[str], rounds: int, timeout: float) -> Results:
    results = Results()
    for number in range(rounds):
        for bench in benches:
            # A B, then B A: each side runs first as often as the other.
            order = sides if (number + benches.index(bench)) % 2 == 0 else sides[::-1]
            for side in order:
                load = os.getloadavg()[0]
                out, why, seconds = run_one(side, bench, timeout)
                results.runs.append(
                    {
                        "round": number + 1,
                        "bench": bench,
                        "side": side.name,
                        "seconds": round(seconds, 1),
                        "loadavg_before": load,
                        "ok": out is not None,
                    }
                )
                if out is None:
                    results.failures.append(f"round {number + 1}, {bench}, {side.name}: {why}")
                    print(f"  {bench} on {side.name} FAILED: {why[-400:]}", file=sys.stderr)
                    continue
                results.add(bench, side.name, out["figures"])
                print(
                    f"round {number + 1}/{rounds}  {bench:<14} {side.name}  {seconds:6.1f} s"
                    f"  (load average before {load:.1f})",
                    file=sys.stderr,
                    flush=True,
                )
    return results


@dataclass
class Row:
    bench: str
    figure: str
    unit: str
    better: str
    a: float
    b: float
    ratio: float
    low: float
    high: float
    rounds: int
    reading: str


def rows_of(results: Results, threshold: float) -> list[Row]:
    rows = []
    for bench, figures in results.values.items():
        for name, per_side in figures.items():
            a_values, b_values = per_side.get("A", []), per_side.get("B", [])
            paired = [b / a for a, b in zip(a_values, b_values, strict=False) if a > 0]
            if not paired:
                continue
            better = results.better[bench, name]
            a, b = statistics.median(a_values), statistics.median(b_values)
            low, high = min(paired), max(paired)
            rows.append(
                Row(
                    bench,
                    name,
                    results.units[bench, name],
                    better,
                    a,
                    b,
                    b / a if a else float("nan"),
                    low,
                    high,
                    len(paired),
                    reading(better, low, high, threshold, len(paired)),
                )
            )
    return rows


def reading(better: str, low: float, high: float, threshold: float, rounds: int) -> str:
    """What the paired ratios say, oriented by which way is better."""
    if rounds < 3:
        return "too few rounds to tell"
    if better == "lower":  # a time: B/A above 1 is B slower
        worse_all, better_all = low > 1, high < 1
        clearly = low > 1 + threshold
    else:  # a rate: B/A below 1 is B slower
        worse_all, better_all = high < 1, low > 1
        clearly = high < 1 - threshold
    if clearly:
        return f"CLEARLY WORSE (> {threshold:.0%} in every round)"
    if worse_all:
        return "B worse (every round)"
    if better_all:
        return "B better (every round)"
    return "within noise"


def number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def print_table(rows: list[Row]) -> None:
    print(
        f"{'bench':<14}{'figure':<66}{'unit':>10}{'A median':>12}{'B median':>12}"
        f"{'B/A':>7}{'min':>7}{'max':>7}  reading"
    )
    for r in rows:
        print(
            f"{r.bench:<14}{r.figure[:65]:<66}{r.unit:>10}{number(r.a):>12}{number(r.b):>12}"
            f"{r.ratio:>7.2f}{r.low:>7.2f}{r.high:>7.2f}  {r.reading}"
        )


def print_markdown(rows: list[Row]) -> None:
    print(
        "| bench | figure | unit (better) | A median | B median | B/A | per-round B/A | reading |"
    )
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        arrow = "↑" if r.better == "higher" else "↓"
        print(
            f"| {r.bench} | {r.figure} | {r.unit} {arrow} | {number(r.a)} | {number(r.b)} | "
            f"{r.ratio:.2f} | {r.low:.2f} to {r.high:.2f} | {r.reading} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a", type=Path, help="checkout A (the reference), with its .venv")
    parser.add_argument("b", type=Path, help="checkout B (the candidate), with its .venv")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--bench", default=",".join(BENCHES), help=f"comma-separated, of {', '.join(BENCHES)}"
    )
    parser.add_argument("--threshold", type=float, default=0.10, help="'clearly worse' beyond")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per run")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument("--save", type=Path, help="write every value and run as JSON here")
    args = parser.parse_args()
    benches = [b for b in args.bench.split(",") if b]
    unknown = sorted(set(benches) - set(BENCHES))
    if unknown:
        parser.error(f"unknown bench {unknown}; known: {', '.join(BENCHES)}")

    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="compare-revisions-") as tmp:
        sides = (
            Side("A", args.a.resolve(), Path(tmp) / "A"),
            Side("B", args.b.resolve(), Path(tmp) / "B"),
        )
        for side in sides:
            side.scratch.mkdir()
            side.check_interpreter()
            print(side.describe())
        print(
            f"benches: {', '.join(benches)}; {args.rounds} rounds, interleaved; "
            f"scripts from {BENCH}; started {started:%Y-%m-%d %H:%M} UTC",
            flush=True,
        )
        results = measure(sides, benches, args.rounds, args.timeout)
    finished = datetime.now(UTC)
    rows = rows_of(results, args.threshold)
    print(f"finished {finished:%H:%M} UTC ({(finished - started).seconds / 60:.1f} min)\n")
    print_table(rows)
    if args.markdown:
        print()
        print_markdown(rows)
    for failure in results.failures:
        print(f"FAILED {failure[:2000]}")
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(
            json.dumps(
                {
                    "a": str(sides[0].root),
                    "b": str(sides[1].root),
                    "describe": [s.describe() for s in sides],
                    "started": started.isoformat(),
                    "finished": finished.isoformat(),
                    "benches": {b: BENCHES[b] for b in benches},
                    "values": results.values,
                    "runs": results.runs,
                    "failures": results.failures,
                    "rows": [r.__dict__ for r in rows],
                },
                indent=1,
            )
        )
    if results.failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
