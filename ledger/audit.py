"""Auditing the transparency log: replay it all and report the first thing that is wrong.

Local mode (a data directory, read-only) recomputes every leaf from the stored events,
matches events and leaves one to one, rebuilds every Merkle node and compares it with
the stored one, recomputes the root at every checkpoint and verifies its signature, and
checks a consistency proof served from the stored nodes between consecutive
checkpoints. Remote mode does what an outsider can with the log's public endpoints:
rebuild the tree from the leaves, verify every checkpoint against it, and check the
server's consistency proofs. Both can check that the log still extends a checkpoint
the auditor saved earlier.

Nothing here writes: the event store, the log tables and (only when no log key is
given) the vault are opened read-only, and no CredentialLedger is created (it would
catch up and sign).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import cbor2
from credledger.crypto.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from credledger.crypto.errors import CryptoError
from credledger.crypto.keys import Ed25519KeyPair
from credledger.crypto.merkle_tree import CompactRange, NewNode, consistency_plan
from credledger.crypto.merkle_verify import verify_consistency
from credledger.crypto.rfc9162 import EMPTY_ROOT
from credledger.crypto.signed_note import (
    CosignatureVerifier,
    NoteVerifier,
    open_note,
    parse_note,
)
from eventsourcing.persistence import (
    ApplicationRecorder,
    InfrastructureFactory,
    Notification,
)
from eventsourcing.utils import Environment

from .event_names import UnknownEventError, public_name
from .leaves import commitment, decode_leaf, leaf_for
from .settings import Settings

__all__ = [
    "AuditReport",
    "Discrepancy",
    "LogSource",
    "TreeReplay",
    "audit_remote",
    "audit_store",
    "fast_leaf",
    "log_key_from_vault",
]

APPLICATION_NAME = "credledger"
BATCH = 5000
Progress = Callable[[int, int], None]
_sha256 = hashlib.sha256


class Discrepancy(Exception):
    """The first place where the log and what it should be part ways."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        leaf: int | None = None,
        event: int | None = None,
        checkpoint: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.leaf = leaf
        self.event = event
        self.checkpoint = checkpoint

    def as_dict(self) -> dict[str, Any]:
        where = {"leaf": self.leaf, "event": self.event, "checkpoint": self.checkpoint}
        return {"kind": self.kind, "message": self.message} | {
            k: v for k, v in where.items() if v is not None
        }


class AuditSetupError(Exception):
    """The audit could not start: no ledger there, no key to check it with."""


@dataclass
class AuditReport:
    """What the audit covered, and the first discrepancy (None when the log is intact)."""

    mode: str
    log_key: str
    key_source: str
    origin: str | None = None
    events: int = 0
    leaves: int = 0
    nodes: int = 0
    checkpoints: int = 0
    size: int = 0
    root_hash: bytes | None = None
    from_checkpoint: int | None = None
    warnings: list[str] = field(default_factory=list)
    discrepancy: Discrepancy | None = None
    seconds: float = 0.0

    @property
    def intact(self) -> bool:
        return self.discrepancy is None

    def check(self) -> None:
        """Raise the discrepancy, if any."""
        if self.discrepancy is not None:
            raise self.discrepancy

    def as_dict(self) -> dict[str, Any]:
        import base64

        rate = self.leaves / self.seconds if self.seconds > 0 else None
        return {
            "intact": self.intact,
            "mode": self.mode,
            "origin": self.origin,
            "log_key": self.log_key,
            "key_source": self.key_source,
            "events": self.events,
            "leaves": self.leaves,
            "nodes": self.nodes,
            "checkpoints": self.checkpoints,
            "size": self.size,
            "root_hash": base64.b64encode(self.root_hash).decode() if self.root_hash else None,
            "from_checkpoint": self.from_checkpoint,
            "warnings": self.warnings,
            "discrepancy": self.discrepancy.as_dict() if self.discrepancy else None,
            "seconds": round(self.seconds, 3),
            "leaves_per_second": round(rate) if rate else None,
        }


# -- the tree, rebuilt ---------------------------------------------------------------------


