"""Award sheets are read as RFC 4180 and as spreadsheets write them, and every row is
checked before anything is issued for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from credledger.cli.award_sheet import award_sheet, read_sheet
from credledger.cli.errors import CommandError

from ..cli_helpers import LocalSetup, clean_environment, credentials_in, run
from ..cli_helpers import set_up_local as _set_up_local

CSV = Path(__file__).resolve().parents[1] / "data" / "csv"
SPREADSHEETS = sorted(p.name for p in CSV.glob("*.csv"))


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture
def local(tmp_path: Path) -> LocalSetup:
    return _set_up_local(tmp_path)  # its achievement's result is a grade


def award_csv(local: LocalSetup, path: Path) -> tuple[int, Any, str]:
    result = run(
        "award", "--achievement", local.achievement, "--csv", path, *local.args(), "--json"
    )
    return result.exit_code, json.loads(result.stdout), result.stderr


def sheet(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cohort.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize("name", SPREADSHEETS)
def test_a_sheet_as_a_spreadsheet_saves_it_is_read_cell_for_cell(name: str) -> None:
    rows = read_sheet(CSV / name).rows
    assert [row.line for row in rows] == [2, 3, 4]
    assert rows[0].cells["evidence"] == 'He said "great" work'
    assert rows[1].cells["email"] == "grace@example.nl"
    assert "reviewed" in rows[1].cells["evidence"]
    assert '"care"' in rows[1].cells["evidence"]
    assert rows[2].cells["evidence"] == "First line\nsecond line"
    assert all(row.fault is None and not row.extra_cells for row in rows)


@pytest.mark.parametrize("name", SPREADSHEETS)
def test_every_row_of_a_spreadsheets_file_is_issued_as_written(
    local: LocalSetup, name: str
) -> None:
    code, report, _ = award_csv(local, CSV / name)
    assert code == 0, report
    assert [row["line"] for row in report["issued"]] == [2, 3, 4]
    assert credentials_in(local.data) == 3


def test_a_stray_quote_stops_the_run_before_anything_is_issued(
    tmp_path: Path, local: LocalSetup
) -> None:
    path = sheet(tmp_path, 'email,result\nada@example.nl,8\n"unterminated@example.nl,7\n')
    result = run("award", "--achievement", local.achievement, "--csv", path, *local.args())
    assert result.exit_code == 2
    assert "line 3, column 1" in result.stderr
    assert credentials_in(local.data) == 0


def test_a_quote_inside_a_cell_refuses_that_row_by_line_and_column(
    tmp_path: Path, local: LocalSetup
) -> None:
    text = 'email,result\nada@example.nl,8\nbob@exa"mple.nl,7\ngrace@example.nl,9\n'
    code, report, _ = award_csv(local, sheet(tmp_path, text))
    assert code == 1
    (refused,) = report["refused"]
    assert refused["line"] == 3
    assert "column 8" in refused["detail"]
    assert [row["line"] for row in report["issued"]] == [2, 4]


def test_text_after_a_closing_quote_refuses_that_row(tmp_path: Path, local: LocalSetup) -> None:
    text = 'email,result\n"ada@example.nl"x,8\n'
    code, report, _ = award_csv(local, sheet(tmp_path, text))
    assert code == 1
    assert "closing quote" in report["refused"][0]["detail"]
    assert credentials_in(local.data) == 0


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("email,result\nada@example.nl,8.55\n", "result"),
        ("email,result\nada@example.nl,Completed\n", "result"),
        ("email\nunterminated@example.nl;completed\n", "email"),
        ("eduid\nurn:eduid:a b\n", "eduid"),
        ("did\nnot-a-did\n", "did"),
        ("email,valid_until\nada@example.nl,2031-02-30\n", "valid_until"),
        ("email,evidence_url\nada@example.nl,javascript:alert(1)\n", "evidence_url"),
    ],
)
def test_a_row_that_breaks_a_rule_is_refused_naming_its_column(
    tmp_path: Path, local: LocalSetup, text: str, column: str
) -> None:
    code, report, _ = award_csv(local, sheet(tmp_path, text))
    assert code == 1
    (refused,) = report["refused"]
    assert [error["loc"] for error in refused["errors"]] == [column]
    assert credentials_in(local.data) == 0


class Recording:
    """A backend that records what is sent; its achievement's result is a status."""

    batch_size = 10

    def __init__(self) -> None:
        self.sent: list[str] = []

    def achievement(self, achievement_id: str) -> dict[str, Any]:
        return {"resultDescription": [{"resultType": "Status", "allowedValue": ["Completed"]}]}

    def issue_credentials(self, requests: list[tuple[dict[str, Any], str]]) -> list[Any]:
        self.sent += [body["recipient"]["email"] for body, _ in requests]
        return [{"id": body["recipient"]["email"]} for body, _ in requests]


def test_a_refused_row_never_reaches_the_ledger(tmp_path: Path) -> None:
    backend: Any = Recording()
    text = "email,result\na@example.nl,Completed\nb@example.nl,8.5\nc@example.nl,\n"
    report = award_sheet(backend, "A", read_sheet(sheet(tmp_path, text)))
    assert backend.sent == ["a@example.nl", "c@example.nl"]
    assert [row.line for row in report.refused] == [3]


def test_an_unknown_achievement_stops_before_any_row_is_sent(tmp_path: Path) -> None:
    class Unknown(Recording):
        def achievement(self, achievement_id: str) -> dict[str, Any]:
            raise CommandError("no achievement A", status=404)

    backend: Any = Unknown()
    report = award_sheet(backend, "A", read_sheet(sheet(tmp_path, "email\na@example.nl\n")))
    assert report.exit_code == 2
    assert backend.sent == []


def test_a_rerun_reports_nothing_issued_and_every_row_already_issued(local: LocalSetup) -> None:
    award_csv(local, CSV / "libreoffice-csv.csv")
    result = run(
        "award", "--achievement", local.achievement, "--csv", CSV / "libreoffice-csv.csv",
        *local.args(),
    )  # fmt: skip
    assert result.exit_code == 0
    assert "0 issued, 3 already issued" in result.stdout
