"""`credledger issuer add` and `credledger achievement define`: who issues, and what."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

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

issuer_app = typer.Typer(no_args_is_help=True, help="Institutions that issue credentials.")
achievement_app = typer.Typer(
    no_args_is_help=True, help="Achievement definitions (what a credential certifies)."
)


@issuer_app.command("add")
def add_issuer(
    name: Annotated[str, typer.Argument(help="The institution's name.")],
    url: Annotated[str | None, typer.Option(help="Its website.")] = None,
    email: Annotated[str | None, typer.Option(help="Its contact address.")] = None,
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Register an institution: it gets a did:key signing identity and a bearer token.

    Needs the administrator: local mode acts as one; remote mode needs the admin token.
    The issuer's token is printed once.

    Example:  credledger issuer add "Hogeschool Leeuwarden" --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        body = {"name": name, "url": url, "email": email}
        body = {k: v for k, v in body.items() if v is not None}
        target = Target(data=data, server=server, token=token, base_url=base_url)
        with open_backend(target) as backend:
            created = backend.register_issuer(body, idempotency_key)
        output.result(
            created,
            f"Registered {escape(name)}",
            f"  id:    {created['id']}",
            f"  did:   {created['did']}",
            f"  token: {created['token']}",
            "The token is shown once; only its hash is kept.",
        )


@achievement_app.command("define")
def define_achievement(
    file: Annotated[
        Path, typer.Argument(help="The definition: a YAML or JSON object (docs/definitions.md).")
    ],
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Define an achievement (regular, microcredential or extracurricular) of an issuer.

    A missing or invalid field is named, with what is wrong with it.

    Example:  credledger achievement define course.yaml --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        definition = read_object(file, "an achievement definition")
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        with open_backend(target) as backend:
            created = backend.define_achievement(definition, idempotency_key)
        output.result(
            created,
            f"Defined achievement {created['id']}: {escape(str(definition.get('name', '')))}",
        )
