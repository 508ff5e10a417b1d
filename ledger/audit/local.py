"""Auditing the transparency log: replay it all and report the first thing that is wrong.

Local mode (:func:`audit_store`, a data directory or the PostgreSQL store it names,
read-only) recomputes every leaf from the stored events, matches events and leaves one
to one, rebuilds every Merkle tile (C2SP tlog-tiles) and compares it with the stored
one (``audit/tiles.py``), recomputes the root at every checkpoint and verifies its
signature, and checks a consistency proof served from the stored tiles between
consecutive checkpoints. Remote mode
(:func:`audit_remote`) does what an outsider can with the log's public endpoints. Both
can check that the log still extends a checkpoint the auditor saved earlier.

Then every published status list version is recomputed from the stored status changes,
and the read model is compared with a rebuild from the events (``status_audit.py``).

Nothing here writes: the event store, the log tables and (only when no log key is
given) the vault are opened read-only, and no CredentialLedger is created (it would
catch up and sign). Work goes in batches of leaves, cut at checkpoint sizes, so each
checkpoint is checked against tiles that were already compared.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from credledger.crypto.checkpoint import parse_checkpoint
from credledger.crypto.errors import CryptoError
from credledger.crypto.keys import Ed25519KeyPair
from credledger.crypto.signed_note import CosignatureVerifier, NoteVerifier, parse_note
from credledger.crypto.tlog_tiles import tile_count
from credledger.ledger.audit.checkpoints import (
    check_cosignatures,
    check_numbering,
    require_witness_keys,
)
from credledger.ledger.audit.derived import DerivedStateCheck
from credledger.ledger.audit.events import EventReader, fast_leaf, open_events
from credledger.ledger.audit.leaf_batches import (
    LeafBatches,
    batch_ranges,
    default_jobs,
    worth_workers,
)
from credledger.ledger.audit.log_tables import LogTablesReader, open_read_only
from credledger.ledger.audit.remote import LogSource, audit_remote
from credledger.ledger.audit.replay import TreeReplay, open_saved_checkpoint
from credledger.ledger.audit.report import AuditReport, AuditSetupError, Discrepancy, Progress
from credledger.ledger.audit.tiles import LEGACY_WARNING
from credledger.ledger.store.schema import SECRETS, VAULT_FILE
from credledger.ledger.store.settings import Settings

__all__ = [
    "AuditReport",
    "AuditSetupError",
    "Discrepancy",
    "LogSource",
    "Progress",
    "TreeReplay",
    "audit_remote",
    "audit_store",
    "default_jobs",
    "fast_leaf",
    "log_key_from_vault",
]

BATCH = 5000


def log_key_from_vault(settings: Settings, origin: str) -> str:
    """The log's vkey, derived from the signing seed in the vault (read-only).

    This reads a secret: an independent auditor passes the published vkey instead.
    """
    vault = open_read_only(
        settings, VAULT_FILE, f"no vault in {settings.data_dir}: pass the log key"
    )
    try:
        row = vault.read_one(f"SELECT value FROM {SECRETS} WHERE name = ?", ("log-signing-key",))
    finally:
        vault.close()
    if row is None:
        raise AuditSetupError("the vault holds no log signing key: pass the log key")
    public = Ed25519KeyPair.from_seed(bytes(row[0])).public_key
    return NoteVerifier(origin, public).vkey()


def audit_store(
    settings: Settings,
    *,
    log_key: str | None = None,
    saved_checkpoint: str | None = None,
    progress: Progress | None = None,
    batch: int = BATCH,
    jobs: int = 1,
) -> AuditReport:
    """Audit a data directory (or the PostgreSQL store it names), read-only.

    ``log_key`` is the vkey to check checkpoints with; without it the key is derived
    from the vault's log signing seed (which reads a secret: see log_key_from_vault).
    ``jobs``: worker processes checking leaves against events (1: in this process, as
    small logs always are; ``credledger audit`` asks for one per processor). Workers are
    spawned, so a script calling this with more than one needs the
    ``if __name__ == "__main__":`` guard.
    """
    started = time.perf_counter()
    tables = LogTablesReader(settings)
    try:
        events = open_events(settings)
    except BaseException:
        tables.close()
        raise
    try:
        notes = [
            (int(r[0]), bytes(r[1]), str(r[2]))
            for r in tables.query(
                f"SELECT size, root, note FROM {tables.t.checkpoints} ORDER BY size"
            )
        ]
        key, source, verifier = _log_verifier(settings, log_key, notes)
        saved = open_saved_checkpoint(saved_checkpoint, verifier) if saved_checkpoint else None
        report = AuditReport("local", key, source, origin=verifier.name)
        report.from_checkpoint = saved.size if saved else None
        replay = TreeReplay(
            verifier,
            [n for _, _, n in notes],
            consistency=tables.tiles.consistency_proof,
            saved=saved,
        )
        witnesses = [CosignatureVerifier.from_vkey(v) for v in settings.cosigner_keys]
        cosignatures = _cosignatures(tables)
        require_witness_keys(len(cosignatures), witnesses)
        try:
            _check_checkpoint_rows(notes)
            _check_numbering(tables, report)
            _replay_and_derived(settings, tables, events, replay, report, progress, batch, jobs)
            check_cosignatures(cosignatures, witnesses, {s: n for s, _, n in notes})
        except Discrepancy as found:
            report.discrepancy = found
        if not notes and report.size:
            report.warnings.append("the log has leaves but no checkpoint signs them yet")
    finally:
        tables.close()
        events.close()
    report.seconds = time.perf_counter() - started
    return report


def _check_numbering(tables: LogTablesReader, report: AuditReport) -> None:
    numbered = tables.checkpoint_numbers()
    if numbered is None:
        report.warnings.append(
            "the checkpoints are not numbered yet (the ledger numbers them when it "
            "next runs): a deleted checkpoint could not be looked for"
        )
    else:
        check_numbering(numbered)


def _log_verifier(
    settings: Settings, log_key: str | None, notes: list[tuple[int, bytes, str]]
) -> tuple[str, str, NoteVerifier]:
    """The log's vkey, where it came from, and its verifier: the key given, else the one
    the vault's log signing seed gives (for the origin the first checkpoint names)."""
    if log_key is None:
        if not notes:
            raise AuditSetupError("the log has no checkpoint yet: pass the log key")
        origin = parse_note(notes[0][2]).signatures[0].name
        key, source = log_key_from_vault(settings, origin), "the data directory's vault"
    else:
        key, source = log_key, "given"
    try:
        return key, source, NoteVerifier.from_vkey(key)
    except CryptoError as exc:
        raise AuditSetupError(f"not a log vkey: {exc}") from None


