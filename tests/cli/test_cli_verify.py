"""`credledger verify FILE|URL`: exit 0 valid, 1 invalid, 2 undecided."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from credledger.ledger.domain.acts import Act
from credledger.ledger.verify.bundle import loader_for
from credledger.ledger.verify.bundle_file import dump_json
from credledger.ledger.verify.fetch_session import FetchSession, SharedFetchCache
from credledger.ledger.verify.guarded_fetch import GuardedFetcher
from credledger.ledger.verify.verifier import CredentialVerifier
from credledger.revocation.check import FetchedStatusList

from ..cli_helpers import clean_environment, run
from ..ledger_server import Live, School, add_school, award, live_ledger, signed_credential


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@dataclass
class Issued:
    live: Live
    school: School
    credential_id: Any
    file: Path

    def change(self, change: str) -> None:
        self.live.ledger.change_status(
            Act(str(self.school.issuer)), self.credential_id, change, "test"
        )
        publish_lists(self.live, self.credential_id)


def publish_lists(live: Live, credential_id: Any) -> None:
    """Publish the lists' current versions now, not during the verification: a list made
    while a verifier works is valid from a second the verifier may not have reached."""
    live.ledger.proof_bundle(credential_id)


@pytest.fixture
def issued(tmp_path: Path) -> Iterator[Issued]:
    with live_ledger(tmp_path / "server") as live:
        school = add_school(live.ledger, suspendable=True)
        credential_id = award(live.ledger, school, "dana@example.org")
        publish_lists(live, credential_id)
        file = tmp_path / "credential.json"
        file.write_text(json.dumps(signed_credential(live.ledger, credential_id)))
        yield Issued(live, school, credential_id, file)


def verify(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = run("verify", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


def test_a_genuine_credential_is_valid(issued: Issued) -> None:
    code, report = verify(issued.file, "--allow-private")
    assert code == 0, (report.get("warnings"), report.get("errors"), report.get("status"))
    assert report["result"] == "valid"
    assert report["status"] == {"revocation": "clear", "suspension": "clear"}
    assert report["log"]["outcome"] == "included"
    assert report["issuer"].startswith("did:web:127.0.0.1")


def test_the_human_report_names_signature_status_and_log(issued: Issued) -> None:
    result = run("verify", issued.file, "--allow-private")
    assert result.exit_code == 0
    for word in ("valid", "eddsa-rdfc-2022", "revocation: clear", "included"):
        assert word in result.stdout


def test_a_revoked_credential_is_invalid(issued: Issued) -> None:
    issued.change("revoke")
    code, report = verify(issued.file, "--allow-private")
    assert code == 1
    assert report["status"]["revocation"] == "revoked"


def test_a_suspended_credential_is_invalid(issued: Issued) -> None:
    issued.change("suspend")
    code, report = verify(issued.file, "--allow-private")
    assert code == 1, report.get("warnings")
    assert report["status"]["suspension"] == "suspended"


def test_a_changed_credential_is_invalid(issued: Issued) -> None:
    vc = json.loads(issued.file.read_text())
    vc["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    issued.file.write_text(json.dumps(vc))
    code, report = verify(issued.file, "--allow-private")
    assert code == 1
    assert any(e["kind"] == "proof" for e in report["errors"])


def test_an_unreachable_status_list_leaves_it_undecided(issued: Issued) -> None:
    issued.live.ledger.close()  # the server now fails every request
    code, report = verify(issued.file, "--allow-private", "--no-log", "--timeout", "2")
    assert code == 2
    # the issuer's did:web document is on the same server: neither key nor lists can be had
    assert report["errors"] == []
    assert not report["verified"]
    assert any("could not be retrieved" in w["message"] for w in report["warnings"])


def test_private_addresses_are_not_fetched_unless_allowed(issued: Issued) -> None:
    code, report = verify(issued.file)
    assert code == 2
    assert report["errors"] == []
    assert any("non-public address" in w["message"] for w in report["warnings"])
    assert report["log"]["outcome"] == "unknown"
    assert "non-public address" in report["log"]["detail"]


def test_a_proof_bundle_file_verifies_with_its_own_log_proof(
    issued: Issued, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle.json"
    exported = run("proof", "export", issued.file, "-o", bundle, "--server", issued.live.url)
    assert exported.exit_code == 0, exported.output
    code, report = verify(bundle, "--allow-private")
    assert code == 0, (report.get("warnings"), report.get("errors"), report.get("status"))
    assert report["log"]["outcome"] == "included"


def test_a_proof_bundle_url_without_the_issuers_token_verifies_nothing(issued: Issued) -> None:
    url = f"{issued.live.url}/v1/credentials/{issued.credential_id}/proof"
    code, report = verify(url, "--allow-private")
    assert code == 2  # 401: the bundle by id is its issuer's, so nothing was read
    assert "401" in report["problem"]


def test_a_credential_from_elsewhere_is_not_looked_up_in_a_log(issued: Issued) -> None:
    vc = json.loads(issued.file.read_text())
    vc["issuer"].pop("otherIdentifier")
    issued.file.write_text(json.dumps(vc))
    code, report = verify(issued.file, "--allow-private")
    assert code == 1  # the signature covers the issuer, so it no longer verifies
    assert report["log"]["outcome"] == "not-applicable"


def test_one_invalid_among_several_makes_the_exit_1(issued: Issued, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = run("verify", issued.file, bad, "--allow-private", "--json")
    assert result.exit_code == 1
    reports = json.loads(result.stdout)
    assert [r["result"] for r in reports] == ["valid", "invalid"], (
        reports[0].get("warnings"),
        reports[0].get("status"),
    )


def test_a_missing_file_is_undecided(tmp_path: Path) -> None:
    code, report = verify(tmp_path / "nowhere.json")
    assert code == 2
    assert "no such file" in report["problem"]


# -- fetching with care (the fetcher's own rules: tests/ledger/verify/test_guarded_fetch.py) --


def test_a_fresh_status_list_is_reused_and_a_stale_one_revalidated(issued: Issued) -> None:
    vc = signed_credential(issued.live.ledger, issued.credential_id)
    now = [datetime.now(UTC)]
    cache = SharedFetchCache()
    session = FetchSession(GuardedFetcher(allow_private=True), cache)
    verifier = CredentialVerifier(
        loader=loader_for(vc),
        fetch_status_list=session.status_list,
        status_cache=cache.status_lists,
        clock=lambda: now[0],
        resolve_did=issued.live.ledger.dids.resolve,  # the issuer's did:web, not fetched here
    )
    assert verifier.verify(vc).verified
    assert session.fetches == 2
    assert verifier.verify(vc).verified
    assert session.fetches == 2
    now[0] += timedelta(minutes=5)  # past the lists' max-age: ask again, with their ETags
    assert verifier.verify(vc).verified
    assert session.fetches == 4


def test_a_replayed_list_older_than_the_logged_one_is_not_read(
    issued: Issued, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As reproduced: a list from before the revocation, replayed, made a revoked
    credential valid (exit 0). The bundle's logged list is newer: it is read instead."""
    vc = signed_credential(issued.live.ledger, issued.credential_id)
    urls = [e["statusListCredential"] for e in vc["credentialStatus"]]
    before = {url: issued.live.ledger.status_lists.fetch(url) for url in urls}
    issued.change("revoke")
    bundle = tmp_path / "bundle.json"
    bundle.write_bytes(dump_json(issued.live.ledger.proof_bundle(issued.credential_id)))
    replay = FetchSession.status_list

    def replaying(self: FetchSession, url: str) -> Any:
        fetched = replay(self, url)
        return FetchedStatusList(before[url], fetched.headers) if url in before else fetched

    monkeypatch.setattr(FetchSession, "status_list", replaying)
    code, report = verify(bundle, "--allow-private")
    assert code == 1, report
    assert report["status"]["revocation"] == "revoked"
    assert any("rolled back" in w["message"] for w in report["warnings"])


