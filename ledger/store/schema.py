"""Every table credledger keeps, named once, with the SQL that makes it.

Other modules refer to tables through these names, never by spelling them in SQL, so
a reader finds here what a data directory (or a PostgreSQL database) holds:

- ``events.sqlite``: eventsourcing's own ``stored_events`` table (on PostgreSQL the
  application's table, made and named by eventsourcing); never written here.
- ``log.sqlite``: the transparency log (:class:`LogTables`): the Merkle tree as C2SP
  tlog-tiles and its size, leaves, checkpoints and witness cosignatures. On PostgreSQL
  the same tables carry the ``credledger_`` prefix, so the log can share a database.
- ``vault.sqlite``: secrets, signing keys and subject keys (``credledger_``-named on
  both engines).
- ``read.sqlite``: the read model (:data:`READ_MODEL_TABLES`, kept by sqlite-utils).
- ``digests.sqlite``: credential digests and sealed subjects.

Each engine writes a table's bytes with its own type names (SQLite ``BLOB``,
PostgreSQL ``BYTEA``), kept as they were when the tables were first made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

Dialect = Literal["sqlite", "postgres"]

# -- the SQLite files of a data directory -----------------------------------------------------

EVENTS_FILE = "events.sqlite"
LOG_FILE = "log.sqlite"
VAULT_FILE = "vault.sqlite"
READ_MODEL_FILE = "read.sqlite"
DIGESTS_FILE = "digests.sqlite"

# -- the event store (eventsourcing's) --------------------------------------------------------

STORED_EVENTS = "stored_events"
"""eventsourcing's SQLite table of stored events (rowid = notification id)."""

# -- the transparency log ---------------------------------------------------------------------

POSTGRES_PREFIX = "credledger_"
APPENDER_LOCK = 0x63726564
""""cred": the PostgreSQL advisory lock key held by whoever appends to or signs the log
(and by the one-time move of a node store into tiles)."""
_PREFIX = re.compile(r"[a-z_][a-z0-9_]*|")


@dataclass(frozen=True)
class LogTables:
    """The transparency log's tables under one prefix ("" on SQLite)."""

    prefix: str = ""

    def __post_init__(self) -> None:
        if not _PREFIX.fullmatch(self.prefix):
            raise ValueError(f"table prefix {self.prefix!r} is not a plain SQL identifier prefix")

    @classmethod
    def of(cls, dialect: Dialect) -> LogTables:
        """The tables the ledger uses on ``dialect``."""
        return cls(POSTGRES_PREFIX if dialect == "postgres" else "")

    @property
    def tiles(self) -> str:
        """The Merkle tree as C2SP tlog-tiles: (level, idx, hashes), 32 to 8,192 bytes;
        a full tile (256 hashes) never changes, the partial one of each level grows."""
        return f"{self.prefix}merkle_tiles"

    @property
    def nodes(self) -> str:
        """Before tiles (issue 16): every perfect subtree hash, (level, idx, hash). Read
        once to build the tiles, then dropped (``store/tile_migration.py``)."""
        return f"{self.prefix}merkle_nodes"

    @property
    def meta(self) -> str:
        """One row (id = 1) holding the tree size."""
        return f"{self.prefix}merkle_meta"

    @property
    def leaves(self) -> str:
        """Each leaf's bytes and the stored event it came from."""
        return f"{self.prefix}log_leaves"

    @property
    def checkpoints(self) -> str:
        """Every signed checkpoint, numbered in signing order."""
        return f"{self.prefix}log_checkpoints"

    @property
    def cosignatures(self) -> str:
        """Witness cosignature lines on checkpoints."""
        return f"{self.prefix}log_cosignatures"

    def tree_schema(self, dialect: Dialect) -> list[str]:
        """CREATE statements of the tree's two tables, tiles and size (idempotent)."""
        if dialect == "postgres":
            return [
                f"CREATE TABLE IF NOT EXISTS {self.tiles} (level SMALLINT NOT NULL, "
                "idx BIGINT NOT NULL, hashes BYTEA NOT NULL CHECK (octet_length(hashes) "
                "BETWEEN 32 AND 8192 AND mod(octet_length(hashes), 32) = 0), "
                "blocks BYTEA CHECK (octet_length(blocks) = 512), "
                "PRIMARY KEY (level, idx))",
                f"CREATE TABLE IF NOT EXISTS {self.meta} (id INTEGER PRIMARY KEY "
                "CHECK (id = 1), size BIGINT NOT NULL)",
            ]
        return [
            f"CREATE TABLE IF NOT EXISTS {self.tiles} (level INTEGER NOT NULL, "
            "idx INTEGER NOT NULL, hashes BLOB NOT NULL CHECK (length(hashes) "
            "BETWEEN 32 AND 8192 AND length(hashes) % 32 = 0), "
            "blocks BLOB CHECK (length(blocks) = 512), "
            "PRIMARY KEY (level, idx)) WITHOUT ROWID",
            f"CREATE TABLE IF NOT EXISTS {self.meta} (id INTEGER PRIMARY KEY CHECK (id = 1), "
            "size INTEGER NOT NULL)",
        ]

    def tile_blocks_column(self, dialect: Dialect) -> str:
        """The ``blocks`` column added to a tiles table made before it (its full tiles
        keep NULL there and are hashed whole, as before)."""
        blob = "BYTEA" if dialect == "postgres" else "BLOB"
        length = "octet_length" if dialect == "postgres" else "length"
        return (
            f"ALTER TABLE {self.tiles} ADD COLUMN "
            + ("IF NOT EXISTS " if dialect == "postgres" else "")
            + f"blocks {blob} CHECK ({length}(blocks) = 512)"
        )

    def tile_upsert(self, dialect: Dialect) -> str:
        """Write a tile: a new one, or a partial one that grew. A full tile stays as it
        is (the ``WHERE``): what is full is final, its block roots with it."""
        length = "octet_length" if dialect == "postgres" else "length"
        return (
            f"ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes, "
            f"blocks = excluded.blocks WHERE {length}({self.tiles}.hashes) < 8192"
        )

    def log_schema(self, dialect: Dialect) -> list[str]:
        """CREATE statements of the leaves, checkpoints and cosignatures (idempotent);
        the checkpoints' ``number`` column is added by ``store.log_records``."""
        blob = "BYTEA" if dialect == "postgres" else "BLOB"
        return [
            f"CREATE TABLE IF NOT EXISTS {self.leaves} (idx BIGINT PRIMARY KEY, "
            "notification_id BIGINT NOT NULL UNIQUE, aggregate TEXT NOT NULL, "
            f"version BIGINT NOT NULL, data {blob} NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {self.leaves}_aggregate "
            f"ON {self.leaves} (aggregate, version)",
            f"CREATE TABLE IF NOT EXISTS {self.checkpoints} (size BIGINT PRIMARY KEY, "
            f"root {blob} NOT NULL, note TEXT NOT NULL, created_at TEXT NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.cosignatures} (size BIGINT NOT NULL, "
            "name TEXT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (size, name))",
        ]


