"""Credentials the ledger issues (contract endpoint and VC API) and its status list
credentials verify with Digital Bazaar's verifier, offline; one changed byte fails there."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from credledger.ledger.credentials.rendering import extension_context_url
from credledger.ledger.credentials.signing import extension_context
from fastapi.testclient import TestClient

from ..http_helpers import ADMIN_TOKEN, auth, microcredential_definition

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = REPO / "bench" / "node"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None or not (NODE_DIR / "node_modules").is_dir(),
    reason="Digital Bazaar's stack is not installed (npm ci --prefix bench/node)",
)
BASE = "https://ledger.example.test"


def did_document_args(did_documents: list[dict[str, Any]], tmp: Path) -> list[str]:
    """--document DID=FILE for each DID document: the pinned resolver of a verifier that
    trusts these did:web documents (on 127.0.0.1 there is no HTTPS to resolve them)."""
    args = []
    for i, document in enumerate(did_documents):
        path = tmp / f"did{i}.json"
        path.write_text(json.dumps(document))
        args += ["--document", f"{document['id']}={path}"]
    return args


def did_documents(client: TestClient) -> list[dict[str, Any]]:
    """Every issuer's DID document as the ledger serves it now."""
    ledger = client.app.state.ledger  # type: ignore[attr-defined]
    ids = [row["id"] for row in ledger.read_model.db.query("SELECT id FROM issuers")]
    return [client.get(f"/v1/issuers/{i}/did.json").json() for i in ids]


