"""The ledger's identity (log origin, public base URL) is fixed at creation and kept with it;
only a recorded move changes the base URL, and what was issued before keeps verifying."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from credledger.api.app import create_app
from credledger.crypto.checkpoint import open_checkpoint
from credledger.crypto.signed_note import NoteVerifier
from credledger.ledger import bootstrap as bootstrap_module
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.domain.ledger_identity import (
    BaseUrlChangeRefusedError,
    BaseUrlInvalidError,
    LedgerIdentity,
    LogOriginChangeRefusedError,
    normalise_base_url,
    origin_for,
)
from credledger.ledger.log.leaves import decode_leaf
from credledger.ledger.services.identity import move_base_url
from credledger.ledger.store.settings import Settings
from fastapi.testclient import TestClient

from ...http_helpers import ADMIN_TOKEN
from ...ledger_server import add_school, award, signed_credential

BASE = "https://ledger.example.test"
NEW = "https://credentials.example.nl"


@pytest.fixture
def reopen(settings: Settings) -> Iterator[Any]:
    """Open the same store again with other settings (closing each ledger afterwards)."""
    opened: list[CredentialLedger] = []

    def open_again(**changes: Any) -> CredentialLedger:
        ledger = CredentialLedger(dataclasses.replace(settings, **changes))
        opened.append(ledger)
        return ledger

    yield open_again
    for ledger in opened:
        ledger.close()


def leaves(ledger: CredentialLedger) -> list[dict[str, Any]]:
    ledger.catch_up()
    return [decode_leaf(ledger.tlog.leaf(i)) for i in range(ledger.tlog.tree.size())]


def status_urls(vc: dict[str, Any]) -> set[str]:
    status = vc["credentialStatus"]  # one object (OB 3.0), or two for suspendable awards
    entries = status if isinstance(status, list) else [status]
    return {entry["statusListCredential"] for entry in entries}


def test_a_new_ledger_records_its_identity_as_its_first_leaf(ledger: CredentialLedger) -> None:
    assert ledger.identity == LedgerIdentity("ledger.example.test/log", (BASE,))
    first = leaves(ledger)[0]
    assert first["event"] == "LedgerCreated"
    assert first["origin"] == "ledger.example.test/log"
    assert first["base_url"] == BASE


def test_a_later_start_on_another_address_keeps_origin_key_and_base_url(
    ledger: CredentialLedger, reopen: Any
) -> None:
    school = add_school(ledger)
    vkey = ledger.tlog.vkey
    ledger.close()
    again = reopen(base_url=None, default_base_url="http://127.0.0.1:9999")
    assert again.identity == LedgerIdentity("ledger.example.test/log", (BASE,))
    assert again.tlog.vkey == vkey
    vc = signed_credential(again, award(again, school, "a@example.org"))
    assert all(url.startswith(f"{BASE}/v1/status/") for url in status_urls(vc))
    note = again.tlog.make_checkpoint().note
    assert open_checkpoint(note, NoteVerifier.from_vkey(vkey)).origin == "ledger.example.test/log"


def test_a_later_start_asking_for_another_base_url_is_refused_and_records_nothing(
    ledger: CredentialLedger, reopen: Any
) -> None:
    before = ledger.recorder.max_notification_id()
    ledger.close()
    with pytest.raises(BaseUrlChangeRefusedError) as refused:
        reopen(base_url="http://127.0.0.1:9999/")
    assert "credledger move-base-url http://127.0.0.1:9999" in str(refused.value)
    assert BASE in str(refused.value)
    assert reopen(base_url=None).recorder.max_notification_id() == before


def test_a_start_asking_for_the_recorded_base_url_is_accepted(
    ledger: CredentialLedger, reopen: Any
) -> None:
    ledger.close()
    assert reopen(base_url=BASE + "/").identity.base_url == BASE


def test_a_later_start_asking_for_another_log_origin_is_refused(
    ledger: CredentialLedger, reopen: Any
) -> None:
    ledger.close()
    with pytest.raises(LogOriginChangeRefusedError):
        reopen(log_origin="elsewhere.example/log")


def test_a_move_is_a_leaf_and_new_credentials_carry_the_new_urls(
    ledger: CredentialLedger, reopen: Any
) -> None:
    school = add_school(ledger)
    identity, moved = move_base_url(ledger, NEW, Act(ADMIN))
    assert moved
    assert identity.base_urls == (BASE, NEW)
    assert leaves(ledger)[-1] | {"time": None, "commitment": None} == {
        "seq": len(leaves(ledger)) - 1,
        "event": "PublicBaseUrlMoved",
        "aggregate": leaves(ledger)[0]["aggregate"],
        "version": 2,
        "time": None,
        "commitment": None,
        "base_url": NEW,
    }
    ledger.close()
    again = reopen(base_url=None)
    assert again.identity == LedgerIdentity("ledger.example.test/log", (BASE, NEW))
    vc = signed_credential(again, award(again, school, "new@example.org"))
    assert all(url.startswith(f"{NEW}/v1/status/") for url in status_urls(vc))
    assert f"{NEW}/contexts/edubadges/v1" in vc["@context"]
    assert vc["credentialSubject"]["achievement"]["id"].startswith(f"{NEW}/v1/achievements/")
    assert again.verifier.verify(vc).verified
    checkpoint = open_checkpoint(again.tlog.make_checkpoint().note, again.tlog.signer.verifier())
    assert checkpoint.origin == "ledger.example.test/log"


def test_moving_to_the_current_base_url_records_nothing(ledger: CredentialLedger) -> None:
    before = ledger.recorder.max_notification_id()
    assert move_base_url(ledger, BASE + "/", Act(ADMIN)) == (ledger.identity, False)
    assert ledger.recorder.max_notification_id() == before


def test_after_a_move_the_old_base_url_is_refused_at_start(
    ledger: CredentialLedger, reopen: Any
) -> None:
    move_base_url(ledger, NEW, Act(ADMIN))
    ledger.close()
    with pytest.raises(BaseUrlChangeRefusedError):
        reopen(base_url=BASE)
    assert reopen(base_url=NEW).identity.base_url == NEW


def test_credentials_issued_before_a_move_keep_verifying_and_show_a_later_revocation(
    ledger: CredentialLedger, reopen: Any
) -> None:
    school = add_school(ledger)
    kept, revoked = (award(ledger, school, f"{n}@example.org") for n in ("kept", "revoked"))
    old_vcs = {c: signed_credential(ledger, c) for c in (kept, revoked)}
    move_base_url(ledger, NEW, Act(ADMIN))
    ledger.close()
    again = reopen(base_url=None)
    again.change_status(Act(str(school.issuer)), revoked, "revoke", "awarded in error")
    kept_report = again.verifier.verify(old_vcs[kept])
    assert kept_report.verified
    assert kept_report.status["revocation"] == "clear"
    revoked_report = again.verifier.verify(old_vcs[revoked])
    assert revoked_report.status["revocation"] == "revoked"
    # the old credential's list still names itself by the URL the credential holds
    url = next(u for u in status_urls(old_vcs[revoked]) if "status" in u)
    assert url.startswith(f"{BASE}/v1/status/")
    assert again.status_lists.fetch(url)["id"] == url
    # and a credential issued after the move sits on another list, under the new URL
    fresh = signed_credential(again, award(again, school, "fresh@example.org"))
    assert not status_urls(fresh) & status_urls(old_vcs[kept])


def test_did_web_documents_answer_for_the_host_they_were_issued_under(
    ledger: CredentialLedger, reopen: Any
) -> None:
    # An issuer without a recorded did:web (a did:key one, or one registered before
    # DIDs were recorded) has a did:web document under every recorded base URL's host.
    school = add_school(ledger, did_method="key")
    move_base_url(ledger, NEW, Act(ADMIN))
    ledger.close()
    again = reopen(base_url=None)
    app = create_app(again, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    path = f"/v1/issuers/{school.issuer}/did.json"
    with TestClient(app) as client:
        old = client.get(path, headers={"Host": "ledger.example.test"}).json()
        new = client.get(path, headers={"Host": "credentials.example.nl"}).json()
        forged = client.get(path, headers={"Host": "attacker.example"}).json()
    assert old["id"] == f"did:web:ledger.example.test:v1:issuers:{school.issuer}"
    assert new["id"] == f"did:web:credentials.example.nl:v1:issuers:{school.issuer}"
    assert forged["id"] == new["id"]  # only recorded base URLs ever come back
    assert again.dids.resolve(old["id"])["id"] == old["id"]


def test_a_did_web_issuers_document_is_its_recorded_did_under_every_host(
    ledger: CredentialLedger, reopen: Any
) -> None:
    school = add_school(ledger)
    did = ledger.issuer_did(ledger.issuer(school.issuer))
    move_base_url(ledger, NEW, Act(ADMIN))
    ledger.close()
    again = reopen(base_url=None)
    app = create_app(again, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    path = f"/v1/issuers/{school.issuer}/did.json"
    with TestClient(app) as client:
        for host in ("ledger.example.test", "credentials.example.nl"):
            assert client.get(path, headers={"Host": host}).json()["id"] == did
    assert did == f"did:web:ledger.example.test:v1:issuers:{school.issuer}"
    assert again.issuer_did(again.issuer(school.issuer)) == did
    assert again.dids.resolve(did)["id"] == did


def test_a_ledger_made_before_identities_adopts_the_origin_its_checkpoints_carry(
    settings: Settings, reopen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before identities were recorded, the origin followed whatever base URL a start had.
    with monkeypatch.context() as before:
        before.setattr(
            bootstrap_module,
            "establish_identity",
            lambda app, s, origin: LedgerIdentity(
                origin_for("http://127.0.0.1:8123"), ("http://127.0.0.1:8123",)
            ),
        )
        old = reopen()
        add_school(old)
        old_note = old.tlog.make_checkpoint().note
        old_key = old.tlog.vkey
        old.close()
    adopted = reopen(base_url=None, default_base_url="http://127.0.0.1:8456")
    assert adopted.identity == LedgerIdentity("127.0.0.1:8123/log", ("http://127.0.0.1:8456",))
    assert adopted.tlog.vkey == old_key
    last = leaves(adopted)[-1]
    assert last["event"] == "LedgerIdentityAdopted"
    assert (last["origin"], last["base_url"]) == ("127.0.0.1:8123/log", "http://127.0.0.1:8456")
    new_note = adopted.tlog.make_checkpoint().note
    verifier = NoteVerifier.from_vkey(old_key)
    assert open_checkpoint(new_note, verifier).size > open_checkpoint(old_note, verifier).size


@pytest.mark.parametrize(
    "url",
    [
        "ftp://ledger.example",
        "https://",
        "https://ledger.example/?q=1",
        "https://ledger.example/#x",
        "https://user@ledger.example",
        "https://ledger.example:99999",
        "https://ledger .example",
        "https://ledger.example/a\nb",
        "javascript:alert(1)",
        "https://" + "a" * 600 + ".example",
        "",
    ],
)
def test_unusable_base_urls_are_refused(url: str) -> None:
    with pytest.raises(BaseUrlInvalidError):
        normalise_base_url(url)


def test_a_move_to_an_unusable_base_url_records_nothing(ledger: CredentialLedger) -> None:
    before = ledger.recorder.max_notification_id()
    with pytest.raises(BaseUrlInvalidError):
        move_base_url(ledger, "https://ledger.example/?next=evil", Act(ADMIN))
    assert ledger.recorder.max_notification_id() == before
    assert ledger.identity.base_urls == (BASE,)
