"""Verdict words are one spelling (issue 13.4): `valid`, `invalid`, `undecided` for a
credential or a bundle; `intact`, `tampered`, `undecided` for a log; `fork` for a
witness. Every string in the CLI's source is scanned for other spellings ("INVALID",
"not valid", "TAMPERED or INCONSISTENT", "could not decide"...), and each verdict
command is run to each of its verdicts, its human and JSON output scanned.
"""

from __future__ import annotations

import ast
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import credledger.cli
import pytest

from ..cli_helpers import clean_environment, run, set_up_local
from ..ledger.verify.test_foreign_status import achievement, entry
from ..ledger_server import add_school, award, live_ledger, open_ledger, signed_credential
from ..verdict_words import CREDENTIAL_VERDICTS, LOG_VERDICTS, variants_in


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


# -- what the source says ------------------------------------------------------------------------


def _cli_strings() -> Iterator[tuple[str, str]]:
    """Every string constant (messages, help, docstrings) of the CLI's modules."""
    for module in sorted(Path(credledger.cli.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield f"{module.name}:{node.lineno}", node.value


def test_the_cli_source_spells_every_verdict_one_way() -> None:
    strings = list(_cli_strings())
    assert len(strings) > 500, "the CLI's source was not found"
    found = {where: variants_in(text) for where, text in strings if variants_in(text)}
    assert not found, f"verdicts spelled another way: {found}"


def test_the_scan_knows_the_variants() -> None:
    for variant in (
        "INVALID: x.json",
        "the credential is not valid",
        "TAMPERED or INCONSISTENT (leaf-mismatch)",
        "could not decide",
        "unverifiable",
        "FORK: the log forked",
        "Valid: the proof bundle verifies",
    ):
        assert variants_in(variant), variant
    for fine in (
        "invalid: x.json",
        "not valid before 2027-01-01T00:00:00Z",
        "cohort.csv is not valid CSV: a quote never closed",
        "tampered: the first discrepancy is leaf-mismatch",
        "the credential is invalid: it does not verify",
        '"validFrom": "2026-01-01T00:00:00Z"',
    ):
        assert not variants_in(fine), fine


# -- what the commands say -----------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    credential: Path
    changed: Path
    bundle: Path
    changed_bundle: Path


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    root = tmp_path_factory.mktemp("verdicts")
    with live_ledger(root / "server") as live:
        school = add_school(live.ledger, suspendable=True)
        credential_id = award(live.ledger, school, "dana@example.org")
        live.ledger.proof_bundle(credential_id)  # publishes the lists now
        vc = signed_credential(live.ledger, credential_id)
        credential = root / "credential.json"
        credential.write_text(json.dumps(vc))
        changed = root / "changed.json"
        changed.write_text(json.dumps({**vc, "name": "Brain Surgery"}))
        bundle = root / "proof.json"
        exported = run("proof", "export", credential, "-o", bundle, "--server", live.url)
        assert exported.exit_code == 0, exported.output
        forged = json.loads(bundle.read_text())
        forged["credential"]["name"] = "Brain Surgery"
        changed_bundle = root / "changed-proof.json"
        changed_bundle.write_text(json.dumps(forged))
        yield Scene(credential, changed, bundle, changed_bundle)


def _said(*args: str | Path) -> tuple[int, str, dict[str, Any]]:
    """(exit code, what a person reads, what a script reads) of one command."""
    human = run(*args)
    machine = run(*args, "--json")
    assert human.exit_code == machine.exit_code, (human.output, machine.output)
    return human.exit_code, human.stdout + human.stderr, json.loads(machine.stdout)


def _one_spelling(said: str, report: dict[str, Any]) -> None:
    assert not variants_in(said), said
    assert not variants_in(json.dumps(report)), report


CREDENTIAL_CASES = {
    "verify, valid": (("verify", "credential", "--allow-private"), "valid"),
    "verify, invalid": (("verify", "changed", "--allow-private"), "invalid"),
    "verify, undecided": (("verify", "credential"), "undecided"),  # loopback: not fetched
    "proof verify, valid": (("proof", "verify", "bundle", "--allow-private"), "valid"),
    "proof verify, invalid": (("proof", "verify", "changed_bundle", "--allow-private"), "invalid"),
}


@pytest.mark.parametrize("case", CREDENTIAL_CASES)
def test_credential_verdicts_are_one_spelling(case: str, scene: Scene) -> None:
    words, verdict = CREDENTIAL_CASES[case]
    files = {"credential", "changed", "bundle", "changed_bundle"}
    args = [getattr(scene, w) if w in files else w for w in words]
    code, said, report = _said(*args)
    assert code == {"valid": 0, "invalid": 1, "undecided": 2}[verdict], said
    assert report["result"] == verdict
    assert verdict in CREDENTIAL_VERDICTS
    assert said.lstrip().startswith(f"{verdict}: "), said
    _one_spelling(said, report)


@pytest.fixture
def audited(tmp_path: Path) -> Path:
    data = tmp_path / "ledger"
    ledger = open_ledger(data, "https://ledger.example.test")
    try:
        school = add_school(ledger)
        award(ledger, school, "dana@example.org")
        ledger.tlog.make_checkpoint()
    finally:
        ledger.close()
    return data


def _tamper(data: Path) -> None:
    """One changed byte in a stored issuance, as an intruder with disk access would."""
    conn = sqlite3.connect(data / "events.sqlite")
    try:
        rowid, state = conn.execute(
            "SELECT rowid, state FROM stored_events WHERE topic LIKE '%Credential.Issued' LIMIT 1"
        ).fetchone()
        changed = bytearray(state)
        changed[10] ^= 0x01
        conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(changed), rowid))
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("verdict", ["intact", "tampered"])
def test_log_verdicts_are_one_spelling(verdict: str, audited: Path, tmp_path: Path) -> None:
    data = audited
    if verdict == "tampered":
        data = tmp_path / "tampered"
        shutil.copytree(audited, data)
        _tamper(data)
    code, said, report = _said("audit", "--data", data)
    assert code == {"intact": 0, "tampered": 1}[verdict], said
    assert report["result"] == verdict
    assert verdict in LOG_VERDICTS
    assert report["intact"] is (verdict == "intact")
    assert said.lstrip().startswith(f"{verdict}: "), said
    _one_spelling(said, report)


