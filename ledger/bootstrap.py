"""The one place that builds the ledger's adapters from ``Settings``.

Opening a ledger prepares its data directory, opens the event store and the vault,
reads (or records) the ledger's identity, and builds the signer, the transparency log,
the read models and the fetch machinery. The use cases receive what they need of
these :class:`Ports`; nothing else constructs an adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from credledger.crypto.keys import Ed25519KeyPair
from credledger.crypto.signed_note import CosignatureVerifier, NoteSigner
from credledger.ledger.credentials.signing import CredentialSigner
from credledger.ledger.domain.endorsement import Endorsement
from credledger.ledger.domain.ledger_identity import LedgerIdentity
from credledger.ledger.domain.status_fold import SlotOwner, StatusFold
from credledger.ledger.log.transparency_log import TransparencyLog, stored_checkpoint_origin
from credledger.ledger.log.witness_push import MAX_ANSWER_BYTES, WitnessPusher
from credledger.ledger.services.identity import establish_identity
from credledger.ledger.store.aggregates import Aggregates
from credledger.ledger.store.credential_digests import CredentialDigests
from credledger.ledger.store.data_dir import prepare_data_directory, store_files
from credledger.ledger.store.event_store import EventStore
from credledger.ledger.store.read_model import ReadModel
from credledger.ledger.store.settings import Settings
from credledger.ledger.store.sqldb import Database, PostgresDatabase, SQLiteDatabase
from credledger.ledger.store.tree_postgres import PostgresTreeStore
from credledger.ledger.store.tree_sqlite import SQLiteTreeStore, TreeStore
from credledger.ledger.store.vault import Vault
from credledger.ledger.verify.fetch_session import SharedFetchCache
from credledger.ledger.verify.guarded_fetch import GuardedFetcher
from eventsourcing.application import AggregateNotFoundError


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Ports:
    """The adapters of one open ledger, built once from its settings."""

    settings: Settings
    clock: Callable[[], datetime]
    store: EventStore
    aggregates: Aggregates
    db: Database
    vault: Vault
    identity: LedgerIdentity
    signer: CredentialSigner
    tlog: TransparencyLog
    read_model: ReadModel
    digests: CredentialDigests
    status_fold: StatusFold
    fetcher: GuardedFetcher
    fetch_cache: SharedFetchCache
    witness_pusher: WitnessPusher

    def close(self) -> None:
        self.store.close()
        self.read_model.close()
        self.digests.close()
        self.tlog.tree.close()
        self.db.close()


def open_ports(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Ports:
    """Every adapter of the ledger stored under ``settings`` (its identity checked)."""
    prepare_data_directory(settings.data_dir, store_files(settings))
    store = EventStore(settings)
    db: Database = (
        PostgresDatabase(settings.database_url)
        if settings.database_url
        else SQLiteDatabase(settings.data_dir / "vault.sqlite")
    )
    vault = Vault(db)
    tree = _tree_store(settings)
    identity = establish_identity(store, settings, stored_checkpoint_origin(tree))
    tlog = TransparencyLog(
        tree,
        NoteSigner(
            identity.log_origin, Ed25519KeyPair.from_seed(_secret(vault, "log-signing-key"))
        ),
        clock=clock,
        interval=settings.checkpoint_interval,
        witnesses=[CosignatureVerifier.from_vkey(v) for v in settings.cosigner_keys],
    )
    return Ports(
        settings=settings,
        clock=clock,
        store=store,
        aggregates=Aggregates(store, _secret(vault, "act-id-key")),
        db=db,
        vault=vault,
        identity=identity,
        signer=CredentialSigner(vault, identity.base_urls),
        tlog=tlog,
        read_model=ReadModel(settings.data_dir / "read.sqlite", store.mapper),
        digests=CredentialDigests(settings.data_dir / "digests.sqlite"),
        status_fold=_status_fold(store),
        fetcher=GuardedFetcher(
            allow_private=settings.allow_private_fetch, deadline=settings.fetch_deadline_seconds
        ),
        fetch_cache=SharedFetchCache(),
        witness_pusher=_witness_pusher(settings, tlog),
    )


def open_identity(settings: Settings) -> LedgerIdentity:
    """The ledger's identity, recorded now if the store is new, without opening the whole
    ledger (no log or read model catch-up): for ``serve`` to check and say it before the
    server starts. Raises what opening the ledger would (exposed directory, refusals)."""
    prepare_data_directory(settings.data_dir, store_files(settings))
    tree = _tree_store(settings)
    try:
        origin = stored_checkpoint_origin(tree)
    finally:
        tree.close()
    store = EventStore(settings)
    try:
        return establish_identity(store, settings, origin)
    finally:
        store.close()


def _witness_pusher(settings: Settings, tlog: TransparencyLog) -> WitnessPusher:
    """Pushes checkpoints to the configured witnesses, through the guarded fetcher: a
    witness on a private or loopback address only with ``allow_private_fetch`` (tests)."""
    fetcher = GuardedFetcher(
        allow_private=settings.allow_private_fetch,
        deadline=settings.fetch_deadline_seconds,
        max_bytes=MAX_ANSWER_BYTES,
        max_redirects=0,
    )
    return WitnessPusher(tlog, settings.witnesses, fetcher)


def _tree_store(settings: Settings) -> TreeStore:
    """The Merkle tree's tile store: in the PostgreSQL database, or log.sqlite."""
    if settings.database_url:
        return PostgresTreeStore(settings.database_url)
    return SQLiteTreeStore(settings.data_dir / "log.sqlite")


def _secret(vault: Vault, name: str) -> bytes:
    secret = vault.secret(name, create=32)
    assert secret is not None
    return secret


def _status_fold(store: EventStore) -> StatusFold:
    """Status bits folded from the events (never from the read model)."""
    return StatusFold(
        lambda start, limit, stop, topics: store.recorder.select_notifications(
            start, limit, stop=stop, topics=topics
        ),
        lambda: store.recorder.max_notification_id() or 0,
        store.mapper.to_domain_event,
        lambda aggregate_id: _slot_owner(store, aggregate_id),
    )


def _slot_owner(store: EventStore, aggregate_id: UUID) -> SlotOwner | None:
    """The status slot of a credential or endorsement, from its own events."""
    try:
        aggregate: Any = store.repository.get(aggregate_id)
    except AggregateNotFoundError:
        return None
    slot = getattr(aggregate, "status_slot", None)
    if not slot:
        return None
    issuer_id = aggregate.endorser_id if isinstance(aggregate, Endorsement) else None
    issuer_id = issuer_id or aggregate.issuer_id
    return SlotOwner(UUID(str(slot["group"])), int(slot["index"]), issuer_id, int(slot["number"]))
