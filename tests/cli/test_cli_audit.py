"""`credledger audit`: a clean log audits clean; one changed byte anywhere is found and named."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from credledger.ledger.application import CredentialLedger
from credledger.ledger.audit.events import RecorderEvents, SQLiteEvents, open_recorder
from credledger.ledger.audit.local import audit_store, fast_leaf
from credledger.ledger.domain.acts import Act
from credledger.ledger.log.leaves import leaf_for
from credledger.ledger.store.settings import Settings

from ..cli_helpers import clean_environment, run
from ..ledger_server import add_school, award, live_ledger, open_ledger

BASE_URL = "https://ledger.example.test"
SEED = bytes(range(32))


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)


def populate(ledger: CredentialLedger, credentials: int = 3) -> None:
    """Issuers, achievements, credentials, a revocation and status list versions."""
    school = add_school(ledger, "Hogeschool Noord")
    add_school(ledger, "Universiteit Oost")
    ids = [award(ledger, school, f"student{i}@example.org") for i in range(credentials)]
    ledger.change_status(Act(str(school.issuer)), ids[0], "revoke", "issued in error")
    ledger.proof_bundle(ids[-1])  # publishes the lists' new versions into the log
    ledger.tlog.make_checkpoint()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    directory = tmp_path / "ledger"
    ledger = open_ledger(directory, BASE_URL, log_seed=SEED)
    try:
        populate(ledger)
    finally:
        ledger.close()
    return directory


def vkey_of(data: Path) -> str:
    ledger = open_ledger(data, BASE_URL)
    try:
        return ledger.tlog.vkey
    finally:
        ledger.close()


def audit(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = run("audit", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


def edit(database: Path, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """Change the store behind the ledger's back, as an intruder with disk access would."""
    conn = sqlite3.connect(database)
    try:
        row = conn.execute(sql, params).fetchone()
        conn.commit()
        return row
    finally:
        conn.close()


def flip(blob: bytes, position: int) -> bytes:
    changed = bytearray(blob)
    changed[position] ^= 0x01
    return bytes(changed)


def test_a_clean_store_audits_clean(data: Path) -> None:
    code, report = audit("--data", data)
    assert code == 0
    assert report["intact"]
    assert report["discrepancy"] is None
    assert report["events"] == report["leaves"] == report["size"] > 10
    assert report["checkpoints"] >= 2
    assert report["key_source"] == "the data directory's vault"


def test_the_human_report_says_intact(data: Path) -> None:
    result = run("audit", "--data", data, "--log-key", vkey_of(data))
    assert result.exit_code == 0
    assert "intact" in result.stdout


def test_the_audit_writes_nothing(data: Path) -> None:
    before = {p.name: p.read_bytes() for p in data.iterdir() if p.suffix == ".sqlite"}
    assert audit("--data", data)[0] == 0
    after = {p.name: p.read_bytes() for p in data.iterdir() if p.suffix == ".sqlite"}
    assert after == before


@pytest.mark.parametrize("position", [10, -20, -1])
def test_one_changed_byte_of_a_stored_event_is_found(data: Path, position: int) -> None:
    events = data / "events.sqlite"
    rowid, state = edit(
        events,
        "SELECT rowid, state FROM stored_events WHERE topic LIKE '%Credential.Issued' "
        "ORDER BY rowid LIMIT 1 OFFSET 1",
    )
    edit(
        events, "UPDATE stored_events SET state = ? WHERE rowid = ?", (flip(state, position), rowid)
    )
    code, report = audit("--data", data)
    assert code == 1
    assert report["discrepancy"]["kind"] in ("leaf-mismatch", "event-undecodable")
    assert report["discrepancy"]["event"] == rowid


def test_a_changed_stored_leaf_is_found(data: Path) -> None:
    log = data / "log.sqlite"
    (blob,) = edit(log, "SELECT data FROM log_leaves WHERE idx = 5")
    edit(log, "UPDATE log_leaves SET data = ? WHERE idx = 5", (flip(blob, len(blob) - 3),))
    code, report = audit("--data", data)
    assert code == 1
    assert report["discrepancy"]["kind"] == "leaf-mismatch"
    assert report["discrepancy"]["leaf"] == 5


