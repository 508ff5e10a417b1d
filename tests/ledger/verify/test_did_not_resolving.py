"""A DID that does not resolve: one rule for the server and the CLI (issue 11, loose end).

A did:web host answering 404 Not Found or 410 Gone says there is no such DID (did:web
deactivates a DID by removing its did.json): the credential is invalid. Any other
failure (a server error, no answer, a refused address) means the document could not be
had now: undecided. Before, the CLI called a 404 or 410 invalid while the server called
both undecided.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from credledger.api.app import create_app
from credledger.crypto.keys import (
    DID_CONTEXT,
    MULTIKEY_CONTEXT,
    Ed25519KeyPair,
    public_key_multibase,
)
from credledger.ledger.application import CredentialLedger
from credledger.ledger.store.settings import Settings
from credledger.ledger.verify.guarded_fetch import FetchError, GuardedFetcher
from fastapi.testclient import TestClient

from ...cli_helpers import clean_environment, run
from ...foreign_issuer import di_credential
from ...http_helpers import ADMIN_TOKEN
from ...loopback import Listener, Route, listening

KEY = Ed25519KeyPair.from_seed(bytes(range(7, 39)))
SERVED = {410: "invalid", 404: "invalid", 500: "undecided", 503: "undecided", 200: "valid"}
"""What the DID's host answers -> the verdict (200: the document itself, the control)."""


def did_document(did: str) -> dict[str, Any]:
    vm = f"{did}#key-1"
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {
                "id": vm,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": public_key_multibase(KEY.public_key),
            }
        ],
        "assertionMethod": [vm],
    }


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


# -- the server (VC API) -------------------------------------------------------------------------

SERVER_DID = "did:web:issuer.example"
SERVER_DID_URL = "https://issuer.example/.well-known/did.json"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", base_url="https://ledger.example.test")
    ledger = CredentialLedger(settings)
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client
    ledger.close()


def _host_answering(status: int) -> Any:
    """GuardedFetcher.json as the DID's host would answer it (no network in tests)."""

    def fetched(self: GuardedFetcher, url: str, **_options: Any) -> Any:
        assert url == SERVER_DID_URL, url
        if status == 200:
            return did_document(SERVER_DID)
        raise FetchError(f"{url}: HTTP {status}", status)

    return fetched


@pytest.mark.parametrize("status", SERVED)
def test_the_server_reads_a_did_that_does_not_resolve_by_the_rule(
    status: int, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(GuardedFetcher, "json", _host_answering(status))
    vc = di_credential(KEY, f"{SERVER_DID}#key-1", SERVER_DID)
    answer = client.post("/v1/credentials/verify", json={"verifiableCredential": vc}).json()
    assert answer["outcome"] == SERVED[status], answer
    if SERVED[status] == "invalid":
        assert "does not exist or was deactivated" in json.dumps(answer["errors"]), answer


# -- the CLI -------------------------------------------------------------------------------------


@pytest.fixture
def host() -> Iterator[Listener]:
    with listening() as listener:
        yield listener


@pytest.mark.parametrize("status", SERVED)
def test_the_cli_reads_a_did_that_does_not_resolve_by_the_same_rule(
    status: int, host: Listener, tmp_path: Path
) -> None:
    did = f"did:web:127.0.0.1%3A{host.port}"
    if status == 200:
        host.serve_json("/.well-known/did.json", did_document(did))
    else:
        host.routes["/.well-known/did.json"] = Route(status, b"{}")
    file = tmp_path / "credential.json"
    file.write_text(json.dumps(di_credential(KEY, f"{did}#key-1", did)))
    result = run("verify", file, "--allow-private", "--no-log", "--json")
    report = json.loads(result.stdout)
    assert report["result"] == SERVED[status], report
    assert result.exit_code == {"valid": 0, "invalid": 1, "undecided": 2}[SERVED[status]]
    if SERVED[status] == "invalid":
        assert any("or was deactivated" in e["message"] for e in report["errors"]), report
    if SERVED[status] == "undecided":
        assert report["errors"] == [], report
