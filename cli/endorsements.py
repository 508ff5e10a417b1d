"""`credledger endorse` and `credledger recognise`: what other institutions say."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .inputs import read_object
from .options import (
    BaseUrlOption,
    DataOption,
    IssuerOption,
    JsonOption,
    KeyOption,
    ServerOption,
    TokenOption,
)
from .output import Output, reporting
from .target import Target, open_backend


def endorse(
    subject: Annotated[str, typer.Argument(help="Id of an achievement, issuer or credential.")],
    comment: Annotated[str, typer.Option("--comment", help="What the endorser says.")],
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Endorse an achievement, an issuer or a credential (an OB 3.0 EndorsementCredential).

    Example:

      credledger endorse ACHIEVEMENT_ID --comment 'Solid course.' --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        with open_backend(target) as backend:
            created = backend.endorse({"subject": subject, "comment": comment}, idempotency_key)
        output.result(created, f"Endorsement {created['id']} recorded")


def recognise(
    file: Annotated[Path, typer.Argument(help="The signed credential presented (JSON).")],
    decision: Annotated[str, typer.Option("--decision", help="recognised or rejected.")],
    ects: Annotated[float | None, typer.Option(help="ECTS credits granted.")] = None,
    exemption: Annotated[str | None, typer.Option(help="What it exempts from.")] = None,
    note: Annotated[str | None, typer.Option(help="A note for the record.")] = None,
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record a decision on a credential from elsewhere; it must verify first.

    Example:

      credledger recognise vc.json --decision recognised --ects 4 --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        body: dict[str, Any] = {"credential": read_object(file, "a credential")}
        body["decision"] = decision
        optional = {"ects": ects, "exemption": exemption, "note": note}
        body.update({k: v for k, v in optional.items() if v is not None})
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        with open_backend(target) as backend:
            created = backend.recognise(body, idempotency_key)
        output.result(created, f"Recognition {created['id']} recorded: {decision}")
