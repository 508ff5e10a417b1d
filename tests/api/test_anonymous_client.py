"""An anonymous client with the whole public API and log reads no credential and links
no address to an award (issue 11.3).

The attacker walks every GET of the OpenAPI document with every identifier it can
harvest (from the log's leaves, checkpoints, status lists, did documents and every
answer), presents every identifier to the holder lookup, and then runs the dictionary
attack that recovered 5 of 5 addresses before: salted identity hashes against a
dictionary of addresses, and CSV award ids recomputed from (achievement, line, cells)
against the log. A positive control shows the attack works on a credential it holds.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest
from credledger.api.app import create_app
from credledger.cli.award_sheet import Row, row_key
from credledger.crypto import cbor
from credledger.ledger.application import CredentialLedger
from credledger.ledger.store.settings import Settings
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SYLLABLES = ["an", "be", "co", "da", "el", "fi", "go", "ha", "in", "jo", "ka", "li", "mo"]
DICTIONARY = [
    f"{a}{b}{c}@example.nl" for a, b, c in itertools.product(_SYLLABLES, repeat=3)
]  # 2,197 addresses: the attacker's guesses
LEARNERS = DICTIONARY[5::180]  # 13 of them received awards
LEGACY_ACT_IDS = uuid5(NAMESPACE_URL, "https://credledger.org/ns/act")


def _legacy_credential_id(actor: str, idempotency_key: str) -> UUID:
    """How credential ids were derived before they were keyed: anyone could compute it."""
    key = hashlib.sha256(f"{actor}\n{idempotency_key}".encode()).digest()
    return uuid5(LEGACY_ACT_IDS, f"credential:{key.hex()}")


class World:
    """A ledger with awards of every kind, served in-process."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        school = self.post("/v1/issuers", {"name": "Hogeschool Noord"}, ADMIN_TOKEN)
        other = self.post("/v1/issuers", {"name": "Universiteit Zuid"}, ADMIN_TOKEN)
        self.school, self.other = school, other
        self.achievement = self.post(
            "/v1/achievements", microcredential_definition(suspendable=True), school["token"]
        )["id"]
        self.credentials: list[dict[str, Any]] = []
        rows = [Row(line, {"email": email}) for line, email in enumerate(LEARNERS, start=2)]
        self.rows = rows
        items = [
            {
                "achievement_id": self.achievement,
                "recipient": {"email": row.cells["email"]},
                "result": {"value": "8"},
                "evidence": [{"narrative": f"portfolio of learner {row.line}"}],
                "idempotency_key": row_key(self.achievement, row),
            }
            for row in rows
        ]
        batch = self.post("/v1/credentials/batch", {"credentials": items}, school["token"], 200)
        self.credentials += [item["credential"] for item in batch["results"]]
        ids = [item["id"] for item in batch["results"]]
        token = school["token"]
        self.post(f"/v1/credentials/{ids[0]}/revoke", {"reason": "fraud"}, token, 200)
        self.post(f"/v1/credentials/{ids[1]}/suspend", {"reason": "inquiry"}, token, 200)
        reissued = self.post(
            f"/v1/credentials/{ids[2]}/reissue",
            {"reason": "grade corrected", "result": {"value": "9"}},
            token,
            200,
        )
        self.credentials.append(reissued["credential"])
        given = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:uuid:6d1c9a0e-5b7f-4e2a-9c3d-2f1e0a9b8c7d",
            "type": ["VerifiableCredential"],
            "issuer": school["did"],
            "credentialSubject": {"id": "did:example:learner-42", "name": "Learner 42"},
        }
        vcapi = self.post(
            f"/v1/issuers/{school['id']}/credentials/issue",
            {
                "credential": given,
                "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}},
            },
            token,
        )
        self.credentials.append(vcapi["verifiableCredential"])
        self.post(
            "/v1/recognitions",
            {"credential": self.credentials[3], "decision": "recognised", "ects": 4},
            other["token"],
        )
        self.post(
            "/v1/endorsements",
            {"subject": self.credentials[4]["id"], "comment": "Excellent work"},
            other["token"],
        )
        for credential in self.credentials:  # publish the lists' current versions
            for entry in _status_entries(credential):
                client.get(
                    entry["statusListCredential"].removeprefix("https://ledger.example.test")
                )
        self.post("/v1/log/checkpoint", None, ADMIN_TOKEN, 200)

    def post(self, path: str, body: Any, token: str, status: int = 201) -> Any:
        r = self.client.post(path, json=body, headers=auth(token))
        assert r.status_code == status, r.text
        return r.json() if r.headers["content-type"].endswith("json") else r.text


def _status_entries(credential: dict[str, Any]) -> list[dict[str, Any]]:
    status = credential.get("credentialStatus", [])
    return status if isinstance(status, list) else [status]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.hex()
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _identity_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "identityHash" in value:
            yield value
        for v in value.values():
            yield from _identity_objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from _identity_objects(v)


