"""OpenID4VCI 1.0, pre-authorized code flow, over HTTP: the metadata a wallet reads, the
token, nonce and credential endpoints, and the errors each answers in the specification's
own words. The wallet here makes its key proofs with ``cryptography`` alone
(tests/jose_helpers.py); tests/interop drives the same flow with the OpenWallet
Foundation's client."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from ..http_helpers import auth
from ..jose_helpers import PrivateKey, did_key, key_proof
from .test_claims_http import awarded, school

BASE = "https://ledger.example.test"
PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
ALLOWED_IN_ERROR_DESCRIPTION = {chr(c) for c in range(0x20, 0x7F)} - {'"', "\\"}


@pytest.fixture
def issuer(client: TestClient) -> dict[str, Any]:
    return school(client, "OID4VCI School")


def offered(client: TestClient, issuer: dict[str, Any], **claim: Any) -> dict[str, Any]:
    """An award with a claim; the claim's offer, as the wallet fetches it."""
    r = awarded(client, issuer, claim=claim or True)
    assert r.status_code == 201, r.text
    answer = r.json()
    offer_uri = answer["claim"]["offer"]
    offer_url = parse_qs(urlsplit(offer_uri).query)["credential_offer_uri"][0]
    offer = client.get(urlsplit(offer_url).path).json()
    return {"award": answer, "offer": offer, "tx_code": answer["claim"].get("tx_code")}


def code_of(offered_: dict[str, Any]) -> str:
    return str(offered_["offer"]["grants"][PRE_AUTHORIZED]["pre-authorized_code"])


def token(client: TestClient, code: str, **params: str) -> Any:
    form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code, **params}
    return client.post("/oid4vci/token", data=form)


def access(client: TestClient, code: str, **params: str) -> str:
    r = token(client, code, **params)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def fresh_nonce(client: TestClient) -> str:
    r = client.post("/oid4vci/nonce")
    assert r.status_code == 200, r.text
    return str(r.json()["c_nonce"])


def proof_for(key: PrivateKey, nonce: str, **made: Any) -> str:
    made.setdefault("aud", BASE)
    return key_proof(key, nonce=nonce, iat=time.time(), **made)


def credential(client: TestClient, access_token: str | None, body: Any) -> Any:
    headers = {} if access_token is None else {"Authorization": f"Bearer {access_token}"}
    return client.post("/oid4vci/credential", json=body, headers=headers)


def request_for(proof: str) -> dict[str, Any]:
    return {"credential_configuration_id": "openbadge_credential", "proofs": {"jwt": [proof]}}


def assert_oauth_error(r: Any, status: int, error: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["error"] == error, body
    assert set(body["error_description"]) <= ALLOWED_IN_ERROR_DESCRIPTION
    assert r.headers["cache-control"] == "no-store"


# -- what a wallet reads first ---------------------------------------------------------------


def test_the_issuer_metadata_offers_the_open_badge_as_ldp_vc_in_dutch_and_english(
    client: TestClient,
) -> None:
    metadata = client.get("/.well-known/openid-credential-issuer").json()
    assert metadata["credential_issuer"] == BASE
    assert metadata["credential_endpoint"] == f"{BASE}/oid4vci/credential"
    assert metadata["nonce_endpoint"] == f"{BASE}/oid4vci/nonce"
    assert "authorization_servers" not in metadata  # the issuer is its own
    configuration = metadata["credential_configurations_supported"]["openbadge_credential"]
    assert configuration["format"] == "ldp_vc"
    assert configuration["credential_definition"]["type"] == [
        "VerifiableCredential",
        "OpenBadgeCredential",
    ]
    jwt_proofs = configuration["proof_types_supported"]["jwt"]
    assert jwt_proofs["proof_signing_alg_values_supported"] == ["ES256", "EdDSA"]
    display = configuration["credential_metadata"]["display"]
    assert {entry["locale"] for entry in display} == {"en", "nl"}
    for claim in configuration["credential_metadata"]["claims"]:
        assert {entry["locale"] for entry in claim["display"]} == {"en", "nl"}


def test_the_authorization_server_metadata_allows_anonymous_pre_authorized_access(
    client: TestClient,
) -> None:
    metadata = client.get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == BASE
    assert metadata["token_endpoint"] == f"{BASE}/oid4vci/token"
    assert metadata["grant_types_supported"] == [PRE_AUTHORIZED]
    assert metadata["pre-authorized_grant_anonymous_access_supported"] is True


# -- the whole flow --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "by"),
    [
        (Ed25519PrivateKey.generate(), "kid"),
        (ec.generate_private_key(ec.SECP256R1()), "jwk"),
    ],
    ids=["EdDSA did:key", "ES256 jwk"],
)
def test_a_wallet_gets_the_award_signed_for_the_key_it_proves(
    client: TestClient, issuer: dict[str, Any], key: PrivateKey, by: str
) -> None:
    given = offered(client, issuer)
    access_token = access(client, code_of(given))
    r = credential(client, access_token, request_for(proof_for(key, fresh_nonce(client), by=by)))
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    (delivered,) = r.json()["credentials"]
    vc = delivered["credential"]
    award = given["award"]["credential"]
    assert vc["credentialSubject"]["id"] == did_key(key)
    assert vc["id"] == award["id"]
    assert vc["credentialStatus"] == award["credentialStatus"]
    verdict = client.post("/v1/credentials/verify", json={"verifiableCredential": vc}).json()
    assert verdict["verified"] is True, verdict


