"""Every operation of the OpenAPI document, fuzzed with schemathesis against the app in-process.

The properties: no request gets a 5xx; every error is an RFC 9457 problem document that
shows no traceback or internal path; a rejected request (4xx) records no event; answers
conform to the published document. Requests are sent as the administrator, as an
issuer, as another issuer or anonymously; path ids are sometimes ones that exist and
bodies sometimes valid ones with one hostile value planted, so the fuzzer reaches past
"not found" and past validation. The default run is derandomised (the same 8 cases per
operation every time, so a red CI run is reproducible); ``-m slow`` explores 200 random
cases per operation.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")

from credledger.api.app import create_app  # noqa: E402
from credledger.ledger.application import CredentialLedger  # noqa: E402
from credledger.ledger.store.settings import Settings  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from schemathesis import Case, GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

PROBLEM_JSON = "application/problem+json"
REPO = str(Path(__file__).resolve().parents[2])
LEAKS = ("Traceback", 'File "', REPO, "site-packages", '.py"', "sqlite3.", "psycopg")
"""What an error body must never show: tracebacks, source paths, driver errors."""
VERIFY_PATHS = ("/v1/credentials/verify", "/v1/presentations/verify")
OAUTH_PATHS = ("/oid4vci/token", "/oid4vci/nonce", "/oid4vci/credential")
"""The OpenID4VCI endpoints answer errors as OAuth does (RFC 6749 §5.2, OpenID4VCI §8.3.1)."""
OAUTH_ERRORS = {
    "/oid4vci/token": {
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unsupported_grant_type",
    },
    "/oid4vci/credential": {
        "invalid_token",
        "invalid_credential_request",
        "unknown_credential_configuration",
        "unknown_credential_identifier",
        "invalid_proof",
        "invalid_nonce",
        "invalid_encryption_parameters",
        "credential_request_denied",
    },
}
ERROR_DESCRIPTION_CHARACTERS = {chr(c) for c in range(0x20, 0x7F)} - {'"', "\\"}


@dataclass
class World:
    """A ledger with one of everything, and the tokens to act on it."""

    ledger: CredentialLedger
    app: FastAPI
    tokens: dict[str, str | None]
    ids: dict[str, str]
    vc: dict[str, Any]
    bodies: dict[tuple[str, str], Any]
    """A valid body for each write, so planted hostile values reach past validation."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data = Path(tmp_path_factory.mktemp("fuzz")) / "data"
    ledger = CredentialLedger(
        Settings(data_dir=data, base_url="https://ledger.example.test", database_url=None)
    )
    app = create_app(ledger, hashlib.sha256(ADMIN_TOKEN.encode()).digest())
    with TestClient(app, base_url="http://127.0.0.1") as client:
        school = _ok(client.post("/v1/issuers", json={"name": "School"}, headers=auth(ADMIN_TOKEN)))
        other = _ok(client.post("/v1/issuers", json={"name": "Other"}, headers=auth(ADMIN_TOKEN)))
        issuer = auth(school["token"])
        achievement = _ok(
            client.post(
                "/v1/achievements",
                json=microcredential_definition(suspendable=True),
                headers=issuer,
            )
        )
        credential = _ok(
            client.post(
                "/v1/credentials",
                json={"achievement_id": achievement["id"], "recipient": {"email": "a@b.nl"}},
                headers=issuer,
            )
        )
        endorsement = _ok(
            client.post(
                "/v1/endorsements",
                json={"subject": achievement["id"], "comment": "Good."},
                headers=auth(other["token"]),
            )
        )
        recognition = _ok(
            client.post(
                "/v1/recognitions",
                json={"credential": credential["credential"], "decision": "recognised"},
                headers=auth(other["token"]),
            )
        )
        status_url = credential["credential"]["credentialStatus"][0]["statusListCredential"]
        claim = _ok(
            client.post(
                f"/v1/credentials/{credential['id']}/claims",
                json={"expires_in": 86_400},
                headers=issuer,
            )
        )
    yield World(
        ledger=ledger,
        app=app,
        tokens={
            "admin": ADMIN_TOKEN,
            "issuer": school["token"],
            "other": other["token"],
            "anonymous": None,
        },
        ids={
            "issuer_id": school["id"],
            "achievement_id": achievement["id"],
            "credential_id": credential["id"],
            "endorsement_id": endorsement["id"],
            "recognition_id": recognition["id"],
            "list_id": status_url.rsplit("/", 1)[1],
            "secret": claim["url"].rsplit("/", 1)[1],
        },
        vc=credential["credential"],
        bodies={
            **_valid_bodies(school["did"], achievement["id"], credential["credential"]),
            ("POST", "/oid4vci/token"): {
                "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                "pre-authorized_code": claim["url"].rsplit("/", 1)[1],
            },
        },
    )
    ledger.close()


