"""`credledger credential claim|withdraw-claims`, and the claims of a CSV award.

A claim offers an issued credential to the learner's wallet through a single-use,
expiring URL (docs/wallets.md). For a CSV award (``credledger award --csv … --claims
FILE``) every issued row gets a claim, each its own act with a key derived from the
row's, so running the same file again answers the same URLs and codes; the results go
to a CSV file of their own for the institution's mailing.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from .award_sheet import Sheet, SheetReport, row_key
from .backend import Backend, Body
from .browse import credential_app
from .errors import CommandError, usage_error
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

TxCodeOption = Annotated[
    bool,
    typer.Option(
        "--tx-code",
        help="Guard the claim with a transaction code (8 digits, shown once): send it to "
        "the learner another way than the URL.",
    ),
]
ExpiresInOption = Annotated[
    int | None,
    typer.Option(
        "--expires-in",
        min=60,
        help="Seconds the claim stays open (default: the ledger's, 14 days).",
    ),
]
CLAIM_COLUMNS = ("line", "credential_id", "claim_url", "offer", "tx_code", "expires_at")


def claim_body(tx_code: bool, expires_in: int | None) -> Body:
    body: Body = {"tx_code": tx_code}
    if expires_in is not None:
        body["expires_in"] = expires_in
    return body


@credential_app.command("claim")
def claim(
    credential_id: Annotated[str, typer.Argument(metavar="CREDENTIAL_ID")],
    tx_code: TxCodeOption = False,
    expires_in: ExpiresInOption = None,
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Offer a credential to the learner's wallet: a single-use claim URL (and code).

    Send the URL to the learner; they open it on their phone or scan its QR code with
    their wallet. The code, if asked for, is shown this once: send it separately.

    Example:  credledger credential claim CREDENTIAL_ID --tx-code --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        with open_backend(target) as backend:
            offered = backend.offer_claim(
                credential_id, claim_body(tx_code, expires_in), idempotency_key
            )
        lines = [
            f"Claim URL:   {escape(str(offered['url']))}",
            f"  offer:     {escape(str(offered['offer']))}",
            f"  open until {escape(str(offered['expires_at']))}",
        ]
        if offered.get("tx_code"):
            lines.append(f"  code:      {offered['tx_code']}  (shown once: send it separately)")
        output.result(offered, *lines)


@credential_app.command("withdraw-claims")
def withdraw_claims(
    credential_id: Annotated[str, typer.Argument(metavar="CREDENTIAL_ID")],
    data: DataOption = None,
    server: ServerOption = None,
    token: TokenOption = None,
    issuer: IssuerOption = None,
    base_url: BaseUrlOption = None,
    idempotency_key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Withdraw a credential's open claims (a used claim stays used).

    Example:  credledger credential withdraw-claims CREDENTIAL_ID --issuer ISSUER_ID --data ./ledger
    """
    output = Output(json=json_output)
    with reporting(output):
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        with open_backend(target) as backend:
            done = backend.withdraw_claims(credential_id, idempotency_key)
        output.result(done, f"Withdrew {done['withdrawn']} open claim(s) of {credential_id}")


# -- the claims of a CSV award -------------------------------------------------------------


@dataclass(frozen=True)
class RowClaim:
    line: int
    credential_id: str
    claim: Body | None = None
    error: CommandError | None = None

    def as_row(self) -> dict[str, Any]:
        offered = self.claim or {}
        return {
            "line": self.line,
            "credential_id": self.credential_id,
            "claim_url": offered.get("url", ""),
            "offer": offered.get("offer", ""),
            "tx_code": offered.get("tx_code", ""),
            "expires_at": offered.get("expires_at", ""),
        }


def claim_key(row_key: str, body: Body) -> str:
    """A row's claim's Idempotency-Key: its award's key and the claim's options."""
    options = ",".join(f"{k}={body[k]}" for k in sorted(body))
    return "csv-claim-" + hashlib.sha256(f"{row_key}\n{options}".encode()).hexdigest()


def claim_rows(
    backend: Backend,
    sheet: Sheet,
    report: SheetReport,
    body: Body,
    advance: Callable[[int], None] = lambda rows: None,
) -> list[RowClaim]:
    """A claim for every row the award issued (now or before), in file order."""
    rows = {row.line: row for row in sheet.rows}
    done = sorted([*report.issued, *report.already], key=lambda outcome: outcome.line)
    claims = []
    for outcome in done:
        assert outcome.credential_id is not None
        key = claim_key(row_key(report.achievement_id, rows[outcome.line]), body)
        try:
            offered = backend.offer_claim(outcome.credential_id, body, key)
        except CommandError as error:
            claims.append(RowClaim(outcome.line, outcome.credential_id, error=error))
        else:
            claims.append(RowClaim(outcome.line, outcome.credential_id, offered))
        advance(1)
    return claims


def write_claims(path: Path, claims: list[RowClaim]) -> None:
    """The claims as CSV (UTF-8, comma, a header): one row per issued row of the sheet."""
    try:
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=CLAIM_COLUMNS)
            writer.writeheader()
            for row in claims:
                writer.writerow(row.as_row())
    except OSError as exc:
        raise usage_error(
            f"the claims were offered, but {path} could not be written: {exc.strerror}",
            hint="run the same command again: it answers the same claims without new ones",
        ) from None
