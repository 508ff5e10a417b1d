"""No verify path makes the server (or the CLI) connect where a credential points it.

An anonymous client posts credentials naming a loopback listener (as did:web, as a
JWT key, as a status list); the listener must see zero connections, from the VC API's
credential and presentation verification, from recognition and from `credledger
verify`, for VC-JWT and Data Integrity alike. With the private-address allowance on
(tests only) the same requests do reach it, which shows the tests can see a
connection, and a request's fetches stay under its cap.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from credledger.api.app import create_app
from credledger.crypto.keys import Ed25519KeyPair
from credledger.ledger.application import CredentialLedger
from credledger.ledger.store.settings import Settings
from fastapi.testclient import TestClient

from ...cli_helpers import clean_environment, run
from ...foreign_issuer import di_credential, did_key, jwt_payload, vc_jwt
from ...http_helpers import ADMIN_TOKEN, auth
from ...loopback import Listener, listening

KEY = Ed25519KeyPair.from_seed(bytes(range(32)))


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as server:
        yield server


def _client(tmp_path: Path, *, allow_private: bool) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path / "data",
        base_url="https://ledger.example.test",
        allow_private_fetch=allow_private,
    )
    ledger = CredentialLedger(settings)
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client
    ledger.close()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(tmp_path, allow_private=False)


@pytest.fixture
def permissive(tmp_path: Path) -> Iterator[TestClient]:
    """A server with the private-address allowance switched on (for this test only)."""
    yield from _client(tmp_path, allow_private=True)


def loopback_did(listener: Listener, path: str = "") -> str:
    return f"did:web:127.0.0.1%3A{listener.port}" + (f":{path}" if path else "")


# -- what an attacker posts ---------------------------------------------------------------------


def jwt_with_did_web_kid(listener: Listener) -> str:
    did = loopback_did(listener)
    return vc_jwt(KEY, f"{did}#key-1", jwt_payload(did))


def jwt_with_a_chosen_path(listener: Listener) -> str:
    did = loopback_did(listener, "user:alice")
    return vc_jwt(KEY, f"{did}#key-1", jwt_payload(did))


def jwt_with_did_key_kid_and_did_web_issuer(listener: Listener) -> str:
    _, vm = did_key(KEY)
    return vc_jwt(KEY, vm, jwt_payload(loopback_did(listener)))


def jwt_with_a_loopback_status_list(listener: Listener) -> str:
    did, vm = did_key(KEY)
    status = {
        "id": f"{listener.origin}/status/1#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": f"{listener.origin}/status/1",
    }
    return vc_jwt(KEY, vm, jwt_payload(did, credentialStatus=status))


def di_with_did_web_method(listener: Listener) -> dict[str, Any]:
    did = loopback_did(listener)
    return di_credential(KEY, f"{did}#key-1", did)


def di_with_a_loopback_status_list(listener: Listener) -> dict[str, Any]:
    did, vm = did_key(KEY)
    status = {
        "id": f"{listener.origin}/status/1#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": f"{listener.origin}/status/1",
    }
    return di_credential(KEY, vm, did, credentialStatus=status)


ATTACKS: dict[str, Callable[[Listener], Any]] = {
    "jwt-did-web-kid": jwt_with_did_web_kid,
    "jwt-chosen-path": jwt_with_a_chosen_path,
    "jwt-did-web-issuer": jwt_with_did_key_kid_and_did_web_issuer,
    "jwt-status-list": jwt_with_a_loopback_status_list,
    "di-did-web-method": di_with_did_web_method,
    "di-status-list": di_with_a_loopback_status_list,
}


# -- the VC API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("attack", ATTACKS)
def test_verifying_a_credential_makes_no_connection(
    client: TestClient, listener: Listener, attack: str
) -> None:
    answer = client.post(
        "/v1/credentials/verify", json={"verifiableCredential": ATTACKS[attack](listener)}
    )
    assert answer.status_code == 400
    assert answer.json()["verified"] is False
    assert listener.connections == 0


@pytest.mark.parametrize("attack", ATTACKS)
def test_verifying_a_presentation_makes_no_connection(
    client: TestClient, listener: Listener, attack: str
) -> None:
    presentation = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [ATTACKS[attack](listener)],
    }
    answer = client.post("/v1/presentations/verify", json={"verifiablePresentation": presentation})
    assert answer.json()["verified"] is False
    assert listener.connections == 0


@pytest.mark.parametrize(
    ("port", "did"), [(80, "did:web:localhost"), (443, "did:web:127.0.0.1:user:alice")]
)
def test_a_jwt_naming_a_did_web_on_the_default_port_makes_no_connection(
    client: TestClient, port: int, did: str
) -> None:
    """As reproduced: didkit fetched http://localhost/.well-known/did.json and
    https://127.0.0.1/user/alice/did.json for these (ports 80 and 443 themselves)."""
    try:
        context = listening(port)
        server = context.__enter__()
    except OSError:
        pytest.skip(f"cannot listen on 127.0.0.1:{port} here")
    try:
        token = vc_jwt(KEY, f"{did}#key-1", jwt_payload(did))
        answer = client.post("/v1/credentials/verify", json={"verifiableCredential": token})
        assert answer.json()["verified"] is False
        assert server.connections == 0
        presentation = {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [token],
        }
        client.post("/v1/presentations/verify", json={"verifiablePresentation": presentation})
        assert server.connections == 0
    finally:
        context.__exit__(None, None, None)


