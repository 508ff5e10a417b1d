"""Golden bytes: the stored event and the Merkle leaf of one event of every kind.

Stored events and their leaves are what a ledger's log is anchored to: a change to
either, however small, makes every earlier checkpoint unprovable. So an event of every
kind in the registry is made here deterministically (fixed salts, aliases, clock and
act key), and its stored topic and state and its leaf are compared with the bytes in
tests/data/golden/events.json (see the README there). The leaves of the vendored
ledger-0.1 are recomputed from its stored events with the leaf codec and must equal
both the leaves its log holds and the pinned ones.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import eventsourcing.domain
import pytest
from credledger.ledger.domain import aggregate as aggregate_module
from credledger.ledger.domain.achievement import Achievement
from credledger.ledger.domain.acts import CLOCK, Act, acting
from credledger.ledger.domain.claim import Claim
from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.endorsement import Endorsement
from credledger.ledger.domain.erasure import Erasure
from credledger.ledger.domain.events import (
    CREDENTIAL_ISSUED,
    CREDENTIAL_REASON_PUBLISHED,
    CREDENTIAL_SHARING_ENDED,
    KINDS,
    SHARE_LINK_MADE,
    kind_of,
)
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.domain.ledger_identity import Ledger
from credledger.ledger.domain.recognition import Recognition
from credledger.ledger.domain.share_link import ShareLink
from credledger.ledger.domain.status_lists import StatusList, StatusSlot, group_id, list_id
from credledger.ledger.log.leaves import leaf_for, leaf_from_row
from credledger.ledger.store.transcoder import CBORTranscoder, decode_deterministic
from eventsourcing.persistence import Mapper, Notification, StoredEvent

DATA = Path(__file__).parents[2] / "data"
GOLDEN = DATA / "golden" / "events.json"
MADE_BEFORE = DATA / "ledgers" / "ledger-0.1"
REWRITE = "CREDLEDGER_REWRITE_GOLDEN"
"""Set to 1 to rewrite events.json (only for a new kind of event: see the README)."""

START = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
ISSUER = UUID("00000000-0000-4000-8000-00000000000a")
OTHER = UUID("00000000-0000-4000-8000-00000000000b")
KEY_1 = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
KEY_2 = "z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH"
BASE_URL = "https://ledger.example.nl"


def _sha(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


@pytest.fixture
def fixed_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """Salts, log aliases and event times from counters instead of chance and the clock."""
    salts, aliases, ticks = itertools.count(1), itertools.count(1), itertools.count(0)

    class Salts:
        @staticmethod
        def token_bytes(size: int) -> bytes:
            return _sha(f"salt {next(salts)}")[:size]

    monkeypatch.setattr(aggregate_module, "secrets", Salts)
    monkeypatch.setattr(
        aggregate_module, "uuid4", lambda: UUID(bytes=_sha(f"alias {next(aliases)}")[:16])
    )
    monkeypatch.setattr(
        eventsourcing.domain,
        "datetime_now_with_tzinfo",
        lambda: START + timedelta(seconds=next(ticks)),
    )


def _act(actor: UUID | str, number: int) -> Any:
    return acting(Act(str(actor), key=_sha(f"act {number}"), digest=_sha(f"request {number}")))


def _issuer_events() -> Iterator[Any]:
    with _act("admin", 1):
        issuer = Issuer(
            name="Hogeschool Voorbeeld",
            url="https://hs.example.nl",
            email="registrar@hs.example.nl",
            token_hash=_sha("token 1"),
            key_id=f"{BASE_URL}/issuers/{ISSUER}#key-1",
            public_key_multibase=KEY_1,
            did=f"did:web:ledger.example.nl:issuers:{ISSUER}",
        )
        issuer.update_profile({"email": "info@hs.example.nl"})
        issuer.issue_token(_sha("token 2"))
        issuer.revoke_token(_sha("token 2"))
        issuer.rotate_signing_key(f"{BASE_URL}/issuers/{ISSUER}#key-2", KEY_2)
        issuer.retire_signing_key(f"{BASE_URL}/issuers/{ISSUER}#key-1")
        issuer.report_key_compromised(f"{BASE_URL}/issuers/{ISSUER}#key-1", "key leaked")
        issuer.record_reissue(
            f"{BASE_URL}/issuers/{ISSUER}#key-1", "key leaked", ["urn:uuid:" + str(ISSUER)]
        )
    yield from issuer.collect_events()
    with _act(ISSUER, 2):
        achievement = Achievement(ISSUER, {"name": "Data Literacy", "ects": "2.5"})
        achievement.revise({"name": "Data Literacy", "ects": "3"})
        achievement.archive()
    yield from achievement.collect_events()


def _award_events() -> Iterator[Any]:
    group = group_id(ISSUER, 0)
    lists = {p: list_id(group, p) for p in ("revocation", "suspension")}
    with _act(ISSUER, 3):
        credential = Credential(
            issuer_id=ISSUER,
            achievement_id=UUID("00000000-0000-4000-8000-0000000000ac"),
            achievement_version=2,
            subject_key_id="subject-key-1",
            sealed=b"sealed credential",
            digest=_sha("signed credential 1"),
            awarded_at=START,
            valid_until=START + timedelta(days=365),
            signing_key_id=f"{BASE_URL}/issuers/{ISSUER}#key-2",
            status_slot={"group": group, "index": 7, "number": 0, "purposes": list(lists)},
        )
        slot = StatusSlot(group=group, index=7, number=0, lists=lists, credential_id=credential.id)
        credential.suspend("inquiry", str(ISSUER))
        credential.reinstate("cleared", str(ISSUER))
        credential.reissue(
            b"sealed again", _sha("signed credential 2"), "key-2", str(ISSUER), "new key"
        )
        credential.revoke("fraud", str(ISSUER))
    yield from credential.collect_events()
    yield from slot.collect_events()
    with _act(OTHER, 4):
        recognition = Recognition(
            institution_id=OTHER,
            credential_id="urn:uuid:00000000-0000-4000-8000-0000000000cc",
            credential_issuer=f"did:web:ledger.example.nl:issuers:{ISSUER}",
            credential_digest=_sha("signed credential 2"),
            subject_key_id="subject-key-2",
            sealed=b"sealed copy",
            decision="recognised",
            ects=Decimal("2.5"),
            exemption="Module 3",
            note=None,
            verification={"verified": True, "checks": ["proof", "status"]},
        )
        recognition.withdraw("entered in error", str(OTHER))
    yield from recognition.collect_events()


def _institution_events() -> Iterator[Any]:
    group = group_id(OTHER, 0)
    with _act(OTHER, 5):
        endorsement = Endorsement(
            endorser_id=OTHER,
            subject_kind="issuer",
            subject_id=ISSUER,
            comment="A good school",
            document={"type": ["VerifiableCredential", "EndorsementCredential"]},
            digest=_sha("endorsement"),
            status_slot={"group": group, "index": 3, "number": 0},
        )
        endorsement.withdraw("changed our mind", str(OTHER))
        status_list = StatusList(
            list_uuid=list_id(group, "revocation"),
            issuer_id=OTHER,
            group=group,
            purpose="revocation",
        )
        status_list.publish(
            list_url=f"{BASE_URL}/status/{list_id(group, 'revocation')}",
            list_version=1,
            digest=_sha("list credential"),
            document={"type": ["VerifiableCredential", "BitstringStatusListCredential"]},
            position=1,
        )
        erasure = Erasure(issuer_id=OTHER, credentials=[ISSUER], copies=1)
    yield from endorsement.collect_events()
    yield from status_list.collect_events()
    yield from erasure.collect_events()


def _ledger_events() -> Iterator[Any]:
    with _act("admin", 6):
        ledger = Ledger.create("ledger.example.nl/log", BASE_URL)
        ledger.move_base_url("https://credentials.example.nl", BASE_URL)
        adopted = Ledger.adopt("old.example.nl/log", "https://old.example.nl", "checkpoint")
    yield from ledger.collect_events()
    yield from adopted.collect_events()


LATER_KINDS = {CREDENTIAL_REASON_PUBLISHED, CREDENTIAL_SHARING_ENDED, SHARE_LINK_MADE}
"""Kinds added after events.json was first written (see ``_later_events``)."""


def _later_events() -> Iterator[Any]:
    """Kinds added later, pinned after the first entries so that none of those moves
    (a leaf holds its index): only the new kinds' events are kept."""
    with _act(ISSUER, 7):
        credential = _unlisted_credential("ad", 1, "subject-key-3", b"sealed credential 3")
        credential.revoke("issued in error", str(ISSUER), publish_reason=True)
        credential.end_sharing(str(ISSUER))
    yield from (e for e in credential.collect_events() if kind_of(e) in LATER_KINDS)
    act = Act(str(ISSUER), key=_sha("act 8"), digest=_sha("request 8"), id_key=_sha("id key"))
    with acting(act):
        link = ShareLink(credential_id=credential.id, issuer_id=ISSUER, sharing_round=1)
    yield from link.collect_events()