# -- the vault --------------------------------------------------------------------------------

SECRETS = "credledger_secrets"
SIGNING_KEYS = "credledger_signing_keys"
SUBJECT_KEYS = "credledger_subject_keys"
VAULT_SCHEMA = (
    f"""CREATE TABLE IF NOT EXISTS {SECRETS} (
        name TEXT PRIMARY KEY, value BYTEA NOT NULL)""",
    f"""CREATE TABLE IF NOT EXISTS {SIGNING_KEYS} (
        key_id TEXT PRIMARY KEY, owner TEXT NOT NULL, private_key BYTEA NOT NULL,
        created_at TEXT NOT NULL)""",
    f"""CREATE TABLE IF NOT EXISTS {SUBJECT_KEYS} (
        subject_key_id TEXT PRIMARY KEY, key BYTEA NOT NULL)""",
)

# -- projections (one SQLite file each, per process) ------------------------------------------

POSITION = "position"
"""A projection's bookmarks: name -> notification id ('events'; 'schema' in the read model)."""

CREDENTIAL_DIGESTS = "credential_digests"
CREDENTIAL_SUBJECTS = "credential_subjects"
DIGESTS_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {CREDENTIAL_DIGESTS} (digest BLOB PRIMARY KEY, "
    "credential_id TEXT NOT NULL, version INTEGER NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {POSITION} (name TEXT PRIMARY KEY, notification_id INTEGER)",
)
SUBJECTS_SCHEMA = (
    f"CREATE TABLE {CREDENTIAL_SUBJECTS} (credential_id TEXT PRIMARY KEY, "
    "issuer_id TEXT NOT NULL, subject_key_id TEXT NOT NULL, vc_id TEXT, "
    "given INTEGER NOT NULL)",
    f"CREATE INDEX {CREDENTIAL_SUBJECTS}_key ON {CREDENTIAL_SUBJECTS} (subject_key_id)",
    f"CREATE INDEX {CREDENTIAL_SUBJECTS}_given ON {CREDENTIAL_SUBJECTS} (issuer_id, given)",
)
"""Made (and the digests re-read from the start) when a file from before subjects opens."""

READ_MODEL_TABLES: dict[str, dict[str, Any]] = {
    "issuers": {
        "id": str,
        "name": str,
        "url": str,
        "email": str,
        "did": str,
        "registered_at": str,
    },
    "achievements": {
        "id": str,
        "issuer_id": str,
        "name": str,
        "description": str,
        "criteria": str,
        "variant": str,
        "language": str,
        "ects": str,
        "sbu": int,
        "eqf_level": int,
        "learning_outcomes": str,
        "archived": int,
        "defined_at": str,
        "revised_at": str,
    },
    "credentials": {
        "id": str,
        "issuer_id": str,
        "achievement_id": str,
        "status": str,
        "awarded_at": str,
        "valid_until": str,
        "changed_at": str,
        "reason": str,
        "status_group": str,
        "status_index": int,
    },
    "status_groups": {
        "id": str,
        "issuer_id": str,
        "number": int,
        "claimed": int,
        "changes": int,
        "changed_at": str,
    },
    "status_lists": {"id": str, "group_id": str, "purpose": str, "issuer_id": str},
    "endorsements": {
        "id": str,
        "endorser_id": str,
        "subject_kind": str,
        "subject_id": str,
        "endorsed_at": str,
        "withdrawn": int,
        "status_group": str,
        "status_index": int,
    },
    "recognitions": {
        "id": str,
        "institution_id": str,
        "credential_id": str,
        "credential_issuer": str,
        "decision": str,
        "ects": str,
        "exemption": str,
        "recorded_at": str,
        "withdrawn": int,
    },
    "claims": {
        "id": str,
        "credential_id": str,
        "issuer_id": str,
        "expires_at": str,
        "state": str,
    },
}
"""The read model's tables and their columns (sqlite-utils types; ``id`` is the key),
with ``achievements_fts`` (full-text search) and :data:`POSITION` beside them."""
READ_MODEL_FTS_COLUMNS = ["name", "description", "criteria", "learning_outcomes"]
