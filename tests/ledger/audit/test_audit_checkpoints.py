"""`credledger audit --data` finds a deleted checkpoint and an altered cosignature."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.tlog_witness import WitnessKey, cosign
from credledger.ledger.domain.acts import Act

from ...cli_helpers import clean_environment, run
from ...ledger_server import add_school, award, open_ledger

BASE_URL = "https://ledger.example.test"
WITNESS = WitnessKey.generate("witness.example/w1")


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)
    monkeypatch.delenv("CREDLEDGER_WITNESS_KEYS", raising=False)


def cosigned_store(data: Path, checkpoints: int = 4) -> list[int]:
    """A ledger with ``checkpoints`` checkpoints, each cosigned by WITNESS; their sizes."""
    ledger = open_ledger(data, BASE_URL, witness_keys=(WITNESS.vkey(),))
    try:
        school = add_school(ledger, "Hogeschool Noord")
        sizes = []
        for i in range(checkpoints):
            credential = award(ledger, school, f"student{i}@example.org")
            if i == 1:
                ledger.change_status(Act(str(school.issuer)), credential, "revoke", "in error")
            stored = ledger.tlog.make_checkpoint()
            ledger.tlog.add_cosignatures(cosign(stored.note, WITNESS, 1_700_000_000 + i))
            sizes.append(stored.size)
        return sizes
    finally:
        ledger.close()


def audit(data: Path, monkeypatch: pytest.MonkeyPatch, *, witness: bool = True) -> Any:
    if witness:
        monkeypatch.setenv("CREDLEDGER_WITNESS_KEYS", WITNESS.vkey())
    result = run("audit", "--data", data, "--json")
    return result.exit_code, json.loads(result.stdout)


def edit(database: Path, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Change the store behind the ledger's back, as an intruder with disk access would."""
    conn = sqlite3.connect(database)
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def test_a_cosigned_store_audits_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cosigned_store(tmp_path / "d")
    code, report = audit(tmp_path / "d", monkeypatch)
    assert code == 0, report
    assert report["checkpoints"] >= 4


def test_a_deleted_checkpoint_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = cosigned_store(tmp_path / "d")
    log = tmp_path / "d" / "log.sqlite"
    edit(log, "DELETE FROM log_cosignatures WHERE size = ?", (sizes[1],))
    edit(log, "DELETE FROM log_checkpoints WHERE size = ?", (sizes[1],))
    code, report = audit(tmp_path / "d", monkeypatch)
    assert code == 1
    assert report["discrepancy"]["kind"] == "checkpoint-missing"
    assert report["discrepancy"]["checkpoint"] == sizes[2]


def test_a_deleted_cosigned_checkpoint_is_found_by_its_cosignature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = cosigned_store(tmp_path / "d")
    edit(tmp_path / "d" / "log.sqlite", "DELETE FROM log_checkpoints WHERE size = ?", (sizes[-1],))
    code, report = audit(tmp_path / "d", monkeypatch)
    assert code == 1
    assert report["discrepancy"]["kind"] == "cosignature-orphan"


def test_an_altered_cosignature_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = cosigned_store(tmp_path / "d")
    log = tmp_path / "d" / "log.sqlite"
    conn = sqlite3.connect(log)
    (line,) = conn.execute(
        "SELECT line FROM log_cosignatures WHERE size = ?", (sizes[2],)
    ).fetchone()
    conn.close()
    at = len(line) - 10
    altered = line[:at] + ("A" if line[at] != "A" else "B") + line[at + 1 :]
    edit(log, "UPDATE log_cosignatures SET line = ? WHERE size = ?", (altered, sizes[2]))
    code, report = audit(tmp_path / "d", monkeypatch)
    assert code == 1
    assert report["discrepancy"]["kind"] == "cosignature"
    assert report["discrepancy"]["checkpoint"] == sizes[2]


def test_a_cosignature_moved_to_another_checkpoint_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = cosigned_store(tmp_path / "d")
    log = tmp_path / "d" / "log.sqlite"
    edit(log, "DELETE FROM log_cosignatures WHERE size = ?", (sizes[0],))
    edit(log, "UPDATE log_cosignatures SET size = ? WHERE size = ?", (sizes[0], sizes[1]))
    code, report = audit(tmp_path / "d", monkeypatch)
    assert code == 1
    assert report["discrepancy"]["kind"] == "cosignature"


def test_a_cosignature_renamed_to_an_unknown_witness_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cosigned_store(tmp_path / "d")
    edit(tmp_path / "d" / "log.sqlite", "UPDATE log_cosignatures SET name = 'witness.example/w9'")
    code, report = audit(tmp_path / "d", monkeypatch)
    assert code == 1
    assert report["discrepancy"]["kind"] == "cosignature-unknown"


def test_the_keys_of_witnesses_the_log_pushes_to_count_as_well(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cosigned_store(tmp_path / "d")
    monkeypatch.setenv("CREDLEDGER_WITNESSES", f"https://witness.example={WITNESS.vkey()}")
    code, report = audit(tmp_path / "d", monkeypatch, witness=False)
    assert code == 0, report


def test_stored_cosignatures_without_witness_keys_leave_the_audit_undecided(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cosigned_store(tmp_path / "d")
    result = run("audit", "--data", tmp_path / "d")
    assert result.exit_code == 2
    assert "CREDLEDGER_WITNESS_KEYS" in result.output


def test_checkpoints_made_before_numbering_are_numbered_in_size_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = cosigned_store(tmp_path / "d")
    log = tmp_path / "d" / "log.sqlite"
    edit(log, "DROP INDEX log_checkpoints_number")
    edit(log, "ALTER TABLE log_checkpoints DROP COLUMN number")
    code, report = audit(tmp_path / "d", monkeypatch)
    assert code == 0
    assert any("not numbered" in w for w in report["warnings"])
    open_ledger(tmp_path / "d", BASE_URL).close()  # the ledger numbers them on open
    conn = sqlite3.connect(log)
    numbers = conn.execute("SELECT size, number FROM log_checkpoints ORDER BY size").fetchall()
    conn.close()
    assert [n for s, n in numbers if s in sizes] == sorted(n for s, n in numbers if s in sizes)
    assert [n for _, n in numbers] == list(range(1, len(numbers) + 1))
    assert audit(tmp_path / "d", monkeypatch)[0] == 0