class Attacker:
    """Everything an anonymous client can read, gathered exhaustively."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.corpus: list[str] = []
        self.documents: list[Any] = []
        self.ids: set[str] = set()
        self.opened: list[str] = []

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        r = self.client.get(path, params=params)
        assert r.status_code < 500, (path, r.text)
        self.corpus.append(r.text)
        self.ids |= set(_UUID.findall(r.text))
        if r.status_code != 200:
            return None
        try:
            document = r.json()
        except ValueError:
            return r.text
        self.documents.append(document)
        return document

    def read_log(self) -> None:
        note = self.get("/v1/log/checkpoint")
        size = int(note.splitlines()[1])
        self.get("/v1/log/key")
        self.get("/v1/log/checkpoints", {"after": -1})
        for start in range(0, size, 1000):
            page = self.get("/v1/log/leaves", {"start": start, "end": start + 999})
            for entry in page["leaves"]:
                leaf = cbor.decode(base64.b64decode(entry["data"]))
                self.documents.append(leaf)
                text = " ".join(_strings(leaf))
                self.corpus.append(text)
                self.ids |= set(_UUID.findall(text))
                self.get("/v1/log/proof/inclusion", {"index": entry["index"], "size": size})
                if "digest" in leaf and leaf["event"].startswith("Credential"):
                    digest = leaf["digest"].hex()
                    self.get("/v1/log/proof/inclusion", {"digest": digest, "size": size})
                    self.present({"digest": digest})
        self.get("/v1/log/proof/consistency", {"first": 1, "second": size})

    def present(self, credential: dict[str, Any]) -> None:
        r = self.client.post("/v1/proofs", json={"credential": credential})
        assert r.status_code in (404, 422), r.text
        self.corpus.append(r.text)

    def walk_api(self) -> None:
        """Every GET of the OpenAPI document, with every id harvested so far, until no
        answer yields a new one."""
        operations = [
            (path, op)
            for path, item in self.get("/openapi.json")["paths"].items()
            for method, op in item.items()
            if method == "get"
        ]
        tried: set[tuple[str, str]] = set()
        while True:
            fresh = [(p, i) for p, _ in operations for i in sorted(self.ids) if (p, i) not in tried]
            fresh += [(p, "") for p, _ in operations if "{" not in p and (p, "") not in tried]
            if not fresh:
                return
            for path, value in fresh:
                tried.add((path, value))
                if "{" not in path:
                    if value == "":
                        self.get(path, {"q": "data"} if path == "/v1/achievements" else None)
                    continue
                self.get(re.sub(r"\{[^}]+\}", value, path))
            for value in sorted(self.ids):
                self.present({"id": f"urn:uuid:{value}"})


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, Attacker]]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("anonymous") / "data",
        base_url="https://ledger.example.test",
    )
    ledger = CredentialLedger(settings)
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    with TestClient(app, base_url="https://ledger.example.test") as client:
        built = World(client)
        attacker = Attacker(client)
        attacker.read_log()
        attacker.walk_api()
        yield built, attacker
    ledger.close()


def test_the_anonymous_client_reads_no_credential(world: tuple[World, Attacker]) -> None:
    built, attacker = world
    everything = "\n".join(attacker.corpus)
    for credential in built.credentials:
        proof = credential["proof"]
        proofs = proof if isinstance(proof, list) else [proof]
        for p in proofs:
            assert p["proofValue"] not in everything
        for identity in _identity_objects(credential):
            assert identity["identityHash"] not in everything
            assert identity["salt"] not in everything
        assert "portfolio of learner" not in everything


def test_the_public_log_and_api_name_no_credential(world: tuple[World, Attacker]) -> None:
    built, attacker = world
    ids = {c["id"].removeprefix("urn:uuid:") for c in built.credentials}
    assert ids.isdisjoint(attacker.ids)
    everything = "\n".join(attacker.corpus)
    for credential_id in ids:
        assert credential_id not in everything


def test_the_dictionary_attack_links_no_address_to_an_award(
    world: tuple[World, Attacker],
) -> None:
    built, attacker = world
    recovered = {
        email
        for identity in _identity_objects(attacker.documents)
        for email in DICTIONARY
        if identity["identityHash"]
        == "sha256$" + hashlib.sha256((email + identity["salt"]).encode()).hexdigest()
    }
    assert recovered == set()
    # CSV award ids recomputed from (issuer, achievement, line, cells) for every guess:
    # none is a credential, none is in the log, none opens anything.
    issuer, achievement = built.school["id"], built.achievement
    guesses = {
        str(_legacy_credential_id(issuer, row_key(achievement, Row(line, {"email": email}))))
        for email in DICTIONARY
        for line in range(2, 2 + len(LEARNERS))
    }
    actual = {c["id"].removeprefix("urn:uuid:") for c in built.credentials}
    assert guesses.isdisjoint(actual)
    assert guesses.isdisjoint(attacker.ids)


def test_the_attack_works_on_a_credential_the_attacker_holds(
    world: tuple[World, Attacker],
) -> None:
    """Positive control: a holder's own copy yields its own address, and its salt (one per
    credential, 128 random bits) matches no other credential's hash."""
    built, _ = world
    held = built.credentials[5]
    (identity,) = _identity_objects(held)
    assert re.fullmatch(r"[0-9a-f]{32}", identity["salt"])
    found = [
        email
        for email in DICTIONARY
        if identity["identityHash"]
        == "sha256$" + hashlib.sha256((email + identity["salt"]).encode()).hexdigest()
    ]
    assert found == [LEARNERS[5]]
    # One salt per credential (a re-issue is the same credential, so it keeps its salt).
    salts = {c["id"]: i["salt"] for c in built.credentials for i in _identity_objects(c)}
    assert len(set(salts.values())) == len(salts)
    others = [i for c in built.credentials if c["id"] != held["id"] for i in _identity_objects(c)]
    assert others
    assert all(
        other["identityHash"]
        != "sha256$" + hashlib.sha256((LEARNERS[5] + other["salt"]).encode()).hexdigest()
        for other in others
    )


def test_the_holder_gets_the_bundle_by_presenting_the_credential(
    world: tuple[World, Attacker],
) -> None:
    built, _ = world
    held = built.credentials[5]
    r = built.client.post("/v1/proofs", json={"credential": held})
    assert r.status_code == 200, r.text
    assert r.json()["credential"] == held
    changed = json.loads(json.dumps(held))
    changed["credentialSubject"]["result"][0]["value"] = "10"
    assert built.client.post("/v1/proofs", json={"credential": changed}).status_code == 404
