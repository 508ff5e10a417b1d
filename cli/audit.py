"""`credledger audit`: replay the whole transparency log and report the first discrepancy.

The verdict is spelled ``intact`` (exit 0), ``tampered`` (exit 1: a changed byte, a
missing leaf, checkpoints that do not agree; the discrepancy's kind says which) or, when
the audit could not run (no ledger there, server unreachable, no key), ``undecided``
(exit 2), as docs/verification.md sets out.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from credledger.ledger.audit.local import (
    AuditReport,
    AuditSetupError,
    Progress,
    audit_remote,
    audit_store,
    default_jobs,
)
from credledger.ledger.store.settings import Settings, SettingsError
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as Bar

from .log_client import LogClient, ServerError
from .verdicts import INVALID, UNDECIDED, VALID, emit_json, fail, line, stderr, stdout

PROGRESS_FROM = 20_000
"""Logs with fewer leaves finish too quickly for a progress bar to help."""


def read_key_option(value: str | None) -> str | None:
    """A vkey given inline, or the path of a file holding one."""
    if value is None:
        return None
    path = Path(value)
    try:
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    except OSError:
        pass
    return value.strip()


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar on stderr (only on a terminal, and only for long logs)."""
    if not enabled or not stderr.is_terminal:
        yield None
        return
    columns = (
        TextColumn("auditing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("leaves"),
        TimeRemainingColumn(),
    )
    with Bar(*columns, console=stderr, transient=True) as bar:
        task = bar.add_task("audit", total=None)

        def update(done: int, total: int) -> None:
            if total >= PROGRESS_FROM:
                bar.update(task, completed=done, total=total)

        yield update


def audit(
    data: Annotated[
        Path | None, typer.Option(help="local mode: the ledger's data directory (read-only)")
    ] = None,
    server: Annotated[
        str | None, typer.Option(help="remote mode: audit a server through its public log API")
    ] = None,
    from_checkpoint: Annotated[
        Path | None,
        typer.Option(help="a checkpoint note you saved earlier: the log must still extend it"),
    ] = None,
    log_key: Annotated[
        str | None,
        typer.Option(
            help="the log's vkey (or a file holding it). Default: the server's /v1/log/key; "
            "locally, derived from the data directory's vault"
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print a JSON report")] = False,
    progress: Annotated[bool, typer.Option(help="show a progress bar on long logs")] = True,
    jobs: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="local mode: processes checking leaves against events "
            "(default: one per processor; small logs use one)",
        ),
    ] = None,
) -> None:
    """Replay the whole log: exit 0 intact, 1 tampered, 2 undecided (could not run).

    Locally every leaf is recomputed from its stored event, every Merkle node and
    checkpoint root rebuilt, every checkpoint signature and the consistency of
    consecutive checkpoints checked. Remotely the tree is rebuilt from the published
    leaves and checked against every checkpoint and the server's consistency proofs.

    Examples:

      credledger audit --data ./ledger --log-key "$(cat log.vkey)"

      credledger audit --server https://ledger.example --from-checkpoint saved.note --json
    """
    if (data is None) == (server is None):
        fail(
            "give --data DIR (local) or --server URL (remote)", code=UNDECIDED, as_json=json_output
        )
    saved = None
    if from_checkpoint is not None:
        try:
            saved = from_checkpoint.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {from_checkpoint}: {exc}", code=UNDECIDED, as_json=json_output)
    key = read_key_option(log_key)
    try:
        with progress_bar(progress and not json_output) as update:
            if server is not None:
                with LogClient(server) as client:
                    report = audit_remote(
                        client, log_key=key, saved_checkpoint=saved, progress=update
                    )
            else:
                settings = Settings.from_env(data)
                report = audit_store(
                    settings,
                    log_key=key,
                    saved_checkpoint=saved,
                    progress=update,
                    jobs=jobs or default_jobs(),
                )
    except (AuditSetupError, ServerError, SettingsError) as exc:
        fail(f"the audit could not run: {exc}", code=UNDECIDED, as_json=json_output)
    _print(report, json_output)
    raise typer.Exit(VALID if report.intact else INVALID)


def _print(report: AuditReport, json_output: bool) -> None:
    found = report.discrepancy
    if json_output:
        emit_json({"result": "intact" if found is None else "tampered", **report.as_dict()})
        return
    if found is None:
        stdout.print("[bold green]intact[/]: every leaf, tile and checkpoint agrees")
    else:
        stdout.print(f"[bold red]tampered[/]: the first discrepancy is {found.kind}")
        stdout.print(line("first", found.message))
    stdout.print(line("log", f"{report.origin} ({report.mode})"))
    stdout.print(line("log key", f"{report.log_key} ({report.key_source})"))
    if found is None:
        if report.mode == "local":
            stdout.print(line("events", f"{report.events} stored"))
            stdout.print(line("leaves", f"{report.leaves} checked, {report.tiles} Merkle tiles"))
        else:
            stdout.print(line("leaves", f"{report.leaves} checked"))
        root = base64.b64encode(report.root_hash).decode() if report.root_hash else "-"
        stdout.print(
            line(
                "checkpoints",
                f"{report.checkpoints} verified; newest size {report.size}, root {root}",
            )
        )
        if report.from_checkpoint is not None:
            stdout.print(
                line("saved", f"the log extends your checkpoint of size {report.from_checkpoint}")
            )
        if report.seconds > 0 and report.leaves:
            rate = report.leaves / report.seconds
            stdout.print(line("time", f"{report.seconds:.2f} s ({rate:,.0f} leaves/s)"))
    for warning in report.warnings:
        stdout.print(f"  [yellow]warning:[/] {warning}")