@pytest.fixture
def on_443() -> Iterator[Listener]:
    """A listener on 127.0.0.1:443, where a did:web without a port points."""
    try:
        context = listening(443)
        server = context.__enter__()
    except OSError:
        pytest.skip("cannot listen on 127.0.0.1:443 here")
    try:
        yield server
    finally:
        context.__exit__(None, None, None)


def test_a_presentation_of_200_jwts_makes_no_connection(
    client: TestClient, on_443: Listener
) -> None:
    """As reproduced: 200 connections in 3 s before."""
    tokens = [
        vc_jwt(KEY, f"did:web:127.0.0.1:u:{n}#k", jwt_payload(f"did:web:127.0.0.1:u:{n}"))
        for n in range(200)
    ]
    presentation = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": tokens,
    }
    answer = client.post("/v1/presentations/verify", json={"verifiablePresentation": presentation})
    assert answer.json()["verified"] is False
    assert on_443.connections == 0


def test_with_private_addresses_allowed_one_request_fetches_at_most_its_cap(
    permissive: TestClient, listener: Listener
) -> None:
    tokens = [
        vc_jwt(KEY, f"{loopback_did(listener, f'u:{n}')}#k", jwt_payload(loopback_did(listener)))
        for n in range(40)
    ]
    presentation = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": tokens,
    }
    answer = permissive.post(
        "/v1/presentations/verify", json={"verifiablePresentation": presentation}
    )
    assert answer.json()["verified"] is False
    assert answer.json()["outcome"] == "undecided"
    assert 1 <= listener.connections <= Settings.fetches_per_request


def test_error_texts_do_not_tell_what_the_fetch_met(
    permissive: TestClient, listener: Listener, tmp_path: Path
) -> None:
    """A served 404, a closed port and a non-JSON answer read the same to the caller."""
    closed = Listener(1, listener.server, {}, [])  # nothing listens on port 1
    texts = []
    for target in (listener, closed):
        did = loopback_did(target)
        body = {"verifiableCredential": di_credential(KEY, f"{did}#key-1", did)}
        answer = permissive.post("/v1/credentials/verify", json=body).json()
        assert answer["outcome"] == "undecided"
        texts.append(json.dumps(answer).replace(str(target.port), "PORT"))
    assert texts[0] == texts[1]
    for word in ("refused", "404", "HTTP", "SSL", "timed out", "Errno"):
        assert word not in texts[0]


# -- recognition ---------------------------------------------------------------------------------


@pytest.mark.parametrize("attack", ["di-did-web-method", "di-status-list"])
def test_recognising_makes_no_connection(
    client: TestClient, listener: Listener, attack: str
) -> None:
    school = client.post("/v1/issuers", json={"name": "S"}, headers=auth(ADMIN_TOKEN)).json()
    answer = client.post(
        "/v1/recognitions",
        json={"credential": ATTACKS[attack](listener), "decision": "recognised"},
        headers=auth(school["token"]),
    )
    assert answer.status_code == 422
    assert listener.connections == 0


# -- the CLI ------------------------------------------------------------------------------------


@pytest.mark.parametrize("attack", ["di-did-web-method", "di-status-list"])
def test_cli_verify_makes_no_connection(
    listener: Listener, attack: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_environment(monkeypatch)
    file = tmp_path / "credential.json"
    file.write_text(json.dumps(ATTACKS[attack](listener)))
    result = run("verify", file, "--json")
    assert result.exit_code in (1, 2), result.output
    assert listener.connections == 0


def test_cli_verify_of_a_url_on_a_private_address_makes_no_connection(
    listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_environment(monkeypatch)
    result = run("verify", f"{listener.origin}/credential.json", "--json")
    assert result.exit_code == 2
    assert listener.connections == 0


def test_settings_default_to_no_private_addresses() -> None:
    assert replace(Settings(data_dir=Path("x"))).allow_private_fetch is False
