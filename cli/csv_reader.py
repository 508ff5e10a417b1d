"""CSV as RFC 4180 defines it and as spreadsheets write it, with every fault located.

Comma, semicolon (Excel in Dutch and most European locales) or tab between cells, chosen
by the header; an optional UTF-8 byte order mark; CRLF or LF line ends; quoted cells
holding the delimiter, line breaks and doubled quotes (the cell He said ""great"" work). A quote
anywhere else is a fault, never guessed around: ``"unterminated@example.nl,Completed`` was
once read as one address. Faults are reported by line and character column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class CsvFault:
    """Where the text stops being CSV: 1-based line and character column."""

    line: int
    column: int
    message: str


@dataclass
class CsvRecord:
    """One record: the line it starts on and its cells (unquoted); ``fault`` if malformed."""

    line: int
    cells: list[str] = field(default_factory=list)
    fault: CsvFault | None = None

    @property
    def blank(self) -> bool:
        return self.fault is None and not any(cell.strip() for cell in self.cells)


class UnterminatedQuoteError(Exception):
    """A quote is never closed: the rest of the file is inside one cell, so no later row
    can be told apart; nothing in the file is trustworthy."""

    def __init__(self, fault: CsvFault) -> None:
        self.fault = fault
        super().__init__(f"line {fault.line}, column {fault.column}: {fault.message}")


def read_records(text: str, delimiter: str) -> list[CsvRecord]:
    """Every record of ``text`` (BOM already removed), blank lines included."""
    records: list[CsvRecord] = []
    i, line, column, n = 0, 1, 1, len(text)
    record = CsvRecord(line)
    cell: list[str] = []

    def end_of_line(at: int) -> int:
        """Index just past the line break at or after ``at`` (or the end)."""
        while at < n and text[at] not in "\r\n":
            at += 1
        return at

    while True:
        if i < n and text[i] == '"':  # a quoted cell
            opened = CsvFault(line, column, "this quote is never closed")
            i, column = i + 1, column + 1
            while True:
                if i >= n:
                    raise UnterminatedQuoteError(opened)
                ch = text[i]
                if ch == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        cell.append('"')
                        i, column = i + 2, column + 2
                        continue
                    i, column = i + 1, column + 1
                    break
                if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
                    cell.append("\r\n")
                    i, line, column = i + 2, line + 1, 1
                elif ch in "\r\n":
                    cell.append(ch)
                    i, line, column = i + 1, line + 1, 1
                else:
                    cell.append(ch)
                    i, column = i + 1, column + 1
            if i < n and text[i] not in (delimiter, "\r", "\n"):
                record.fault = CsvFault(
                    line, column, "text after a closing quote: quote the whole cell"
                )
                stop = end_of_line(i)
                column += stop - i
                i = stop
        else:  # an unquoted cell runs to the delimiter or the line's end
            while i < n and text[i] not in (delimiter, "\r", "\n"):
                if text[i] == '"' and record.fault is None:
                    record.fault = CsvFault(
                        line,
                        column,
                        'a quote inside a cell: quote the whole cell and double the quote ("")',
                    )
                cell.append(text[i])
                i, column = i + 1, column + 1
        record.cells.append("".join(cell))
        cell = []
        if i < n and text[i] == delimiter:
            i, column = i + 1, column + 1
            continue
        # the record ends: at a line break or at the end of the text
        if i < n:
            i += 2 if text[i] == "\r" and i + 1 < n and text[i + 1] == "\n" else 1
            line, column = line + 1, 1
        records.append(record)
        if i >= n:
            return records
        record = CsvRecord(line)


def choose_delimiter(header_line: str, known: tuple[str, ...]) -> str:
    """The delimiter that splits the header into known column names (comma by default)."""
    best, best_count = ",", 0
    for delimiter in DELIMITERS:
        names = [name.strip().strip('"').strip().lower() for name in header_line.split(delimiter)]
        count = sum(1 for name in names if name in known)
        if count > best_count:
            best, best_count = delimiter, count
    return best