def _valid_bodies(did: str, achievement_id: str, vc: dict[str, Any]) -> dict[tuple[str, str], Any]:
    award = {"achievement_id": achievement_id, "recipient": {"email": "b@c.nl"}}
    given = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": did,
        "credentialSubject": {"id": "did:example:abc"},
    }
    return {
        ("POST", "/v1/issuers"): {"name": "Fuzz School", "url": "https://fuzz.example"},
        ("PATCH", "/v1/issuers/{issuer_id}"): {"name": "Renamed"},
        ("POST", "/v1/achievements"): microcredential_definition(),
        ("PUT", "/v1/achievements/{achievement_id}"): microcredential_definition(),
        ("POST", "/v1/credentials"): award,
        ("POST", "/v1/credentials/batch"): {"credentials": [award, award]},
        ("POST", "/v1/credentials/{credential_id}/reissue"): {"reason": "typo", **award},
        ("POST", "/v1/endorsements"): {"subject": achievement_id, "comment": "Good."},
        ("POST", "/v1/recognitions"): {"credential": vc, "decision": "recognised", "ects": 4},
        ("POST", "/v1/credentials/verify"): {"verifiableCredential": vc},
        ("POST", "/v1/presentations/verify"): {
            "verifiablePresentation": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [vc],
            }
        },
        ("POST", "/v1/issuers/{issuer_id}/credentials/issue"): {"credential": given},
        ("POST", "/v1/credentials/{credential_id}/claims"): {"tx_code": True, "expires_in": 600},
        ("POST", "/claims/{secret}/exchange"): {
            "verifiablePresentation": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "holder": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                "proof": {
                    "type": "DataIntegrityProof",
                    "cryptosuite": "eddsa-rdfc-2022",
                    "proofPurpose": "authentication",
                    "verificationMethod": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
                    "#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                    "challenge": "x",
                    "proofValue": "z",
                },
            }
        },
        ("POST", "/oid4vci/credential"): {
            "credential_configuration_id": "openbadge_credential",
            "proofs": {"jwt": ["eyJhbGciOiJFZERTQSJ9.e30.AAAA"]},
        },
        ("POST", "/v1/issuers/{issuer_id}/credentials/status"): {
            "credentialId": vc["id"],
            "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "suspended"}],
        },
    }


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation; the document needs no ledger."""
    document = create_app(cast(CredentialLedger, None), b"").openapi()
    return [(m.upper(), p) for p, ops in document["paths"].items() for m in ops]


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def api_schema(world: World) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", world.app)


def _cases(api_schema: Any, method: str, path: str) -> st.SearchStrategy[Case[Any]]:
    operation = api_schema[path][method]
    modes = [operation.as_strategy(GenerationMode.POSITIVE)]
    with contextlib.suppress(Exception):  # an operation with nothing to make invalid
        modes.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(modes)


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


HOSTILE: st.SearchStrategy[Any] = st.sampled_from(
    [
        -1,
        2**31,
        2**53,
        2**63,
        2**64,
        -(2**63) - 1,
        10**30,
        1e308,
        "a\x00b",
        "x" * 30_000,
        "",
        "../../../etc/passwd",
        "' OR 1=1 --",
        '"NEAR(',
        "did:web:127.0.0.1%3A1",
        "https://169.254.169.254/latest",
        [],
        {},
        None,
        True,
        _nested(70),
    ]
)
"""Values that have crashed parsers, canonicalisers and stores before. (NaN, Infinity and
lone surrogates cannot be sent through schemathesis' client; test_api_hostile_input.py
sends them raw.)"""


def _slots(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON body a value could be put."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _slots(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _slots(item, (*path, index))
    return found


def _aim(case: Case[Any], world: World, data: st.DataObject) -> dict[str, str]:
    """Pick who sends the request; point ids at real things and plant hostile values."""
    for name in list(case.path_parameters or {}):
        if name in world.ids and data.draw(st.booleans(), label=f"real {name}"):
            case.path_parameters[name] = world.ids[name]
    template = world.bodies.get((case.operation.method.upper(), case.operation.path))
    if template is not None and data.draw(st.booleans(), label="valid body"):
        case.body = copy.deepcopy(template)
    body: Any = case.body
    if isinstance(body, dict):
        if "achievement_id" in body and data.draw(st.booleans(), label="real achievement"):
            body["achievement_id"] = world.ids["achievement_id"]
        for key in ("credential", "verifiableCredential"):
            if key in body and data.draw(st.booleans(), label=f"real {key}"):
                body[key] = copy.deepcopy(world.vc)
        slots = _slots(body)
        hostile = bool(slots) and data.draw(st.booleans(), label="hostile")
        if hostile:
            path = data.draw(st.sampled_from(slots), label="where")
            parent: Any = body
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = data.draw(HOSTILE, label="what")
    who = data.draw(st.sampled_from(sorted(world.tokens)), label="who")
    if case.headers:
        case.headers.pop("Authorization", None)
    token = world.tokens[who]
    return {} if token is None else auth(token)


def _check_error_body(response: Any, path: str) -> None:
    """Every error is problem+json and shows nothing of the server's insides."""
    text = response.content.decode("utf-8", "replace")
    with contextlib.suppress(ValueError, AttributeError):  # the request's own path echoed
        shown = json.loads(text)
        shown.pop("instance", None)
        text = json.dumps(shown)
    for leak in LEAKS:
        assert leak not in text, f"{response.status_code} body leaks {leak!r}: {text[:500]}"
    ctype = (response.headers.get("content-type") or [""])[0]
    if response.status_code == 400 and path in VERIFY_PATHS and ctype == "application/json":
        assert json.loads(response.content)["verified"] is False  # the VC API's own failure report
        return
    if path in OAUTH_PATHS and response.status_code in (400, 401):
        _check_oauth_error(response, path, ctype)
        return
    assert ctype.startswith(PROBLEM_JSON), f"{response.status_code} with {ctype}: {text[:300]}"
    problem = json.loads(response.content)
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert problem["status"] == response.status_code


