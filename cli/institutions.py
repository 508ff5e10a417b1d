"""`credledger issuer add` and `credledger achievement define`: who issues, and what."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.markup import escape

from .definition_templates import TEMPLATES
from .errors import CommandError, usage_error
from .inputs import inline_image, read_object
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


class DidMethod(StrEnum):
    web = "web"
    key = "key"


issuer_app = typer.Typer(no_args_is_help=True, help="Institutions that issue credentials.")
achievement_app = typer.Typer(
    no_args_is_help=True, help="Achievement definitions (what a credential certifies)."
)


@issuer_app.command("add")
def add_issuer(
    name: Annotated[str, typer.Argument(help="The institution's name.")],
    url: Annotated[str | None, typer.Option(help="Its website.")] = None,
    email: Annotated[str | None, typer.Option(help="Its contact address.")] = None,
    did_method: Annotated[
        DidMethod,
        typer.Option(
            help="web: a did:web under the ledger that keeps its keys' history (rotations keep "
            "it); key: the did:key of its one key (never rotates)"
        ),
    ] = DidMethod.web,
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Register an institution: it gets a DID (did:web by default) and a bearer token.

    Needs the administrator: local mode acts as one; remote mode needs the admin token.
    The issuer's token is printed once.

    Example:  credledger issuer add "Hogeschool Leeuwarden" --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        body = {"name": name, "url": url, "email": email, "did_method": did_method.value}
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


def _acting_issuer(target: Target) -> str:
    """The issuer a key command is about: --issuer, else the one the token belongs to."""
    if target.issuer:
        return target.issuer
    if target.token and "." in target.token:
        return target.token.split(".", 1)[0]
    raise usage_error("name the issuer: --issuer ID (or use that issuer's --token)")


ReasonOption = Annotated[str, typer.Option(help="Why (recorded in the log's event).")]


@issuer_app.command("rotate-key")
def rotate_key(
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Sign with a new key from now on; the issuer's did:web and its credentials stay valid.

    Example:  credledger issuer rotate-key --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        with open_backend(target) as backend:
            rotated = backend.rotate_key(_acting_issuer(target), idempotency_key)
        output.result(rotated, f"Now signing with {rotated['key_id']} as {rotated['did']}")


@issuer_app.command("key-compromised")
def key_compromised(
    key_id: Annotated[str, typer.Argument(help="The key (its multibase id, z6Mk...).")],
    reason: ReasonOption,
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Report a signing key compromised: nothing it signed verifies any more.

    If it is the key in force, a new one replaces it. Then re-issue what it signed with
    `credledger issuer reissue KEY_ID`.

    Example:

      credledger issuer key-compromised z6Mk... --reason "stolen" --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        with open_backend(target) as backend:
            done = backend.report_key_compromised(
                _acting_issuer(target), key_id, reason, idempotency_key
            )
        output.result(
            done,
            f"Key {key_id} is reported compromised; signing with {done['active_key_id']}",
            f"  {done['affected']} unrevoked credentials it signed no longer verify:",
            f"  re-issue them with `credledger issuer reissue {key_id}`",
        )


@issuer_app.command("reissue")
def reissue(
    key_id: Annotated[str, typer.Argument(help="The retired or compromised key.")],
    reason: ReasonOption,
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    json_output: JsonOption = False,
) -> None:
    """Re-sign, under the key in force, every unrevoked credential KEY_ID signed.

    Same ids, status indices and award dates; every re-issue is recorded in the log.
    Running it again re-signs only what is left.

    Example:

      credledger issuer reissue z6Mk... --reason "compromised" --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        with open_backend(target) as backend:
            done = backend.reissue_signed_by(_acting_issuer(target), key_id, reason)
        lines = [f"  skipped {k}: {v}" for k, v in done["skipped"].items()]
        output.result(
            done, f"Re-issued {len(done['reissued'])} credentials signed by {key_id}", *lines
        )


@achievement_app.command("define")
def define_achievement(
    file: Annotated[
        Path, typer.Argument(help="The definition: a YAML or JSON object (docs/definitions.md).")
    ],
    revise: Annotated[
        str | None,
        typer.Option(
            "--revise",
            metavar="ACHIEVEMENT_ID",
            help="Record the file as a new revision of this achievement (credentials "
            "issued before keep what they were issued with).",
        ),
    ] = None,
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Define an achievement (regular, microcredential or extracurricular) of an issuer.

    Every missing or invalid field is named at once. Defining the same thing again
    finds the existing achievement; a changed definition under a name already in use
    is refused unless it is asked for as a revision with --revise.

    Examples:

      credledger achievement template microcredential > course.yaml

      credledger achievement define course.yaml --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        definition = inline_image(read_object(file, "an achievement definition"), file.parent)
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        name = escape(str(definition.get("name", "")))
        with open_backend(target) as backend:
            if revise is not None:
                revised = backend.revise_achievement(revise, definition, idempotency_key)
                output.result(revised, f"Revised achievement {revised['id']}: {name}")
                return
            try:
                created = backend.define_achievement(definition, idempotency_key)
            except CommandError as error:
                if error.status == 409 and error.hint is None:
                    error.hint = (
                        "if this is a new version of that achievement, run the command "
                        "again with --revise ACHIEVEMENT_ID (the id named above)"
                    )
                raise
        if created.get("created", True):
            output.result(created, f"Defined achievement {created['id']}: {name}")
        else:
            output.result(
                created,
                f"Already defined: achievement {created['id']}: {name} (nothing recorded)",
            )


class Variant(StrEnum):
    regular = "regular"
    microcredential = "microcredential"
    extracurricular = "extracurricular"


@achievement_app.command("template")
def template(
    variant: Annotated[Variant, typer.Argument(help="Which edubadges variant.")],
    json_output: JsonOption = False,
) -> None:
    """Print a complete, commented example definition of a variant, ready to edit.

    Every field is explained in docs/definitions.md.

    Example:  credledger achievement template microcredential > course.yaml
    """
    text = TEMPLATES[variant.value]
    if json_output:
        typer.echo(json.dumps(yaml.safe_load(text), indent=2, ensure_ascii=False))
    else:
        typer.echo(text, nl=False)
