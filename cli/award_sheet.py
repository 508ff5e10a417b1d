"""Awarding one achievement to every row of a CSV file, resumably.

Each row carries its own Idempotency-Key, derived from the achievement, the row's line
number and its content, so running the same file again (after a crash, or after fixing
the refused rows) issues nothing twice: rows issued before meet their earlier result.
Every row is checked before anything is issued (row_checks.py: well-formed, a valid
recipient, a result the achievement allows, dates in range); a refused row is reported
with its line and column and nothing is issued for it, the others are still issued.
Any other failure (a wrong token, an unknown achievement, a lost connection) stops the
run, since every later row would fail the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .backend import Backend, Body
from .csv_reader import CsvFault, UnterminatedQuoteError, choose_delimiter, read_records
from .errors import USAGE, CommandError, FieldProblem, usage_error
from .inputs import RECIPIENT_KINDS, award_body
from .row_checks import result_spec, row_problems

OPTIONAL_COLUMNS = ("result", "evidence", "evidence_url", "valid_until")
COLUMNS = (*RECIPIENT_KINDS, *OPTIONAL_COLUMNS)


@dataclass(frozen=True)
class Row:
    """One data row: the file line it starts on, and its non-empty cells by column."""

    line: int
    cells: dict[str, str]
    extra_cells: int = 0
    fault: CsvFault | None = None


@dataclass(frozen=True)
class Sheet:
    path: Path
    recipient_kind: str
    rows: list[Row]


def _header(path: Path, names: list[str]) -> tuple[list[str], str]:
    columns = [name.strip().lower() for name in names]
    unknown = [name for name in columns if name not in COLUMNS]
    if unknown:
        raise usage_error(
            f"{path}: unknown column(s) {', '.join(map(repr, unknown))} in the header",
            hint=f"the header names one of {', '.join(RECIPIENT_KINDS)} "
            f"and optionally {', '.join(OPTIONAL_COLUMNS)}",
        )
    doubled = sorted({name for name in columns if columns.count(name) > 1})
    if doubled:
        raise usage_error(f"{path}: column(s) {', '.join(doubled)} appear more than once")
    kinds = [name for name in columns if name in RECIPIENT_KINDS]
    if len(kinds) != 1:
        raise usage_error(
            f"{path}: the header must name exactly one recipient column "
            f"({', '.join(RECIPIENT_KINDS)}), not {len(kinds)}"
        )
    return columns, kinds[0]


def read_sheet(path: Path) -> Sheet:
    """Parse the file (csv_reader.py); raises a usage CommandError for a file that cannot
    be used at all (unreadable, no header, a quote never closed)."""
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except OSError as exc:
        raise usage_error(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise usage_error(
            f"{path} is not UTF-8 text",
            hint="save the sheet as 'CSV UTF-8' (Excel) or with character set UTF-8 (LibreOffice)",
        ) from None
    if not text.strip():
        raise usage_error(
            f"{path} is empty: its first line must be a header such as 'email,result'"
        )
    header_line = text.split("\n", 1)[0]
    try:
        records = read_records(text, choose_delimiter(header_line, COLUMNS))
    except UnterminatedQuoteError as exc:
        raise usage_error(
            f"{path} is not valid CSV: {exc}; nothing was issued",
            hint="close the quote (or remove the stray one) and run the command again",
        ) from None
    header = records[0]
    if header.fault is not None or not any(name.strip() for name in header.cells):
        raise usage_error(
            f"{path} has no header: its first line must name the columns, such as 'email,result'"
        )
    columns, kind = _header(path, header.cells)
    rows = []
    for record in records[1:]:
        if record.blank:
            continue
        cells = {
            name: value.strip()
            for name, value in zip(columns, record.cells, strict=False)
            if value.strip()
        }
        extra = sum(1 for value in record.cells[len(columns) :] if value.strip())
        rows.append(Row(record.line, cells, extra, record.fault))
    if not rows:
        raise usage_error(f"{path} has no rows below its header")
    return Sheet(path, kind, rows)


def row_key(achievement_id: str, row: Row) -> str:
    """The row's Idempotency-Key: the same achievement, line and content give the same key."""
    content = json.dumps([achievement_id, row.line, sorted(row.cells.items())], ensure_ascii=False)
    return "csv-award-" + hashlib.sha256(content.encode()).hexdigest()


def row_body(achievement_id: str, kind: str, row: Row) -> Body:
    cells = row.cells
    return award_body(
        achievement_id,
        kind,
        cells.get(kind, ""),
        result=cells.get("result"),
        evidence=cells.get("evidence"),
        evidence_url=cells.get("evidence_url"),
        valid_until=cells.get("valid_until"),
    )


