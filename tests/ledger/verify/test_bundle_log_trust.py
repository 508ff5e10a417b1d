"""A proof bundle counts only for a log the credential's issuer vouches for (issue 11.5):
a look-alike ledger, however it names itself, cannot prove a credential "included"."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.jcs import canonicalize_bytes
from credledger.ledger.domain.acts import ADMIN, Act, acting
from credledger.ledger.domain.credential import Credential
from credledger.ledger.store.transcoder import encode_deterministic
from credledger.ledger.verify.bundle import verify_bundle
from credledger.ledger.verify.bundle_errors import UntrustedKeyError, UnvouchedLogError
from credledger.ledger.verify.bundle_file import dump_json, load_bundle

from ...cli_helpers import clean_environment, run
from ...ledger_server import add_school, award, live_ledger, open_ledger, signed_credential

BASE_URL = "https://victim.example.test"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


def look_alike_bundle(data: Path, base_url: str, vc: dict[str, Any]) -> dict[str, Any]:
    """A ledger started with the victim's base URL (so the victim's log origin), whose
    own log records an issuance of the victim's credential: its bundle for it."""
    ledger = open_ledger(data, base_url)
    try:
        issuer = ledger.register_issuer(Act(ADMIN), "Look-alike").issuer
        canonical = canonicalize_bytes(vc)
        act = Act(str(issuer.id))
        with acting(act):
            subject = ledger.vault.subject_key_id("credential", vc["id"])
            credential_id = act.derived_id("credential")
            copy = Credential(
                issuer_id=issuer.id,
                achievement_id=None,
                achievement_version=0,
                subject_key_id=subject,
                sealed=ledger.vault.seal(
                    subject, encode_deterministic({"credential": canonical}), credential_id.bytes
                ),
                digest=hashlib.sha256(canonical).digest(),
                awarded_at=ledger.clock(),
                valid_until=None,
                signing_key_id=issuer.active_key_id,
                status_slot=None,
                vc_id=vc["id"],
            )
        ledger.save(copy)
        bundle = ledger.proof_bundle(copy.id)
        assert ledger.identity.log_origin in bundle["checkpoint"]  # it claims the victim's name
        return bundle
    finally:
        ledger.close()


def victim_credential(data: Path, *, did_method: str = "key") -> tuple[dict[str, Any], str]:
    ledger = open_ledger(data, BASE_URL)
    try:
        school = add_school(ledger, did_method=did_method)
        vc = signed_credential(ledger, award(ledger, school, "ada@example.org"))
        return vc, ledger.tlog.vkey
    finally:
        ledger.close()


def test_a_look_alike_logs_bundle_fails_without_any_pinning(tmp_path: Path) -> None:
    vc, victim_key = victim_credential(tmp_path / "victim")
    bundle = look_alike_bundle(tmp_path / "fake", BASE_URL, vc)
    assert bundle["log_key"] != victim_key
    with pytest.raises(UntrustedKeyError, match="does not vouch"):
        verify_bundle(load_bundle(dump_json(bundle)))
    path = tmp_path / "proof.json"
    path.write_bytes(dump_json(bundle))
    result = run("proof", "verify", path, "--json")
    assert result.exit_code == 1, result.output
    result = run("verify", path, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["log"]["outcome"] == "not-included"


def test_proof_verify_says_which_log_key_it_trusted_and_why(tmp_path: Path) -> None:
    vc, victim_key = victim_credential(tmp_path / "victim")
    ledger = open_ledger(tmp_path / "victim", BASE_URL)
    try:
        bundle = ledger.proof_bundle(__import__("uuid").UUID(vc["id"].removeprefix("urn:uuid:")))
    finally:
        ledger.close()
    path = tmp_path / "proof.json"
    path.write_bytes(dump_json(bundle))
    result = run("proof", "verify", path, "--json")
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout)["log"]
    assert log["key"] == victim_key
    assert "names it in the credential" in log["trusted_because"]
    result = run("proof", "verify", path)
    assert "trusted: the credential's issuer did:key:" in result.stdout


def test_a_did_web_credential_is_vouched_for_by_the_did_document(tmp_path: Path) -> None:
    with live_ledger(tmp_path / "server") as live:
        issuer = live.ledger.register_issuer(Act(ADMIN), "S").issuer
        given = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:uuid:0c7e6a1e-47a5-4c57-9a38-6a1f2d3f9b10",
            "type": ["VerifiableCredential"],
            "issuer": live.ledger.issuer_did(issuer),
            "credentialSubject": {"id": "did:example:1"},
        }
        live.ledger.given.issue(Act(str(issuer.id)), issuer.id, given)
        credential = live.ledger.given.find(issuer.id, given["id"])
        bundle = live.ledger.proof_bundle(credential.id)
        path = tmp_path / "proof.json"
        path.write_bytes(dump_json(bundle))
        result = run("proof", "verify", path, "--allow-private", "--json")
        assert result.exit_code == 0, result.output
        assert "DID document" in json.loads(result.stdout)["log"]["trusted_because"]


def test_a_look_alike_started_with_the_victims_base_url_fails(tmp_path: Path) -> None:
    """Its issuers' did:web names the victim's host, whose documents do not know them."""
    with live_ledger(tmp_path / "victim") as victim:
        fake = open_ledger(tmp_path / "fake", victim.url)
        try:
            school = add_school(fake)
            credential_id = award(fake, school, "eve@example.org")
            bundle = fake.proof_bundle(credential_id)
        finally:
            fake.close()
        path = tmp_path / "proof.json"
        path.write_bytes(dump_json(bundle))
        result = run("proof", "verify", path, "--allow-private", "--json")
        assert result.exit_code == 1, result.output
        result = run("verify", path, "--allow-private", "--json")
        assert result.exit_code == 1, result.output


def test_a_credential_whose_issuer_names_no_log_is_undecided_unless_pinned(
    tmp_path: Path,
) -> None:
    """As credentials issued before issuers named their log: did:key, no log entry."""
    ledger = open_ledger(tmp_path / "old", BASE_URL)
    try:
        issuer = ledger.register_issuer(Act(ADMIN), "Old", did_method="key").issuer
        given = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:uuid:5b0f3ad2-0b8c-4a4f-9a4e-2f0b1c8c0d11",
            "type": ["VerifiableCredential"],
            "issuer": ledger.issuer_did(issuer),
            "credentialSubject": {"id": "did:example:1"},
        }
        ledger.given.issue(Act(str(issuer.id)), issuer.id, given)
        credential = ledger.given.find(issuer.id, given["id"])
        bundle = ledger.proof_bundle(credential.id)
        key = ledger.tlog.vkey
    finally:
        ledger.close()
    with pytest.raises(UnvouchedLogError):
        verify_bundle(bundle)
    path = tmp_path / "proof.json"
    path.write_bytes(dump_json(bundle))
    assert run("proof", "verify", path).exit_code == 2
    pinned = run("proof", "verify", path, "--log-key", key, "--json")
    assert pinned.exit_code == 0, pinned.output
    assert "pinned" in json.loads(pinned.stdout)["log"]["trusted_because"]