class TreeReplay:
    """Rebuilds the tree leaf by leaf and checks each checkpoint as its size is reached.

    ``checkpoints`` are signed notes, oldest first. At each checkpoint's size the
    signature is verified, the rebuilt root compared, and the consistency proof from
    the previous checkpoint (from ``consistency(m, n)``) verified against both roots.
    """

    def __init__(
        self,
        verifier: NoteVerifier,
        checkpoints: Sequence[str],
        *,
        consistency: Callable[[int, int], list[bytes]] | None = None,
        saved: Checkpoint | None = None,
        witnesses: Sequence[CosignatureVerifier] = (),
    ) -> None:
        self.verifier = verifier
        self.consistency = consistency
        self.witnesses = list(witnesses)
        self.tree = CompactRange()
        self.saved = saved
        self._notes: list[tuple[int, str]] = []
        for note in checkpoints:
            self._notes.append((_claimed_size(note), note))
        for (a, _), (b, _) in zip(self._notes, self._notes[1:], strict=False):
            if b <= a:
                raise Discrepancy(
                    "checkpoint-order",
                    f"checkpoint of size {b} is listed after size {a}",
                    checkpoint=b,
                )
        self._next = 0
        self._saved_checked = False
        self.previous: Checkpoint | None = None
        self.verified = 0

    def next_stop(self) -> int | None:
        """The next tree size at which a root must be checked."""
        stops = []
        if self._next < len(self._notes):
            stops.append(self._notes[self._next][0])
        if self.saved is not None and not self._saved_checked:
            stops.append(self.saved.size)
        return min(stops) if stops else None

    def append(self, leaf_hashes: Sequence[bytes]) -> list[NewNode]:
        """Add leaves (never past :meth:`next_stop`); returns the nodes they complete."""
        return self.tree.extend(leaf_hashes)

    def at_stop(self) -> None:
        """Check every checkpoint (and the saved one) of the current size."""
        size = self.tree.size
        saved = self.saved
        if saved is not None and saved.size == size:
            self._saved_checked = True
            if self._root() != saved.root_hash:
                raise Discrepancy(
                    "fork",
                    f"the log's tree of size {size} has another root than the checkpoint you "
                    "saved: the log forked or rewrote history",
                    checkpoint=size,
                )
        while self._next < len(self._notes) and self._notes[self._next][0] == size:
            self._check_checkpoint(self._notes[self._next][1])
            self._next += 1

    def _root(self) -> bytes:
        return self.tree.root() if self.tree.size else EMPTY_ROOT

    def _check_checkpoint(self, note: str) -> None:
        size = self.tree.size
        try:
            checkpoint = open_checkpoint(note, self.verifier, witnesses=self.witnesses)
        except CryptoError as exc:
            raise Discrepancy(
                "checkpoint-signature",
                f"the checkpoint of size {size} does not verify with the log key: {exc}",
                checkpoint=size,
            ) from None
        if checkpoint.root_hash != self._root():
            raise Discrepancy(
                "checkpoint-root",
                f"the checkpoint of size {size} signs a root the leaves do not give",
                checkpoint=size,
            )
        previous = self.previous
        if previous is not None and previous.size > 0 and self.consistency is not None:
            try:
                proof = self.consistency(previous.size, size)
                verify_consistency(
                    previous.size, size, proof, previous.root_hash, checkpoint.root_hash
                )
            except (CryptoError, LookupError, ValueError) as exc:
                raise Discrepancy(
                    "consistency",
                    f"no valid consistency proof from the checkpoint of size {previous.size} "
                    f"to the one of size {size}: {exc}",
                    checkpoint=size,
                ) from None
        self.previous = checkpoint
        self.verified += 1

    def finish(self, leaves: int) -> None:
        """After the last leaf: nothing may claim a size the log does not have."""
        if self._next < len(self._notes):
            size = self._notes[self._next][0]
            raise Discrepancy(
                "checkpoint-beyond-log",
                f"a checkpoint claims size {size} but the log holds {leaves} leaves",
                checkpoint=size,
            )
        if self.saved is not None and self.saved.size > leaves:
            raise Discrepancy(
                "fork",
                f"the checkpoint you saved has size {self.saved.size} but the log now holds "
                f"only {leaves} leaves: the log was truncated",
                checkpoint=self.saved.size,
            )


def _claimed_size(note: str) -> int:
    """The size a checkpoint note's text claims (unverified: only to order the replay)."""
    try:
        return parse_checkpoint(parse_note(note).text).size
    except CryptoError as exc:
        raise Discrepancy("checkpoint-malformed", f"a checkpoint is malformed: {exc}") from None


def open_saved_checkpoint(note: str, verifier: NoteVerifier) -> Checkpoint:
    """A checkpoint the auditor kept from earlier; it must verify with the same key."""
    try:
        return open_checkpoint(note, verifier)
    except CryptoError as exc:
        raise AuditSetupError(
            f"the saved checkpoint does not verify with the log key: {exc}"
        ) from None