def column_of(loc: str) -> str:
    """The CSV column a field of the request body came from (``recipient.email`` -> email)."""
    parts = loc.split(".")
    if parts[0] == "recipient":
        return parts[-1] if len(parts) > 1 and parts[-1] in RECIPIENT_KINDS else "recipient"
    if parts[0] == "evidence":
        return "evidence_url" if parts[-1] == "url" else "evidence"
    return parts[0]


@dataclass(frozen=True)
class RowOutcome:
    line: int
    credential_id: str | None = None
    error: CommandError | None = None

    def as_dict(self) -> dict[str, Any]:
        if self.error is None:
            return {"line": self.line, "id": self.credential_id}
        return {"line": self.line, **self.error.as_dict()}


@dataclass
class SheetReport:
    """What became of every row; ``stopped`` is the row at which the run gave up, if any."""

    achievement_id: str
    path: Path
    rows: int
    issued: list[RowOutcome] = field(default_factory=list)
    already: list[RowOutcome] = field(default_factory=list)
    """Rows issued by an earlier run of the same file (nothing issued twice)."""
    refused: list[RowOutcome] = field(default_factory=list)
    stopped: RowOutcome | None = None

    @property
    def exit_code(self) -> int:
        """0 every row issued (now or before), 1 some rows refused (nothing issued for
        them), 2 the run stopped before the end."""
        if self.stopped is not None:
            return USAGE
        return 1 if self.refused else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "achievement_id": self.achievement_id,
            "file": str(self.path),
            "rows": self.rows,
            "issued": [outcome.as_dict() for outcome in self.issued],
            "already_issued": [outcome.as_dict() for outcome in self.already],
            "refused": [outcome.as_dict() for outcome in self.refused],
            "stopped": self.stopped.as_dict() if self.stopped else None,
        }


_TOO_MANY_CELLS = CommandError(
    "the row has more cells than the header has columns",
    status=422,
    hint="quote cells that contain the delimiter",
)


def _in_columns(error: CommandError) -> CommandError:
    problems = [FieldProblem(column_of(p.loc), p.msg) for p in error.errors]
    detail = "; ".join(f"{p.loc}: {p.msg}" for p in problems) or error.detail
    return CommandError(detail, problems, hint=error.hint, status=error.status)


def check_rows(sheet: Sheet, achievement: dict[str, Any]) -> list[RowOutcome]:
    """The rows refused before anything is issued, each with its faults by column."""
    spec = result_spec(achievement)
    now = datetime.now(UTC)
    refused = []
    for row in sheet.rows:
        if row.fault is not None:
            error = CommandError(
                f"column {row.fault.column}: {row.fault.message}",
                status=422,
                hint="quote cells that contain the delimiter, a quote or a line break",
            )
        elif row.extra_cells:
            error = _TOO_MANY_CELLS
        else:
            problems = row_problems(row.cells, sheet.recipient_kind, spec, now)
            if not problems:
                continue
            detail = "; ".join(f"{p.loc}: {p.msg}" for p in problems)
            error = CommandError(detail, problems, status=422)
        refused.append(RowOutcome(row.line, error=error))
    return refused


def award_sheet(
    backend: Backend,
    achievement_id: str,
    sheet: Sheet,
    advance: Callable[[int], None] = lambda rows: None,
) -> SheetReport:
    """Check every row first (check_rows), then issue a credential per good row, in file
    order, ``backend.batch_size`` rows per call; ``advance`` gets the rows done so far."""
    report = SheetReport(achievement_id, sheet.path, len(sheet.rows))
    try:
        achievement = backend.achievement(achievement_id)
    except CommandError as error:
        report.stopped = RowOutcome(sheet.rows[0].line, error=error)
        return report
    report.refused = check_rows(sheet, achievement)
    refused_lines = {outcome.line for outcome in report.refused}
    good = [row for row in sheet.rows if row.line not in refused_lines]
    if refused_lines:
        advance(len(refused_lines))
    size = max(1, backend.batch_size)
    for start in range(0, len(good), size):
        chunk = good[start : start + size]
        try:
            outcomes = backend.issue_credentials(
                [
                    (
                        row_body(achievement_id, sheet.recipient_kind, row),
                        row_key(achievement_id, row),
                    )
                    for row in chunk
                ]
            )
        except CommandError as error:  # the whole call refused: a wrong token, no server
            report.stopped = RowOutcome(chunk[0].line, error=error)
            break
        for row, outcome in zip(chunk, outcomes, strict=False):
            if not isinstance(outcome, CommandError):
                done = RowOutcome(row.line, credential_id=str(outcome["id"]))
                (report.already if outcome.get("replayed") else report.issued).append(done)
            elif outcome.row_specific:
                report.refused.append(RowOutcome(row.line, error=_in_columns(outcome)))
            elif report.stopped is None:
                report.stopped = RowOutcome(row.line, error=outcome)
        advance(len(chunk))
        if report.stopped is not None or len(outcomes) < len(chunk):
            break
    report.refused.sort(key=lambda outcome: outcome.line)
    return report