def test_a_changed_hash_in_a_merkle_tile_is_found(data: Path) -> None:
    log = data / "log.sqlite"
    (tile,) = edit(log, "SELECT hashes FROM merkle_tiles WHERE level = 0 AND idx = 0")
    edit(
        log,
        "UPDATE merkle_tiles SET hashes = ? WHERE level = 0 AND idx = 0",
        (flip(tile, 3 * 32 + 7),),
    )
    code, report = audit("--data", data)
    assert code == 1
    assert report["discrepancy"]["kind"] == "tile-mismatch"
    assert "hash 3 of the stored tile 0/0" in report["discrepancy"]["message"]
    assert report["discrepancy"]["leaf"] == 3


def test_a_partial_tile_wider_than_the_tree_is_found(data: Path) -> None:
    log = data / "log.sqlite"
    (tile,) = edit(log, "SELECT hashes FROM merkle_tiles WHERE level = 0 AND idx = 0")
    edit(log, "UPDATE merkle_tiles SET hashes = ? WHERE level = 0 AND idx = 0", (tile + bytes(32),))
    code, report = audit("--data", data)
    assert code == 1
    assert report["discrepancy"]["kind"] == "tile-width"


def test_an_extra_merkle_tile_is_found(data: Path) -> None:
    edit(
        data / "log.sqlite",
        "INSERT INTO merkle_tiles (level, idx, hashes) VALUES (5, 0, ?)",
        (bytes(32),),
    )
    code, report = audit("--data", data)
    assert code == 1
    assert report["discrepancy"]["kind"] == "tile-count"


def test_a_changed_checkpoint_signature_is_found(data: Path) -> None:
    log = data / "log.sqlite"
    size, note = edit(log, "SELECT size, note FROM log_checkpoints ORDER BY size LIMIT 1")
    signature_at = note.rindex(" ") + 5
    changed = (
        note[:signature_at] + ("A" if note[signature_at] != "A" else "B") + note[signature_at + 1 :]
    )
    edit(log, "UPDATE log_checkpoints SET note = ? WHERE size = ?", (changed, size))
    code, report = audit("--data", data)
    assert code == 1
    assert report["discrepancy"]["kind"] == "checkpoint-signature"
    assert report["discrepancy"]["checkpoint"] == size


def test_a_stored_checkpoint_root_that_disagrees_with_its_note_is_found(data: Path) -> None:
    log = data / "log.sqlite"
    size, root = edit(log, "SELECT size, root FROM log_checkpoints ORDER BY size DESC LIMIT 1")
    edit(log, "UPDATE log_checkpoints SET root = ? WHERE size = ?", (flip(root, 31), size))
    code, report = audit("--data", data)
    assert code == 1
    assert report["discrepancy"]["kind"] == "checkpoint-row"


def test_a_deleted_event_is_found(data: Path) -> None:
    edit(data / "events.sqlite", "DELETE FROM stored_events WHERE rowid = 4")
    code, report = audit("--data", data)
    assert code == 1
    assert report["discrepancy"]["kind"] == "leaf-orphan"
    assert report["discrepancy"]["event"] == 4


def test_a_checkpoint_signed_by_another_key_is_found(data: Path, tmp_path: Path) -> None:
    stranger = vkey_of(tmp_path / "stranger")
    code, report = audit("--data", data, "--log-key", stranger)
    assert code == 1
    assert report["discrepancy"]["kind"] == "checkpoint-signature"


