"""Credential ids and leaves that reveal nothing (issue 11.3), on ledgers old and new.

Ids of created aggregates are an HMAC of the act key under a vault secret, so an
Idempotency-Key (a CSV row's, say) does not give the id away; leaves of award events
name a random alias instead of the aggregate and no VC id. A ledger written before
this keeps every leaf byte for byte, audits clean, and a request retried across the
upgrade still finds what it created.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from credledger.ledger.application import CredentialLedger, vc_digest
from credledger.ledger.domain.acts import Act
from credledger.ledger.log.leaves import decode_leaf
from credledger.ledger.store.transcoder import CBORTranscoder
from credledger.ledger.verify.bundle import verify_bundle

from ...cli_helpers import clean_environment, run
from ...ledger_server import School, add_school, open_ledger

BASE_URL = "https://ledger.example.test"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


def award_with_key(ledger: CredentialLedger, school: School, email: str, key: str) -> Any:
    body = json.dumps({"achievement": str(school.achievement), "email": email}).encode()
    act = Act.of(str(school.issuer), key, body)
    return ledger.issue_credential(act, school.achievement, {"email": email})


def leaves_of(ledger: CredentialLedger) -> list[bytes]:
    ledger.catch_up()
    return [data for _, data in ledger.tlog.leaves(0, ledger.tlog.size() - 1)]


def test_a_credential_id_is_not_the_one_its_idempotency_key_gives(tmp_path: Path) -> None:
    ledger = open_ledger(tmp_path / "a", BASE_URL)
    try:
        school = add_school(ledger)
        issued = award_with_key(ledger, school, "ann@example.org", "csv-award-row-2")
        act = Act.of(str(school.issuer), "csv-award-row-2", b"")
        assert issued.credential.id != act.legacy_id("credential")
        assert act.keyed(b"\x01" * 32).derived_id("credential") != act.keyed(
            b"\x02" * 32
        ).derived_id("credential")
    finally:
        ledger.close()


def test_a_retried_award_finds_its_credential_and_records_nothing(tmp_path: Path) -> None:
    ledger = open_ledger(tmp_path / "a", BASE_URL)
    try:
        school = add_school(ledger)
        first = award_with_key(ledger, school, "ann@example.org", "row-2")
        size = ledger.tlog.size()
        again = award_with_key(ledger, school, "ann@example.org", "row-2")
        assert again.credential.id == first.credential.id
        assert ledger.tlog.size() == size
    finally:
        ledger.close()


def test_new_award_leaves_name_an_alias_and_no_credential(tmp_path: Path) -> None:
    ledger = open_ledger(tmp_path / "a", BASE_URL)
    try:
        school = add_school(ledger)
        issued = award_with_key(ledger, school, "ann@example.org", "row-2")
        credential_id = issued.credential.id
        ledger.change_status(Act(str(school.issuer)), credential_id, "revoke", "error")
        leaves = [decode_leaf(data) for data in leaves_of(ledger)]
        award_leaves = [
            leaf
            for leaf in leaves
            if leaf["event"] in ("CredentialIssued", "StatusIndexClaimed", "CredentialRevoked")
        ]
        assert len(award_leaves) == 3
        aliases = {leaf["aggregate"] for leaf in award_leaves}
        assert len(aliases) == 3
        assert str(credential_id) not in aliases
        (issuance,) = [leaf for leaf in leaves if leaf["event"] == "CredentialIssued"]
        assert "credential" not in issuance
        assert issuance["digest"] == vc_digest(issued.vc)
        assert ledger.log_index_of(credential_id, 1) == issuance["seq"]  # kept privately
    finally:
        ledger.close()


@pytest.fixture
def legacy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A ledger written as credledger wrote it before: ids a UUIDv5 of the act key, events
    without aliases. Yields what it held then."""
    data = tmp_path / "ledger"
    with monkeypatch.context() as old:
        old.setattr(Act, "derived_id", Act.legacy_id)
        encode = CBORTranscoder.encode

        def without_alias(self: CBORTranscoder, obj: Any) -> bytes:
            if isinstance(obj, dict):
                obj = {k: v for k, v in obj.items() if k != "log_alias"}
            return encode(self, obj)

        old.setattr(CBORTranscoder, "encode", without_alias)
        ledger = open_ledger(data, BASE_URL)
        try:
            school = add_school(ledger, did_method="key", suspendable=True)  # as issuers were
            issued = award_with_key(ledger, school, "ann@example.org", "csv-award-row-2")
            ledger.change_status(Act(str(school.issuer)), issued.credential.id, "suspend", "x")
            ledger.proof_bundle(issued.credential.id)  # status list versions into the log
            ledger.tlog.make_checkpoint()
            before = leaves_of(ledger)
        finally:
            ledger.close()
    return {"data": data, "school": school, "issued": issued, "leaves": before}


def test_leaves_recorded_before_stay_byte_identical_and_audit_clean(
    legacy: dict[str, Any],
) -> None:
    issued = legacy["issued"]
    (old_issuance,) = [
        decode_leaf(d) for d in legacy["leaves"] if decode_leaf(d)["event"] == "CredentialIssued"
    ]
    assert old_issuance["credential"] == f"urn:uuid:{issued.credential.id}"  # as it was
    ledger = open_ledger(legacy["data"], BASE_URL)
    try:
        ledger.change_status(Act(str(legacy["school"].issuer)), issued.credential.id, "revoke", "x")
        after = leaves_of(ledger)
        ledger.tlog.make_checkpoint()
    finally:
        ledger.close()
    assert after[: len(legacy["leaves"])] == legacy["leaves"]
    # The revocation's own leaf; the status list version published after it follows.
    (newest,) = [
        leaf
        for leaf in map(decode_leaf, after[len(legacy["leaves"]) :])
        if leaf["event"] == "CredentialRevoked"
    ]
    assert newest["aggregate"] != str(issued.credential.id)
    result = run("audit", "--data", legacy["data"], "--json")
    assert result.exit_code == 0, result.output


def test_a_retry_across_the_upgrade_finds_the_earlier_credential(
    legacy: dict[str, Any],
) -> None:
    ledger = open_ledger(legacy["data"], BASE_URL)
    try:
        size = ledger.tlog.size()
        again = award_with_key(ledger, legacy["school"], "ann@example.org", "csv-award-row-2")
        assert again.credential.id == legacy["issued"].credential.id
        assert ledger.tlog.size() == size
    finally:
        ledger.close()


def test_a_holder_of_an_older_credential_gets_a_bundle_that_verifies(
    legacy: dict[str, Any],
) -> None:
    ledger = open_ledger(legacy["data"], BASE_URL)
    try:
        bundle = ledger.proofs.holder_bundle(legacy["issued"].vc)
    finally:
        ledger.close()
    report = verify_bundle(json.loads(json.dumps(bundle)))
    assert report.credential_id == legacy["issued"].vc["id"]
    assert report.status["suspension"] == "suspended"
