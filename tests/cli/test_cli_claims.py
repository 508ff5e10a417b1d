"""`credledger credential claim|withdraw-claims` and `award --csv … --claims FILE`, on a
data directory and against a server: the same claims, answered again on a rerun."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from credledger.ledger.application import CredentialLedger
from credledger.ledger.store.settings import Settings

from ..cli_helpers import LocalSetup, clean_environment, ok, run
from ..cli_helpers import set_up_local as _set_up_local
from .test_cli_remote import RemoteSetup, remote, server  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture
def local(tmp_path: Path) -> LocalSetup:
    return _set_up_local(tmp_path)


def an_award(ledger_args: list[Any], achievement: str) -> str:
    issued = ok(
        run(
            "award", "--achievement", achievement, "--email", "a@example.nl", *ledger_args, "--json"
        )
    )
    return str(issued["id"])


def open_claim(data: Path, url: str) -> Any:
    ledger = CredentialLedger(Settings.from_env(data))
    try:
        return ledger.claims.open(url.rsplit("/", 1)[1])
    finally:
        ledger.close()


def test_a_claim_is_offered_from_the_command_line(local: LocalSetup) -> None:
    credential = an_award(local.args(), local.achievement)
    offered = ok(run("credential", "claim", credential, "--tx-code", *local.args(), "--json"))
    assert offered["url"].startswith("http://127.0.0.1:8000/claims/")
    assert offered["offer"].startswith("openid-credential-offer://")
    assert len(offered["tx_code"]) == 8
    assert str(open_claim(local.data, offered["url"]).credential_id) == credential


def test_the_human_answer_says_the_url_and_that_the_code_is_shown_once(
    local: LocalSetup,
) -> None:
    credential = an_award(local.args(), local.achievement)
    result = run("credential", "claim", credential, "--tx-code", *local.args())
    assert result.exit_code == 0, result.output
    assert "Claim URL:" in result.stdout
    assert "shown once" in result.stdout


def test_a_retried_claim_command_answers_the_same_claim(local: LocalSetup) -> None:
    credential = an_award(local.args(), local.achievement)
    key = ["--idempotency-key", "claim-ada"]
    first = ok(run("credential", "claim", credential, *key, *local.args(), "--json"))
    again = ok(run("credential", "claim", credential, *key, *local.args(), "--json"))
    assert again == first


def test_another_issuers_credential_is_not_found(local: LocalSetup) -> None:
    credential = an_award(local.args(), local.achievement)
    other = ok(run("issuer", "add", "Other School", "--data", local.data, "--json"))["id"]
    result = run("credential", "claim", credential, "--data", local.data, "--issuer", other)
    assert result.exit_code == 1
    assert "no credential" in result.stderr


def test_a_lifetime_out_of_bounds_is_refused(local: LocalSetup) -> None:
    credential = an_award(local.args(), local.achievement)
    result = run("credential", "claim", credential, "--expires-in", "10", *local.args())
    assert result.exit_code == 2


def test_withdrawing_closes_the_open_claims(local: LocalSetup) -> None:
    credential = an_award(local.args(), local.achievement)
    ok(run("credential", "claim", credential, *local.args(), "--json"))
    done = ok(run("credential", "withdraw-claims", credential, *local.args(), "--json"))
    assert done == {"withdrawn": 1}


SHEET = "email,result\nada@example.nl,8\ngrace@example.nl,\nnot-an-email,7\n"


def read_claims(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_a_csv_award_writes_a_claim_per_issued_row(tmp_path: Path, local: LocalSetup) -> None:
    cohort = tmp_path / "cohort.csv"
    cohort.write_text(SHEET, encoding="utf-8")
    out = tmp_path / "claims.csv"
    args = ["award", "--achievement", local.achievement, "--csv", cohort, *local.args()]
    result = run(*args, "--claims", out, "--tx-code", "--json")
    assert result.exit_code == 1, result.output  # one row refused
    report = json.loads(result.stdout)
    claims = read_claims(out)
    assert [c["line"] for c in claims] == ["2", "3"]
    assert {c["credential_id"] for c in claims} == {r["id"] for r in report["issued"]}
    assert all(len(c["tx_code"]) == 8 and c["claim_url"] for c in claims)
    for row in claims:
        claim = open_claim(local.data, row["claim_url"])
        assert str(claim.credential_id) == row["credential_id"]
    again = run(*args, "--claims", tmp_path / "again.csv", "--tx-code", "--json")
    assert again.exit_code == 1
    assert read_claims(tmp_path / "again.csv") == claims, "a rerun answers the same claims"


def test_claim_options_without_a_sheet_are_refused(local: LocalSetup, tmp_path: Path) -> None:
    result = run(
        "award", "--achievement", local.achievement, "--email", "a@example.nl",
        "--claims", tmp_path / "c.csv", *local.args(),
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--csv" in result.stderr


def test_claims_over_http(remote: RemoteSetup, tmp_path: Path) -> None:  # noqa: F811
    credential = an_award(remote.args(), remote.achievement)
    offered = ok(run("credential", "claim", credential, *remote.args(), "--json"))
    assert offered["url"].startswith(remote.server.url + "/claims/")
    assert remote.server.ledger.claims.open(offered["url"].rsplit("/", 1)[1])
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("email\nada@example.nl\n", encoding="utf-8")
    out = tmp_path / "claims.csv"
    args = ["award", "--achievement", remote.achievement, "--csv", cohort, *remote.args()]
    ok(run(*args, "--claims", out, "--json"))
    (row,) = read_claims(out)
    assert row["tx_code"] == ""
    assert remote.server.ledger.claims.open(row["claim_url"].rsplit("/", 1)[1])
    done = ok(run("credential", "withdraw-claims", credential, *remote.args(), "--json"))
    assert done == {"withdrawn": 1}