def test_a_guarded_offer_takes_its_transaction_code_at_the_token_endpoint(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    given = offered(client, issuer, tx_code=True)
    grant = given["offer"]["grants"][PRE_AUTHORIZED]
    assert grant["tx_code"]["length"] == 8
    assert_oauth_error(token(client, code_of(given)), 400, "invalid_request")
    wrong = "00000000" if given["tx_code"] != "00000000" else "11111111"
    assert_oauth_error(token(client, code_of(given), tx_code=wrong), 400, "invalid_grant")
    access_token = access(client, code_of(given), tx_code=given["tx_code"])
    key = Ed25519PrivateKey.generate()
    r = credential(client, access_token, request_for(proof_for(key, fresh_nonce(client))))
    assert r.status_code == 200, r.text


def test_an_unguarded_offer_refuses_a_transaction_code(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    given = offered(client, issuer)
    assert_oauth_error(token(client, code_of(given), tx_code="12345678"), 400, "invalid_request")


def test_a_code_delivers_once_and_is_then_refused(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    given = offered(client, issuer)
    first, second = access(client, code_of(given)), access(client, code_of(given))
    key = Ed25519PrivateKey.generate()
    ok = credential(client, first, request_for(proof_for(key, fresh_nonce(client))))
    assert ok.status_code == 200, ok.text
    assert_oauth_error(token(client, code_of(given)), 400, "invalid_grant")
    again = credential(client, second, request_for(proof_for(key, fresh_nonce(client))))
    assert_oauth_error(again, 400, "credential_request_denied")


def test_a_withdrawn_offer_is_an_invalid_grant(client: TestClient, issuer: dict[str, Any]) -> None:
    given = offered(client, issuer)
    award_id = given["award"]["id"]
    client.delete(f"/v1/credentials/{award_id}/claims", headers=auth(issuer["token"]))
    assert_oauth_error(token(client, code_of(given)), 400, "invalid_grant")


def test_a_made_up_code_is_an_invalid_grant(client: TestClient) -> None:
    assert_oauth_error(token(client, "A" * 22), 400, "invalid_grant")


# -- the token request's form ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"pre-authorized_code": "A" * 22}, "invalid_request"),
        ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type"),
        ({"grant_type": PRE_AUTHORIZED}, "invalid_request"),
    ],
    ids=["no grant_type", "another grant", "no code"],
)
def test_a_malformed_token_request_is_an_invalid_request(
    client: TestClient, form: dict[str, str], error: str
) -> None:
    assert_oauth_error(client.post("/oid4vci/token", data=form), 400, error)


def test_a_parameter_given_twice_is_an_invalid_request(client: TestClient) -> None:
    body = f"grant_type={PRE_AUTHORIZED}&pre-authorized_code=a&pre-authorized_code=b"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    r = client.post("/oid4vci/token", content=body, headers=headers)
    assert_oauth_error(r, 400, "invalid_request")


def test_a_json_token_request_is_an_invalid_request(client: TestClient) -> None:
    r = client.post("/oid4vci/token", json={"grant_type": PRE_AUTHORIZED})
    assert_oauth_error(r, 400, "invalid_request")


def test_client_authentication_is_refused_for_there_are_no_clients(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    given = offered(client, issuer)
    form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code_of(given)}
    r = client.post("/oid4vci/token", data=form, headers={"Authorization": "Basic YTpi"})
    assert_oauth_error(r, 401, "invalid_client")


# -- the credential request ------------------------------------------------------------------


def test_no_or_a_made_up_access_token_is_refused_with_www_authenticate(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    body = request_for(proof_for(Ed25519PrivateKey.generate(), fresh_nonce(client)))
    for access_token in (None, "made-up", issuer["token"]):
        r = credential(client, access_token, body)
        assert_oauth_error(r, 401, "invalid_token")
        assert r.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


def test_an_access_token_is_checked_before_the_request(client: TestClient) -> None:
    assert_oauth_error(credential(client, None, {"nonsense": True}), 401, "invalid_token")


def test_an_expired_access_token_is_refused(
    client: TestClient, issuer: dict[str, Any], ledger: Any
) -> None:
    given = offered(client, issuer)
    access_token = access(client, code_of(given))
    now = ledger.claims.clock()
    ledger.claims.clock = lambda: now + timedelta(minutes=11)
    body = request_for("x.y.z")
    assert_oauth_error(credential(client, access_token, body), 401, "invalid_token")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"proofs": {"jwt": ["x"]}}, "invalid_credential_request"),
        (
            {"credential_configuration_id": "OpenBadgeCredential", "proofs": {"jwt": ["x"]}},
            "unknown_credential_configuration",
        ),
        ({"credential_identifier": "x", "proofs": {"jwt": ["x"]}}, "unknown_credential_identifier"),
        (
            {
                "credential_configuration_id": "openbadge_credential",
                "proof": {"proof_type": "jwt", "jwt": "x"},
            },
            "invalid_credential_request",
        ),
        (
            {
                "credential_configuration_id": "openbadge_credential",
                "proofs": {"jwt": ["x"]},
                "credential_response_encryption": {"alg": "ECDH-ES"},
            },
            "invalid_encryption_parameters",
        ),
        ({"credential_configuration_id": "openbadge_credential"}, "invalid_proof"),
        ([1, 2], "invalid_credential_request"),
    ],
    ids=[
        "no configuration",
        "unknown configuration",
        "an identifier",
        "proof, not proofs",
        "encryption",
        "no proofs",
        "not an object",
    ],
)
def test_a_malformed_credential_request_is_refused_with_its_code(
    client: TestClient, issuer: dict[str, Any], body: Any, error: str
) -> None:
    access_token = access(client, code_of(offered(client, issuer)))
    assert_oauth_error(credential(client, access_token, body), 400, error)


