"""Looking things up: ``issuer list``, ``achievement list|show``, ``credential list|show``
and ``catalogue search``, locally or on a server, as tables or (``--json``) JSON."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from .institutions import achievement_app, issuer_app
from .options import (
    BaseUrlOption,
    DataOption,
    IssuerOption,
    JsonOption,
    ServerOption,
    TokenOption,
)
from .output import Output, reporting
from .target import Target, open_backend

credential_app = typer.Typer(
    no_args_is_help=True, help="An issuer's credentials: list them, show one."
)
catalogue_app = typer.Typer(no_args_is_help=True, help="The public catalogue of achievements.")


def _table(output: Output, rows: list[dict[str, Any]], columns: list[str], empty: str) -> None:
    if output.json:
        output.result(rows)
        return
    if not rows:
        output.note(empty)
        return
    table = Table(*columns, box=None, pad_edge=False, header_style="bold")
    for row in rows:
        table.add_row(*(escape("" if row.get(c) is None else str(row.get(c))) for c in columns))
    output.out.print(table)


@issuer_app.command("list")
def list_issuers(
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    json_output: JsonOption = False,
) -> None:
    """List the registered institutions (their profiles are public).

    Example:  credledger issuer list --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        with open_backend(Target(data=data, server=server, token=token), read_only=True) as backend:
            rows = backend.issuers()
        _table(output, rows, ["id", "name", "did"], "No institutions yet: `credledger issuer add`.")


@achievement_app.command("list")
def list_achievements(
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    json_output: JsonOption = False,
) -> None:
    """List the catalogue: every achievement that is not archived.

    Example:  credledger achievement list --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        with open_backend(Target(data=data, server=server, token=token), read_only=True) as backend:
            rows = backend.achievements(None)
        _table(output, rows, ["id", "name", "variant", "issuer_id"], "No achievements yet.")


@achievement_app.command("show")
def show_achievement(
    achievement_id: Annotated[str, typer.Argument(metavar="ACHIEVEMENT_ID")],
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    base_url: BaseUrlOption = None,
    json_output: JsonOption = False,
) -> None:
    """Show an achievement as credentials carry it (its Open Badges 3.0 Achievement).

    Example:  credledger achievement show ACHIEVEMENT_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        target = Target(data=data, server=server, token=token, base_url=base_url)
        with open_backend(target, read_only=True) as backend:
            document = backend.achievement(achievement_id)
        if output.json:
            output.result(document)
            return
        described = (document.get("resultDescription") or [{}])[0]
        output.result(
            document,
            f"[bold]{escape(str(document.get('name')))}[/] ({achievement_id})",
            f"  type:      {escape(str(document.get('achievementType')))}",
            f"  language:  {escape(str(document.get('inLanguage')))}",
            f"  result:    {escape(str(described.get('resultType')))}",
            f"  criteria:  {escape(str((document.get('criteria') or {}).get('narrative')))}",
            f"  image:     {escape(str((document.get('image') or {}).get('id')))}",
        )


@catalogue_app.command("search")
def search(
    words: Annotated[
        str, typer.Argument(help="Words every result holds (name, description, outcomes).")
    ],
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    json_output: JsonOption = False,
) -> None:
    """Search the catalogue for achievements holding every word.

    Example:  credledger catalogue search "data literacy" --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        with open_backend(Target(data=data, server=server, token=token), read_only=True) as backend:
            rows = backend.achievements(words)
        _table(output, rows, ["id", "name", "variant", "issuer_id"], "Nothing found.")


@credential_app.command("list")
def list_credentials(
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    json_output: JsonOption = False,
) -> None:
    """List the acting issuer's credentials: id, achievement, status, award date.

    Example:  credledger credential list --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        target = Target(data=data, server=server, token=token, issuer=issuer)
        with open_backend(target, read_only=True) as backend:
            rows = backend.credentials()
        columns = ["id", "achievement_id", "status", "awarded_at"]
        _table(output, rows, columns, "No credentials yet: `credledger award`.")


@credential_app.command("show")
def show_credential(
    credential_id: Annotated[str, typer.Argument(metavar="CREDENTIAL_ID")],
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    json_output: JsonOption = False,
) -> None:
    """Show one of the issuer's credentials: status, log index and status history.

    Example:  credledger credential show CREDENTIAL_ID --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        with open_backend(target, read_only=True) as backend:
            view = backend.credential(credential_id)
        lines = [
            f"[bold]credential {escape(str(view['id']))}[/]",
            f"  status:     {escape(str(view['status']))}",
            f"  log index:  {view.get('log_index')}",
            f"  issued:     {escape(str(view['credential'].get('validFrom')))}",
            "  history:",
        ]
        for change in view.get("history", []):
            reason = f" ({change['reason']})" if change.get("reason") else ""
            lines.append(
                f"    {escape(str(change['time']))}  {escape(str(change['status']))}"
                f"{escape(reason)}"
            )
        output.result(view, *lines)
