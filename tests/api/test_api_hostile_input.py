"""Hostile requests: each is refused with a problem document, records nothing, leaks nothing.

One test per way in which a request once got past the API's checks (a 500, an event
recorded by a refused request, a worker held for seconds, a poisoned read model), so
each stays fixed. The fuzzers (``test_fuzz_api.py``, ``test_fuzz_decoders.py``) search
for new ones.
"""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from credledger.api.app import create_app
from credledger.ledger.domain.acts import ADMIN, Act
from credledger.ledger.domain.errors import DefinitionInvalidError
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition

PROBLEM = "application/problem+json"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def client(ledger: Any) -> Iterator[TestClient]:
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def school(client: TestClient) -> dict[str, Any]:
    r = client.post("/v1/issuers", json={"name": "School"}, headers=auth(ADMIN_TOKEN))
    assert r.status_code == 201, r.text
    body = dict(r.json())
    r = client.post(
        "/v1/achievements",
        json=microcredential_definition(suspendable=True),
        headers=auth(body["token"]),
    )
    assert r.status_code == 201, r.text
    body["achievement_id"] = r.json()["id"]
    return body


def refused(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.headers["x-content-type-options"] == "nosniff"
    body = dict(r.json())
    assert body["status"] == status
    assert "Traceback" not in r.text
    return body


def records_nothing(ledger: Any, send: Any) -> Any:
    before = ledger.recorder.max_notification_id()
    response = send()
    assert ledger.recorder.max_notification_id() == before
    return response


# -- bodies ----------------------------------------------------------------------------------


def test_a_chunked_body_past_the_limit_is_refused_before_it_is_read_whole(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    chunks = iter([b'{"name": "', b"x" * 600_000, b"x" * 600_000, b'"}'])  # no Content-Length
    r = records_nothing(
        ledger,
        lambda: client.post("/v1/issuers", content=chunks, headers={**JSON, **auth(ADMIN_TOKEN)}),
    )
    refused(r, 413)


def test_a_content_length_of_thousands_of_digits_is_refused(client: TestClient) -> None:
    r = client.post(
        "/v1/credentials/verify", content=b"{}", headers={**JSON, "Content-Length": "9" * 5000}
    )
    refused(r, 413)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "School", "ects": NaN}',
        b'{"name": "School", "ects": Infinity}',
        b'{"name": "\\ud800"}',
        b'{"name": "\xff"}',
        b"[" * 65 + b"]" * 65,
        b'{"name": ' + b"9" * 5000 + b"}",
    ],
    ids=["NaN", "Infinity", "lone surrogate", "not UTF-8", "65 levels deep", "5000 digits"],
)
def test_a_body_that_is_not_strict_json_is_a_400_naming_why(
    client: TestClient, ledger: Any, raw: bytes
) -> None:
    r = records_nothing(
        ledger,
        lambda: client.post("/v1/issuers", content=raw, headers={**JSON, **auth(ADMIN_TOKEN)}),
    )
    body = refused(r, 400)
    assert body["type"].endswith("/invalid-json")


def test_a_lone_surrogate_deep_in_a_credential_never_reaches_the_signer(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    raw = (
        b'{"credential": {"@context": ["https://www.w3.org/ns/credentials/v2"],'
        b' "type": ["VerifiableCredential"], "issuer": "' + school["did"].encode() + b'",'
        b' "credentialSubject": {"id": "did:example:1", "name": "\\udfff"}}}'
    )
    path = f"/v1/issuers/{school['id']}/credentials/issue"
    r = records_nothing(
        ledger,
        lambda: client.post(path, content=raw, headers={**JSON, **auth(school["token"])}),
    )
    refused(r, 400)


def test_control_characters_in_text_fields_are_a_422(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    definition = microcredential_definition(name="Data\x00Literacy")
    r = records_nothing(
        ledger,
        lambda: client.post("/v1/achievements", json=definition, headers=auth(school["token"])),
    )
    assert ["body", "name"] in [e["loc"] for e in refused(r, 422)["errors"]]


def test_a_number_too_large_to_store_is_refused_and_the_catalogue_keeps_working(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    # Once accepted, an SBU of 2**70 was recorded and then failed every read model update.
    for field in ("sbu", "education_program_identifier"):
        definition = microcredential_definition(**{field: 2**70})
        r = records_nothing(
            ledger,
            lambda d=definition: client.post(
                "/v1/achievements", json=d, headers=auth(school["token"])
            ),
        )
        refused(r, 422)
    assert len(client.get("/v1/achievements").json()["achievements"]) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"variant": "extracurricular", "ects": None, "sbu": 2**70},
        {"variant": "regular", "education_program_identifier": 2**70},
    ],
    ids=["sbu", "programme code"],
)
def test_the_library_refuses_those_numbers_too_as_the_cli_sends_them(
    ledger: Any, changes: dict[str, Any]
) -> None:
    issuer = ledger.register_issuer(Act.of(ADMIN, None, b"register"), "School").issuer
    recorded = ledger.recorder.max_notification_id()
    with pytest.raises(DefinitionInvalidError):
        ledger.define_achievement(
            Act.of(str(issuer.id), None, b"define"), microcredential_definition(**changes)
        )
    assert ledger.recorder.max_notification_id() == recorded


