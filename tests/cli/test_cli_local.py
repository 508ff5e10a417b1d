"""`credledger` in local mode: init, issuer add, achievement define, award, status, endorse."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from credledger.ledger.application import CredentialLedger
from credledger.ledger.store.settings import Settings

from ..cli_helpers import (
    LocalSetup,
    clean_environment,
    credentials_in,
    events_in,
    ok,
    run,
    set_up_local,
    write_definition,
)
from ..http_helpers import microcredential_definition


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture
def local(tmp_path: Path) -> LocalSetup:
    return set_up_local(tmp_path)


def award_one(local: LocalSetup, *extra: str) -> dict[str, object]:
    result = run(
        "award",
        "--achievement",
        local.achievement,
        "--email",
        "learner@example.nl",
        *local.args(),
        "--json",
        *extra,
    )
    issued: dict[str, object] = ok(result)
    return issued


def test_init_prints_the_admin_token_once_and_keeps_only_its_hash(tmp_path: Path) -> None:
    data = tmp_path / "ledger"
    first = run("init", "--data", data)
    assert first.exit_code == 0, first.output
    token = first.stdout.split("only its hash is kept):")[1].split()[0]
    again = run("init", "--data", data)
    assert again.exit_code == 0, again.output
    assert token not in again.output
    assert "already set up" in again.stdout
    ledger = CredentialLedger(Settings.from_env(data))
    try:
        stored, new = ledger.admin_token_hash(None)
    finally:
        ledger.close()
    assert new is None
    assert stored == hashlib.sha256(token.encode()).digest()


def test_init_with_json_reports_the_token_as_a_field(tmp_path: Path) -> None:
    created = ok(run("init", "--data", tmp_path / "ledger", "--json"))
    assert created["created"] is True
    assert len(created["admin_token"]) >= 40
    assert ok(run("init", "--data", tmp_path / "ledger", "--json"))["admin_token"] is None


def test_issuer_add_prints_its_id_did_and_token(tmp_path: Path) -> None:
    data = tmp_path / "ledger"
    ok(run("init", "--data", data, "--json"))
    result = run(
        "issuer", "add", "Hogeschool Leeuwarden", "--url", "https://hs.example.nl", "--data", data
    )
    assert result.exit_code == 0, result.output
    assert "did:web:127.0.0.1%3A8000:v1:issuers:" in result.stdout
    assert "shown once" in result.stdout


def test_achievement_define_accepts_json_as_well_as_yaml(tmp_path: Path, local: LocalSetup) -> None:
    definition = tmp_path / "course.json"
    definition.write_text(json.dumps(microcredential_definition()))
    created = ok(run("achievement", "define", definition, *local.args(), "--json"))
    assert created["achievement"]["type"] == ["Achievement", "EducredentialAchievement"]
    assert created["achievement"]["name"] == "Data Literacy for Teachers"


def test_an_invalid_definition_is_refused_naming_the_field(
    tmp_path: Path, local: LocalSetup
) -> None:
    definition = write_definition(tmp_path / "bad.yaml", assessment=None)
    before = events_in(local.data)
    result = run("achievement", "define", definition, *local.args())
    assert result.exit_code == 1
    assert "assessment" in result.stderr
    assert "hint:" in result.stderr
    assert "Traceback" not in result.output
    assert events_in(local.data) == before


def test_award_issues_one_signed_credential(local: LocalSetup) -> None:
    issued = award_one(local, "--result", "8.5", "--evidence", "Portfolio reviewed")
    credential = issued["credential"]
    assert isinstance(credential, dict)
    assert credential["id"] == f"urn:uuid:{issued['id']}"
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert "learner@example.nl" not in json.dumps(credential)
    assert credentials_in(local.data) == 1


def test_award_writes_the_credential_to_the_output_file(tmp_path: Path, local: LocalSetup) -> None:
    out = tmp_path / "vc.json"
    result = run(
        "award",
        "--achievement",
        local.achievement,
        "--did",
        "did:example:learner",
        *local.args(),
        "-o",
        out,
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["proof"][0]["type"] == "DataIntegrityProof"


def test_award_with_the_same_idempotency_key_issues_once(local: LocalSetup) -> None:
    first = award_one(local, "--idempotency-key", "enrolment-17")
    second = award_one(local, "--idempotency-key", "enrolment-17")
    assert first["id"] == second["id"]
    assert credentials_in(local.data) == 1


@pytest.mark.parametrize(
    "recipients",
    [[], ["--email", "a@example.nl", "--eduid", "urn:eduid:1"], ["--csv", "x.csv", "--did", "d"]],
)
def test_award_needs_exactly_one_recipient(local: LocalSetup, recipients: list[str]) -> None:
    result = run("award", "--achievement", local.achievement, *recipients, *local.args())
    assert result.exit_code == 2
    assert "name one recipient" in result.stderr


def test_a_refused_award_names_the_field_and_records_nothing(local: LocalSetup) -> None:
    before = events_in(local.data)
    result = run(
        "award",
        "--achievement",
        local.achievement,
        "--email",
        "not-an-email",
        *local.args(),
        "--json",
    )
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["status"] == 422
    assert error["errors"] == [{"loc": "recipient.email", "msg": "is not an email address"}]
    assert "recipient.email: is not an email address" in result.stderr
    assert events_in(local.data) == before


def test_local_mode_asks_for_the_acting_institution(local: LocalSetup) -> None:
    result = run(
        "award", "--achievement", local.achievement, "--email", "a@example.nl", "--data", local.data
    )
    assert result.exit_code == 2
    assert "--issuer" in result.stderr


def test_an_unknown_issuer_is_named(local: LocalSetup) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    result = run(
        "award",
        "--achievement",
        local.achievement,
        "--email",
        "a@example.nl",
        "--data",
        local.data,
        "--issuer",
        unknown,
    )
    assert result.exit_code == 2
    assert unknown in result.stderr
    assert "issuer add" in result.stderr


def test_a_missing_data_directory_says_to_run_init(tmp_path: Path) -> None:
    result = run("endorse", "x", "--comment", "c", "--data", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "credledger init" in result.stderr
    assert not (tmp_path / "nowhere").exists()


def test_data_and_server_together_are_refused(local: LocalSetup) -> None:
    result = run(
        "revoke",
        "x",
        "--reason",
        "r",
        "--data",
        local.data,
        "--server",
        "http://127.0.0.1:1",
        "--token",
        "t",
    )
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_suspend_reinstate_and_revoke_change_the_status(tmp_path: Path) -> None:
    local = set_up_local(tmp_path, suspendable=True)
    credential_id = str(award_one(local)["id"])
    changes = (("suspend", "suspended"), ("reinstate", "active"), ("revoke", "revoked"))
    for change, status in changes:
        result = run(
            change, credential_id, "--reason", f"{change} in a test", *local.args(), "--json"
        )
        assert ok(result) == {"status": status}


def test_revoking_twice_is_a_conflict_explained_without_a_traceback(local: LocalSetup) -> None:
    credential_id = str(award_one(local)["id"])
    ok(run("revoke", credential_id, "--reason", "entered in error", *local.args(), "--json"))
    again = run("revoke", credential_id, "--reason", "again", *local.args())
    assert again.exit_code == 1
    assert "revoked" in again.stderr
    assert "Traceback" not in again.output


def test_an_unknown_credential_is_not_found(local: LocalSetup) -> None:
    result = run(
        "suspend", "8c5c5b7e-56d7-4d3c-9a55-3f4b5c1f0e2d", "--reason", "x", *local.args(), "--json"
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["status"] == 404


def test_endorse_an_achievement(local: LocalSetup) -> None:
    endorsed = ok(
        run("endorse", local.achievement, "--comment", "Solid programme.", *local.args(), "--json")
    )
    assert "EndorsementCredential" in endorsed["credential"]["type"]


def test_recognise_a_credential_from_the_file_it_was_written_to(
    tmp_path: Path, local: LocalSetup
) -> None:
    other = ok(run("issuer", "add", "Universiteit Haarlem", "--data", local.data, "--json"))["id"]
    vc = tmp_path / "vc.json"
    ok(
        run(
            "award",
            "--achievement",
            local.achievement,
            "--email",
            "a@example.nl",
            *local.args(),
            "-o",
            vc,
            "--json",
        )
    )
    recognised = ok(
        run(
            "recognise",
            vc,
            "--decision",
            "recognised",
            "--ects",
            "4",
            "--data",
            local.data,
            "--issuer",
            other,
            "--json",
        )
    )
    assert recognised["verification"]["verified"] is True


def test_a_tampered_credential_is_not_recognised(tmp_path: Path, local: LocalSetup) -> None:
    vc = tmp_path / "vc.json"
    ok(
        run(
            "award",
            "--achievement",
            local.achievement,
            "--email",
            "a@example.nl",
            *local.args(),
            "-o",
            vc,
            "--json",
        )
    )
    document = json.loads(vc.read_text())
    document["credentialSubject"]["achievement"]["name"] = "Something else"
    vc.write_text(json.dumps(document))
    result = run("recognise", vc, "--decision", "recognised", *local.args())
    assert result.exit_code == 1
    assert "does not verify" in result.stderr