def test_a_proof_over_a_made_up_nonce_is_an_invalid_nonce(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    access_token = access(client, code_of(offered(client, issuer)))
    body = request_for(proof_for(Ed25519PrivateKey.generate(), "made-up-nonce"))
    assert_oauth_error(credential(client, access_token, body), 400, "invalid_nonce")


def test_a_proof_over_a_stale_nonce_is_an_invalid_nonce_and_a_fresh_one_works(
    client: TestClient, issuer: dict[str, Any], ledger: Any
) -> None:
    access_token = access(client, code_of(offered(client, issuer)))
    stale = fresh_nonce(client)
    now = ledger.claims.clock()
    ledger.claims.clock = lambda: now + timedelta(seconds=301)
    key = Ed25519PrivateKey.generate()
    body = request_for(key_proof(key, nonce=stale, iat=now.timestamp() + 300, aud=BASE))
    assert_oauth_error(credential(client, access_token, body), 400, "invalid_nonce")
    ledger.claims.clock = lambda: now
    r = credential(client, access_token, request_for(proof_for(key, fresh_nonce(client))))
    assert r.status_code == 200, r.text


def test_a_proof_for_another_issuer_is_an_invalid_proof(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    access_token = access(client, code_of(offered(client, issuer)))
    key = Ed25519PrivateKey.generate()
    body = request_for(proof_for(key, fresh_nonce(client), aud="https://elsewhere.example"))
    assert_oauth_error(credential(client, access_token, body), 400, "invalid_proof")


def test_a_proof_signed_by_another_key_is_an_invalid_proof_and_delivers_nothing(
    client: TestClient, issuer: dict[str, Any], ledger: Any
) -> None:
    access_token = access(client, code_of(offered(client, issuer)))
    key, thief = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    before = ledger.recorder.max_notification_id()
    body = request_for(proof_for(key, fresh_nonce(client), signer=thief))
    assert_oauth_error(credential(client, access_token, body), 400, "invalid_proof")
    assert ledger.recorder.max_notification_id() == before
    r = credential(client, access_token, request_for(proof_for(key, fresh_nonce(client))))
    assert r.status_code == 200, r.text


def test_the_metadata_token_and_nonce_endpoints_write_nothing(
    client: TestClient, issuer: dict[str, Any], ledger: Any
) -> None:
    given = offered(client, issuer)
    before = ledger.recorder.max_notification_id()
    client.get("/.well-known/openid-credential-issuer")
    client.get("/.well-known/oauth-authorization-server")
    access(client, code_of(given))
    fresh_nonce(client)
    assert ledger.recorder.max_notification_id() == before


def test_a_token_redeemed_for_a_client_takes_a_proof_naming_that_client_only(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    code = code_of(offered(client, issuer))
    access_token = access(client, code, client_id="wallet-app")
    key = Ed25519PrivateKey.generate()
    other = request_for(proof_for(key, fresh_nonce(client), claims={"iss": "another-app"}))
    assert_oauth_error(credential(client, access_token, other), 400, "invalid_proof")
    named = request_for(proof_for(key, fresh_nonce(client), claims={"iss": "wallet-app"}))
    assert credential(client, access_token, named).status_code == 200


def test_an_anonymous_token_refuses_a_proof_that_names_a_client(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    access_token = access(client, code_of(offered(client, issuer)))
    key = Ed25519PrivateKey.generate()
    body = request_for(proof_for(key, fresh_nonce(client), claims={"iss": "wallet-app"}))
    assert_oauth_error(credential(client, access_token, body), 400, "invalid_proof")


def test_guessing_transaction_codes_is_stopped_with_retry_after(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    given = offered(client, issuer, tx_code=True)
    wrong = "00000000" if given["tx_code"] != "00000000" else "11111111"
    for _ in range(5):
        assert_oauth_error(token(client, code_of(given), tx_code=wrong), 400, "invalid_grant")
    locked = token(client, code_of(given), tx_code=given["tx_code"])
    assert_oauth_error(locked, 400, "invalid_grant")
    assert int(locked.headers["retry-after"]) > 0


def test_an_access_token_opens_only_its_own_claim(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    mine = access(client, code_of(offered(client, issuer)))
    theirs = access(client, code_of(offered(client, issuer)))
    forged = ".".join([theirs.split(".")[0], *mine.split(".")[1:]])
    key = Ed25519PrivateKey.generate()
    body = request_for(proof_for(key, fresh_nonce(client)))
    assert_oauth_error(credential(client, forged, body), 401, "invalid_token")


def test_a_nonce_is_not_an_access_token_nor_the_other_way_round(
    client: TestClient, issuer: dict[str, Any]
) -> None:
    access_token = access(client, code_of(offered(client, issuer)))
    key = Ed25519PrivateKey.generate()
    body = request_for(proof_for(key, access_token.rsplit(".", 1)[1]))
    assert_oauth_error(credential(client, access_token, body), 400, "invalid_nonce")
    nonce = fresh_nonce(client)
    as_token = f"{'A' * 22}..{nonce}"
    assert_oauth_error(credential(client, as_token, body), 401, "invalid_token")
