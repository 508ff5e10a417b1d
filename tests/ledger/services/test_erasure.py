"""Erasing a learner at their institution's request (issue 11.4): `POST /v1/erasures`,
`credledger erase`; afterwards their credentials answer 410 to everyone, every copy is
covered, and the log, the events and every other learner stay as they were."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from credledger.api.app import create_app
from credledger.crypto import cbor
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.acts import Act
from credledger.ledger.store.settings import Settings
from credledger.ledger.store.sqldb import SQLiteDatabase
from credledger.ledger.store.vault import SubjectErasedError, Vault
from fastapi.testclient import TestClient

from ...cli_helpers import clean_environment, run
from ...http_helpers import ADMIN_TOKEN, auth, microcredential_definition

PROBLEM = "application/problem+json"


@pytest.fixture
def client(ledger: Any) -> Iterator[TestClient]:
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        yield c


def register(client: TestClient, name: str) -> dict[str, Any]:
    r = client.post("/v1/issuers", json={"name": name}, headers=auth(ADMIN_TOKEN))
    body = dict(r.json())
    r = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(body["token"])
    )
    body["achievement_id"] = r.json()["id"]
    return body


def award(client: TestClient, school: dict[str, Any], recipient: dict[str, str]) -> Any:
    r = client.post(
        "/v1/credentials",
        headers=auth(school["token"]),
        json={"achievement_id": school["achievement_id"], "recipient": recipient},
    )
    assert r.status_code == 201, r.text
    return r.json()


def erase(client: TestClient, school: dict[str, Any], recipient: Any, **headers: str) -> Any:
    return client.post(
        "/v1/erasures",
        json={"recipient": recipient},
        headers={**auth(school["token"]), **headers},
    )


@pytest.fixture
def schools(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    return register(client, "Hogeschool Noord"), register(client, "Universiteit Zuid")


def everything(ledger: Any) -> tuple[list[bytes], list[bytes]]:
    ledger.catch_up()
    leaves = [d for _, d in ledger.tlog.leaves(0, ledger.tlog.size() - 1)]
    events = [n.state for n in ledger.recorder.select_notifications(1, 10_000)]
    return leaves, events


def test_erased_credentials_answer_410_to_everyone_and_nothing_recorded_changes(
    client: TestClient, ledger: Any, schools: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    school, _ = schools
    mine = [award(client, school, {"email": "gone@example.nl"}) for _ in range(2)]
    other = award(client, school, {"email": "stays@example.nl"})
    leaves, events = everything(ledger)
    r = erase(client, school, {"email": "GONE@example.nl"})
    assert r.status_code == 200, r.text
    assert sorted(r.json()["credentials"]) == sorted(c["id"] for c in mine)
    for credential in mine:
        path = f"/v1/credentials/{credential['id']}"
        for answer in (
            client.get(path, headers=auth(school["token"])),
            client.get(f"{path}/proof", headers=auth(school["token"])),
            client.post("/v1/proofs", json={"credential": credential["credential"]}),
        ):
            assert answer.status_code == 410, answer.text
            assert answer.headers["content-type"].startswith(PROBLEM)
    assert client.get(f"/v1/credentials/{other['id']}", headers=auth(school["token"])).is_success
    assert client.post("/v1/proofs", json={"credential": other["credential"]}).is_success
    after_leaves, after_events = everything(ledger)
    assert after_leaves[: len(leaves)] == leaves
    assert after_events[: len(events)] == events
    assert cbor.decode(after_leaves[len(leaves)])["event"] == "ErasureRecorded"


def test_the_recorded_erasure_holds_no_personal_data(
    client: TestClient, ledger: Any, schools: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    school, _ = schools
    award(client, school, {"email": "gone@example.nl"})
    _, events = everything(ledger)
    assert erase(client, school, {"email": "gone@example.nl"}).status_code == 200
    _, after = everything(ledger)
    (recorded,) = after[len(events) :]
    body = json.dumps({"recipient": {"email": "gone@example.nl"}}, separators=(",", ":"))
    for guess in (b"gone@example.nl", hashlib.sha256(body.encode()).digest()):
        assert guess not in recorded
    assert hashlib.sha256(b"gone@example.nl").digest() not in recorded


def test_an_institution_cannot_erase_another_institutions_credentials(
    client: TestClient, schools: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    school, other = schools
    theirs = award(client, school, {"email": "shared@example.nl"})
    r = erase(client, other, {"email": "shared@example.nl"})
    assert r.status_code == 200
    assert r.json()["credentials"] == []
    assert client.get(f"/v1/credentials/{theirs['id']}", headers=auth(school["token"])).is_success


def test_copies_shown_for_a_recognition_are_erased_too(
    client: TestClient, ledger: Any, schools: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    school, other = schools
    issued = award(client, school, {"email": "gone@example.nl"})
    r = client.post(
        "/v1/recognitions",
        json={"credential": issued["credential"], "decision": "recognised"},
        headers=auth(other["token"]),
    )
    assert r.status_code == 201, r.text
    recognition = ledger.repository.get(UUID(r.json()["id"]))
    ledger.vault.unseal(recognition.subject_key_id, recognition.sealed, recognition.id.bytes)
    erased = erase(client, school, {"email": "gone@example.nl"}).json()
    assert erased["copies"] == 1
    with pytest.raises(SubjectErasedError):
        ledger.vault.unseal(recognition.subject_key_id, recognition.sealed, recognition.id.bytes)


def test_vc_api_credentials_naming_the_learner_are_erased(
    client: TestClient, ledger: Any, schools: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    school, other = schools

    def given(subject: str) -> dict[str, Any]:
        r = client.post(
            f"/v1/issuers/{school['id']}/credentials/issue",
            headers=auth(school["token"]),
            json={
                "credential": {
                    "@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiableCredential"],
                    "issuer": school["did"],
                    "credentialSubject": {"id": subject},
                }
            },
        )
        assert r.status_code == 201, r.text
        return dict(r.json()["verifiableCredential"])

    learner, stranger = given("did:example:learner"), given("did:example:stranger")
    r = erase(client, other, {"did": "did:example:learner"})
    assert r.status_code == 200
    assert r.json()["credentials"] == []
    r = erase(client, school, {"did": "did:example:learner"})
    assert r.status_code == 200
    assert len(r.json()["credentials"]) == 1
    (erased_id,) = r.json()["credentials"]
    with pytest.raises(SubjectErasedError):
        ledger.credential_document(ledger.credential(UUID(erased_id)))
    assert client.post("/v1/proofs", json={"credential": learner}).status_code == 410
    assert client.post("/v1/proofs", json={"credential": stranger}).status_code == 200


def test_a_retried_erasure_answers_the_same_and_records_it_once(
    client: TestClient, ledger: Any, schools: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    school, _ = schools
    issued = award(client, school, {"eduid": "urn:schac:personalUniqueCode:nl:123"})
    recipient = {"eduid": "urn:schac:personalUniqueCode:nl:123"}
    first = erase(client, school, recipient, **{"Idempotency-Key": "erase-1"})
    size = ledger.tlog.size()
    again = erase(client, school, recipient, **{"Idempotency-Key": "erase-1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["credentials"] == [issued["id"]]
    ledger.catch_up()
    assert ledger.tlog.size() == size
    reused = erase(client, school, {"eduid": "someone-else"}, **{"Idempotency-Key": "erase-1"})
    assert reused.status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"recipient": {"email": "not an address"}},
        {"recipient": {"email": "a@b.nl", "did": "did:example:x"}},
        {"recipient": {"phone": "0612345678"}},
        {"recipient": "a@b.nl"},
        {"recipient": {"email": "a@b.nl"}, "all": True},
        {},
    ],
)
def test_a_malformed_erasure_is_a_422_that_erases_and_records_nothing(
    client: TestClient,
    ledger: Any,
    schools: tuple[dict[str, Any], dict[str, Any]],
    body: Any,
) -> None:
    school, _ = schools
    issued = award(client, school, {"email": "a@b.nl"})
    before = ledger.recorder.max_notification_id()
    r = client.post("/v1/erasures", json=body, headers=auth(school["token"]))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert ledger.recorder.max_notification_id() == before
    assert client.get(f"/v1/credentials/{issued['id']}", headers=auth(school["token"])).is_success


def test_only_an_institution_erases(client: TestClient) -> None:
    body = {"recipient": {"email": "a@b.nl"}}
    assert client.post("/v1/erasures", json=body).status_code == 401
    assert client.post("/v1/erasures", json=body, headers=auth(ADMIN_TOKEN)).status_code == 403


def test_a_key_erased_by_another_process_is_gone_at_once(tmp_path: Path) -> None:
    """The vault used to cache keys: a second process kept serving erased data."""
    path = tmp_path / "vault.sqlite"
    serving, erasing = Vault(SQLiteDatabase(path)), Vault(SQLiteDatabase(path))
    subject = serving.subject_key_id("email", "gone@example.nl", "issuer")
    sealed = serving.seal(subject, b"personal data", b"context")
    assert serving.unseal(subject, sealed, b"context") == b"personal data"
    assert erasing.erase_subject(subject)
    with pytest.raises(SubjectErasedError):
        serving.unseal(subject, sealed, b"context")


def test_older_credentials_sharing_a_key_across_institutions_are_not_erased_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before per-institution keys, one key sealed a learner's credentials from every
    institution: one institution's erasure must not destroy another's."""
    ledger = CredentialLedger(Settings(data_dir=tmp_path / "data"))
    try:
        schools = []
        for name in ("Noord", "Zuid"):
            registered = ledger.register_issuer(Act("admin"), name)
            actor = str(registered.issuer.id)
            achievement = ledger.define_achievement(Act(actor), microcredential_definition())
            schools.append((actor, achievement.id))
        subject_key_id = Vault.subject_key_id
        with monkeypatch.context() as old:  # as earlier versions sealed
            old.setattr(
                Vault, "subject_key_id", lambda self, k, i, issuer=None: subject_key_id(self, k, i)
            )
            issued = [
                ledger.issue_credential(Act(actor), achievement, {"email": "both@example.nl"})
                for actor, achievement in schools
            ]
        before = ledger.recorder.max_notification_id()
        from credledger.ledger.domain.errors import SharedSubjectKeyError

        with pytest.raises(SharedSubjectKeyError):
            ledger.erase_learner(Act(schools[0][0]), {"email": "both@example.nl"})
        assert ledger.recorder.max_notification_id() == before
        for one in issued:
            ledger.credential_document(ledger.credential(one.credential.id))
    finally:
        ledger.close()


def test_the_cli_erases_a_learner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)
    data = tmp_path / "ledger"
    ledger = CredentialLedger(Settings(data_dir=data))
    try:
        registered = ledger.register_issuer(Act("admin"), "Noord")
        actor = str(registered.issuer.id)
        achievement = ledger.define_achievement(Act(actor), microcredential_definition())
        issued = ledger.issue_credential(Act(actor), achievement.id, {"email": "gone@example.nl"})
    finally:
        ledger.close()
    assert run("erase", "--data", data, "--issuer", actor).exit_code == 2
    result = run("erase", "--email", "gone@example.nl", "--data", data, "--issuer", actor, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["credentials"] == [str(issued.credential.id)]
    ledger = CredentialLedger(Settings(data_dir=data))
    try:
        with pytest.raises(SubjectErasedError):
            ledger.credential_document(ledger.credential(issued.credential.id))
    finally:
        ledger.close()
