"""`credledger read-model rebuild`: repair a damaged read model by rebuilding it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import BaseUrlOption, JsonOption
from .output import Output, reporting
from .target import Target, open_ledger

read_model_app = typer.Typer(help="The read model (catalogue, lookups): derived from the events.")


@read_model_app.command("rebuild")
def rebuild(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Data directory (default: $CREDLEDGER_DATA)."),
    ] = None,
    base_url: BaseUrlOption = None,
    json_output: JsonOption = False,
) -> None:
    """Throw the read model away and rebuild it from the events.

    The read model never decides a status bit, but it answers searches and lookups;
    `credledger audit --data` compares it with a rebuild and names this command when
    they differ. Stop the server on this data directory first (on PostgreSQL, run it
    once for every process's directory).

    Example:  credledger read-model rebuild --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        settings = Target(data=data, base_url=base_url).settings()
        with open_ledger(settings) as ledger:
            applied = ledger.rebuild_read_model()
        output.result(
            {"data_dir": str(settings.data_dir), "events": applied},
            f"Rebuilt the read model in {settings.data_dir} from {applied} events",
        )