def digital_bazaar_verify(
    documents: list[dict[str, Any]], tmp: Path, dids: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    context = tmp / "extension.json"
    context.write_text(json.dumps(extension_context()))
    files = []
    for i, document in enumerate(documents):
        path = tmp / f"vc{i}.json"
        path.write_text(json.dumps(document))
        files.append(str(path))
    assert NODE is not None
    done = subprocess.run(
        [
            NODE,
            str(NODE_DIR / "di.mjs"),
            "verify",
            *files,
            "--document",
            f"{extension_context_url(BASE)}={context}",
            *did_document_args(dids or [], tmp),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return list(json.loads(done.stdout))


def issued(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    school = client.post("/v1/issuers", json={"name": "School"}, headers=auth(ADMIN_TOKEN)).json()
    achievement = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(school["token"])
    ).json()["id"]
    award = client.post(
        "/v1/credentials",
        headers=auth(school["token"]),
        json={
            "achievement_id": achievement,
            "recipient": {"email": "a@b.nl"},
            "evidence": [{"narrative": "Portfolio \u00e9\u00e8 \U0001f393"}],
            "result": {"value": "8.5"},
        },
    ).json()
    given = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential"],
        "issuer": school["did"],
        "credentialSubject": {"id": "did:example:1", "name": "Ada"},
    }
    vcapi = client.post(
        f"/v1/issuers/{school['id']}/credentials/issue",
        headers=auth(school["token"]),
        json={
            "credential": given,
            "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}},
        },
    ).json()["verifiableCredential"]
    return award, vcapi


def test_ledger_credentials_verify_at_digital_bazaar(client: TestClient, tmp_path: Path) -> None:
    award, vcapi = issued(client)
    status_url = award["credential"]["credentialStatus"]["statusListCredential"]
    status_list = client.get(status_url.removeprefix(BASE)).json()
    verdicts = digital_bazaar_verify(
        [award["credential"], vcapi, status_list], tmp_path, did_documents(client)
    )
    assert [v["verified"] for v in verdicts] == [True, True, True], verdicts


def test_one_changed_byte_fails_at_digital_bazaar(client: TestClient, tmp_path: Path) -> None:
    award, vcapi = issued(client)
    a = copy.deepcopy(award["credential"])
    a["credentialSubject"]["result"][0]["value"] = "9.5"
    b = copy.deepcopy(vcapi)
    b["credentialSubject"]["name"] = "Adb"
    c = copy.deepcopy(award["credential"])
    c["validFrom"] = (
        c["validFrom"].replace("Z", ".0Z") if "." not in c["validFrom"] else c["validFrom"]
    )
    verdicts = digital_bazaar_verify([a, b, c], tmp_path, did_documents(client))
    assert [v["verified"] for v in verdicts] == [False, False, False], verdicts


def digital_bazaar_status(
    vc: dict[str, Any],
    lists: dict[str, dict[str, Any]],
    tmp: Path,
    dids: list[dict[str, Any]] | None = None,
) -> Any:
    args = did_document_args(dids or [], tmp)
    context = tmp / "extension.json"
    context.write_text(json.dumps(extension_context()))
    args += ["--document", f"{extension_context_url(BASE)}={context}"]
    for i, (url, document) in enumerate(lists.items()):
        path = tmp / f"list{i}.json"
        path.write_text(json.dumps(document))
        args += ["--document", f"{url}={path}"]
    vc_path = tmp / "vc.json"
    vc_path.write_text(json.dumps(vc))
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(NODE_DIR / "di.mjs"), "status", str(vc_path), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def served_lists(client: TestClient, vc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    status = vc["credentialStatus"]
    urls = {e["statusListCredential"] for e in (status if isinstance(status, list) else [status])}
    return {url: client.get(url.removeprefix(BASE)).json() for url in urls}


def test_digital_bazaar_sees_revocation_and_suspension(client: TestClient, tmp_path: Path) -> None:
    school = client.post("/v1/issuers", json={"name": "S"}, headers=auth(ADMIN_TOKEN)).json()
    achievement = client.post(
        "/v1/achievements",
        json=microcredential_definition(suspendable=True),
        headers=auth(school["token"]),
    ).json()["id"]
    award = client.post(
        "/v1/credentials",
        headers=auth(school["token"]),
        json={"achievement_id": achievement, "recipient": {"email": "a@b.nl"}},
    ).json()
    vc, path = award["credential"], f"/v1/credentials/{award['id']}"

    def statuses() -> dict[str, Any]:
        result = digital_bazaar_status(
            vc, served_lists(client, vc), tmp_path, did_documents(client)
        )
        assert result["verified"], result
        return {r["purpose"]: r["status"] for r in result["results"]}

    assert statuses() == {"revocation": False, "suspension": False}
    client.post(f"{path}/suspend", json={"reason": "inquiry"}, headers=auth(school["token"]))
    assert statuses() == {"revocation": False, "suspension": True}
    client.post(f"{path}/reinstate", json={"reason": "cleared"}, headers=auth(school["token"]))
    assert statuses() == {"revocation": False, "suspension": False}
    client.post(f"{path}/revoke", json={"reason": "fraud"}, headers=auth(school["token"]))
    assert statuses()["revocation"] is True


def school_with_award(client: TestClient, email: str = "a@b.nl") -> tuple[dict[str, Any], Any]:
    school = client.post("/v1/issuers", json={"name": "S"}, headers=auth(ADMIN_TOKEN)).json()
    school["achievement"] = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(school["token"])
    ).json()["id"]
    return school, award_to(client, school, email)


def award_to(client: TestClient, school: dict[str, Any], email: str) -> dict[str, Any]:
    return dict(
        client.post(
            "/v1/credentials",
            headers=auth(school["token"]),
            json={"achievement_id": school["achievement"], "recipient": {"email": email}},
        ).json()
    )


def test_after_a_rotation_digital_bazaar_sees_a_later_revocation(
    client: TestClient, tmp_path: Path
) -> None:
    school, revoked = school_with_award(client)
    untouched = award_to(client, school, "c@d.nl")
    r = client.post(f"/v1/issuers/{school['id']}/keys/rotate", headers=auth(school["token"]))
    assert r.status_code == 200, r.text
    client.post(
        f"/v1/credentials/{revoked['id']}/revoke",
        json={"reason": "fraud"},
        headers=auth(school["token"]),
    )
    dids = did_documents(client)
    verdicts = digital_bazaar_verify(
        [revoked["credential"], untouched["credential"]], tmp_path, dids
    )
    assert [v["verified"] for v in verdicts] == [True, True], verdicts  # proofs: both genuine
    for vc, expected in ((revoked["credential"], True), (untouched["credential"], False)):
        result = digital_bazaar_status(vc, served_lists(client, vc), tmp_path, dids)
        assert result["verified"], result
        assert {r["purpose"]: r["status"] for r in result["results"]}["revocation"] is expected


def test_digital_bazaar_refuses_a_compromised_keys_credential_and_accepts_its_reissue(
    client: TestClient, tmp_path: Path
) -> None:
    school, issued = school_with_award(client)
    proof = issued["credential"]["proof"]
    key = (proof[0] if isinstance(proof, list) else proof)["verificationMethod"].split("#")[1]
    r = client.post(
        f"/v1/issuers/{school['id']}/keys/{key}/compromised",
        json={"reason": "leak"},
        headers=auth(school["token"]),
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/v1/issuers/{school['id']}/keys/{key}/reissue",
        json={"reason": "leak"},
        headers=auth(school["token"]),
    )
    assert r.status_code == 200, r.text
    reissued = client.get(f"/v1/credentials/{issued['id']}", headers=auth(school["token"])).json()[
        "credential"
    ]
    verdicts = digital_bazaar_verify(
        [issued["credential"], reissued], tmp_path, did_documents(client)
    )
    assert [v["verified"] for v in verdicts] == [False, True], verdicts


def test_digital_bazaar_sees_a_withdrawn_endorsement_revoked(
    client: TestClient, tmp_path: Path
) -> None:
    school = client.post("/v1/issuers", json={"name": "S"}, headers=auth(ADMIN_TOKEN)).json()
    endorser = client.post("/v1/issuers", json={"name": "E"}, headers=auth(ADMIN_TOKEN)).json()
    achievement = client.post(
        "/v1/achievements", json=microcredential_definition(), headers=auth(school["token"])
    ).json()["id"]
    endorsed = client.post(
        "/v1/endorsements",
        json={"subject": achievement, "comment": "Well designed"},
        headers=auth(endorser["token"]),
    ).json()
    vc = endorsed["credential"]

    def revoked() -> Any:
        result = digital_bazaar_status(
            vc, served_lists(client, vc), tmp_path, did_documents(client)
        )
        assert result["verified"], result
        return {r["purpose"]: r["status"] for r in result["results"]}["revocation"]

    assert revoked() is False
    r = client.post(
        f"/v1/endorsements/{endorsed['id']}/withdraw",
        json={"reason": "programme changed"},
        headers=auth(endorser["token"]),
    )
    assert r.status_code == 200, r.text
    assert revoked() is True
