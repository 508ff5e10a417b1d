"""`credledger credential share|unshare`: share links a learner asked their institution for."""

from __future__ import annotations

from typing import Annotated

import typer

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

CredentialArgument = Annotated[str, typer.Argument(metavar="CREDENTIAL_ID")]


def share(
    credential_id: CredentialArgument,
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Make a link to the credential for its learner to give to whom they choose: whoever
    holds it sees the credential verified (with a QR code and downloads).

    Example:  credledger credential share CREDENTIAL_ID --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        with open_backend(target) as backend:
            made = backend.share(credential_id, idempotency_key)
        output.result(made, str(made["url"]))


def unshare(
    credential_id: CredentialArgument,
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """End every share link of the credential made so far (new links work again).

    Example:  credledger credential unshare CREDENTIAL_ID --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        with open_backend(target) as backend:
            backend.unshare(credential_id, idempotency_key)
        output.result({"ended": True}, f"Every share link of {credential_id} now opens nothing")