def test_a_valid_until_that_cannot_be_converted_to_utc_is_a_422(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    body = {
        "achievement_id": school["achievement_id"],
        "recipient": {"email": "a@b.nl"},
        "valid_until": "0001-01-01T00:00:00+14:00",
    }
    r = records_nothing(
        ledger,
        lambda: client.post("/v1/credentials", json=body, headers=auth(school["token"])),
    )
    assert ["body", "valid_until"] in [e["loc"] for e in refused(r, 422)["errors"]]


# -- query parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "/v1/achievements?offset=1180591620717411303424",
        "/v1/log/checkpoints?after=9223372036854775808",
        "/v1/log/leaves?start=0&end=9223372036854775808",
        "/v1/log/proof/consistency?first=1&second=9223372036854775808",
    ],
)
def test_integers_past_what_the_store_holds_are_a_422(client: TestClient, query: str) -> None:
    refused(client.get(query), 422)


@pytest.mark.parametrize("q", ['""""', '"data', "NEAR(data", "data\x00", "col:data", "*"])
def test_full_text_query_syntax_is_searched_as_words(
    client: TestClient, school: dict[str, Any], q: str
) -> None:
    r = client.get("/v1/achievements", params={"q": q})
    assert r.status_code == 200, r.text
    found = client.get("/v1/achievements", params={"q": "Data"}).json()["achievements"]
    assert [a["name"] for a in found] == ["Data Literacy for Teachers"]


# -- endpoints -------------------------------------------------------------------------------


def test_a_cosignature_that_is_not_utf8_is_a_400(client: TestClient) -> None:
    r = client.post(
        "/v1/log/cosignatures", content=b"\xff\xfe", headers={"Content-Type": "text/plain"}
    )
    refused(r, 400)


def test_a_vc_api_status_update_refused_halfway_records_nothing(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    award = client.post(
        "/v1/credentials",
        json={"achievement_id": school["achievement_id"], "recipient": {"email": "a@b.nl"}},
        headers=auth(school["token"]),
    ).json()
    path = f"/v1/issuers/{school['id']}/credentials/status"
    entry = {"type": "BitstringStatusListEntry"}
    for changes, status in (
        ([{**entry, "status": "suspended"}, {"type": "Other", "status": "revoked"}], 422),
        ([{**entry, "status": "revoked"}, {**entry, "status": "suspended"}], 409),
        ([{**entry, "status": "suspended"}, {**entry, "status": "suspended"}], 409),
    ):
        body = {"credentialId": award["credential"]["id"], "credentialStatus": changes}
        r = records_nothing(
            ledger,
            lambda b=body: client.post(path, json=b, headers=auth(school["token"])),
        )
        refused(r, status)


def test_a_proof_value_of_a_megabyte_is_refused_at_once(
    client: TestClient, school: dict[str, Any]
) -> None:
    vc = client.post(
        "/v1/credentials",
        json={"achievement_id": school["achievement_id"], "recipient": {"email": "a@b.nl"}},
        headers=auth(school["token"]),
    ).json()["credential"]
    vc["proof"][0]["proofValue"] = "z" + "2" * 1_000_000
    started = time.perf_counter()
    r = client.post("/v1/credentials/verify", json={"verifiableCredential": vc})
    assert r.status_code == 400
    assert r.json()["verified"] is False
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    "context",
    ["https://evil.example/context.jsonld", {"@import": "http://127.0.0.1:9/context.jsonld"}],
    ids=["remote URL", "@import"],
)
def test_json_ld_contexts_come_only_from_the_bundle_never_the_network(
    client: TestClient,
    ledger: Any,
    school: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    context: Any,
) -> None:
    dialled: list[Any] = []
    monkeypatch.setattr(socket.socket, "connect", lambda _self, address: dialled.append(address))
    given = {
        "@context": ["https://www.w3.org/ns/credentials/v2", context],
        "type": ["VerifiableCredential"],
        "issuer": school["did"],
        "credentialSubject": {"id": "did:example:1"},
    }
    path = f"/v1/issuers/{school['id']}/credentials/issue"
    r = records_nothing(
        ledger, lambda: client.post(path, json={"credential": given}, headers=auth(school["token"]))
    )
    assert "unknown JSON-LD context" in refused(r, 400)["detail"]
    signed = client.post(
        "/v1/credentials",
        json={"achievement_id": school["achievement_id"], "recipient": {"email": "a@b.nl"}},
        headers=auth(school["token"]),
    ).json()["credential"]
    signed["credentialSubject"]["@context"] = context
    report = client.post("/v1/credentials/verify", json={"verifiableCredential": signed}).json()
    assert report["verified"] is False
    assert "unknown JSON-LD context" in report["errors"][0]["message"]
    assert dialled == []