def _unlisted_credential(
    achievement: str, version: int, subject_key_id: str, sealed: bytes
) -> Credential:
    """An award with no status entry and no end date (call inside an act)."""
    return Credential(
        issuer_id=ISSUER,
        achievement_id=UUID(f"00000000-0000-4000-8000-0000000000{achievement}"),
        achievement_version=version,
        subject_key_id=subject_key_id,
        sealed=sealed,
        digest=_sha("signed credential 3"),
        awarded_at=START,
        valid_until=None,
        signing_key_id=f"{BASE_URL}/issuers/{ISSUER}#key-2",
        status_slot=None,
    )


def _claim_events() -> Iterator[Any]:
    """Made after the later kinds above (their bytes were pinned first): an
    offer guarded by a code, its use with the delivery it made, and a withdrawn offer."""
    with _act(ISSUER, 9):
        credential = _unlisted_credential("ac", 2, "subject-key-1", b"sealed credential")
        credential.collect_events()  # its Issued is pinned above
        offered = Claim.offer(
            UUID("00000000-0000-4000-8000-0000000000c1"),
            credential_id=credential.id,
            issuer_id=ISSUER,
            expires_at=START + timedelta(days=14),
            tx_code={
                "kdf": "scrypt", "n": 16384, "r": 8, "p": 1, "salt": _sha("tx salt")[:16],
                "hash": _sha("tx hash"), "length": 8, "input_mode": "numeric",
            },
        )  # fmt: skip
        withdrawn = Claim.offer(
            UUID("00000000-0000-4000-8000-0000000000c2"),
            credential_id=credential.id,
            issuer_id=ISSUER,
            expires_at=START + timedelta(days=1),
            tx_code=None,
        )
        withdrawn.withdraw(str(ISSUER), "sent to the wrong address")
    with acting(Act("holder", key=_sha("act 10"), digest=None)):
        offered.claim(START, subject_key_id="subject-key-1", holder=b"sealed did", protocol="vcapi")
        credential.deliver(offered.id, b"sealed copy", _sha("delivered copy"), "key-2")
    yield from offered.collect_events()
    yield from credential.collect_events()
    yield withdrawn.collect_events()[-1]  # its offer is pinned by the first claim