# -- recomputing leaves ------------------------------------------------------------------------


def _time(moment: Any) -> str:
    return str(moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


_EVENT_NAMES: dict[str, str] = {}


def fast_leaf(seq: int, notification: Notification) -> bytes:
    """What :func:`~credledger.ledger.leaves.leaf_for` gives, with C-speed CBOR.

    The leaf map's keys are short text strings, for which cbor2's canonical key order
    (length first) is RFC 8949's bytewise order, and its values are integers, text and
    byte strings, which cbor2 encodes in their preferred form; so the bytes are the
    same. The audit still checks this against ``leaf_for`` for the first event of every
    type, and asks ``leaf_for`` whenever the two would disagree with the stored leaf.
    """
    topic = notification.topic
    event = _EVENT_NAMES.get(topic)
    if event is None:
        event = _EVENT_NAMES[topic] = public_name(topic)
    state = cbor2.loads(notification.state)
    leaf: dict[str, Any] = {
        "seq": seq,
        "event": event,
        "aggregate": str(notification.originator_id),
        "version": notification.originator_version,
        "time": _time(state["timestamp"]),
        "commitment": commitment(state["salt"], notification.state),
    }
    if event == "CredentialIssued" or event == "CredentialReissued":
        leaf["credential"] = state.get("vc_id") or f"urn:uuid:{notification.originator_id}"
        leaf["digest"] = state["digest"]
    elif event == "StatusListPublished":
        leaf["list"] = state["list_url"]
        leaf["list_version"] = state["list_version"]
        leaf["digest"] = state["digest"]
    return bytes(cbor2.dumps(leaf, canonical=True))


class LeafRecomputer:
    """Recomputes leaves from events: :func:`fast_leaf`, vouched for by ``leaf_for``."""

    def __init__(self) -> None:
        self.fast = True
        self._checked_topics: set[str] = set()

    def matches(self, seq: int, notification: Notification, stored: bytes) -> None:
        """Raise a Discrepancy unless ``stored`` is the leaf of ``notification`` at ``seq``."""
        topic = notification.topic
        if self.fast and topic in self._checked_topics:
            try:
                if fast_leaf(seq, notification) == stored:
                    return
            except Exception:
                pass
        expected = self._reference(seq, notification)
        if self.fast and topic not in self._checked_topics:
            self._checked_topics.add(topic)
            try:
                self.fast = fast_leaf(seq, notification) == expected
            except Exception:
                self.fast = False
        if expected != stored:
            raise Discrepancy(
                "leaf-mismatch",
                f"leaf {seq} is not the leaf of event {notification.id} "
                f"({notification.originator_id} v{notification.originator_version}): "
                f"{_differences(expected, stored)}",
                leaf=seq,
                event=notification.id,
            )

    @staticmethod
    def _reference(seq: int, notification: Notification) -> bytes:
        try:
            return leaf_for(seq, notification)
        except UnknownEventError as exc:
            raise Discrepancy(
                "event-unknown",
                f"event {notification.id} has a type the log does not know: {exc}",
                leaf=seq,
                event=notification.id,
            ) from None
        except Exception as exc:
            raise Discrepancy(
                "event-undecodable",
                f"event {notification.id} ({notification.originator_id} "
                f"v{notification.originator_version}) cannot be read back: "
                f"{type(exc).__name__}: {exc}",
                leaf=seq,
                event=notification.id,
            ) from None


def _differences(expected: bytes, stored: bytes) -> str:
    """Which leaf fields differ (or that the stored leaf does not even decode)."""
    try:
        want, got = decode_leaf(expected), decode_leaf(stored)
    except (CryptoError, ValueError):
        return "the stored leaf is not a deterministic CBOR map"
    fields = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    return f"the {', '.join(fields)} differ" if fields else "their encodings differ"


# -- local mode: the data directory, read-only ----------------------------------------------


class _Tables:
    """Read-only access to the log's tables (SQLite ``log.sqlite`` or PostgreSQL)."""

    def __init__(self, settings: Settings) -> None:
        self.conn: Any
        if settings.database_url:
            import psycopg

            self.conn = psycopg.connect(settings.database_url)
            self.conn.read_only = True
            self.prefix, self.placeholder = "credledger_", "%s"
        else:
            path = settings.data_dir / "log.sqlite"
            if not path.is_file():
                raise AuditSetupError(f"no transparency log in {settings.data_dir}")
            self.conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            self.prefix, self.placeholder = "", "?"

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        cur = self.conn.cursor()
        cur.execute(sql.replace("{p}", self.prefix).replace("?", self.placeholder), params)
        rows = list(cur.fetchall())
        cur.close()
        return rows

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def node(self, level: int, index: int) -> bytes:
        found = self.query(
            "SELECT hash FROM {p}merkle_nodes WHERE level = ? AND idx = ?", (level, index)
        )
        if not found:
            raise LookupError(f"node ({level}, {index}) is not stored")
        return bytes(found[0][0])

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        plan = consistency_plan(first, second)
        return plan.assemble([self.node(level, index) for level, index in plan.ids])

    def close(self) -> None:
        self.conn.close()


def open_recorder(settings: Settings) -> ApplicationRecorder:
    """The ledger's event recorder, opened read-only and without creating tables."""
    env = {**os.environ, **settings.eventsourcing_env()}
    if not settings.database_url:
        path = settings.data_dir / "events.sqlite"
        if not path.is_file():
            raise AuditSetupError(f"no event store in {settings.data_dir}")
        env["SQLITE_DBNAME"] = f"{path.as_uri()}?mode=ro"
    env["CREATE_TABLE"] = env[f"{APPLICATION_NAME.upper()}_CREATE_TABLE"] = "no"
    factory = InfrastructureFactory.construct(Environment(APPLICATION_NAME, env))
    return factory.application_recorder()


def log_key_from_vault(settings: Settings, origin: str) -> str:
    """The log's vkey, derived from the signing seed in the vault (read-only).

    This reads a secret: an independent auditor passes the published vkey instead.
    """
    query = "SELECT value FROM credledger_secrets WHERE name = 'log-signing-key'"
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url) as pg:
            pg.read_only = True
            row = pg.execute(query).fetchone()
    else:
        path = settings.data_dir / "vault.sqlite"
        if not path.is_file():
            raise AuditSetupError(f"no vault in {settings.data_dir}: pass the log key")
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute(query).fetchone()
        finally:
            conn.close()
    if row is None:
        raise AuditSetupError("the vault holds no log signing key: pass the log key")
    public = Ed25519KeyPair.from_seed(bytes(row[0])).public_key
    return NoteVerifier(origin, public).vkey()