def test_the_log_must_extend_a_checkpoint_saved_earlier(data: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved.note"
    (note,) = edit(data / "log.sqlite", "SELECT note FROM log_checkpoints ORDER BY size LIMIT 1")
    saved.write_text(note)
    ledger = open_ledger(data, BASE_URL)
    try:
        populate(ledger, credentials=2)
    finally:
        ledger.close()
    code, report = audit("--data", data, "--from-checkpoint", saved)
    assert code == 0, report
    assert report["from_checkpoint"] == int(note.split("\n")[1])


def test_a_forked_log_does_not_extend_the_saved_checkpoint(data: Path, tmp_path: Path) -> None:
    (note,) = edit(
        data / "log.sqlite", "SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1"
    )
    saved = tmp_path / "saved.note"
    saved.write_text(note)
    fork = tmp_path / "fork"
    ledger = open_ledger(fork, BASE_URL, log_seed=SEED)  # same key, another history
    try:
        populate(ledger, credentials=4)
    finally:
        ledger.close()
    code, report = audit("--data", fork, "--from-checkpoint", saved)
    assert code == 1
    assert report["discrepancy"]["kind"] == "fork"


def test_a_missing_data_directory_cannot_be_audited(tmp_path: Path) -> None:
    result = run("audit", "--data", tmp_path / "nothing")
    assert result.exit_code == 2
    assert not (tmp_path / "nothing").exists()


def test_recomputed_leaves_equal_the_ledgers_own(data: Path) -> None:
    recorder = open_recorder(Settings(data_dir=data, base_url=BASE_URL))
    notifications = recorder.select_notifications(1, 1000)
    assert {n.topic.rpartition(".")[2] for n in notifications} >= {"Issued", "Published", "Revoked"}
    for seq, n in enumerate(notifications):
        fast = fast_leaf(seq, str(n.originator_id), n.originator_version, n.topic, n.state)
        assert fast == leaf_for(seq, n)


def test_the_direct_sqlite_reader_reads_what_the_recorder_reads(data: Path) -> None:
    settings = Settings(data_dir=data, base_url=BASE_URL)
    direct, recorded = SQLiteEvents(settings), RecorderEvents(open_recorder(settings))
    try:
        assert direct.rows(1, 10_000) == recorded.rows(1, 10_000)
        assert direct.rows(3, 5) == recorded.rows(3, 5)
        assert direct.count_after(2) == recorded.count_after(2)
    finally:
        direct.close()
        recorded.close()


def test_progress_is_reported_up_to_the_end(data: Path) -> None:
    seen: list[tuple[int, int]] = []
    report = audit_store(
        Settings(data_dir=data, base_url=BASE_URL),
        progress=lambda d, t: seen.append((d, t)),
        batch=4,
    )
    assert report.intact
    assert seen[-1] == (report.size, report.size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_small_batches_split_at_checkpoints_and_give_the_same_result(data: Path) -> None:
    settings = Settings(data_dir=data, base_url=BASE_URL)
    whole, pieces = audit_store(settings), audit_store(settings, batch=3)
    assert whole.intact
    assert pieces.intact
    assert (whole.tiles, whole.checkpoints, whole.root_hash) == (
        pieces.tiles,
        pieces.checkpoints,
        pieces.root_hash,
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Any]:
    with live_ledger(tmp_path / "server") as live:
        populate(live.ledger)
        yield live


def test_a_server_audits_clean_through_its_public_endpoints(served: Any) -> None:
    code, report = audit("--server", served.url)
    assert code == 0, report
    assert report["mode"] == "remote"
    assert report["leaves"] == report["size"] == served.ledger.tlog.size()


def test_a_server_serving_a_changed_leaf_fails_the_remote_audit(served: Any) -> None:
    log = served.ledger.settings.data_dir / "log.sqlite"
    (blob,) = edit(log, "SELECT data FROM log_leaves WHERE idx = 3")
    edit(log, "UPDATE log_leaves SET data = ? WHERE idx = 3", (flip(blob, len(blob) - 1),))
    code, report = audit("--server", served.url)
    assert code == 1
    assert report["discrepancy"]["kind"] in ("checkpoint-root", "leaf-malformed")


def test_an_unreachable_server_cannot_be_audited(tmp_path: Path) -> None:
    assert run("audit", "--server", "http://127.0.0.1:9").exit_code == 2


def test_a_store_audits_clean_on_every_backend(settings: Any) -> None:
    ledger = CredentialLedger(settings)
    try:
        populate(ledger, credentials=2)
    finally:
        ledger.close()
    report = audit_store(settings)
    assert report.intact, report.discrepancy
    assert report.leaves == report.events > 5


def test_a_changed_leaf_is_found_on_every_backend(settings: Any) -> None:
    ledger = CredentialLedger(settings)
    try:
        populate(ledger, credentials=2)
    finally:
        ledger.close()
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url) as conn:
            conn.execute(
                "UPDATE credledger_log_leaves SET data = data || '\\x00'::bytea WHERE idx = 2"
            )
    else:
        (blob,) = edit(
            settings.data_dir / "log.sqlite", "SELECT data FROM log_leaves WHERE idx = 2"
        )
        edit(
            settings.data_dir / "log.sqlite",
            "UPDATE log_leaves SET data = ? WHERE idx = 2",
            (blob + b"\x00",),
        )
    report = audit_store(settings)
    assert report.discrepancy is not None
    assert (report.discrepancy.kind, report.discrepancy.leaf) == ("leaf-mismatch", 2)
