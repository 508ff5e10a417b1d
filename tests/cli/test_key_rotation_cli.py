"""Key rotation and compromise seen from the command line: `credledger verify` after a
rotation, and the `issuer rotate-key`, `key-compromised` and `reissue` commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from credledger.ledger.domain.acts import Act

from ..cli_helpers import clean_environment, ok, run
from ..ledger_server import add_school, award, live_ledger, open_ledger, signed_credential


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


def verify(file: Path) -> tuple[int, dict[str, Any]]:
    result = run("verify", file, "--allow-private", "--json")
    return result.exit_code, json.loads(result.stdout)


def test_after_a_rotation_the_cli_tells_revoked_from_untouched(tmp_path: Path) -> None:
    with live_ledger(tmp_path / "server") as live:
        school = add_school(live.ledger)
        revoked = award(live.ledger, school, "a@example.org")
        untouched = award(live.ledger, school, "b@example.org")
        files = {}
        for name, credential_id in (("revoked", revoked), ("untouched", untouched)):
            files[name] = tmp_path / f"{name}.json"
            files[name].write_text(json.dumps(signed_credential(live.ledger, credential_id)))
        live.ledger.rotate_issuer_key(Act(str(school.issuer)), school.issuer)
        live.ledger.change_status(Act(str(school.issuer)), revoked, "revoke", "fraud")
        live.ledger.proof_bundle(revoked)  # publish the lists now, not mid-verification
        code, report = verify(files["revoked"])
        assert code == 1, report
        assert report["status"]["revocation"] == "revoked"
        code, report = verify(files["untouched"])
        assert code == 0, (report.get("errors"), report.get("log"), report.get("warnings"))
        assert report["status"] == {"revocation": "clear"}
        assert report["log"]["outcome"] == "included"


def test_the_key_commands_rotate_report_and_reissue(tmp_path: Path) -> None:
    data = tmp_path / "ledger"
    ledger = open_ledger(data, "https://ledger.example.test")
    try:
        school = add_school(ledger)
        credential_id = award(ledger, school, "c@example.org")
        first_key = ledger.issuer(school.issuer).active_key_id
    finally:
        ledger.close()
    common = ("--data", data, "--base-url", "https://ledger.example.test")
    issuer = ("--issuer", str(school.issuer))
    rotated = ok(run("issuer", "rotate-key", *issuer, *common, "--json"))
    assert rotated["key_id"] != first_key
    assert rotated["did"].startswith("did:web:")
    done = ok(
        run("issuer", "key-compromised", first_key, "--reason", "leak", *issuer, *common, "--json")
    )
    assert done["state"] == "compromised"
    assert done["affected"] == 1
    reissued = ok(
        run("issuer", "reissue", first_key, "--reason", "leak", *issuer, *common, "--json")
    )
    assert reissued["reissued"] == [f"urn:uuid:{credential_id}"]
    ledger = open_ledger(data, "https://ledger.example.test")
    try:
        vc = ledger.credential_document(ledger.credential(UUID(str(credential_id))))
        (proof,) = vc["proof"]  # OB 3.0: a set of one
        assert proof["verificationMethod"].endswith(rotated["key_id"])
        assert ledger.verifier.verify(vc).verified
    finally:
        ledger.close()
