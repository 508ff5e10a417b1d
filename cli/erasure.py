"""`credledger erase`: erase a learner's personal data (their institution acts for them)."""

from __future__ import annotations

from typing import Annotated

import typer

from .errors import usage_error
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


def erase(
    email: Annotated[str | None, typer.Option(help="The learner's e-mail address.")] = None,
    eduid: Annotated[str | None, typer.Option(help="The learner's eduID.")] = None,
    did: Annotated[str | None, typer.Option(help="The learner's DID.")] = None,
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Erase a learner's personal data held for this institution, at the learner's request.

    Their credentials (and the copies other institutions were shown for a recognition)
    can no longer be read by anyone: they answer 410. The log, the status lists and
    every other learner stay exactly as they were; the erasure is recorded without
    personal data. See docs/erasure.md for what remains.

    Example:  credledger erase --email learner@example.nl --server URL --token T
    """
    given = {k: v for k, v in (("email", email), ("eduid", eduid), ("did", did)) if v}
    output = Output(json=json_output)
    with reporting(output):
        if len(given) != 1:
            raise usage_error("name the learner with exactly one of --email, --eduid, --did")
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        with open_backend(target) as backend:
            erased = backend.erase_learner({"recipient": given}, idempotency_key)
        count = len(erased["credentials"])
        output.result(
            erased,
            f"Erased the personal data of {count} credential{'s' * (count != 1)} "
            f"and {erased['copies']} cop{'ies' if erased['copies'] != 1 else 'y'}",
            *(f"  {c}" for c in erased["credentials"]),
        )
