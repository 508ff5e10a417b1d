"""Witnessing over HTTP (issue 16.4): tlog-proofs of credentials, and a served ledger that
pushes its checkpoints to its witnesses and serves their cosignatures.

The tlog-proofs are read with tests/tlog_proof_reader.py, written from the C2SP specs
and RFC 6962, not with credledger's own parser.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from credledger.ledger.application import CredentialLedger
from credledger.ledger.store.settings import Settings
from fastapi.testclient import TestClient

from ..cli_helpers import run
from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition
from ..server_process import ADMIN_TOKEN as SERVER_ADMIN_TOKEN
from ..server_process import ServerProcess
from ..tlog_proof_reader import RefusedError, read_tlog_proof
from ..witness_server import WITNESS_KEY, running_witness

PROBLEM = "application/problem+json"


def register(
    client: Any, name: str, admin: str = ADMIN_TOKEN, did_method: str = "web"
) -> dict[str, Any]:
    issuer = {"name": name, "did_method": did_method}
    body = dict(client.post("/v1/issuers", json=issuer, headers=auth(admin)).json())
    r = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(body["token"])
    )
    assert r.status_code == 201, r.text
    body["achievement_id"] = r.json()["id"]
    return body


def award(client: Any, school: dict[str, Any], email: str) -> dict[str, Any]:
    r = client.post(
        "/v1/credentials",
        headers=auth(school["token"]),
        json={"achievement_id": school["achievement_id"], "recipient": {"email": email}},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def digest_of(vc: dict[str, Any]) -> bytes:
    text = json.dumps(vc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).digest()


@pytest.fixture
def issued(client: TestClient) -> dict[str, Any]:
    school = register(client, "School")
    return {"school": school, "other": register(client, "Other"), **award(client, school, "a@b.nl")}


# -- tlog-proofs ------------------------------------------------------------------------------


def test_the_issuer_gets_the_credentials_tlog_proof_and_it_verifies_from_the_spec(
    client: TestClient, ledger: Any, issued: dict[str, Any]
) -> None:
    r = client.get(
        f"/v1/credentials/{issued['id']}/proof",
        params={"format": "tlog-proof"},
        headers=auth(issued["school"]["token"]),
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text.startswith("c2sp.org/tlog-proof@v1\nextra ")
    verified = read_tlog_proof(r.text, ledger.tlog.vkey, [])
    assert verified.index == issued["log_index"]
    assert verified.origin == ledger.identity.log_origin
    assert verified.leaf["seq"] == issued["log_index"]
    assert verified.leaf["digest"] == digest_of(issued["credential"])  # the holder's copy
    with pytest.raises(RefusedError):
        read_tlog_proof(r.text.replace("index ", "index 1", 1), ledger.tlog.vkey, [])


def test_a_holder_presenting_the_credential_gets_the_same_tlog_proof(
    client: TestClient, issued: dict[str, Any]
) -> None:
    by_id = client.get(
        f"/v1/credentials/{issued['id']}/proof?format=tlog-proof",
        headers=auth(issued["school"]["token"]),
    )
    held = client.post("/v1/proofs?format=tlog-proof", json={"credential": issued["credential"]})
    assert held.status_code == 200, held.text
    assert held.text == by_id.text


def test_a_tlog_proof_is_its_issuers_alone_and_other_formats_are_refused(
    client: TestClient, issued: dict[str, Any]
) -> None:
    path = f"/v1/credentials/{issued['id']}/proof?format=tlog-proof"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=auth(issued["other"]["token"])).status_code == 404
    r = client.get(
        f"/v1/credentials/{issued['id']}/proof?format=pdf",
        headers=auth(issued["school"]["token"]),
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
    json_bundle = client.get(
        f"/v1/credentials/{issued['id']}/proof", headers=auth(issued["school"]["token"])
    )
    assert json_bundle.json()["credential"] == issued["credential"]


# -- a served ledger and its witness --------------------------------------------------------------


@pytest.fixture
def log_vkey(tmp_path: Path) -> str:
    """A new ledger in tmp_path/data, and its log key (as its operator would read it)."""
    ledger = CredentialLedger(Settings(data_dir=tmp_path / "data"))
    try:
        return ledger.tlog.vkey
    finally:
        ledger.close()


@pytest.fixture
def served(tmp_path: Path, log_vkey: str) -> Iterator[tuple[ServerProcess, Any]]:
    with running_witness(tmp_path / "witness", [log_vkey]) as witness:
        env = {
            "CREDLEDGER_WITNESSES": f"{witness.url}={WITNESS_KEY.vkey()}",
            "CREDLEDGER_ALLOW_PRIVATE_FETCH": "1",  # the witness is on 127.0.0.1 here
        }
        server = ServerProcess(tmp_path / "data", env=env)
        server.start()
        try:
            yield server, witness
        finally:
            server.stop()


def eventually(check: Any, seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_a_served_ledger_pushes_to_its_witness_and_serves_the_cosignatures(
    tmp_path: Path, served: tuple[ServerProcess, Any], log_vkey: str
) -> None:
    server, witness = served
    with httpx.Client(base_url=server.url, timeout=30) as client:
        # did:key: its credential verifies offline, with no DID document to fetch
        school = register(client, "Hogeschool Zuid", SERVER_ADMIN_TOKEN, did_method="key")
        issued = award(client, school, "learner@example.nl")
        witness_line = f"\u2014 {WITNESS_KEY.name} "

        def cosigned_note() -> str | None:
            note = client.get("/v1/log/checkpoint").text
            return note if witness_line in note else None

        note = eventually(cosigned_note)
        assert note, "the witness's cosignature never showed in /v1/log/checkpoint"
        state = witness.state(note.split("\n", 1)[0])
        assert state is not None
        assert state.size >= issued["log_index"] + 1

        def cosigned_proof() -> str | None:
            r = client.get(
                f"/v1/credentials/{issued['id']}/proof?format=tlog-proof",
                headers=auth(school["token"]),
            )
            return r.text if witness_line in r.text else None

        proof = eventually(cosigned_proof)
        assert proof, "no tlog-proof under a cosigned checkpoint"
    verified = read_tlog_proof(proof, log_vkey, [WITNESS_KEY.vkey()])
    assert verified.witnesses == [WITNESS_KEY.name]
    assert verified.cosigned_at[WITNESS_KEY.name] > 0
    assert verified.leaf["digest"] == digest_of(issued["credential"])
    # credledger's own verifier takes the same file, with the credential beside it
    (tmp_path / "badge.tlog-proof").write_text(proof)
    (tmp_path / "badge.json").write_text(json.dumps(issued["credential"]))
    result = run(
        "proof", "verify", tmp_path / "badge.tlog-proof", "--credential", tmp_path / "badge.json",
        "--log-key", log_vkey, "--witness-key", WITNESS_KEY.vkey(), "--json",
    )  # fmt: skip
    report = json.loads(result.stdout)
    assert report["witnesses"] == [WITNESS_KEY.name]
    assert report["log"]["leaf_index"] == issued["log_index"]
    assert report["result"] == "undecided"  # a tlog-proof holds no status list
    assert result.exit_code == 2
    assert any("no status list" in w for w in report["warnings"])
