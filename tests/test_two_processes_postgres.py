"""Two `credledger serve` processes on one PostgreSQL store keep issuing while one is
killed; the survivor takes over appending the log within seconds."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from . import rfc_auditor as rfc
from .conftest import fresh_postgres_database
from .http_helpers import microcredential_definition
from .server_process import ADMIN_TOKEN, ServerProcess

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def award(client: httpx.Client, token: str, achievement: str, n: int, tag: str) -> list[str]:
    ids = []
    for i in range(n):
        r = client.post(
            "/v1/credentials",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"{tag}-{i}"},
            json={"achievement_id": achievement, "recipient": {"eduid": f"{tag}{i}"}},
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


def test_issuing_continues_when_one_of_two_processes_dies(tmp_path: Path) -> None:
    url = fresh_postgres_database()
    env = {"CREDLEDGER_DATABASE_URL": url}
    public = "https://ledger.example.test"  # one public origin for both processes
    first = ServerProcess(tmp_path / "a", env=env, base_url=public)
    second = ServerProcess(tmp_path / "b", env=env, base_url=public)
    first.start()
    second.start()
    try:
        with (
            httpx.Client(base_url=first.url, timeout=20) as a,
            httpx.Client(base_url=second.url, timeout=20) as b,
        ):
            school = a.post("/v1/issuers", json={"name": "S"}, headers=ADMIN).json()
            token = school["token"]
            achievement = b.post(
                "/v1/achievements",
                json=microcredential_definition(),
                headers={"Authorization": f"Bearer {token}"},
            ).json()["id"]
            issued = award(a, token, achievement, 5, "a") + award(b, token, achievement, 5, "b")
            vkey = b.get("/v1/log/key").text
            _, size_before, root_before = rfc.open_checkpoint(
                a.post("/v1/log/checkpoint", headers=ADMIN).text, vkey
            )
            first.kill()
            issued += award(b, token, achievement, 5, "c")
            deadline = time.monotonic() + 20
            while True:  # the survivor appends the rest of the log by itself
                note = b.post("/v1/log/checkpoint", headers=ADMIN).text
                _, size, root = rfc.open_checkpoint(note, vkey)
                if size >= size_before + 10 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert size >= size_before + 10  # five awards: CredentialIssued + StatusIndexClaimed
            proof = b.get(
                "/v1/log/proof/consistency", params={"first": size_before, "second": size}
            ).json()["path"]
            import base64

            assert rfc.verify_consistency(
                size_before, size, [base64.b64decode(p) for p in proof], root_before, root
            )
            for credential_id in issued:
                r = b.get(
                    f"/v1/credentials/{credential_id}", headers={"Authorization": f"Bearer {token}"}
                )
                assert r.status_code == 200
            assert len(set(issued)) == 15
    finally:
        first.stop()
        second.stop()


def test_an_erasure_in_one_process_stops_the_other_serving_at_once(tmp_path: Path) -> None:
    """Issue 11.4: the vault cached subject keys, so a second process kept serving an
    erased credential (200) until it was restarted."""
    url = fresh_postgres_database()
    env = {"CREDLEDGER_DATABASE_URL": url}
    public = "https://ledger.example.test"
    first = ServerProcess(tmp_path / "a", env=env, base_url=public)
    second = ServerProcess(tmp_path / "b", env=env, base_url=public)
    first.start()
    second.start()
    try:
        with (
            httpx.Client(base_url=first.url, timeout=20) as a,
            httpx.Client(base_url=second.url, timeout=20) as b,
        ):
            school = a.post("/v1/issuers", json={"name": "S"}, headers=ADMIN).json()
            issuer = {"Authorization": f"Bearer {school['token']}"}
            achievement = a.post(
                "/v1/achievements", json=microcredential_definition(), headers=issuer
            ).json()["id"]
            issued = [
                a.post(
                    "/v1/credentials",
                    headers=issuer,
                    json={"achievement_id": achievement, "recipient": {"email": email}},
                ).json()
                for email in ("gone@example.nl", "stays@example.nl")
            ]
            gone, stays = issued
            for client in (a, b):  # both have served (and read the keys of) both
                for credential in issued:
                    assert client.get(
                        f"/v1/credentials/{credential['id']}", headers=issuer
                    ).is_success
                    assert client.post(
                        "/v1/proofs", json={"credential": credential["credential"]}
                    ).is_success
            r = a.post(
                "/v1/erasures", json={"recipient": {"email": "gone@example.nl"}}, headers=issuer
            )
            assert r.status_code == 200
            assert r.json()["credentials"] == [gone["id"]]
            for client in (b, a):
                r = client.get(f"/v1/credentials/{gone['id']}", headers=issuer)
                assert r.status_code == 410, r.text
                r = client.post("/v1/proofs", json={"credential": gone["credential"]})
                assert r.status_code == 410, r.text
                assert client.get(f"/v1/credentials/{stays['id']}", headers=issuer).is_success
    finally:
        first.stop()
        second.stop()
