"""`credledger revoke|suspend|reinstate`: change a credential's status (its issuer only)."""

from __future__ import annotations

from collections.abc import Callable
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

CHANGES = {
    "revoke": "Revoke a credential: final, the status list shows it revoked.",
    "suspend": "Suspend a credential until it is reinstated.",
    "reinstate": "Reinstate a suspended credential.",
}


def status_command(change: str) -> Callable[..., None]:
    """The command for one status change (they differ only in the change they ask for)."""

    def command(
        credential_id: Annotated[str, typer.Argument(help="Id of the credential.")],
        reason: Annotated[
            str, typer.Option("--reason", help="Why; recorded in the status history.")
        ],
        publish_reason: Annotated[
            bool,
            typer.Option(
                "--publish-reason",
                help="Show the reason to whoever checks the credential (otherwise only "
                "the issuer sees it).",
            ),
        ] = False,
        data: DataOption = None,
        server: ServerOption = None,
        token: TokenOption = None,
        issuer: IssuerOption = None,
        base_url: BaseUrlOption = None,
        idempotency_key: KeyOption = None,
        json_output: JsonOption = False,
    ) -> None:
        output = Output(json=json_output)
        with reporting(output):
            target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
            with open_backend(target) as backend:
                changed = backend.change_status(
                    credential_id, change, reason, idempotency_key, publish_reason
                )
            output.result(changed, f"Credential {credential_id} is now {changed['status']}")

    command.__name__ = change
    command.__doc__ = (
        f"{CHANGES[change]}\n\n"
        f"Example:  credledger {change} CREDENTIAL_ID --reason 'entered in error' "
        "--issuer ISSUER_ID --data ./ledger"
    )
    return command