def _notifications(recorder: ApplicationRecorder, batch: int) -> Iterator[Notification]:
    start = 1
    while True:
        page = recorder.select_notifications(start, batch)
        if not page:
            return
        yield from page
        start = page[-1].id + 1


def audit_store(
    settings: Settings,
    *,
    log_key: str | None = None,
    saved_checkpoint: str | None = None,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> AuditReport:
    """Audit a data directory (or the PostgreSQL store it names), read-only."""
    started = time.perf_counter()
    tables = _Tables(settings)
    recorder = open_recorder(settings)
    try:
        notes = [
            (int(r[0]), bytes(r[1]), str(r[2]))
            for r in tables.query("SELECT size, root, note FROM {p}log_checkpoints ORDER BY size")
        ]
        if log_key is None:
            if not notes:
                raise AuditSetupError("the log has no checkpoint yet: pass the log key")
            origin = parse_note(notes[0][2]).signatures[0].name
            key, source = log_key_from_vault(settings, origin), "the data directory's vault"
        else:
            key, source = log_key, "given"
        try:
            verifier = NoteVerifier.from_vkey(key)
        except CryptoError as exc:
            raise AuditSetupError(f"not a log vkey: {exc}") from None
        report = AuditReport("local", key, source, origin=verifier.name)
        try:
            _audit_store(
                tables,
                recorder,
                verifier,
                notes,
                settings,
                saved_checkpoint,
                report,
                progress,
                batch,
            )
        except Discrepancy as found:
            report.discrepancy = found
    finally:
        tables.close()
        recorder.datastore.close()  # type: ignore[attr-defined]
    report.seconds = time.perf_counter() - started
    return report


def _audit_store(
    tables: _Tables,
    recorder: ApplicationRecorder,
    verifier: NoteVerifier,
    notes: list[tuple[int, bytes, str]],
    settings: Settings,
    saved_note: str | None,
    report: AuditReport,
    progress: Progress | None,
    batch: int,
) -> None:
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
    saved = open_saved_checkpoint(saved_note, verifier) if saved_note else None
    report.from_checkpoint = saved.size if saved else None
    witnesses = [CosignatureVerifier.from_vkey(v) for v in settings.witness_keys]
    replay = TreeReplay(
        verifier,
        [n for _, _, n in notes],
        consistency=tables.consistency_proof,
        saved=saved,
    )
    size = int(tables.one("SELECT size FROM {p}merkle_meta WHERE id = 1") or 0)
    leaf_rows = int(tables.one("SELECT COUNT(*) FROM {p}log_leaves") or 0)
    if leaf_rows != size:
        raise Discrepancy(
            "tree-size", f"the node store says the tree has {size} leaves; {leaf_rows} are stored"
        )
    recompute = LeafRecomputer()
    events = _notifications(recorder, batch)
    nodes = 0
    done = 0
    replay.at_stop()  # checkpoints of size 0, if any
    while done < size:
        stop = replay.next_stop()
        end = min(done + batch, size, stop if stop is not None and stop > done else size)
        rows = tables.query(
            "SELECT idx, notification_id, aggregate, version, data FROM {p}log_leaves "
            "WHERE idx >= ? AND idx < ? ORDER BY idx",
            (done, end),
        )
        hashes: list[bytes] = []
        for idx, notification_id, aggregate, version, data in rows:
            if idx != done + len(hashes):
                raise Discrepancy(
                    "leaf-missing",
                    f"leaf {done + len(hashes)} is not stored",
                    leaf=done + len(hashes),
                )
            event = next(events, None)
            _match_event(idx, notification_id, aggregate, version, event)
            assert event is not None
            stored = bytes(data)
            recompute.matches(idx, event, stored)
            hashes.append(_sha256(b"\x00" + stored).digest())
        if len(hashes) != end - done:
            raise Discrepancy(
                "leaf-missing", f"leaf {done + len(hashes)} is not stored", leaf=done + len(hashes)
            )
        new = replay.append(hashes)
        _compare_nodes(tables, new)
        nodes += len(new)
        done = end
        report.leaves = done
        report.events = done
        report.nodes = nodes
        if replay.next_stop() == done:
            replay.at_stop()
        if progress is not None:
            progress(done, size)
    replay.finish(size)
    report.checkpoints = replay.verified
    report.size = size
    report.root_hash = replay.previous.root_hash if replay.previous else None
    stored_nodes = int(tables.one("SELECT COUNT(*) FROM {p}merkle_nodes") or 0)
    if stored_nodes != nodes:
        raise Discrepancy(
            "node-count",
            f"the node store holds {stored_nodes} nodes; a tree of {size} leaves has {nodes}",
        )
    pending = sum(1 for _ in events)
    report.events += pending
    if pending:
        report.warnings.append(
            f"{pending} stored events are not in the log yet "
            "(the ledger logs them when it next runs)"
        )
    if witnesses:
        _check_cosignatures(tables, witnesses, {s: n for s, _, n in notes})
    if not notes and size:
        report.warnings.append("the log has leaves but no checkpoint signs them yet")


def _match_event(
    idx: int, notification_id: int, aggregate: str, version: int, event: Notification | None
) -> None:
    """Each leaf records the next stored event, in order, exactly once."""
    if event is None or event.id > notification_id:
        raise Discrepancy(
            "leaf-orphan",
            f"leaf {idx} records event {notification_id}, which the event store does not hold",
            leaf=idx,
            event=notification_id,
        )
    if event.id < notification_id:
        raise Discrepancy(
            "event-unlogged",
            f"event {event.id} ({event.originator_id} v{event.originator_version}) has no leaf: "
            f"leaf {idx} records event {notification_id}",
            leaf=idx,
            event=event.id,
        )
    if aggregate != str(event.originator_id) or version != event.originator_version:
        raise Discrepancy(
            "leaf-index",
            f"leaf {idx} is filed under {aggregate} v{version}, but records event {event.id} "
            f"of {event.originator_id} v{event.originator_version}",
            leaf=idx,
            event=event.id,
        )


def _compare_nodes(tables: _Tables, new: Sequence[NewNode]) -> None:
    """The stored nodes are exactly the nodes these leaves complete."""
    by_level: dict[int, list[tuple[int, bytes]]] = {}
    for level, index, digest in new:
        by_level.setdefault(level, []).append((index, digest))
    for level, expected in by_level.items():
        rows = tables.query(
            "SELECT idx, hash FROM {p}merkle_nodes WHERE level = ? AND idx >= ? AND idx <= ? "
            "ORDER BY idx",
            (level, expected[0][0], expected[-1][0]),
        )
        stored = [(int(i), bytes(h)) for i, h in rows]
        if stored != expected:
            want = dict(expected)
            got = dict(stored)
            bad = next(i for i, _ in expected if got.get(i) != want[i])
            what = "is missing" if bad not in got else "differs from the one the leaves give"
            raise Discrepancy(
                "node-mismatch",
                f"the stored Merkle node (level {level}, index {bad}) {what}",
                leaf=bad << level,
            )


def _check_cosignatures(
    tables: _Tables, witnesses: Sequence[CosignatureVerifier], notes: Mapping[int, str]
) -> None:
    known = {w.name: w for w in witnesses}
    for size, name, line in tables.query(
        "SELECT size, name, line FROM {p}log_cosignatures ORDER BY size, name"
    ):
        witness, note = known.get(str(name)), notes.get(int(size))
        if witness is None or note is None:
            continue
        try:
            open_note(parse_note(note).text + "\n" + str(line), [witness])
        except CryptoError as exc:
            raise Discrepancy(
                "cosignature",
                f"the stored cosignature of {name} on the checkpoint of size {size} "
                f"does not verify: {exc}",
                checkpoint=int(size),
            ) from None


# -- remote mode: the public endpoints -----------------------------------------------------


class LogSource(Protocol):
    """The log's public read endpoints (API-CONTRACT.md), however they are reached."""

    def log_key(self) -> str: ...

    def checkpoints(self) -> list[str]: ...

    def leaves(self, start: int, end: int) -> list[bytes]:
        """Leaves ``start`` through ``end`` inclusive (possibly fewer)."""
        ...

    def consistency(self, first: int, second: int) -> list[bytes]: ...


def audit_remote(
    source: LogSource,
    *,
    log_key: str | None = None,
    saved_checkpoint: str | None = None,
    progress: Progress | None = None,
    page: int = 1000,
) -> AuditReport:
    """Audit a log through its public endpoints, up to its newest listed checkpoint."""
    started = time.perf_counter()
    served = source.log_key()
    key, key_source = (log_key, "given") if log_key else (served, "the server's /v1/log/key")
    try:
        verifier = NoteVerifier.from_vkey(key)
    except CryptoError as exc:
        raise AuditSetupError(f"not a log vkey: {exc}") from None
    report = AuditReport("remote", key, key_source, origin=verifier.name)
    if log_key and served != log_key:
        report.warnings.append(f"the server now publishes another log key: {served}")
    saved = open_saved_checkpoint(saved_checkpoint, verifier) if saved_checkpoint else None
    report.from_checkpoint = saved.size if saved else None
    try:
        notes = source.checkpoints()
        replay = TreeReplay(verifier, notes, consistency=source.consistency, saved=saved)
        size = max([_claimed_size(n) for n in notes] or [0])
        replay.at_stop()
        while replay.tree.size < size:
            start = replay.tree.size
            stop = replay.next_stop()
            end = min(start + page, stop if stop is not None and stop > start else size)
            leaves = source.leaves(start, end - 1)[: end - start]
            hashes = []
            for offset, data in enumerate(leaves):
                _check_public_leaf(start + offset, data)
                hashes.append(_sha256(b"\x00" + data).digest())
            replay.append(hashes)
            if replay.next_stop() == replay.tree.size:
                replay.at_stop()
            report.leaves = replay.tree.size
            if progress is not None:
                progress(replay.tree.size, size)
        replay.finish(size)
        report.checkpoints = replay.verified
        report.size = size
        report.root_hash = replay.previous.root_hash if replay.previous else None
    except Discrepancy as found:
        report.discrepancy = found
    report.seconds = time.perf_counter() - started
    return report


def _check_public_leaf(index: int, data: bytes) -> None:
    """A leaf as the contract describes it: a deterministic CBOR map naming its own index."""
    try:
        leaf = decode_leaf(data)
    except (CryptoError, ValueError) as exc:
        raise Discrepancy(
            "leaf-malformed", f"leaf {index} is not a deterministic CBOR map: {exc}", leaf=index
        ) from None
    if leaf.get("seq") != index:
        raise Discrepancy(
            "leaf-malformed", f"leaf {index} says it is leaf {leaf.get('seq')!r}", leaf=index
        )
    for key, kind in (("event", str), ("aggregate", str), ("version", int), ("time", str)):
        if not isinstance(leaf.get(key), kind):
            raise Discrepancy("leaf-malformed", f"leaf {index} has no valid {key!r}", leaf=index)
    if not isinstance(leaf.get("commitment"), bytes) or len(leaf["commitment"]) != 32:
        raise Discrepancy("leaf-malformed", f"leaf {index} has no 32-byte commitment", leaf=index)