def test_a_replayed_list_makes_a_clear_credential_undecided(
    issued: Issued, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another credential on the same list was revoked since; the replayed list predates
    that. The logged version shows this one clear, but the source replays history."""
    ledger = issued.live.ledger
    vc = signed_credential(ledger, issued.credential_id)
    url = next(e for e in vc["credentialStatus"] if e["statusPurpose"] == "revocation")[
        "statusListCredential"
    ]
    before = ledger.status_lists.fetch(url)
    other = award(ledger, issued.school, "eve@example.org")
    other_url = signed_credential(ledger, other)["credentialStatus"][0]["statusListCredential"]
    assert other_url == url  # one list for the issuer's credentials
    ledger.change_status(Act(str(issued.school.issuer)), other, "revoke", "test")
    bundle = tmp_path / "bundle.json"
    bundle.write_bytes(dump_json(ledger.proof_bundle(issued.credential_id)))
    replay = FetchSession.status_list

    def replaying(self: FetchSession, wanted: str) -> Any:
        fetched = replay(self, wanted)
        return FetchedStatusList(before, fetched.headers) if wanted == url else fetched

    monkeypatch.setattr(FetchSession, "status_list", replaying)
    code, report = verify(bundle, "--allow-private")
    assert code == 2, report
    assert report["status"]["revocation"] == "clear"
    assert any("rolled back" in w["message"] for w in report["warnings"])