def _expiry_events() -> Iterator[Any]:
    """Pinned after the claims above: an open claim's expiry, recorded by the clock."""
    with _act(ISSUER, 11):
        lapsed = Claim.offer(
            UUID("00000000-0000-4000-8000-0000000000c3"),
            credential_id=UUID("00000000-0000-4000-8000-0000000000cd"),
            issuer_id=ISSUER,
            expires_at=START + timedelta(days=14),
            tx_code=None,
        )
    with acting(Act(CLOCK, key=_sha("act 12"), digest=None)):
        assert lapsed.expire(START + timedelta(days=14))
    yield lapsed.collect_events()[-1]  # its offer is pinned by the claims above


def made_now() -> list[dict[str, Any]]:
    """One stored event and leaf of every kind (and a credential issued before aliases)."""
    mapper: Mapper[Any] = Mapper(transcoder=CBORTranscoder())
    events = [*_ledger_events(), *_issuer_events(), *_award_events(), *_institution_events()]
    stored = [mapper.to_stored_event(e) for e in events]
    issued = next(s for s, e in zip(stored, events, strict=True) if kind_of(e) is CREDENTIAL_ISSUED)
    before_aliases = dict(decode_deterministic(issued.state))
    del before_aliases["log_alias"]
    state = CBORTranscoder().encode(before_aliases)
    stored.append(StoredEvent(issued.originator_id, issued.originator_version, issued.topic, state))
    noted = len(stored) - 1
    stored += [mapper.to_stored_event(e) for e in _later_events()]
    stored += [mapper.to_stored_event(e) for e in _claim_events()]
    stored += [mapper.to_stored_event(e) for e in _expiry_events()]
    made = []
    for seq, event in enumerate(stored):
        notification = Notification(
            id=seq + 1,
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=event.topic,
            state=event.state,
        )
        made.append(
            {
                "topic": event.topic,
                "aggregate": str(event.originator_id),
                "version": event.originator_version,
                "state": event.state.hex(),
                "leaf": leaf_for(seq, notification).hex(),
            }
        )
    made[noted]["note"] = "Credential.Issued as recorded before aliases (the leaf names the VC)"
    return made


