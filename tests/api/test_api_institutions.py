"""Over HTTP: register → define → award → endorse → recognise → suspend → reinstate → revoke."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.services.issuance import AwardRequest
from credledger.ledger.store.aggregates import Aggregates
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition

PROBLEM = "application/problem+json"


def register(client: TestClient, name: str = "Hogeschool Leeuwarden") -> dict[str, Any]:
    r = client.post(
        "/v1/issuers",
        json={"name": name, "url": "https://hs.example.nl"},
        headers=auth(ADMIN_TOKEN),
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def define(client: TestClient, token: str, **changes: Any) -> dict[str, Any]:
    r = client.post(
        "/v1/achievements", json=microcredential_definition(**changes), headers=auth(token)
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def award(client: TestClient, token: str, achievement_id: str, **extra: Any) -> dict[str, Any]:
    body = {"achievement_id": achievement_id, "recipient": {"email": "learner@example.nl"}, **extra}
    r = client.post("/v1/credentials", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    return dict(r.json())


def assert_problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = dict(r.json())
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


def test_the_whole_scenario_works_with_the_contract_status_codes(client: TestClient) -> None:
    school = register(client)
    # an identity that outlives its keys (issue 10): a did:web under the ledger
    assert school["did"] == f"did:web:ledger.example.test:v1:issuers:{school['id']}"
    other = register(client, "Universiteit Haarlem")
    achievement = define(client, school["token"], suspendable=True)
    assert achievement["achievement"]["type"] == ["Achievement", "EducredentialAchievement"]

    issued = award(
        client,
        school["token"],
        achievement["id"],
        evidence=[{"narrative": "Portfolio reviewed"}],
        result={"value": "8.5"},
    )
    vc = issued["credential"]
    assert vc["id"] == f"urn:uuid:{issued['id']}"
    assert vc["issuer"]["id"] == school["did"]
    assert "learner@example.nl" not in r_text(vc)

    endorsed = client.post(
        "/v1/endorsements",
        json={"subject": achievement["id"], "comment": "Solid programme."},
        headers=auth(other["token"]),
    )
    assert endorsed.status_code == 201, endorsed.text
    assert "EndorsementCredential" in endorsed.json()["credential"]["type"]

    recognised = client.post(
        "/v1/recognitions",
        json={"credential": vc, "decision": "recognised", "ects": 4},
        headers=auth(other["token"]),
    )
    assert recognised.status_code == 201, recognised.text

    path = f"/v1/credentials/{issued['id']}"
    for action, status in (
        ("suspend", "suspended"),
        ("reinstate", "active"),
        ("revoke", "revoked"),
    ):
        r = client.post(
            f"{path}/{action}", json={"reason": f"{action} for test"}, headers=auth(school["token"])
        )
        assert r.status_code == 200, r.text
        assert r.json() == {"status": status}
    assert_problem(
        client.post(f"{path}/revoke", json={"reason": "again"}, headers=auth(school["token"])), 409
    )
    view = client.get(path, headers=auth(school["token"])).json()
    assert view["status"] == "revoked"
    history = client.get(f"{path}/status-history", headers=auth(school["token"])).json()["history"]
    assert [h["status"] for h in history] == ["active", "suspended", "active", "revoked"]
    assert history[-1]["reason"] == "revoke for test"


def r_text(document: Any) -> str:
    import json

    return json.dumps(document)


def test_another_institution_learns_nothing_about_a_credential(client: TestClient) -> None:
    school, other = register(client), register(client, "Other")
    issued = award(client, school["token"], define(client, school["token"])["id"])
    path = f"/v1/credentials/{issued['id']}"
    assert_problem(client.get(path, headers=auth(other["token"])), 404)
    for action in ("revoke", "suspend", "reinstate"):
        assert_problem(
            client.post(f"{path}/{action}", json={"reason": "x"}, headers=auth(other["token"])), 404
        )
    assert_problem(client.get(f"{path}/status-history", headers=auth(other["token"])), 404)
    assert client.get(path, headers=auth(school["token"])).json()["status"] == "active"


def test_nobody_awards_another_institutions_achievement(client: TestClient) -> None:
    school, other = register(client), register(client, "Other")
    achievement = define(client, school["token"])
    r = client.post(
        "/v1/credentials",
        headers=auth(other["token"]),
        json={"achievement_id": achievement["id"], "recipient": {"email": "a@b.nl"}},
    )
    assert_problem(r, 404)


def test_a_microcredential_missing_an_element_is_refused_naming_it(client: TestClient) -> None:
    school = register(client)
    r = client.post(
        "/v1/achievements",
        headers=auth(school["token"]),
        json=microcredential_definition(assessment=None),
    )
    body = assert_problem(r, 422)
    assert ["body", "assessment"] in [e["loc"] for e in body["errors"]]
    assert client.get("/v1/achievements").json()["achievements"] == []


def test_every_missing_field_of_a_variant_comes_in_one_problem(client: TestClient) -> None:
    school = register(client)
    body = {"name": "Partial", "variant": "microcredential", "ects": "lots"}
    r = client.post("/v1/achievements", headers=auth(school["token"]), json=body)
    problem = assert_problem(r, 422)
    named = [e["loc"][-1] for e in problem["errors"]]
    assert sorted(named) == sorted(set(named))
    assert {
        "description",
        "learning_outcomes",
        "participation",
        "quality_assurance",
        "ects",
    } <= set(named)
    assert "body" not in problem["detail"]


def test_an_award_whose_result_the_achievement_does_not_allow_is_refused(
    client: TestClient,
) -> None:
    school = register(client)
    achievement = define(client, school["token"], result=None)  # a status: 'Completed'
    r = client.post(
        "/v1/credentials",
        json={
            "achievement_id": achievement["id"],
            "recipient": {"email": "learner@example.nl"},
            "result": {"value": "8.5"},
        },
        headers=auth(school["token"]),
    )
    problem = assert_problem(r, 422)
    assert ["body", "result", "value"] in [e["loc"] for e in problem["errors"]]


def test_the_same_definition_again_answers_the_existing_achievement(client: TestClient) -> None:
    school = register(client)
    first = define(client, school["token"])
    r = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(school["token"])
    )
    assert r.status_code == 200, r.text
    assert r.json()["id"] == first["id"]
    assert len(client.get("/v1/achievements").json()["achievements"]) == 1


def test_a_changed_definition_under_a_used_name_is_a_conflict(client: TestClient) -> None:
    school = register(client)
    first = define(client, school["token"])
    r = client.post(
        "/v1/achievements", json=microcredential_definition(ects=5), headers=auth(school["token"])
    )
    assert first["id"] in assert_problem(r, 409)["detail"]
    assert len(client.get("/v1/achievements").json()["achievements"]) == 1


def test_another_issuer_may_use_the_same_name(client: TestClient) -> None:
    define(client, register(client)["token"])
    define(client, register(client, "Universiteit")["token"])
    assert len(client.get("/v1/achievements").json()["achievements"]) == 2


@pytest.mark.parametrize(
    "body",
    [
        {"recipient": {"email": "a@b.nl"}},
        {"achievement_id": "not-a-uuid", "recipient": {"email": "a@b.nl"}},
        {"achievement_id": "ACH", "recipient": {"email": "not-an-email"}},
        {"achievement_id": "ACH", "recipient": {"email": "a@b.nl", "did": "did:key:z"}},
        {
            "achievement_id": "ACH",
            "recipient": {"email": "a@b.nl"},
            "valid_until": "2001-01-01T00:00:00Z",
        },
        {"achievement_id": "ACH", "recipient": {"email": "a@b.nl"}, "surprise": 1},
    ],
)
def test_bad_awards_get_a_422_and_record_nothing(
    client: TestClient, ledger: Any, body: dict[str, Any]
) -> None:
    school = register(client)
    achievement = define(client, school["token"])
    before = ledger.recorder.max_notification_id()
    body = {k: (achievement["id"] if v == "ACH" else v) for k, v in body.items()}
    assert_problem(client.post("/v1/credentials", json=body, headers=auth(school["token"])), 422)
    assert ledger.recorder.max_notification_id() == before


def test_requests_without_a_valid_token_are_refused(client: TestClient) -> None:
    assert_problem(client.post("/v1/issuers", json={"name": "x"}), 401)
    assert_problem(client.post("/v1/issuers", json={"name": "x"}, headers=auth("wrong")), 401)
    school = register(client)
    assert_problem(
        client.post("/v1/issuers", json={"name": "x"}, headers=auth(school["token"])), 403
    )
    assert_problem(
        client.post(
            "/v1/achievements", json=microcredential_definition(), headers=auth(ADMIN_TOKEN)
        ),
        403,
    )


def test_an_idempotency_key_makes_a_retry_return_the_same_result(
    client: TestClient, ledger: Any
) -> None:
    school = register(client)
    achievement = define(client, school["token"])
    body = {"achievement_id": achievement["id"], "recipient": {"eduid": "urn:eduid:123"}}
    headers = {**auth(school["token"]), "Idempotency-Key": "row-17"}
    first = client.post("/v1/credentials", json=body, headers=headers)
    recorded = ledger.recorder.max_notification_id()
    second = client.post("/v1/credentials", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert ledger.recorder.max_notification_id() == recorded
    other = client.post(
        "/v1/credentials", headers=headers, json={**body, "recipient": {"eduid": "urn:eduid:999"}}
    )
    assert_problem(other, 422)


def test_a_retried_revocation_with_its_key_is_not_a_conflict(client: TestClient) -> None:
    school = register(client)
    issued = award(client, school["token"], define(client, school["token"])["id"])
    headers = {**auth(school["token"]), "Idempotency-Key": "revoke-1"}
    path = f"/v1/credentials/{issued['id']}/revoke"
    assert client.post(path, json={"reason": "fraud"}, headers=headers).status_code == 200
    assert client.post(path, json={"reason": "fraud"}, headers=headers).json() == {
        "status": "revoked"
    }


def test_the_catalogue_is_searchable(client: TestClient) -> None:
    school = register(client)
    define(client, school["token"], name="Statistiek voor docenten")
    define(client, school["token"], name="Project management", learning_outcomes=["Plans sprints"])
    found = client.get("/v1/achievements", params={"q": "sprints"}).json()["achievements"]
    assert [a["name"] for a in found] == ["Project management"]


def test_nothing_is_issued_from_an_archived_achievement(client: TestClient, ledger: Any) -> None:
    from uuid import UUID

    from credledger.ledger.domain.acts import Act

    school = register(client)
    achievement = define(client, school["token"])
    ledger.achievements.archive(Act(school["id"]), UUID(achievement["id"]))
    r = client.post(
        "/v1/credentials",
        headers=auth(school["token"]),
        json={"achievement_id": achievement["id"], "recipient": {"email": "a@b.nl"}},
    )
    assert_problem(r, 409)


def test_the_openapi_document_lists_every_institution_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/issuers",
        "/v1/issuers/{issuer_id}",
        "/v1/achievements",
        "/v1/credentials",
        "/v1/credentials/{credential_id}/revoke",
        "/v1/endorsements",
        "/v1/recognitions",
    ):
        assert path in paths


def test_guessing_tokens_is_slowed_down(client: TestClient) -> None:
    statuses = [
        client.post("/v1/achievements", json={}, headers=auth(f"guess-{i}")).status_code
        for i in range(40)
    ]
    assert statuses[:30] == [401] * 30
    assert set(statuses[30:]) == {429}
    limited = client.post("/v1/achievements", json={}, headers=auth("guess"))
    assert int(limited.headers["retry-after"]) > 0


def test_a_batch_awards_many_refuses_bad_items_and_replays_by_item_key(
    client: TestClient, ledger: Any
) -> None:
    school = register(client)
    achievement = define(client, school["token"])["id"]
    items = [
        {"achievement_id": achievement, "recipient": {"email": "a@b.nl"}, "idempotency_key": "r1"},
        {"achievement_id": achievement, "recipient": {"email": "nope"}, "idempotency_key": "r2"},
        {"achievement_id": achievement, "recipient": {"eduid": "e3"}, "surprise": True},
        {"achievement_id": achievement, "recipient": {"eduid": "e4"}, "idempotency_key": "r4"},
    ]
    r = client.post(
        "/v1/credentials/batch", json={"credentials": items}, headers=auth(school["token"])
    )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == [201, 422, 422, 201]
    assert ["body", "recipient", "email"] in [e["loc"] for e in results[1]["problem"]["errors"]]
    recorded = ledger.recorder.max_notification_id()
    again = client.post(
        "/v1/credentials/batch",
        json={"credentials": [items[0], items[3]]},
        headers=auth(school["token"]),
    ).json()["results"]
    assert [x["id"] for x in again] == [results[0]["id"], results[3]["id"]]
    assert ledger.recorder.max_notification_id() == recorded
    single = client.post(
        "/v1/credentials",
        headers={**auth(school["token"]), "Idempotency-Key": "r1"},
        json={"achievement_id": achievement, "recipient": {"email": "a@b.nl"}},
    )
    assert single.json()["id"] == results[0]["id"]


def test_an_award_over_http_reads_its_issuer_no_more_often_than_the_award_alone(
    client: TestClient, ledger: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Authentication's read of the issuer is the one the award signs with.
    issuer = register(client)
    achievement = define(client, issuer["token"])
    award(client, issuer["token"], achievement["id"])  # the status list exists
    reads: list[UUID] = []
    real_get = Aggregates.get

    def counting_get(self: Aggregates, cls: type[Any], aggregate_id: Any) -> Any:
        found = real_get(self, cls, aggregate_id)
        if isinstance(found, Issuer):
            reads.append(found.id)
        return found

    monkeypatch.setattr(Aggregates, "get", counting_get)
    award(client, issuer["token"], achievement["id"])
    over_http = len(reads)
    reads.clear()
    request = AwardRequest(
        Act(issuer["id"]), UUID(achievement["id"]), {"email": "other@example.nl"}
    )
    ledger.issuance.issue(request)
    assert over_http == len(reads) > 0