def test_an_audit_that_cannot_run_says_nothing_else(tmp_path: Path) -> None:
    code, said, report = _said("audit", "--data", tmp_path / "nothing-here")
    assert code == 2, said
    _one_spelling(said, report)


def test_a_fork_is_one_spelling(tmp_path: Path) -> None:
    key, state = tmp_path / "witness.key", tmp_path / "state.json"
    assert run("witness", "--show-vkey", "--key", key).exit_code == 0
    options: dict[str, Any] = {"log_seed": bytes(range(32, 64)), "log_origin": "fork.test/log"}
    with live_ledger(tmp_path / "honest", **options) as live:
        add_school(live.ledger, "Honest School")
        live.ledger.tlog.make_checkpoint()
        first = run("witness", "--server", live.url, "--state", state, "--key", key)
        assert first.exit_code == 0, first.output
    with live_ledger(tmp_path / "forked", **options) as live:  # the same key, other leaves
        add_school(live.ledger, "Forged School")
        add_school(live.ledger, "Another Forged School")
        live.ledger.tlog.make_checkpoint()
        human = run("witness", "--server", live.url, "--state", state, "--key", key)
        machine = run("witness", "--server", live.url, "--state", state, "--key", key, "--json")
    assert (human.exit_code, machine.exit_code) == (1, 1), human.output
    report = json.loads(machine.stdout)
    assert report["result"] == "fork"
    assert human.stderr.lstrip().startswith("fork: "), human.stderr
    _one_spelling(human.stdout + human.stderr, report)


@pytest.mark.parametrize("verdict", ["invalid", "undecided"])
def test_a_refused_recognition_is_one_spelling(verdict: str, tmp_path: Path) -> None:
    local = set_up_local(tmp_path)
    vc = achievement(entry("http://127.0.0.1:9/lists/1"))  # loopback: its status unread
    if verdict == "invalid":
        vc["name"] = "Brain Surgery"
    file = tmp_path / "vc.json"
    file.write_text(json.dumps(vc))
    code, said, report = _said("recognise", file, "--decision", "recognised", *local.args())
    assert code == 1, said
    assert report["error"]["detail"].startswith(f"the credential is {verdict}: "), report
    _one_spelling(said, report)
