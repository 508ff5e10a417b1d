"""Credentials per second of `credledger award --csv`, locally and over HTTP, against the library.

Measures, in one run and on the same machine:
  * per row  - the library's issue_credential called once per row, with the same
               per-row acts (Act.of with an Idempotency-Key) and bodies the CLI sends;
  * baseline - the library's issue_credentials, 100 rows per call: exactly the ledger
               work the CLI asks for, so the ratio shows what the CLI adds;
  * cli      - `credledger award --achievement ID --csv FILE --data DIR` run as a user
               runs it (a subprocess: start-up, CSV parsing, progress, summary included);
  * rerun    - the same command on the same file again: every row meets its earlier
               result, nothing is issued (the resume path after a crash).
Prints credentials per second and the ratio to the baseline. Usage:
  .venv/bin/python bench/cli_award_bench.py [--rows 2000] [--json]
Every measure issues the same number of rows into a fresh ledger (awarding slows as
the ledger fills, so fewer rows would flatter a measure).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from credledger.cli.award_sheet import read_sheet, row_body, row_key
from figures import faster, print_json
from ledger_api import (
    ADMIN,
    Act,
    AwardRequest,
    CredentialLedger,
    IssuedCredential,
    Settings,
    canonical_json,
)

BASE_URL = "https://bench.example.test"


def grade_definition() -> dict[str, Any]:
    """The bench achievement, graded: the sheet's result column holds grades 6 to 10."""
    definition = json.loads(
        Path(__file__).with_name("data").joinpath("definition.json").read_text()
    )
    return {**definition, "result": "grade"}


def set_up(data: Path) -> tuple[str, str]:
    """A ledger with one issuer and one achievement; returns their ids."""
    ledger = CredentialLedger(Settings.from_env(data, BASE_URL))
    try:
        issuer = ledger.register_issuer(Act(ADMIN), "Bench University").issuer.id
        definition = grade_definition()
        achievement = ledger.define_achievement(Act(str(issuer)), definition).id
    finally:
        ledger.close()
    return str(issuer), str(achievement)


def write_sheet(path: Path, rows: int) -> Path:
    lines = ["email,result,evidence"]
    lines += [f"learner{i}@example.nl,{6 + i % 5},Portfolio {i} reviewed" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def library_rate(data: Path, sheet_path: Path, rows: int, batch: int) -> float:
    """Library calls only (one row per call when batch is 0): what the CLI adds is above."""
    issuer, achievement = set_up(data)
    sheet = read_sheet(sheet_path)
    requests = []
    for row in sheet.rows[:rows]:
        body = row_body(achievement, sheet.recipient_kind, row)
        act = Act.of(issuer, row_key(achievement, row), canonical_json(body))
        requests.append(
            AwardRequest(
                act,
                UUID(achievement),
                body["recipient"],
                evidence=body.get("evidence"),
                result=body.get("result"),
            )
        )
    ledger = CredentialLedger(Settings.from_env(data, BASE_URL))
    try:
        start = time.perf_counter()
        if batch == 0:
            for r in requests:
                ledger.issue_credential(
                    r.act, r.achievement_id, r.recipient, evidence=r.evidence, result=r.result
                )
        else:
            for i in range(0, len(requests), batch):
                outcomes = ledger.issue_credentials(requests[i : i + batch])
                assert all(isinstance(o, IssuedCredential) for o in outcomes), outcomes
        return rows / (time.perf_counter() - start)
    finally:
        ledger.close()


def cli_award(data: Path, issuer: str, achievement: str, sheet: Path) -> tuple[float, Any]:
    executable = Path(sys.executable).parent / "credledger"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDLEDGER_")}
    env["CREDLEDGER_BASE_URL"] = BASE_URL
    start = time.perf_counter()
    done = subprocess.run(
        [
            str(executable),
            "award",
            "--achievement",
            achievement,
            "--csv",
            str(sheet),
            "--data",
            str(data),
            "--issuer",
            issuer,
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"credledger award failed ({done.returncode}):\n{done.stderr}")
    report: Any = json.loads(done.stdout)
    return elapsed, report


def remote_award(root: Path, sheet: Path) -> tuple[float, Any]:
    """The same sheet over HTTP: `credledger award --server URL --token T` against a
    `credledger serve` process on 127.0.0.1 (POST /v1/credentials/batch, 100 rows a request)."""
    import socket

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    executable = Path(sys.executable).parent / "credledger"
    admin = "bench-admin-token-not-a-secret"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDLEDGER_")}
    server = subprocess.Popen(
        [str(executable), "serve", "--data", str(root / "remote"), "--port", str(port)],
        env={**env, "CREDLEDGER_ADMIN_TOKEN": admin},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=30) as client:
            issuer = client.post(
                "/v1/issuers", json={"name": "Bench"}, headers={"Authorization": f"Bearer {admin}"}
            ).json()
            definition = grade_definition()
            achievement = client.post(
                "/v1/achievements",
                json=definition,
                headers={"Authorization": f"Bearer {issuer['token']}"},
            ).json()["id"]
        start = time.perf_counter()
        done = subprocess.run(
            [
                str(executable),
                "award",
                "--achievement",
                achievement,
                "--csv",
                str(sheet),
                "--server",
                url,
                "--token",
                issuer["token"],
                "--json",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"remote award failed ({done.returncode}):\n{done.stderr}")
        return elapsed, json.loads(done.stdout)
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    rows = args.rows
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sheet = write_sheet(root / "cohort.csv", rows)
        per_row = library_rate(root / "per-row", sheet, rows, batch=0)
        baseline = library_rate(root / "baseline", sheet, rows, batch=100)
        data = root / "cli"
        issuer, achievement = set_up(data)
        elapsed, report = cli_award(data, issuer, achievement, sheet)
        issued = len(report["issued"])
        assert issued == rows, report["refused"]
        rerun_elapsed, rerun = cli_award(data, issuer, achievement, sheet)
        assert not rerun["issued"], rerun  # every row met its earlier result
        assert rerun["already_issued"] == report["issued"], rerun
        ledger = CredentialLedger(Settings.from_env(data, BASE_URL))
        try:
            ledger.catch_up()
            assert ledger.read_model.db["credentials"].count == rows  # nothing issued twice
        finally:
            ledger.close()
        remote_elapsed, remote = remote_award(root, sheet)
        assert len(remote["issued"]) == rows, remote["refused"]

    measures = [
        ("library issue_credentials, 100 per call (baseline)", rows / baseline, baseline),
        ("library issue_credential, 1 per call", rows / per_row, per_row),
        ("credledger award --csv (local)", elapsed, rows / elapsed),
        ("rerun of the same file: nothing issued", rerun_elapsed, rows / rerun_elapsed),
        (
            "credledger award --csv --server (HTTP batches of 100)",
            remote_elapsed,
            rows / remote_elapsed,
        ),
    ]
    if args.json:
        figures = {name: faster(rate, "rows/s") for name, _, rate in measures}
        print_json("cli_award", figures, rows=rows)
        return
    print(f"rows: {rows}")
    print(f"{'measure':<54}{'seconds':>9}{'rows/s':>9}{'vs baseline':>13}")
    for name, seconds, rate in measures:
        print(f"{name:<54}{seconds:>9.1f}{rate:>9,.0f}{rate / baseline:>12.2f}x")


if __name__ == "__main__":
    main()