def _cosignatures(tables: LogTablesReader) -> list[tuple[int, str, str]]:
    """The witnesses' cosignatures kept beside the checkpoints: (size, name, line)."""
    return [
        (int(size), str(name), str(line))
        for size, name, line in tables.query(
            f"SELECT size, name, line FROM {tables.t.cosignatures} ORDER BY size, name"
        )
    ]


def _replay_and_derived(
    settings: Settings,
    tables: LogTablesReader,
    events: EventReader,
    replay: TreeReplay,
    report: AuditReport,
    progress: Progress | None,
    batch: int,
    jobs: int,
) -> None:
    """The log replayed (its leaves checked in ``jobs`` processes on a large log), and
    the status lists and read model checked against the events, in a process of their
    own meanwhile when there are workers; the log's finding first."""
    apart = worth_workers(jobs, tables.size(), len(replay.notes()))
    derived = DerivedStateCheck(settings, getattr(events, "first_states", None), apart)
    try:
        replayed = time.perf_counter()
        batches = LeafBatches(settings, tables, events, jobs, replay, report.log_key)
        _replay_store(tables, batches, replay, report, progress, batch)
        report.log_seconds = time.perf_counter() - replayed
        report.status_list_versions, warning = derived.result()
        if warning:
            report.warnings.append(warning)
    finally:
        derived.close()


def _check_checkpoint_rows(notes: Sequence[tuple[int, bytes, str]]) -> None:
    """Each stored checkpoint row's size and root are its note's (the note is checked later)."""
    for size, root, note in notes:
        try:
            claimed = parse_checkpoint(parse_note(note).text)
        except CryptoError as exc:
            raise Discrepancy(
                "checkpoint-malformed",
                f"the stored checkpoint of size {size} is malformed: {exc}",
                checkpoint=size,
            ) from None
        if claimed.size != size or claimed.root_hash != root:
            raise Discrepancy(
                "checkpoint-row",
                f"the stored checkpoint row of size {size} disagrees with its own note",
                checkpoint=size,
            )


def _replay_store(
    tables: LogTablesReader,
    batches: LeafBatches,
    replay: TreeReplay,
    report: AuditReport,
    progress: Progress | None,
    batch: int,
) -> None:
    size = tables.size()
    stored_leaves = int(tables.one(f"SELECT COUNT(*) FROM {tables.t.leaves}") or 0)
    if stored_leaves != size:
        raise Discrepancy(
            "tree-size",
            f"the tree's size row says it has {size} leaves; {stored_leaves} are stored",
        )
    last_event = 0
    replay.at_stop()  # checkpoints of the empty tree, if any
    ranges = list(batch_ranges(size, batch, replay.stops()))
    for (_, done), (hashes, last) in zip(ranges, batches.results(ranges), strict=True):
        tables.tiles.compare(*replay.append(hashes))
        last_event = last
        report.leaves = report.events = done
        if replay.next_stop() == done:
            replay.at_stop()
        if progress is not None:
            progress(done, size)
    replay.finish(size)
    report.checkpoints = replay.verified
    report.size = size
    report.root_hash = replay.previous.root_hash if replay.previous else None
    tables.tiles.check_edge(size)
    report.tiles = tile_count(size)
    if tables.tiles.legacy:
        report.warnings.append(LEGACY_WARNING)
    pending = batches.events.count_after(last_event)
    report.events += pending
    if pending:
        report.warnings.append(
            f"{pending} stored events are not in the log yet "
            "(the ledger logs them when it next runs)"
        )