def made_before(copy: Path) -> list[dict[str, Any]]:
    """From a copy of ledger-0.1: the first stored event of each topic, and its leaf."""
    db = sqlite3.connect(copy / "events.sqlite")
    rows = db.execute(
        "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
        "WHERE rowid IN (SELECT MIN(rowid) FROM stored_events GROUP BY topic) ORDER BY rowid"
    ).fetchall()
    db.close()
    db = sqlite3.connect(copy / "log.sqlite")
    leaves = {
        n: (idx, data)
        for idx, n, data in db.execute("SELECT idx, notification_id, data FROM log_leaves")
    }
    db.close()
    return [
        {
            "notification_id": rowid,
            "aggregate": str(UUID(aggregate)),
            "version": version,
            "topic": topic,
            "state": bytes(state),
            "seq": leaves[rowid][0],
            "logged_leaf": bytes(leaves[rowid][1]),
        }
        for rowid, aggregate, version, topic, state in rows
    ]


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return dict(json.loads(GOLDEN.read_text()))


@pytest.fixture
def ledger_0_1(tmp_path: Path) -> Path:
    """A copy of the vendored ledger-0.1 (which stays read-only)."""
    return Path(shutil.copytree(MADE_BEFORE, tmp_path / "ledger-0.1"))


def test_the_golden_file_is_rewritten_only_on_request(
    fixed_sources: None, ledger_0_1: Path
) -> None:
    if os.environ.get(REWRITE) != "1":
        pytest.skip(f"set {REWRITE}=1 to rewrite {GOLDEN.name} (see its README)")
    before = {str(r["topic"]): r["logged_leaf"].hex() for r in made_before(ledger_0_1)}
    GOLDEN.write_text(json.dumps({"made_now": made_now(), "ledger-0.1": before}, indent=1) + "\n")


def test_an_event_of_every_kind_is_pinned(golden: dict[str, Any]) -> None:
    assert {e["topic"] for e in golden["made_now"]} == {k.topic for k in KINDS}


def test_events_made_now_have_the_pinned_stored_bytes_and_leaves(
    fixed_sources: None, golden: dict[str, Any]
) -> None:
    made = made_now()
    assert [e["topic"] for e in made] == [e["topic"] for e in golden["made_now"]]
    for now, pinned in zip(made, golden["made_now"], strict=True):
        assert now["state"] == pinned["state"], f"stored bytes of {now['topic']} changed"
        assert now["leaf"] == pinned["leaf"], f"the leaf of {now['topic']} changed"


def test_the_audit_fast_path_gives_the_pinned_leaves(golden: dict[str, Any]) -> None:
    for seq, pinned in enumerate(golden["made_now"]):
        state = bytes.fromhex(pinned["state"])
        fast = leaf_from_row(seq, pinned["aggregate"], pinned["version"], pinned["topic"], state)
        assert fast.hex() == pinned["leaf"], pinned["topic"]


def test_leaves_of_ledger_0_1_recomputed_from_its_events_are_its_logged_leaves(
    ledger_0_1: Path, golden: dict[str, Any]
) -> None:
    found = made_before(ledger_0_1)
    assert {r["topic"] for r in found} == set(golden["ledger-0.1"])
    for row in found:
        notification = Notification(
            id=row["notification_id"],
            originator_id=UUID(row["aggregate"]),
            originator_version=row["version"],
            topic=row["topic"],
            state=row["state"],
        )
        leaf = leaf_for(row["seq"], notification)
        assert leaf == row["logged_leaf"], row["topic"]
        assert leaf.hex() == golden["ledger-0.1"][row["topic"]], row["topic"]
        fast = leaf_from_row(
            row["seq"], row["aggregate"], row["version"], row["topic"], row["state"]
        )
        assert fast == leaf


def test_every_kind_made_now_is_known_to_the_registry(fixed_sources: None) -> None:
    events = [
        *_ledger_events(),
        *_issuer_events(),
        *_award_events(),
        *_institution_events(),
        *_later_events(),
        *_claim_events(),
        *_expiry_events(),
    ]
    assert sorted(kind_of(e).public_name for e in events) == sorted(k.public_name for k in KINDS)