# -- errors and headers ----------------------------------------------------------------------


def test_an_unexpected_error_is_a_bare_500_problem_with_the_security_headers(
    client: TestClient, ledger: Any, school: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError(f"secret internals at {Path(__file__)}")

    monkeypatch.setattr(ledger.issuers, "profile", broken)
    r = client.get(f"/v1/issuers/{school['id']}")
    body = refused(r, 500)
    assert "secret" not in r.text
    assert str(Path(__file__).parents[1]) not in r.text
    assert body["detail"] == "the server could not complete the request"
    assert r.headers["content-security-policy"].startswith("default-src 'none'")


def test_answers_over_https_carry_strict_transport_security(ledger: Any) -> None:
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    with TestClient(app, base_url="https://127.0.0.1") as c:
        assert c.get("/v1/log/key").headers["strict-transport-security"].startswith("max-age=")
    with TestClient(app, base_url="http://127.0.0.1") as c:
        assert "strict-transport-security" not in c.get("/v1/log/key").headers


def test_the_openapi_document_declares_problems_and_bearer_authentication(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            default = operation["responses"]["default"]["content"]
            assert default == {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            assert "application/json" not in operation["responses"].get("422", {}).get(
                "content", {}
            ), (method, path)
    register = document["paths"]["/v1/issuers"]["post"]
    assert register["security"] == [{"HTTPBearer": []}]
    assert "security" not in document["paths"]["/v1/credentials/verify"]["post"]


# -- tokens ----------------------------------------------------------------------------------


def test_tokens_are_kept_only_as_hashes(
    client: TestClient, school: dict[str, Any], settings: Any
) -> None:
    extra = client.post(f"/v1/issuers/{school['id']}/tokens", headers=auth(school["token"]))
    secrets = [school["token"].encode(), extra.json()["token"].encode(), ADMIN_TOKEN.encode()]
    for stored in Path(settings.data_dir).iterdir():
        content = stored.read_bytes()
        for secret in secrets:
            assert secret not in content, stored.name
            assert secret.split(b".")[-1] not in content, stored.name


def test_an_issuers_token_cannot_issue_on_another_issuers_vc_api_path(
    client: TestClient, ledger: Any, school: dict[str, Any]
) -> None:
    other = client.post("/v1/issuers", json={"name": "Other"}, headers=auth(ADMIN_TOKEN)).json()
    for did in (school["did"], other["did"]):  # neither the path's issuer nor the token's
        body = {
            "credential": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "issuer": did,
                "credentialSubject": {"id": "did:example:1"},
            }
        }
        r = records_nothing(
            ledger,
            lambda body=body: client.post(
                f"/v1/issuers/{school['id']}/credentials/issue",
                json=body,
                headers=auth(other["token"]),
            ),
        )
        problem = refused(r, 404)
        assert "proof" not in r.text
        assert other["did"] not in problem.get("detail", "")


def test_an_issuers_token_cannot_mint_or_revoke_another_issuers_tokens(
    client: TestClient, school: dict[str, Any]
) -> None:
    other = client.post("/v1/issuers", json={"name": "Other"}, headers=auth(ADMIN_TOKEN)).json()
    refused(client.post(f"/v1/issuers/{school['id']}/tokens", headers=auth(other["token"])), 404)
    r = client.post(
        f"/v1/issuers/{school['id']}/tokens/revoke",
        json={"token": school["token"]},
        headers=auth(other["token"]),
    )
    refused(r, 404)
    assert (
        client.post(
            "/v1/achievements",
            json=microcredential_definition(name="Still allowed"),
            headers=auth(school["token"]),
        ).status_code
        == 201
    )
