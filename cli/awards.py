"""`credledger award`: issue credentials, to one recipient or to every row of a CSV file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .award_sheet import Sheet, SheetReport, award_sheet, read_sheet
from .backend import Backend
from .claims import RowClaim, claim_body, claim_rows, write_claims
from .errors import usage_error
from .inputs import award_body
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

RECIPIENT = "Recipient (exactly one, or --csv)"
DETAILS = "Details (one recipient; in a CSV these are columns)"
CLAIMS = "Claims (with --csv: offer every issued row to the learner's wallet)"


def award(
    achievement: Annotated[str, typer.Option("--achievement", help="Id of the achievement.")],
    email: Annotated[
        str | None, typer.Option(help="Recipient's email address.", rich_help_panel=RECIPIENT)
    ] = None,
    eduid: Annotated[
        str | None, typer.Option(help="Recipient's eduID.", rich_help_panel=RECIPIENT)
    ] = None,
    did: Annotated[
        str | None, typer.Option(help="Recipient's DID.", rich_help_panel=RECIPIENT)
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="Award to every row of this CSV file: a header with one of email, eduid, "
            "did, and optionally result, evidence, evidence_url, valid_until.",
            rich_help_panel=RECIPIENT,
        ),
    ] = None,
    result: Annotated[
        str | None, typer.Option(help="The result (e.g. a grade).", rich_help_panel=DETAILS)
    ] = None,
    evidence: Annotated[
        str | None, typer.Option(help="Evidence narrative.", rich_help_panel=DETAILS)
    ] = None,
    evidence_url: Annotated[
        str | None, typer.Option(help="URL of the evidence.", rich_help_panel=DETAILS)
    ] = None,
    valid_until: Annotated[
        str | None,
        typer.Option(
            help="Expiry: a date or RFC 3339 date-time (UTC unless a zone is given).",
            rich_help_panel=DETAILS,
        ),
    ] = None,
    output_file: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the signed credential to this file."),
    ] = None,
    claims_file: Annotated[
        Path | None,
        typer.Option(
            "--claims",
            help="Offer a claim for every issued row and write the claim URLs (and codes) "
            "to this CSV file: line, credential_id, claim_url, offer, tx_code, expires_at.",
            rich_help_panel=CLAIMS,
        ),
    ] = None,
    tx_code: Annotated[
        bool,
        typer.Option(
            "--tx-code",
            help="Guard each claim with its own transaction code (in the claims file).",
            rich_help_panel=CLAIMS,
        ),
    ] = False,
    claim_expires_in: Annotated[
        int | None,
        typer.Option(
            "--claim-expires-in",
            min=60,
            help="Seconds each claim stays open (default: the ledger's, 14 days).",
            rich_help_panel=CLAIMS,
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
    """Award an achievement: one signed credential per recipient.

    With --csv every row is checked before anything is issued (RFC 4180 CSV as Excel
    and LibreOffice save it, comma or semicolon; a valid recipient; a result the
    achievement allows; dates in range). A refused row is reported with its line and
    column and nothing is issued for it; the others are issued. Exit 0 when every row
    is issued (now or by an earlier run), 1 when some were refused, 2 when the run
    stopped (a file that is not CSV, a wrong token, an unknown achievement, no
    connection). Running the same file again issues nothing twice: it reports
    "0 issued, N already issued", and resumes a stopped run.

    Examples:

      credledger award --achievement ID --email a@example.nl --issuer ISSUER_ID --data ./ledger

      credledger award --achievement ID --csv cohort.csv --server URL --token T

      credledger award --achievement ID --csv cohort.csv --claims out.csv --server URL --token T
    """
    output = Output(json=json_output)
    with reporting(output):
        recipients = {"email": email, "eduid": eduid, "did": did}
        given = {kind: value for kind, value in recipients.items() if value is not None}
        if len(given) + (csv_file is not None) != 1:
            raise usage_error(
                "name one recipient: --email, --eduid or --did, or --csv FILE for many"
            )
        target = Target(data=data, server=server, token=token, issuer=issuer, base_url=base_url)
        if csv_file is None and (claims_file or tx_code or claim_expires_in is not None):
            raise usage_error(
                "--claims, --tx-code and --claim-expires-in go with --csv",
                hint="for one credential: `credledger credential claim CREDENTIAL_ID`",
            )
        if csv_file is None:
            ((kind, recipient),) = given.items()
            body = award_body(
                achievement,
                kind,
                recipient,
                result=result,
                evidence=evidence,
                evidence_url=evidence_url,
                valid_until=valid_until,
            )
            with open_backend(target) as backend:
                issued = backend.issue_credential(body, idempotency_key)
            _issued_one(output, issued, output_file)
            return
        extras = {
            "--result": result,
            "--evidence": evidence,
            "--evidence-url": evidence_url,
            "--valid-until": valid_until,
            "--output": output_file,
            "--idempotency-key": idempotency_key,
        }
        clash = [name for name, value in extras.items() if value is not None]
        if clash:
            raise usage_error(
                f"{', '.join(clash)} cannot be used with --csv",
                hint="give per-row values as CSV columns; each row has its own idempotency key",
            )
        if claims_file is None and (tx_code or claim_expires_in is not None):
            raise usage_error("--tx-code and --claim-expires-in go with --claims FILE")
        sheet = read_sheet(csv_file)
        claims: list[RowClaim] | None = None
        with open_backend(target) as backend:
            report = _award_with_progress(output, backend, achievement, sheet)
            if claims_file is not None and report.stopped is None:
                claims = claim_rows(backend, sheet, report, claim_body(tx_code, claim_expires_in))
        if claims is not None and claims_file is not None:
            write_claims(claims_file, claims)
        _summary(output, report, claims, claims_file)
        refused_claims = claims is not None and any(c.error for c in claims)
        raise typer.Exit(report.exit_code or int(refused_claims))


def _issued_one(output: Output, issued: dict[str, object], path: Path | None) -> None:
    lines = [f"Issued credential {issued['id']}"]
    if path is not None:
        try:
            path.write_text(json.dumps(issued["credential"], indent=2, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise usage_error(
                f"the credential was issued, but {path} could not be written: {exc.strerror}",
                hint="rerun with the same --idempotency-key to get it again without re-issuing",
            ) from None
        lines.append(f"  written to {escape(str(path))}")
    output.result(issued, *lines)


def _award_with_progress(
    output: Output, backend: Backend, achievement: str, sheet: Sheet
) -> SheetReport:
    columns = (
        TextColumn("awarding"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=output.err, disable=not output.err.is_terminal) as progress:
        task = progress.add_task("award", total=len(sheet.rows))
        return award_sheet(backend, achievement, sheet, lambda rows: progress.advance(task, rows))


def _summary(
    output: Output,
    report: SheetReport,
    claims: list[RowClaim] | None = None,
    claims_file: Path | None = None,
) -> None:
    counts = f"{len(report.issued)} issued, {len(report.already)} already issued"
    if report.refused:
        counts += f", {len(report.refused)} refused"
    lines = [f"{counts} ({report.rows} rows in {escape(str(report.path))})."]
    if report.refused:
        lines.append(f"Refused {len(report.refused)} row(s):")
        for outcome in report.refused:
            assert outcome.error is not None
            lines.append(f"  line {outcome.line}: {escape(outcome.error.detail)}")
        lines.append(
            "Fix them and run the same command again: rows already issued are not issued twice."
        )
    if report.stopped is not None and report.stopped.error is not None:
        error = report.stopped.error
        lines.append(f"Stopped at line {report.stopped.line}: {escape(error.detail)}")
        if error.hint:
            lines.append(f"hint: {escape(error.hint)}")
        lines.append("Run the same command again to resume; nothing is issued twice.")
    result = report.as_dict()
    if claims is not None:
        offered = [c for c in claims if c.error is None]
        lines.append(f"{len(offered)} claim(s) written to {escape(str(claims_file))}.")
        for failed in (c for c in claims if c.error is not None):
            assert failed.error is not None
            lines.append(f"  no claim for line {failed.line}: {escape(failed.error.detail)}")
        result["claims"] = [
            c.as_row() if c.error is None else {"line": c.line, **c.error.as_dict()} for c in claims
        ]
        result["claims_file"] = str(claims_file)
    output.result(result, *lines)
