"""An audit with worker processes: the same report as in one process, the same first finding.

Leaves are checked against their events in spawned workers (each opening the store
read-only itself) while the parent replays tiles and checkpoints from their hashes; the
report, and the first discrepancy in log order, must not depend on how many there are.
"""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from credledger.ledger.audit import leaf_batches
from credledger.ledger.audit import tiles as audit_tiles
from credledger.ledger.audit.leaf_batches import batch_ranges
from credledger.ledger.audit.local import audit_store
from credledger.ledger.audit.report import Discrepancy
from credledger.ledger.store.settings import Settings
from hypothesis import given
from hypothesis import strategies as st

from ...cli.test_cli_audit import BASE_URL, SEED, flip, populate
from ...cli_helpers import clean_environment, ok, run
from ...ledger_server import open_ledger


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_environment(monkeypatch)
    monkeypatch.setattr(leaf_batches, "PARALLEL_FROM", 0)  # workers even for a small log


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("workers") / "ledger"
    ledger = open_ledger(directory, BASE_URL, log_seed=SEED)
    try:
        populate(ledger, credentials=6)
    finally:
        ledger.close()
    return directory


@pytest.fixture
def data(made: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ledger"
    copy.mkdir()
    for file in made.iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    return copy


def summary(report: Any) -> tuple[Any, ...]:
    found = report.discrepancy
    return (
        report.intact,
        report.leaves,
        report.events,
        report.tiles,
        report.checkpoints,
        report.root_hash,
        None if found is None else found.as_dict(),
    )


def flip_leaves(data: Path, *indices: int) -> None:
    log = sqlite3.connect(data / "log.sqlite")
    try:
        for idx in indices:
            (leaf,) = log.execute("SELECT data FROM log_leaves WHERE idx = ?", (idx,)).fetchone()
            log.execute("UPDATE log_leaves SET data = ? WHERE idx = ?", (flip(leaf, 3), idx))
        log.commit()
    finally:
        log.close()


def audited_both_ways(data: Path) -> tuple[Any, Any]:
    """The audit in one process, and with two workers (small ranges, many of them)."""
    settings = Settings(data_dir=data, base_url=BASE_URL)
    return audit_store(settings, batch=2, jobs=1), audit_store(settings, batch=2, jobs=2)


def test_workers_give_the_report_one_process_gives(data: Path) -> None:
    settings = Settings(data_dir=data, base_url=BASE_URL)
    alone = audit_store(settings, batch=3, jobs=1)
    assert alone.intact
    assert summary(audit_store(settings, batch=3, jobs=2)) == summary(alone)


def test_workers_report_the_first_changed_leaf_as_one_process_does(data: Path) -> None:
    flip_leaves(data, 5, 11)  # two changes: the earlier one is the finding
    alone, workers = audited_both_ways(data)
    assert alone.discrepancy is not None
    assert (alone.discrepancy.kind, alone.discrepancy.leaf) == ("leaf-mismatch", 5)
    assert summary(workers) == summary(alone)


def test_workers_report_a_missing_leaf_as_one_process_does(data: Path) -> None:
    log = sqlite3.connect(data / "log.sqlite")
    try:
        # Moved beyond the end: as many leaves as the tree's size, but none at 7.
        log.execute("UPDATE log_leaves SET idx = idx + 1000000 WHERE idx = 7")
        log.commit()
    finally:
        log.close()
    alone, workers = audited_both_ways(data)
    assert alone.discrepancy is not None
    assert (alone.discrepancy.kind, alone.discrepancy.leaf) == ("leaf-missing", 7)
    assert summary(workers) == summary(alone)


@pytest.mark.parametrize("which", ["first", "middle", "last"])
def test_workers_report_a_changed_checkpoint_signature_as_one_process_does(
    data: Path, which: str
) -> None:
    log = sqlite3.connect(data / "log.sqlite")
    try:
        sizes = [s for (s,) in log.execute("SELECT size FROM log_checkpoints ORDER BY size")]
        size = {"first": sizes[0], "middle": sizes[len(sizes) // 2], "last": sizes[-1]}[which]
        (note,) = log.execute("SELECT note FROM log_checkpoints WHERE size = ?", (size,)).fetchone()
        at = note.rindex(" ") + 5
        changed = note[:at] + ("A" if note[at] != "A" else "B") + note[at + 1 :]
        log.execute("UPDATE log_checkpoints SET note = ? WHERE size = ?", (changed, size))
        log.commit()
    finally:
        log.close()
    alone, workers = audited_both_ways(data)
    assert alone.discrepancy is not None
    assert (alone.discrepancy.kind, alone.discrepancy.checkpoint) == ("checkpoint-signature", size)
    assert summary(workers) == summary(alone)


def change_the_read_model(data: Path) -> None:
    model = sqlite3.connect(data / "read.sqlite")
    try:
        model.execute("UPDATE credentials SET status = 'active' WHERE status = 'revoked'")
        model.commit()
    finally:
        model.close()


def test_the_read_model_is_checked_in_a_process_of_its_own_with_the_same_finding(
    data: Path,
) -> None:
    change_the_read_model(data)
    alone, workers = audited_both_ways(data)
    assert alone.discrepancy is not None
    assert alone.discrepancy.kind == "read-model"
    assert summary(workers) == summary(alone)


def test_a_finding_in_the_log_is_reported_before_one_in_the_read_model(data: Path) -> None:
    change_the_read_model(data)
    flip_leaves(data, 9)
    alone, workers = audited_both_ways(data)
    assert alone.discrepancy is not None
    assert (alone.discrepancy.kind, alone.discrepancy.leaf) == ("leaf-mismatch", 9)
    assert summary(workers) == summary(alone)


def test_the_command_audits_with_the_jobs_asked_for(data: Path) -> None:
    alone = ok(run("audit", "--data", data, "--jobs", "1", "--json"))
    workers = ok(run("audit", "--data", data, "--jobs", "2", "--json"))
    assert alone["result"] == "intact"
    assert {k: v for k, v in workers.items() if "second" not in k} == {
        k: v for k, v in alone.items() if "second" not in k
    }


def test_the_command_refuses_no_jobs_at_all(data: Path) -> None:
    assert run("audit", "--data", data, "--jobs", "0").exit_code == 2


@given(
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=1, max_value=40),
    st.lists(st.integers(min_value=-5, max_value=320), max_size=12),
)
def test_batches_cover_the_log_and_end_at_every_checkpoint(
    size: int, batch: int, stops: list[int]
) -> None:
    ranges = list(batch_ranges(size, batch, stops))
    starts, ends = [start for start, _ in ranges], [end for _, end in ranges]
    assert starts == [0, *ends][: len(ranges)]
    assert ends[-1:] == ([size] if size else [])
    assert all(0 < end - start <= batch for start, end in ranges)
    assert {s for s in stops if 0 < s < size} <= {end for _, end in ranges}


def test_node_hashes_kept_between_proofs_are_let_go_without_losing_any(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A ledger that signs a checkpoint per act: each proof reuses the nodes of the one
    # before; when the kept hashes are let go (here after a few), proofs still verify.
    monkeypatch.setattr(audit_tiles, "NODES_KEPT", 3)
    data = tmp_path / "ledger"
    ledger = open_ledger(data, BASE_URL, log_seed=SEED)
    try:
        populate(ledger, credentials=12)
    finally:
        ledger.close()
    report = audit_store(Settings(data_dir=data, base_url=BASE_URL), batch=1)
    assert report.intact, report.discrepancy
    assert report.checkpoints > 12


def test_a_finding_crosses_between_processes_whole() -> None:
    found = Discrepancy("leaf-mismatch", "leaf 5 differs", leaf=5, event=6, checkpoint=None)
    crossed = pickle.loads(pickle.dumps(found))
    assert isinstance(crossed, Discrepancy)
    assert crossed.as_dict() == found.as_dict()
