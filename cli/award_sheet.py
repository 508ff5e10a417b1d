"""Awarding one achievement to every row of a CSV file, resumably.

Each row carries its own Idempotency-Key, derived from the achievement, the row's line
number and its content, so running the same file again (after a crash, or after fixing
the refused rows) issues nothing twice: rows issued before meet their earlier result.
A row the ledger refuses (a 422) is reported with its line number and the others are
still issued; any other failure (a wrong token, an unknown achievement, a lost
connection) stops the run, since every later row would fail the same way.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .backend import Backend, Body
from .errors import USAGE, CommandError, FieldProblem, usage_error
from .inputs import RECIPIENT_KINDS, award_body

OPTIONAL_COLUMNS = ("result", "evidence", "evidence_url", "valid_until")
COLUMNS = (*RECIPIENT_KINDS, *OPTIONAL_COLUMNS)
_SNIFF_DELIMITERS = ",;\t"


@dataclass(frozen=True)
class Row:
    """One data row: the file line it starts on, and its non-empty cells by column."""

    line: int
    cells: dict[str, str]
    extra_cells: int = 0


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
    """Parse the file; raises a usage CommandError for a file that cannot be used at all."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise usage_error(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise usage_error(f"{path} is not UTF-8 text", hint="save the sheet as CSV UTF-8") from None
    first = text.partition("\n")[0]
    try:
        dialect: Any = csv.Sniffer().sniff(first, delimiters=_SNIFF_DELIMITERS)
    except csv.Error:  # a single column: nothing to sniff
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader, None)
        if header is None or not any(name.strip() for name in header):
            raise usage_error(
                f"{path} is empty: its first line must be a header such as 'email,result'"
            )
        columns, kind = _header(path, header)
        rows = []
        line = reader.line_num + 1
        for record in reader:
            cells = {
                name: value.strip()
                for name, value in zip(columns, record, strict=False)
                if value.strip()
            }
            extra = sum(1 for value in record[len(columns) :] if value.strip())
            if cells or extra:
                rows.append(Row(line, cells, extra))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise usage_error(f"{path} is not valid CSV: {exc}") from None
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
    refused: list[RowOutcome] = field(default_factory=list)
    stopped: RowOutcome | None = None

    @property
    def exit_code(self) -> int:
        """0 every row issued, 1 some rows refused, 2 the run stopped before the end."""
        if self.stopped is not None:
            return USAGE
        return 1 if self.refused else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "achievement_id": self.achievement_id,
            "file": str(self.path),
            "rows": self.rows,
            "issued": [outcome.as_dict() for outcome in self.issued],
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


def award_sheet(
    backend: Backend,
    achievement_id: str,
    sheet: Sheet,
    advance: Callable[[int], None] = lambda rows: None,
) -> SheetReport:
    """Issue a credential per row, in file order, ``backend.batch_size`` rows per call;
    calls ``advance`` with the number of rows done after each call."""
    report = SheetReport(achievement_id, sheet.path, len(sheet.rows))
    size = max(1, backend.batch_size)
    for start in range(0, len(sheet.rows), size):
        chunk = sheet.rows[start : start + size]
        sent = [row for row in chunk if not row.extra_cells]
        outcomes = backend.issue_credentials(
            [
                (row_body(achievement_id, sheet.recipient_kind, row), row_key(achievement_id, row))
                for row in sent
            ]
        )
        by_line = dict(zip((row.line for row in sent), outcomes, strict=False))
        for row in chunk:
            if row.extra_cells:
                report.refused.append(RowOutcome(row.line, error=_TOO_MANY_CELLS))
                continue
            if row.line not in by_line:  # the backend stopped before this row
                break
            outcome = by_line[row.line]
            if not isinstance(outcome, CommandError):
                report.issued.append(RowOutcome(row.line, credential_id=str(outcome["id"])))
            elif outcome.row_specific:
                report.refused.append(RowOutcome(row.line, error=_in_columns(outcome)))
            elif report.stopped is None:
                report.stopped = RowOutcome(row.line, error=outcome)
        advance(len(chunk))
        if report.stopped is not None or len(outcomes) < len(sent):
            break
    return report
