"""Which credential has which digest, and whose data it seals: private lookups.

Digests: how a holder's copy finds its proof bundle.
The public log shows each issuance's digest (SHA-256 of the RFC 8785 form of the signed
credential), so a bare digest must never open anything. A holder presents the whole
credential instead; the ledger hashes it and looks the digest up here. Only someone
who already holds the exact signed credential can make that lookup succeed.

Subjects: which credentials an institution sealed under a learner's key, so an
erasure finds every one of them (and the VC API credentials it must open to check).

A small projection of the notification log in its own SQLite file (one per process,
like the read model), kept with the position reached in the same transaction, so it
catches up after a crash and, on a ledger older than itself, fills in from the start.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from uuid import UUID

from credledger.ledger.domain.events import CREDENTIAL_ISSUED, LeafFields, topics
from credledger.ledger.store.projection_follow import follow_in_batches, stored_position
from credledger.ledger.store.schema import (
    CREDENTIAL_DIGESTS,
    CREDENTIAL_SUBJECTS,
    DIGESTS_SCHEMA,
    POSITION,
    SUBJECTS_SCHEMA,
)
from credledger.ledger.store.transcoder import decode_deterministic
from eventsourcing.persistence import Notification

BATCH = 1000
_ISSUANCES = frozenset(topics(lambda kind: kind.leaf is LeafFields.ISSUANCE))
"""The events whose leaf shows a signed credential's digest (issuance and re-issuance)."""
_ISSUED = CREDENTIAL_ISSUED.topic
"""The first issuance, which names the credential's issuer and subject."""


class CredentialDigests:
    """digest -> (credential id, event version) for every issuance and re-issuance."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")  # derived: a crash only re-reads
        self._conn.execute("PRAGMA busy_timeout = 30000")
        self._lock = threading.Lock()
        for statement in DIGESTS_SCHEMA:
            self._conn.execute(statement)
        known = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (CREDENTIAL_SUBJECTS,)
        ).fetchone()
        if known is None:  # a file from before subjects were kept: read every event again
            for statement in SUBJECTS_SCHEMA:
                self._conn.execute(statement)
            self._conn.execute(f"DELETE FROM {POSITION}")

    def catch_up(self, select: Callable[[int, int], Sequence[Notification]]) -> int:
        """Index every issuance stored after the position reached; returns events read."""
        with self._lock:
            return follow_in_batches(self._conn, select, self._index, BATCH)

    def _index(self, batch: Sequence[Notification]) -> None:
        rows, subjects = [], []
        for n in batch:
            topic = n.topic
            if topic not in _ISSUANCES:
                continue
            state = decode_deterministic(n.state)
            rows.append((bytes(state["digest"]), str(n.originator_id), n.originator_version))
            if topic == _ISSUED:
                subjects.append(
                    (
                        str(n.originator_id),
                        str(state["issuer_id"]),
                        str(state["subject_key_id"]),
                        state.get("vc_id"),
                        int(state.get("achievement_id") is None),
                    )
                )
        self._conn.executemany(f"INSERT OR IGNORE INTO {CREDENTIAL_DIGESTS} VALUES (?, ?, ?)", rows)
        self._conn.executemany(
            f"INSERT OR IGNORE INTO {CREDENTIAL_SUBJECTS} VALUES (?, ?, ?, ?, ?)", subjects
        )

    def find(self, digest: bytes) -> tuple[UUID, int] | None:
        """The credential (and the version of its issuance) whose signed form has ``digest``."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT credential_id, version FROM {CREDENTIAL_DIGESTS} WHERE digest = ?",
                (digest,),
            ).fetchone()
        return None if row is None else (UUID(row[0]), int(row[1]))

    def find_fresh(
        self, digest: bytes, select: Callable[[int, int], Sequence[Notification]]
    ) -> tuple[UUID, int] | None:
        """As :meth:`find`, and as fresh as the event store without writing: on a miss,
        the issuances stored after the index's position (another process's acts, not
        yet followed here) are read from the events themselves."""
        found = self.find(digest)
        if found is not None:
            return found
        with self._lock:
            position = stored_position(self._conn)
        while batch := select(position + 1, BATCH):
            for n in batch:
                if n.topic not in _ISSUANCES:
                    continue
                if bytes(decode_deterministic(n.state)["digest"]) == digest:
                    return UUID(str(n.originator_id)), n.originator_version
            position = batch[-1].id
            if len(batch) < BATCH:
                break
        return None

    def sealed_under(self, subject_key_ids: list[str]) -> list[tuple[UUID, UUID, str]]:
        """(credential id, issuer id, subject key id) of every credential sealed under
        one of these subject keys."""
        marks = ", ".join("?" for _ in subject_key_ids)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT credential_id, issuer_id, subject_key_id FROM {CREDENTIAL_SUBJECTS} "
                f"WHERE subject_key_id IN ({marks}) ORDER BY credential_id",
                subject_key_ids,
            ).fetchall()
        return [(UUID(r[0]), UUID(r[1]), str(r[2])) for r in rows]

    def given_by(self, issuer_id: UUID) -> list[UUID]:
        """Credentials this issuer signed through the VC API (their subjects are free-form)."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT credential_id FROM {CREDENTIAL_SUBJECTS} "
                "WHERE issuer_id = ? AND given = 1 ORDER BY credential_id",
                (str(issuer_id),),
            ).fetchall()
        return [UUID(r[0]) for r in rows]

    def close(self) -> None:
        self._conn.close()