def _check_oauth_error(response: Any, path: str, ctype: str) -> None:
    """An OAuth error response: JSON, one of the endpoint's codes, a description in the
    characters allowed, never stored."""
    assert ctype.startswith("application/json"), f"{response.status_code} with {ctype}"
    body = json.loads(response.content)
    assert body["error"] in OAUTH_ERRORS[path], body
    assert set(body.get("error_description", "")) <= ERROR_DESCRIPTION_CHARACTERS, body
    assert (response.headers.get("cache-control") or [""])[0] == "no-store"
    if response.status_code == 401:
        assert (response.headers.get("www-authenticate") or [""])[0], "401 without a challenge"


def _exercise(case: Case[Any], world: World, data: st.DataObject) -> None:
    headers = _aim(case, world, data)
    before = world.ledger.recorder.max_notification_id()
    response = case.call(headers=headers)
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
        headers=headers,
    )
    if response.status_code >= 400:
        _check_error_body(response, case.operation.path)
        after = world.ledger.recorder.max_notification_id()
        assert after == before, f"a rejected request ({response.status_code}) recorded events"


def _fuzz(
    api_schema: Any, world: World, method: str, path: str, examples: int, *, fixed: bool
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=fixed,
        database=None,
    )
    @given(case=_cases(api_schema, method, path), data=st.data())
    def run(case: Case[Any], data: st.DataObject) -> None:
        _exercise(case, world, data)

    run()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_answers_without_5xx_and_rejects_without_recording(
    api_schema: Any, world: World, method: str, path: str
) -> None:
    _fuzz(api_schema, world, method, path, examples=8, fixed=True)


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_survives_a_long_fuzz(
    api_schema: Any, world: World, method: str, path: str
) -> None:
    _fuzz(api_schema, world, method, path, examples=200, fixed=False)
