"""`credledger award --csv`: every good row issued, bad rows named by line, reruns idempotent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from credledger.cli.award_sheet import Row, award_sheet, read_sheet, row_key
from credledger.cli.backend import Backend, Outcome
from credledger.cli.errors import CommandError
from credledger.cli.target import Target, open_backend

from ..cli_helpers import LocalSetup, clean_environment, credentials_in, events_in, ok, run
from ..cli_helpers import set_up_local as _set_up_local


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture
def local(tmp_path: Path) -> LocalSetup:
    return _set_up_local(tmp_path)


def sheet(tmp_path: Path, text: str, name: str = "cohort.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def award_csv(local: LocalSetup, path: Path, *extra: str) -> tuple[int, Any]:
    result = run(
        "award", "--achievement", local.achievement, "--csv", path, *local.args(), "--json", *extra
    )
    return result.exit_code, json.loads(result.stdout)


GOOD = (
    "email,result,evidence,valid_until\n"
    "ada@example.nl,8.5,Portfolio reviewed,2031-06-30\n"
    "grace@example.nl,7,,\n"
    "alan@example.nl,,Final project,2031-06-30T12:00:00+02:00\n"
)


def test_every_row_issued_exits_0(tmp_path: Path, local: LocalSetup) -> None:
    code, report = award_csv(local, sheet(tmp_path, GOOD))
    assert code == 0
    assert [row["line"] for row in report["issued"]] == [2, 3, 4]
    assert report["refused"] == []
    assert credentials_in(local.data) == 3


def test_a_broken_row_is_reported_by_line_and_the_others_are_issued(
    tmp_path: Path, local: LocalSetup
) -> None:
    text = GOOD + "not-an-email,6,,\nlinus@example.nl,,,\n"
    result = run(
        "award", "--achievement", local.achievement, "--csv", sheet(tmp_path, text), *local.args()
    )
    assert result.exit_code == 1
    assert "4 issued, 0 already issued, 1 refused" in result.stdout
    assert "line 5: email: is not an email address" in result.stdout
    assert "Traceback" not in result.output
    assert credentials_in(local.data) == 4


def test_rerunning_the_same_file_issues_nothing_new(tmp_path: Path, local: LocalSetup) -> None:
    path = sheet(tmp_path, GOOD + "not-an-email,6,,\n")
    first_code, first = award_csv(local, path)
    events = events_in(local.data)
    second_code, second = award_csv(local, path)
    assert first_code == second_code == 1
    assert second["issued"] == []
    assert second["already_issued"] == first["issued"]
    assert events_in(local.data) == events
    assert credentials_in(local.data) == 3


def test_after_fixing_a_refused_row_a_rerun_issues_only_that_row(
    tmp_path: Path, local: LocalSetup
) -> None:
    path = sheet(tmp_path, GOOD + "not-an-email,6,,\n")
    award_csv(local, path)
    path.write_text(GOOD + "barbara@example.nl,6,,\n", encoding="utf-8")
    code, report = award_csv(local, path)
    assert code == 0
    assert [row["line"] for row in report["issued"]] == [5]
    assert len(report["already_issued"]) == 3
    assert credentials_in(local.data) == 4


def test_a_row_of_an_expired_date_names_its_column(tmp_path: Path, local: LocalSetup) -> None:
    code, report = award_csv(local, sheet(tmp_path, "eduid,valid_until\nurn:eduid:1,2001-01-01\n"))
    assert code == 1
    (refused,) = report["refused"]
    assert refused["line"] == 2
    assert refused["errors"] == [{"loc": "valid_until", "msg": "must be in the future"}]


def test_line_numbers_count_file_lines_across_quoted_newlines(
    tmp_path: Path, local: LocalSetup
) -> None:
    text = 'did,evidence\ndid:example:a,"two\nlines"\n\nnot a did,x\n'
    code, report = award_csv(local, sheet(tmp_path, text))
    assert code == 1
    assert [row["line"] for row in report["refused"]] == [5]


def test_semicolon_separated_sheets_from_spreadsheets_are_read(
    tmp_path: Path, local: LocalSetup
) -> None:
    text = "\ufeffEmail;Result\nada@example.nl;8,5\n"
    code, report = award_csv(local, sheet(tmp_path, text))
    assert code == 0, report
    assert credentials_in(local.data) == 1


def test_a_row_with_more_cells_than_columns_is_refused(tmp_path: Path, local: LocalSetup) -> None:
    code, report = award_csv(local, sheet(tmp_path, "email\nada@example.nl,surplus\n"))
    assert code == 1
    assert "more cells" in report["refused"][0]["detail"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("result\n8\n", "exactly one recipient column"),
        ("email,did\na@example.nl,did:example:a\n", "exactly one recipient column"),
        ("email,grade\na@example.nl,8\n", "unknown column"),
        ("email,email\na@example.nl,b@example.nl\n", "more than once"),
        ("", "is empty"),
        ("email\n", "no rows"),
    ],
)
def test_an_unusable_file_stops_before_issuing_with_exit_2(
    tmp_path: Path, local: LocalSetup, text: str, message: str
) -> None:
    result = run(
        "award", "--achievement", local.achievement, "--csv", sheet(tmp_path, text), *local.args()
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert credentials_in(local.data) == 0


def test_an_unknown_achievement_stops_the_run_at_its_first_row(
    tmp_path: Path, local: LocalSetup
) -> None:
    result = run(
        "award",
        "--achievement",
        "8c5c5b7e-56d7-4d3c-9a55-3f4b5c1f0e2d",
        "--csv",
        sheet(tmp_path, GOOD),
        *local.args(),
        "--json",
    )
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["stopped"]["line"] == 2
    assert report["stopped"]["status"] == 404


def test_per_recipient_options_cannot_be_mixed_with_a_sheet(
    tmp_path: Path, local: LocalSetup
) -> None:
    result = run(
        "award",
        "--achievement",
        local.achievement,
        "--csv",
        sheet(tmp_path, GOOD),
        "--result",
        "8",
        *local.args(),
    )
    assert result.exit_code == 2
    assert "--result" in result.stderr


def test_row_keys_follow_the_achievement_the_line_and_the_content() -> None:
    row = Row(2, {"email": "ada@example.nl", "result": "8"})
    assert row_key("A", row) == row_key("A", Row(2, {"result": "8", "email": "ada@example.nl"}))
    assert row_key("A", row) != row_key("B", row)
    assert row_key("A", row) != row_key("A", Row(3, row.cells))
    assert row_key("A", row) != row_key("A", Row(2, {**row.cells, "result": "9"}))
    assert len(row_key("A", row)) <= 255


def test_reading_a_sheet_keeps_the_recipient_kind_and_skips_empty_rows(tmp_path: Path) -> None:
    parsed = read_sheet(sheet(tmp_path, "EduID , Result\r\nurn:eduid:1,7\r\n,\r\nurn:eduid:2,\r\n"))
    assert parsed.recipient_kind == "eduid"
    assert [(row.line, row.cells) for row in parsed.rows] == [
        (2, {"eduid": "urn:eduid:1", "result": "7"}),
        (4, {"eduid": "urn:eduid:2"}),
    ]


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        read_sheet(tmp_path / "absent.csv")
    assert caught.value.exit_code == 2
    assert "cannot read" in caught.value.detail


def test_json_output_of_a_sheet_run_parses_and_lists_credential_ids(
    tmp_path: Path, local: LocalSetup
) -> None:
    code, report = award_csv(local, sheet(tmp_path, GOOD))
    assert code == 0
    assert report["rows"] == 3
    assert report["stopped"] is None
    assert all(len(str(row["id"])) == 36 for row in report["issued"])
    ok(run("revoke", report["issued"][0]["id"], "--reason", "test", *local.args(), "--json"))


class LostConnection:
    """A backend whose connection drops once, right after the ledger recorded a row."""

    batch_size = 1

    def __init__(self, backend: Backend, after_calls: int) -> None:
        self.backend = backend
        self.calls_left = after_calls

    def achievement(self, achievement_id: str) -> dict[str, Any]:
        return self.backend.achievement(achievement_id)

    def issue_credentials(self, requests: list[tuple[dict[str, Any], str]]) -> list[Outcome]:
        outcomes = self.backend.issue_credentials(requests)
        self.calls_left -= 1
        if self.calls_left == 0:
            return [CommandError("connection lost", exit_code=2)]
        return outcomes


def test_a_run_stopped_midway_resumes_without_issuing_any_row_twice(
    tmp_path: Path, local: LocalSetup
) -> None:
    path = sheet(tmp_path, GOOD + "linus@example.nl,,,\n")
    target = Target(data=local.data, issuer=local.issuer)
    with open_backend(target) as backend:
        flaky: Any = LostConnection(backend, after_calls=2)
        stopped = award_sheet(flaky, local.achievement, read_sheet(path))
    assert stopped.exit_code == 2
    assert stopped.stopped is not None
    assert stopped.stopped.line == 3
    assert [row.line for row in stopped.issued] == [2]
    assert credentials_in(local.data) == 2  # line 3 was recorded before the connection dropped
    code, report = award_csv(local, path)
    assert code == 0
    assert [row["line"] for row in report["issued"]] == [4, 5]
    assert [row["line"] for row in report["already_issued"]] == [2, 3]
    assert credentials_in(local.data) == 4


class Recording:
    """A backend that issues everything and remembers how the rows were grouped."""

    def __init__(self, batch_size: int, refuse_from: int | None = None) -> None:
        self.batch_size = batch_size
        self.calls: list[int] = []
        self.refuse_from = refuse_from

    def achievement(self, achievement_id: str) -> dict[str, Any]:
        return {"id": achievement_id}

    def issue_credentials(self, requests: list[tuple[dict[str, Any], str]]) -> list[Outcome]:
        self.calls.append(len(requests))
        outcomes: list[Outcome] = []
        for body, _key in requests:
            if self.refuse_from is not None and len(outcomes) + 1 >= self.refuse_from:
                outcomes.append(CommandError("the bearer token is not valid", status=401))
                break
            outcomes.append({"id": body["recipient"]["email"]})
        return outcomes


def five_rows(tmp_path: Path) -> Path:
    return sheet(tmp_path, "email\n" + "".join(f"r{i}@example.nl\n" for i in range(5)))


def test_rows_go_to_the_backend_in_batches_of_its_size(tmp_path: Path) -> None:
    backend: Any = Recording(batch_size=2)
    progress: list[int] = []
    report = award_sheet(backend, "A", read_sheet(five_rows(tmp_path)), progress.append)
    assert backend.calls == [2, 2, 1]
    assert progress == [2, 2, 1]
    assert [row.line for row in report.issued] == [2, 3, 4, 5, 6]


def test_an_error_that_refuses_every_row_stops_the_run_where_it_happened(tmp_path: Path) -> None:
    backend: Any = Recording(batch_size=10, refuse_from=2)
    report = award_sheet(backend, "A", read_sheet(five_rows(tmp_path)))
    assert backend.calls == [5]
    assert [row.line for row in report.issued] == [2]
    assert report.stopped is not None
    assert report.stopped.line == 3
    assert report.exit_code == 2
