"""`credledger proof export --format tlog-proof` and `proof verify` of a C2SP tlog-proof.

A tlog-proof proves that a credential's issuance is in the log under a (cosigned)
checkpoint; the credential itself travels beside it. What it cannot say, the status,
leaves the verdict undecided, never valid.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from credledger.ledger.application import CredentialLedger

from ..cli_helpers import clean_environment, run
from ..ledger_server import add_school, award, live_ledger, open_ledger, signed_credential
from ..tlog_proof_reader import read_tlog_proof

BASE_URL = "https://ledger.example.test"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A ledger with two credentials of a did:key issuer (verifiable offline)."""
    root = tmp_path_factory.mktemp("tlog")
    data = root / "ledger"
    ledger = open_ledger(data, BASE_URL)
    try:
        school = add_school(ledger, did_method="key")
        alice = award(ledger, school, "alice@example.org")
        bob = award(ledger, school, "bob@example.org")
        files = {}
        for name, credential_id in (("alice", alice), ("bob", bob)):
            files[name] = root / f"{name}.json"
            files[name].write_text(json.dumps(signed_credential(ledger, credential_id)))
        vkey = ledger.tlog.vkey
    finally:
        ledger.close()
    return {"data": data, "id": str(alice), "files": files, "vkey": vkey, "root": root}


@pytest.fixture(scope="module")
def proof_file(issued: dict[str, Any]) -> Path:
    out = issued["root"] / "alice.tlog-proof"
    result = run(
        "proof", "export", issued["id"], "-o", out, "--format", "tlog-proof",
        "--data", issued["data"], "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["format"] == "tlog-proof"
    assert report["leaf_index"] is not None
    return out


def verify(path: Path, *args: str | Path) -> tuple[int, dict[str, Any]]:
    result = run("proof", "verify", path, *args, "--json")
    return result.exit_code, json.loads(result.stdout)


def test_the_export_is_a_c2sp_tlog_proof_of_the_credentials_issuance(
    issued: dict[str, Any], proof_file: Path
) -> None:
    text = proof_file.read_text()
    verified = read_tlog_proof(text, issued["vkey"], [])
    credential = json.loads(issued["files"]["alice"].read_text())
    assert verified.leaf["seq"] == verified.index
    assert "digest" in verified.leaf
    _, report = verify(proof_file, "--credential", issued["files"]["alice"])
    assert report["log"]["leaf_index"] == verified.index
    assert report["log"]["checkpoint_size"] == verified.size
    assert report["credential"] == credential["id"]


def test_the_issuers_own_word_makes_the_log_trusted_and_the_status_stays_undecided(
    issued: dict[str, Any], proof_file: Path
) -> None:
    code, report = verify(proof_file, "--credential", issued["files"]["alice"])
    assert code == 2
    assert report["result"] == "undecided"
    assert "names it in the credential" in report["log"]["trusted_because"]
    assert report["status"] == {"revocation": "unknown"}
    assert any("carries no status list" in w for w in report["warnings"])


def test_another_credential_is_not_proved_by_this_proof(
    issued: dict[str, Any], proof_file: Path
) -> None:
    code, report = verify(proof_file, "--credential", issued["files"]["bob"])
    assert (code, report["result"]) == (1, "invalid")


def _flip(text: str, at: int) -> str:
    """``text`` with the character at ``at`` replaced by another of the same kind."""
    swap = {"A": "B", "0": "1", "9": "8"}.get(text[at], "A" if text[at].isalpha() else "0")
    return text[:at] + swap + text[at + 1 :]


@pytest.mark.parametrize("part", ["extra", "index", "proof", "size", "root", "signature"])
def test_a_changed_line_makes_the_proof_fail(
    issued: dict[str, Any], proof_file: Path, tmp_path: Path, part: str
) -> None:
    head, checkpoint = proof_file.read_text().split("\n\n", 1)
    lines = head.split("\n") + checkpoint.split("\n")
    where = {"extra": 1, "index": 2, "proof": 3, "size": -5, "root": -4, "signature": -2}[part]
    lines[where] = _flip(lines[where], 10 if len(lines[where]) > 10 else -1)
    changed = tmp_path / "changed.tlog-proof"
    cut = len(head.split("\n"))
    changed.write_text("\n".join(lines[:cut]) + "\n\n" + "\n".join(lines[cut:]))
    assert changed.read_text() != proof_file.read_text()
    code, report = verify(changed, "--credential", issued["files"]["alice"])
    assert code == 1, report
    assert report["result"] == "invalid"


def test_a_pinned_log_key_must_have_signed_the_checkpoint(
    issued: dict[str, Any], proof_file: Path
) -> None:
    other = "ledger.other.test/log+4a7d0d3c+AZ8OYkn8VuC/gsAl+yy/n6uUI2yQmklcHo8gN8lwI6kK"
    code, report = verify(proof_file, "--credential", issued["files"]["alice"], "--log-key", other)
    assert code == 1
    assert report["result"] == "invalid"


def test_a_tlog_proof_without_its_credential_is_undecided(proof_file: Path) -> None:
    result = run("proof", "verify", proof_file)
    assert result.exit_code == 2
    assert "--credential" in result.output


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, CredentialLedger, Any, Path]]:
    with live_ledger(tmp_path / "server") as live:
        school = add_school(live.ledger, did_method="key")
        credential_id = award(live.ledger, school, "dana@example.org")
        held = tmp_path / "held.json"
        held.write_text(json.dumps(signed_credential(live.ledger, credential_id)))
        yield live.url, live.ledger, (school, credential_id), held


def test_from_a_server_the_issuer_and_the_holder_get_the_same_tlog_proof(
    served: tuple[str, CredentialLedger, Any, Path], tmp_path: Path
) -> None:
    url, ledger, (school, credential_id), held = served
    by_id, by_holder = tmp_path / "by-id.tlog-proof", tmp_path / "held.tlog-proof"
    exported = run(
        "proof", "export", str(credential_id), "-o", by_id, "--format", "tlog-proof",
        "--server", url, "--token", school.token,
    )  # fmt: skip
    assert exported.exit_code == 0, exported.output
    presented = run(
        "proof", "export", held, "-o", by_holder, "--format", "tlog-proof", "--server", url
    )
    assert presented.exit_code == 0, presented.output
    assert by_id.read_text() == by_holder.read_text()
    read_tlog_proof(by_id.read_text(), ledger.tlog.vkey, [])
