"""The credledger application: one method per act, each saving its aggregates atomically.

Every method takes an ``Act`` (actor + optional idempotency key). A retried request
with the same key finds its earlier result in the events (creations use ids derived
from the key; changes are recognised by the key recorded on the aggregate), so no act
is ever recorded twice, also across crashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar, cast
from uuid import UUID

from credledger.crypto.jcs import canonicalize_bytes
from credledger.crypto.keys import Ed25519KeyPair, did_key_from_public_key, public_key_multibase
from credledger.crypto.signed_note import CosignatureVerifier, NoteSigner
from credledger.ledger.credentials import rendering
from credledger.ledger.credentials.request_checks import (
    check_evidence,
    check_given_credential,
    check_reason,
    check_result,
    cryptosuite_option,
    refuse_held_vc_id,
    uuid_of,
)
from credledger.ledger.credentials.signing import CredentialSigner
from credledger.ledger.domain.achievement import Achievement
from credledger.ledger.domain.acts import ADMIN, Act, acting
from credledger.ledger.domain.aggregate import LedgerAggregate
from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.definition_names import existing_definition
from credledger.ledger.domain.definitions import validate_definition
from credledger.ledger.domain.endorsement import Endorsement
from credledger.ledger.domain.errors import (
    ConflictError,
    FieldError,
    ForbiddenError,
    LedgerError,
    NotFoundError,
    RequestInvalidError,
)
from credledger.ledger.domain.events import kind_of
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.domain.issuer_keys import KeyPeriod, key_periods
from credledger.ledger.domain.ledger_identity import LedgerIdentity
from credledger.ledger.domain.recipients import parse_recipient
from credledger.ledger.domain.recognition import DECISIONS, Recognition
from credledger.ledger.domain.results import fit_result
from credledger.ledger.domain.status_fold import SlotOwner, StatusFold
from credledger.ledger.domain.status_lists import (
    LIST_LENGTH,
    PURPOSES,
    StatusList,
    StatusSlot,
    award_purposes,
    base_url_epoch,
    first_group_number,
    group_id,
    list_id,
)
from credledger.ledger.log.transparency_log import TransparencyLog, stored_checkpoint_origin
from credledger.ledger.services.erasure import ErasureResult, erase_learner
from credledger.ledger.services.identity import establish_identity
from credledger.ledger.services.keys import (
    CANNOT_ROTATE,
    DID_METHODS,
    Reissue,
    credentials_signed_by,
    reissue_signed_by,
    report_key_compromised,
    signed_in_force,
)
from credledger.ledger.services.status_publication import (
    ListRef,
    StatusPublisher,
    require_published,
)
from credledger.ledger.store.admin_token import check_admin_token
from credledger.ledger.store.credential_digests import CredentialDigests
from credledger.ledger.store.data_dir import prepare_data_directory, store_files
from credledger.ledger.store.read_model import ReadModel
from credledger.ledger.store.settings import Settings
from credledger.ledger.store.sqldb import Database, PostgresDatabase, SQLiteDatabase
from credledger.ledger.store.transcoder import (
    CBORTranscoder,
    decode_deterministic,
    encode_deterministic,
)
from credledger.ledger.store.tree_postgres import PostgresTreeStore
from credledger.ledger.store.tree_sqlite import SQLiteTreeStore
from credledger.ledger.store.vault import Vault
from credledger.ledger.verify.did_web import (
    DidResolutionError,
    LogService,
    did_web_document,
    did_web_for,
)
from credledger.ledger.verify.fetch_session import FetchSession, SharedFetchCache
from credledger.ledger.verify.guarded_fetch import GuardedFetcher
from credledger.ledger.verify.own_lists_uncached import OwnListsUncached
from credledger.ledger.verify.recognition_checks import (
    refuse_unless_achievement,
    refuse_unless_valid,
)
from credledger.ledger.verify.verifier import CredentialVerifier
from credledger.revocation.allocation import allocate_index
from credledger.revocation.cache import StatusListCache
from credledger.revocation.check import FetchedStatusList
from credledger.revocation.status_list import status_list_entry
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Transcoder

TAggregate = TypeVar("TAggregate", bound=LedgerAggregate)
log = logging.getLogger("credledger.ledger")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RegisteredIssuer:
    issuer: Issuer
    did: str
    token: str


@dataclass(frozen=True)
class IssuedCredential:
    credential: Credential
    vc: dict[str, Any]
    replayed: bool = False
    """True when a retried act (same Idempotency-Key) found its earlier credential."""


@dataclass(frozen=True)
class AwardRequest:
    """One award: the act (actor, idempotency) and what the issuer asked for."""

    act: Act
    achievement_id: UUID
    recipient: Any
    evidence: list[dict[str, Any]] | None = None
    result: dict[str, Any] | None = None
    valid_until: datetime | None = None


@dataclass(frozen=True)
class Slot:
    """A status index in a list group, with the group's list ids per purpose."""

    group: UUID
    number: int
    index: int
    lists: dict[str, UUID]


@dataclass(frozen=True)
class PreparedAward:
    credential: Credential
    claim: StatusSlot
    vc: dict[str, Any]
    slot: Slot

    @property
    def aggregates(self) -> tuple[LedgerAggregate, ...]:
        return (self.credential, self.claim)


@dataclass(frozen=True)
class StatusChange:
    status: str
    event: str
    time: datetime
    actor: str
    reason: str | None


def token_hash(token: str) -> bytes:
    """Tokens carry 256 random bits, so a plain SHA-256 is a safe one-way store."""
    return hashlib.sha256(token.encode()).digest()


def vc_digest(vc: dict[str, Any]) -> bytes:
    """SHA-256 of the RFC 8785 canonical JSON of a signed credential (the leaf's digest)."""
    return hashlib.sha256(canonical_json(vc)).digest()


def canonical_json(document: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON: the bytes every digest of a document is taken over."""
    return canonicalize_bytes(document)


def _given_id_key(vc_id: str) -> bytes:
    """The act key a VC API credential's own id gives it: the same for every issuer, so an
    id names one credential in the whole ledger (a second issuer's use of it is a 409)."""
    return hashlib.sha256(f"vc-id\n{vc_id}".encode()).digest()


def _per_issuer_key(issuer_id: UUID, vc_id: Any) -> bytes:
    """The act key a VC API credential's id gave it in credledger 0.1 (per issuer)."""
    return hashlib.sha256(f"{issuer_id}\n{vc_id}".encode()).digest()


class CredentialLedger(Application[UUID]):
    """Institutions, definitions, credentials, endorsements and recognitions, as events."""

    name = "credledger"

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        prepare_data_directory(settings.data_dir, store_files(settings))
        self.settings = settings
        self.clock = clock
        super().__init__(env=settings.eventsourcing_env())
        self.db: Database = (
            PostgresDatabase(settings.database_url)
            if settings.database_url
            else SQLiteDatabase(settings.data_dir / "vault.sqlite")
        )
        self.vault = Vault(self.db)
        tree = (
            PostgresTreeStore(settings.database_url)
            if settings.database_url
            else SQLiteTreeStore(settings.data_dir / "log.sqlite")
        )
        id_key = self.vault.secret("act-id-key", create=32)
        assert id_key is not None
        self._id_key = id_key
        self.identity: LedgerIdentity = establish_identity(
            self, settings, stored_checkpoint_origin(tree)
        )
        self.signer = CredentialSigner(self.vault, self.identity.base_urls)
        self.fetcher = GuardedFetcher(
            allow_private=settings.allow_private_fetch, deadline=settings.fetch_deadline_seconds
        )
        self.fetch_cache = SharedFetchCache()
        self._used_slots: dict[UUID, set[int]] = {}
        self._slots_lock = threading.Lock()
        self.status_fold = StatusFold(
            lambda start, limit, stop, topics: self.recorder.select_notifications(
                start, limit, stop=stop, topics=topics
            ),
            lambda: self.recorder.max_notification_id() or 0,
            self.mapper.to_domain_event,
            self._status_owner,
        )
        self.status_publisher = StatusPublisher(self, self.status_fold)
        self.read_model = ReadModel(settings.data_dir / "read.sqlite", self.mapper)
        self.digests = CredentialDigests(settings.data_dir / "digests.sqlite")
        self.tlog = TransparencyLog(
            tree,
            NoteSigner(self.identity.log_origin, Ed25519KeyPair.from_seed(self._log_seed())),
            clock=clock,
            every_leaves=settings.checkpoint_every_leaves,
            every_seconds=settings.checkpoint_every_seconds,
            witnesses=[CosignatureVerifier.from_vkey(v) for v in settings.witness_keys],
        )
        self._following = True
        self.catch_up()

    def construct_transcoder(self) -> Transcoder:
        return CBORTranscoder()

    def _log_seed(self) -> bytes:
        seed = self.vault.secret("log-signing-key", create=32)
        assert seed is not None
        return seed

    def close(self) -> None:
        super().close()
        self.read_model.close()
        self.digests.close()
        self.tlog.tree.close()
        self.db.close()

    _following = False  # the log and read model exist (not while the identity is recorded)

    def _notify(self, recordings: list[Any]) -> None:
        # The write is already durable; followers that fail catch up on the next call.
        if not self._following:
            return
        try:
            self.catch_up()
        except Exception:  # pragma: no cover - logged, retried on the next act
            log.exception("read model catch-up failed; it resumes on the next act")

    def catch_up(self) -> None:
        """Bring the transparency log and the read model up to date with the event store."""
        self.tlog.catch_up(self._select_notifications)
        self.read_model.catch_up(self._select_notifications)
        self.digests.catch_up(self._select_notifications)

    def rebuild_read_model(self) -> int:
        """Rebuild the read model from the events (repairs one changed by hand); returns
        how many events it applied."""
        return self.read_model.rebuild(self._select_notifications)

    def _select_notifications(self, start: int, limit: int) -> Any:
        return self.recorder.select_notifications(start, limit)

    # -- administrator -------------------------------------------------------------------
    def admin_token_hash(self, configured: str | None) -> tuple[bytes, str | None]:
        """The admin token's hash; makes (and returns, once) a token when none exists.

        A configured token (CREDLEDGER_ADMIN_TOKEN) replaces any stored one; a weak one
        is refused (WeakAdminTokenError).
        """
        if configured:
            check_admin_token(configured)
            digest = token_hash(configured)
            self.vault.set_secret("admin-token-sha256", digest)
            return digest, None
        stored = self.vault.secret("admin-token-sha256")
        if stored is not None:
            return stored, None
        token = secrets.token_urlsafe(32)
        self.vault.set_secret("admin-token-sha256", token_hash(token))
        return token_hash(token), token

    # -- queries ---------------------------------------------------------------------------
    def search_achievements(
        self, q: str | None, *, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        self.catch_up()
        return self.read_model.search_achievements(q, limit=limit, offset=offset)

    def erase_learner(self, act: Act, recipient: Any) -> ErasureResult:
        """Erase a learner's personal data held for the acting institution (their
        request goes through it): keys go, every stored byte and hash stays."""
        return erase_learner(self, act, recipient)

    def recognitions_resting_on(self, credential_id: UUID) -> list[dict[str, Any]]:
        """Recognitions made on the strength of this credential (e.g. after its revocation)."""
        self.catch_up()
        return self.read_model.recognitions_of(f"urn:uuid:{credential_id}")

    def issuance_index_of(self, digest: bytes) -> int | None:
        """The leaf index of the issuance whose leaf shows ``digest`` (the log is public:
        this says nothing a reader of its leaves could not find)."""
        self.catch_up()
        found = self.digests.find(digest)
        return None if found is None else self.log_index_of(*found)

    def log_index_of(self, aggregate_id: UUID, version: int) -> int | None:
        """The Merkle leaf index of an event, once the transparency log holds it."""
        return self.tlog.index_of(str(aggregate_id), version)

    # -- helpers -----------------------------------------------------------------------
    @contextmanager
    def _acting(self, act: Act) -> Iterator[Act]:
        """Open ``act`` with ids derived under this ledger's secret id key."""
        with acting(act.keyed(self._id_key)) as keyed:
            yield keyed

    def _earlier(self, cls: type[TAggregate], act: Act, kind: str) -> TAggregate | None:
        """What an earlier run of this replayable act created: under its keyed id, or
        under the id it had before ids were keyed (so a retry spanning the upgrade still
        finds its result)."""
        if not act.replayable:
            return None
        return self._find(cls, act.derived_id(kind)) or self._find(cls, act.legacy_id(kind))

    def _get(self, cls: type[TAggregate], aggregate_id: UUID) -> TAggregate:
        try:
            aggregate: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"no {cls.__name__.lower()} {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(f"no {cls.__name__.lower()} {aggregate_id}")
        return aggregate

    def _find(self, cls: type[TAggregate], aggregate_id: UUID | None) -> TAggregate | None:
        if aggregate_id is None:
            return None
        try:
            return self._get(cls, aggregate_id)
        except NotFoundError:
            return None

    def _save_new(
        self, cls: type[TAggregate], new_id: UUID | None, *aggregates: LedgerAggregate
    ) -> TAggregate | None:
        """Save; if a concurrent retry of the same act won the race, return its aggregate."""
        try:
            self.save(*aggregates)
        except IntegrityError:
            existing = self._find(cls, new_id)
            if existing is None:
                raise
            existing.already_done()
            return existing
        return None

    def issuer(self, issuer_id: UUID) -> Issuer:
        return self._get(Issuer, issuer_id)

    def issuer_did(self, issuer: Issuer) -> str:
        """The issuer's identity: the DID recorded at registration (see Issuer), else the
        did:key of its key (issuers registered before identities were recorded)."""
        if issuer.did is not None:
            return issuer.did
        from credledger.crypto.keys import public_key_from_multibase

        return did_key_from_public_key(
            public_key_from_multibase(issuer.active_public_key_multibase)
        )

    def issuer_did_web(self, issuer_id: UUID, base_url: str | None = None) -> str:
        """The issuer's did:web: the one recorded at registration; for an issuer
        registered before DIDs were recorded, the one under ``base_url`` (one of the
        ledger's; default: current)."""
        issuer = self._find(Issuer, issuer_id)
        if issuer is not None and issuer.did is not None and issuer.did.startswith("did:web:"):
            return issuer.did
        return did_web_for(base_url or self.identity.base_url, str(issuer_id))

    def key_periods(self, issuer_id: UUID) -> dict[str, KeyPeriod]:
        """When each of the issuer's keys was in force, from its recorded events."""
        return key_periods(self.events.get(issuer_id))

    def log_service(self) -> LogService:
        """This ledger's transparency log, as issuers' DID documents name it."""
        return LogService(
            f"{self.identity.base_url}/v1/log", self.identity.log_origin, self.tlog.vkey
        )

    def did_web_document(self, issuer_id: UUID, base_url: str | None = None) -> dict[str, Any]:
        """The issuer's did:web document: every key with its period, and this log.

        ``base_url``: for an issuer without a recorded DID, which of the ledger's base
        URLs the DID is under (a request to an earlier base URL's host gets the document
        of the DID it resolves)."""
        issuer = self._get(Issuer, issuer_id)
        return did_web_document(
            self.issuer_did_web(issuer.id, base_url),
            self.key_periods(issuer.id).values(),
            log=self.log_service(),
        )

    @property
    def verifier(self) -> CredentialVerifier:
        """A verifier for one request: its own fetch budget, the process's shared cache."""
        session = FetchSession(
            self.fetcher, self.fetch_cache, limit=self.settings.fetches_per_request
        )
        return CredentialVerifier(
            loader=self.signer.loader,
            fetch_status_list=lambda url: self.fetch_status_list(url, session),
            clock=self.clock,
            resolve_did=lambda did: self.resolve_did(did, session),
            status_cache=cast(
                StatusListCache,
                OwnListsUncached(
                    self.fetch_cache.status_lists,
                    lambda url: self.identity.base_url_of(url) is not None,
                ),
            ),
            signed_in_force=lambda document, vm_id: signed_in_force(self, document, vm_id),
        )

    def resolve_did(self, did: str, session: FetchSession | None = None) -> dict[str, Any]:
        """This ledger's did:web documents (recorded DIDs, or under any of its base URLs)
        from the events; other did:web through the guarded fetcher (``session``: the
        request's budget; none, no fetching)."""
        own = self._own_issuer_of(did)
        if own is not None:
            return self.did_web_document(*own)
        if any(did.startswith(did_web_for(b, "")) for b in self.identity.base_urls):
            raise DidResolutionError(f"no issuer {did}")
        if did.startswith("did:web:") and session is not None:
            return session.did_document(did)
        raise DidResolutionError(f"unsupported DID method: {did[:40]}")

    def _own_issuer_of(self, did: str) -> tuple[UUID, str | None] | None:
        """The issuer of this ledger whose did:web ``did`` is (and, for an issuer without
        a recorded DID, the base URL it is under), if any."""
        if not did.startswith("did:web:"):
            return None
        try:
            issuer_id = UUID(did.rsplit(":", 1)[-1])
        except ValueError:
            return None
        issuer = self._find(Issuer, issuer_id)
        if issuer is None:
            return None
        if issuer.did is not None and issuer.did.startswith("did:web:"):
            return (issuer_id, None) if issuer.did == did else None
        for base_url in self.identity.base_urls:
            if did_web_for(base_url, str(issuer_id)) == did:
                return issuer_id, base_url
        return None

    def signing_method(self, issuer: Issuer) -> str:
        """The verification method the issuer signs with now (its DID's, or did:key's)."""
        if issuer.signing_key_compromised:
            raise ConflictError(
                "the issuer's signing key was reported compromised and it cannot rotate "
                "(a did:key identity); nothing more can be signed for it"
            )
        if issuer.did is not None and issuer.did.startswith("did:web:"):
            return f"{issuer.did}#{issuer.active_key_id}"
        return self.signer.verification_method(issuer.active_key_id)

    def sign_as(
        self,
        issuer: Issuer,
        document: dict[str, Any],
        created: datetime,
        *,
        cryptosuite: str = "eddsa-rdfc-2022",
        proof_array: bool = False,
    ) -> dict[str, Any]:
        """Sign ``document`` with the issuer's key in force, under its identity."""
        return self.signer.sign(
            document,
            issuer.active_key_id,
            created,
            cryptosuite=cryptosuite,
            verification_method=self.signing_method(issuer),
            proof_array=proof_array,
        )

    def issuer_profile(self, issuer: Issuer, *, with_context: bool = True) -> dict[str, Any]:
        return rendering.issuer_profile(
            self.identity.base_url,
            issuer.id,
            self.issuer_did(issuer),
            issuer.name,
            issuer.url,
            issuer.email,
            with_context=with_context,
            log_key=self.tlog.vkey,
        )

    # -- issuers -------------------------------------------------------------------------
    def _issuer_token(self, act: Act, issuer_id: UUID) -> str:
        if not act.replayable:
            secret = secrets.token_bytes(32)
        else:  # a retried registration must hand back the same token
            pepper = self.vault.secret("token-pepper", create=32)
            assert pepper is not None
            secret = hmac.new(pepper, act.key, hashlib.sha256).digest()
        return f"{issuer_id}.{base64.urlsafe_b64encode(secret).decode().rstrip('=')}"

    def register_issuer(
        self,
        act: Act,
        name: str,
        url: str | None = None,
        email: str | None = None,
        *,
        did_method: str = "web",
    ) -> RegisteredIssuer:
        """``did_method``: ``web`` (default; an identity that survives key rotation) or
        ``key`` (the did:key of its one key, for verifiers that resolve nothing else)."""
        if act.actor != ADMIN:
            raise ForbiddenError("only the administrator registers issuers")
        if did_method not in DID_METHODS:
            raise RequestInvalidError([FieldError(("body", "did_method"), "must be web or key")])
        with self._acting(act) as act:
            issuer_id = act.derived_id("issuer")
            existing = self._earlier(Issuer, act, "issuer")
            if existing is not None and existing.already_done():
                return RegisteredIssuer(
                    existing, self.issuer_did(existing), self._issuer_token(act, issuer_id)
                )
            token = self._issuer_token(act, issuer_id)
            pair = Ed25519KeyPair.generate()
            key_id = public_key_multibase(pair.public_key)
            self.vault.store_signing_key(key_id, str(issuer_id), pair.private_bytes(), self.clock())
            issuer = Issuer(
                name=name,
                url=url,
                email=email,
                token_hash=token_hash(token),
                key_id=key_id,
                public_key_multibase=key_id,
                did=did_web_for(self.identity.base_url, str(issuer_id))
                if did_method == "web"
                else did_key_from_public_key(pair.public_key),
            )
            winner = self._save_new(Issuer, issuer_id, issuer)
            issuer = winner or issuer
            return RegisteredIssuer(issuer, self.issuer_did(issuer), token)

    def authenticate_issuer(self, token: str) -> UUID | None:
        """The issuer a bearer token belongs to, or None (constant-time comparison)."""
        prefix, _, _ = token.partition(".")
        try:
            issuer_id = UUID(prefix)
        except ValueError:
            return None
        issuer = self._find(Issuer, issuer_id)
        if issuer is None:
            return None
        presented = token_hash(token)
        found = False
        for stored in issuer.token_hashes:
            found |= hmac.compare_digest(stored, presented)
        return issuer.id if found else None

    def rotate_issuer_key(self, act: Act, issuer_id: UUID) -> str:
        with self._acting(act) as act:
            issuer = self._owned_issuer(act, issuer_id)
            if issuer.already_done():
                return issuer.active_key_id
            if not issuer.can_rotate:
                raise ConflictError(CANNOT_ROTATE)
            pair = Ed25519KeyPair.generate()
            key_id = public_key_multibase(pair.public_key)
            self.vault.store_signing_key(key_id, str(issuer_id), pair.private_bytes(), self.clock())
            issuer.rotate_signing_key(key_id=key_id, public_key_multibase=key_id)
            self.save(issuer)
        # New credentials name the new key: their lists must be signed by it now, not at
        # the next change of a bit.
        self._republish_lists_of(issuer_id)
        return key_id

    def report_key_compromised(self, act: Act, issuer_id: UUID, key_id: str, reason: str) -> Issuer:
        """Nothing ``key_id`` signed verifies any more (see key_lifecycle)."""
        check_reason(reason)
        issuer = report_key_compromised(self, act, issuer_id, key_id, reason)
        self._republish_lists_of(issuer_id)
        return issuer

    def _republish_lists_of(self, issuer_id: UUID) -> None:
        """The issuer's status lists signed anew by its key in force (after a rotation)."""
        refs = [r for r in self.known_status_lists() if r.issuer_id == issuer_id]
        self._publish_after_act(partial(self.status_publisher.publish_all, refs, resign=True))

    def reissue_signed_by(self, act: Act, issuer_id: UUID, key_id: str, reason: str) -> Reissue:
        """Re-sign every unrevoked credential ``key_id`` signed (see key_lifecycle)."""
        check_reason(reason)
        return reissue_signed_by(self, act, issuer_id, key_id, reason)

    def credentials_signed_by(self, issuer_id: UUID, key_id: str) -> list[str]:
        """Ids of the issuer's unrevoked credentials whose signature is by ``key_id``."""
        return [c.vc_id for c in credentials_signed_by(self, issuer_id, key_id)]

    def _owned_issuer(self, act: Act, issuer_id: UUID) -> Issuer:
        if act.actor not in (str(issuer_id), ADMIN):
            raise NotFoundError(f"no issuer {issuer_id}")
        return self._get(Issuer, issuer_id)

    # -- achievements ---------------------------------------------------------------------
    def define_achievement(self, act: Act, definition: Any) -> Achievement:
        return self.define_achievement_once(act, definition)[0]

    def define_achievement_once(self, act: Act, definition: Any) -> tuple[Achievement, bool]:
        """The achievement, and False when an identical one of this issuer already existed
        (definition_names.py: a changed definition under its name is refused)."""
        issuer = self._get(Issuer, UUID(act.actor))
        normalised = validate_definition(definition)
        with self._acting(act) as act:
            achievement_id = act.derived_id("achievement")
            existing = self._earlier(Achievement, act, "achievement")
            if existing is not None and existing.already_done():
                return existing, True
            load = partial(self._get, Achievement)
            same = existing_definition(self.read_model, load, issuer.id, normalised)
            if same is not None:
                return same, False
            achievement = Achievement(issuer_id=issuer.id, definition=normalised)
            return self._save_new(Achievement, achievement_id, achievement) or achievement, True

    def achievement(self, achievement_id: UUID) -> Achievement:
        return self._get(Achievement, achievement_id)

    def achievement_document(
        self, achievement: Achievement, *, with_context: bool = True
    ) -> dict[str, Any]:
        issuer = self._get(Issuer, achievement.issuer_id)
        return rendering.achievement_document(
            self.identity.base_url,
            achievement.id,
            achievement.definition,
            self.issuer_profile(issuer, with_context=False),
            with_context=with_context,
        )

    def archive_achievement(self, act: Act, achievement_id: UUID) -> Achievement:
        with self._acting(act) as act:
            achievement = self._owned_achievement(act, achievement_id)
            if not achievement.already_done():
                achievement.archive()
                self.save(achievement)
            return achievement

    def revise_achievement(self, act: Act, achievement_id: UUID, definition: Any) -> Achievement:
        normalised = validate_definition(definition)
        with self._acting(act) as act:
            achievement = self._owned_achievement(act, achievement_id)
            if not achievement.already_done():
                achievement.revise(normalised)
                self.save(achievement)
            return achievement

    def _owned_achievement(self, act: Act, achievement_id: UUID) -> Achievement:
        achievement = self._get(Achievement, achievement_id)
        if str(achievement.issuer_id) != act.actor:
            raise NotFoundError(f"no achievement {achievement_id}")
        return achievement

    # -- credentials ----------------------------------------------------------------------
    def issue_credential(
        self,
        act: Act,
        achievement_id: UUID,
        recipient: Any,
        evidence: list[dict[str, Any]] | None = None,
        result: dict[str, Any] | None = None,
        valid_until: datetime | None = None,
    ) -> IssuedCredential:
        """Award an achievement to one recipient: one act, one transaction."""
        request = AwardRequest(act, achievement_id, recipient, evidence, result, valid_until)
        outcome = self.issue_credentials([request])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def issue_credentials(
        self, requests: list[AwardRequest]
    ) -> list[IssuedCredential | LedgerError]:
        """Award many (one act each, e.g. the rows of a cohort sheet) in one transaction.

        Each request is checked and prepared on its own; refused ones come back as their
        error, in order, and the rest are saved together (all or nothing). A replayed act
        returns its earlier credential and records nothing.
        """
        outcomes: list[IssuedCredential | LedgerError | None] = [None] * len(requests)
        prepared: list[tuple[int, PreparedAward]] = []
        subjects = [self._subject_of(r) for r in requests]
        claimed: set[tuple[UUID, int]] = set()
        with self.vault.subject_keys([s for s in subjects if s]):
            for i, request in enumerate(requests):
                try:
                    award = self._prepare_award(request, claimed)
                except LedgerError as exc:
                    outcomes[i] = exc
                    continue
                if isinstance(award, IssuedCredential):
                    outcomes[i] = award
                else:
                    claimed.add((award.slot.group, award.slot.index))
                    prepared.append((i, award))
        if prepared:
            try:
                self.save(*[a for _, award in prepared for a in award.aggregates])
            except IntegrityError:
                # A concurrent writer took an index (or replayed an act): learn what the
                # store holds now and redo these one by one.
                self.catch_up()
                self._learn_used_slots({award.slot.group for _, award in prepared})
                for i, _ in prepared:
                    outcomes[i] = self._issue_one_retrying(requests[i])
            else:
                for i, award in prepared:
                    self._note_used_slot(award.slot.group, award.slot.index)
                    outcomes[i] = IssuedCredential(award.credential, award.vc)
        groups = {
            (
                o.credential.status_slot["group"],
                o.credential.issuer_id,
                int(o.credential.status_slot["number"]),
            )
            for o in outcomes
            if isinstance(o, IssuedCredential) and o.credential.status_slot
        }
        if groups:  # the first versions of the lists of a group these awards opened
            self._publish_after_act(partial(self.status_publisher.after_award, groups))
        return [o for o in outcomes if o is not None]

    def _subject_of(self, request: AwardRequest) -> str:
        try:
            to = parse_recipient(request.recipient)
        except LedgerError:
            return ""
        return self.vault.subject_key_id(to.kind, to.identity, request.act.actor)

    def _issue_one_retrying(self, request: AwardRequest) -> IssuedCredential | LedgerError:
        for _attempt in range(32):
            try:
                award = self._prepare_award(request, set())
            except LedgerError as exc:
                return exc
            if isinstance(award, IssuedCredential):
                return award
            try:
                self.save(*award.aggregates)
            except IntegrityError:
                # Either a retry of this act won (the next prepare returns it) or the
                # index was claimed by someone else: remember it and draw again.
                self._note_used_slot(award.slot.group, award.slot.index)
                continue
            self._note_used_slot(award.slot.group, award.slot.index)
            return IssuedCredential(award.credential, award.vc)
        return ConflictError("could not claim a free status index; try again")

    def _prepare_award(
        self, request: AwardRequest, claimed: set[tuple[UUID, int]]
    ) -> PreparedAward | IssuedCredential:
        """Check one award and build its events (nothing saved). Raises LedgerError."""
        act = request.act
        to = parse_recipient(request.recipient)
        evidence = check_evidence(request.evidence)
        result_value = check_result(request.result)
        issuer = self._get(Issuer, UUID(act.actor))
        achievement = self._find(Achievement, request.achievement_id)
        if achievement is None or achievement.issuer_id != issuer.id:
            # Another issuer's achievement is as unknown to this caller as a missing one.
            raise NotFoundError(f"no achievement {request.achievement_id} of this issuer")
        with self._acting(act) as act:
            credential_id = act.derived_id("credential")
            existing = self._earlier(Credential, act, "credential")
            if existing is not None and existing.already_done():
                return IssuedCredential(existing, self.credential_document(existing), True)
            achievement.check_not_archived()
            result_value = fit_result(achievement.definition, result_value)
            now = self.clock().replace(microsecond=0)
            valid_until = request.valid_until
            if valid_until is None and "valid_for_days" in achievement.definition:
                valid_until = now + timedelta(days=int(achievement.definition["valid_for_days"]))
            if valid_until is not None:
                valid_until = _in_utc(valid_until)
                if valid_until <= now:
                    raise RequestInvalidError(
                        [FieldError(("body", "valid_until"), "must be in the future")]
                    )
            slot = self._allocate_status_slot(issuer.id, claimed)
            purposes = award_purposes(achievement.definition)
            recipient = {"kind": to.kind, "identity": to.identity, "salt": secrets.token_hex(16)}
            vc, sealed, subject_key_id, digest = self._render_and_seal(
                credential_id=credential_id,
                issuer=issuer,
                achievement=achievement,
                recipient=recipient,
                awarded_at=now,
                valid_from=now,
                valid_until=valid_until,
                evidence=evidence,
                result_value=result_value,
                slot=slot,
                purposes=purposes,
            )
            credential = Credential(
                issuer_id=issuer.id,
                achievement_id=achievement.id,
                achievement_version=achievement.version,
                subject_key_id=subject_key_id,
                sealed=sealed,
                digest=digest,
                awarded_at=now,
                valid_until=valid_until,
                signing_key_id=issuer.active_key_id,
                status_slot={
                    "group": slot.group,
                    "index": slot.index,
                    "number": slot.number,
                    "purposes": list(purposes),
                },
            )
            claim = StatusSlot(
                group=slot.group,
                index=slot.index,
                number=slot.number,
                lists=slot.lists,
                credential_id=credential_id,
            )
        return PreparedAward(credential, claim, vc, slot)

    def _render_and_seal(
        self,
        *,
        credential_id: UUID,
        issuer: Issuer,
        achievement: Achievement,
        recipient: dict[str, str],
        awarded_at: datetime,
        valid_from: datetime,
        valid_until: datetime | None,
        evidence: list[dict[str, Any]],
        result_value: str | None,
        slot: Slot,
        purposes: tuple[str, ...],
        subject_key_id: str | None = None,
    ) -> tuple[dict[str, Any], bytes, str, bytes]:
        """The signed VC, the personal data (recipient, VC) sealed under the subject key
        (the issuer's key for this learner, or ``subject_key_id`` when re-issuing), the
        subject key id and the VC's digest."""
        unsigned = rendering.achievement_credential(
            base_url=self.identity.base_url,
            credential_id=credential_id,
            issuer=self.issuer_profile(issuer, with_context=False),
            achievement=self.achievement_document(achievement, with_context=False),
            definition=achievement.definition,
            recipient_kind=recipient["kind"],
            recipient=recipient["identity"],
            recipient_salt=recipient["salt"],
            awarded_at=awarded_at,
            valid_from=valid_from,
            valid_until=valid_until,
            evidence=evidence,
            result_value=result_value,
            credential_status=self._status_entries(slot, purposes),
        )
        vc = self.sign_as(issuer, unsigned, valid_from, proof_array=True)
        canonical = canonical_json(vc)
        subject_key_id = subject_key_id or self.vault.subject_key_id(
            recipient["kind"], recipient["identity"], str(issuer.id)
        )
        sealed = self.vault.seal(
            subject_key_id,
            encode_deterministic(
                {
                    "recipient": recipient,
                    "evidence": evidence,
                    "result": result_value,
                    "credential": canonical,
                }
            ),
            credential_id.bytes,
        )
        return vc, sealed, subject_key_id, hashlib.sha256(canonical).digest()

    # -- W3C VC API ---------------------------------------------------------------------
    def issue_given(
        self, act: Act, issuer_id: UUID, credential: Any, options: Any = None
    ) -> dict[str, Any]:
        """Sign exactly the credential given (VC 2.0 or 1.1) under the issuer's did:key,
        adding BitstringStatusListEntry entries when ``options.credentialStatus`` asks,
        and record the issuance. A credential id can be issued once."""
        if act.actor != str(issuer_id):
            raise NotFoundError(f"no issuer {issuer_id}")
        issuer = self._get(Issuer, issuer_id)
        document, purposes = check_given_credential(credential, options, self.issuer_did(issuer))
        vc_id = document.get("id")
        refuse_held_vc_id(vc_id, lambda held: self._find(Credential, held) is not None)
        if isinstance(vc_id, str):  # the VC's own id names the aggregate: a retry finds it
            act = Act(act.actor, _given_id_key(vc_id), act.digest, replayable=True)
        with self._acting(act) as act:
            credential_id = act.derived_id("credential")
            existing = (
                self._find(Credential, credential_id)
                or self._earlier(Credential, act, "credential")
                or (self._given_before_ids_were_ledger_wide(issuer.id, vc_id))
            )
            if existing is not None:
                recorded = {
                    existing.acts.get(act.key),
                    existing.acts.get(_per_issuer_key(issuer.id, vc_id)),
                }
                if existing.issuer_id != issuer.id or act.digest not in recorded:
                    raise ConflictError(f"a credential with id {vc_id} was already issued")
                return self.credential_document(existing)
            now = self.clock().replace(microsecond=0)
            slot = self._allocate_status_slot(issuer.id, set()) if purposes else None
            if slot is not None:
                entries = [
                    status_list_entry(
                        self.status_list_url(slot.lists[p], slot.number), slot.index, p
                    )
                    for p in purposes
                ]
                document["credentialStatus"] = entries[0] if len(entries) == 1 else entries
            vc = self.sign_as(
                issuer,
                document,
                now,
                cryptosuite=cryptosuite_option(options),
                proof_array=rendering.is_open_badge(document),
            )
            canonical = canonical_json(vc)
            subject_key_id = self.vault.subject_key_id("credential", str(vc_id or credential_id))
            sealed = self.vault.seal(
                subject_key_id,
                encode_deterministic({"credential": canonical}),
                credential_id.bytes,
            )
            aggregates: list[LedgerAggregate] = [
                Credential(
                    issuer_id=issuer.id,
                    achievement_id=None,
                    achievement_version=0,
                    subject_key_id=subject_key_id,
                    sealed=sealed,
                    digest=hashlib.sha256(canonical).digest(),
                    awarded_at=now,
                    valid_until=None,
                    signing_key_id=issuer.active_key_id,
                    status_slot=None
                    if slot is None
                    else {
                        "group": slot.group,
                        "index": slot.index,
                        "number": slot.number,
                        "purposes": list(purposes),
                    },
                    vc_id=vc_id if isinstance(vc_id, str) else None,
                )
            ]
            if slot is not None:
                aggregates.append(
                    StatusSlot(
                        group=slot.group,
                        index=slot.index,
                        number=slot.number,
                        lists=slot.lists,
                        credential_id=credential_id,
                    )
                )
            try:
                self.save(*aggregates)
            except IntegrityError:
                if slot is not None:
                    self._note_used_slot(slot.group, slot.index)
                raise ConflictError("the credential or its status index was taken; retry") from None
            if slot is not None:
                self._note_used_slot(slot.group, slot.index)
                opened = [(slot.group, issuer.id, slot.number)]
                self._publish_after_act(partial(self.status_publisher.after_award, opened))
            return vc

    def given_credential(self, issuer_id: UUID, vc_id: str) -> Credential:
        """A credential issued through the VC API, by its own id (its issuer only)."""
        act = Act(str(issuer_id), _given_id_key(vc_id), replayable=True).keyed(self._id_key)
        found = self._earlier(Credential, act, "credential")
        if found is None or found.issuer_id != issuer_id:
            found = self._given_before_ids_were_ledger_wide(issuer_id, vc_id)
        if found is None or found.issuer_id != issuer_id:
            found = self._find(Credential, uuid_of(vc_id))
        if found is None or found.issuer_id != issuer_id:
            raise NotFoundError(f"no credential {vc_id} of this issuer")
        return found

    def _given_before_ids_were_ledger_wide(self, issuer_id: UUID, vc_id: Any) -> Credential | None:
        """A credential given through the VC API when its id named it per issuer
        (credledger 0.1): found so that retries and status updates of those keep working."""
        if not isinstance(vc_id, str):
            return None
        key = _per_issuer_key(issuer_id, vc_id)
        act = Act(str(issuer_id), key, replayable=True).keyed(self._id_key)
        return self._earlier(Credential, act, "credential")

    def reissue_credential(
        self,
        act: Act,
        credential_id: UUID,
        reason: str,
        evidence: list[dict[str, Any]] | None = None,
        result: dict[str, Any] | None = None,
        valid_until: datetime | None = None,
    ) -> IssuedCredential:
        """Correct a credential: a newly signed VC, same id, index and award date."""
        check_reason(reason)
        credential = self.owned_credential(UUID(act.actor), credential_id)
        if credential.achievement_id is None:
            raise ConflictError("a credential issued through the VC API is re-issued there")
        with self._acting(act) as act:
            if credential.already_done():
                return IssuedCredential(credential, self.credential_document(credential))
            now = self.clock().replace(microsecond=0)
            if valid_until is not None:
                valid_until = _in_utc(valid_until)
                if valid_until <= now:
                    raise RequestInvalidError(
                        [FieldError(("body", "valid_until"), "must be in the future")]
                    )
            vc, sealed, digest = self.reissue_document(
                credential,
                self._unsealed(credential),
                now,
                evidence=evidence,
                result=result,
                valid_until=valid_until,
            )
            issuer = self._get(Issuer, credential.issuer_id)
            credential.reissue(sealed, digest, issuer.active_key_id, act.actor, reason)
            self.save(credential)
        return IssuedCredential(credential, vc)

    def reissue_document(
        self,
        credential: Credential,
        payload: dict[str, Any],
        now: datetime,
        *,
        evidence: list[dict[str, Any]] | None = None,
        result: dict[str, Any] | None = None,
        valid_until: datetime | None = None,
    ) -> tuple[dict[str, Any], bytes, bytes]:
        """An award's credential signed anew by its issuer's key in force: same id,
        index and award date; the signed VC, the sealed payload and the digest."""
        issuer = self._get(Issuer, credential.issuer_id)
        assert credential.achievement_id is not None
        achievement = self._get(Achievement, credential.achievement_id)
        slot_data = credential.status_slot or {}
        group = slot_data["group"]
        slot = Slot(
            group,
            int(slot_data["number"]),
            int(slot_data["index"]),
            {p: list_id(group, p) for p in PURPOSES},
        )
        vc, sealed, _, digest = self._render_and_seal(
            credential_id=credential.id,
            issuer=issuer,
            achievement=achievement,
            recipient=payload["recipient"],
            awarded_at=credential.awarded_at,
            valid_from=now,
            valid_until=valid_until or credential.valid_until,
            evidence=check_evidence(evidence)
            if evidence is not None
            else payload.get("evidence", []),
            result_value=fit_result(achievement.definition, check_result(result))
            if result is not None
            else payload.get("result"),
            slot=slot,
            subject_key_id=credential.subject_key_id,
            purposes=credential.status_purposes,
        )
        return vc, sealed, digest

    def _learn_used_slots(self, groups: set[UUID]) -> None:
        """Merge the read model's claimed indices into the cache (never forgetting any:
        several threads share it, and what one learnt from a collision must stay)."""
        for group in groups:
            known = self.read_model.used_indices(str(group))
            with self._slots_lock:
                self._used_slots.setdefault(group, set()).update(known)

    def _note_used_slot(self, group: UUID, index: int) -> None:
        with self._slots_lock:
            self._used_slots.setdefault(group, set()).add(index)

    def _allocate_status_slot(self, issuer_id: UUID, claimed: set[tuple[UUID, int]]) -> Slot:
        """A random free index in the issuer's current list group (a new group when full).

        Used indices are cached per group (loaded once from the read model, extended as
        claims are saved); a stale cache only costs a retry, since the claim itself is
        what the store checks.
        """
        number, _ = self.read_model.current_group(str(issuer_id))
        number = max(number, first_group_number(self.identity.epoch))
        while True:
            group = group_id(issuer_id, number)
            if group not in self._used_slots:
                self._learn_used_slots({group})
            pending = {index for g, index in claimed if g == group}
            with self._slots_lock:  # other threads add to the set while we draw
                used = self._used_slots[group]
                if len(used) + len(pending) < LIST_LENGTH:
                    index = allocate_index(used | pending if pending else used, LIST_LENGTH)
                    break
            number += 1
        return Slot(
            group, number, index, {purpose: list_id(group, purpose) for purpose in PURPOSES}
        )

    def status_list_url(self, list_uuid: UUID, group_number: int) -> str:
        """The list's URL, for life: under the base URL in force when its group began."""
        epoch = min(base_url_epoch(group_number), self.identity.epoch)
        return f"{self.identity.base_urls[epoch]}/v1/status/{list_uuid}"

    def _status_entries(self, slot: Slot, purposes: tuple[str, ...]) -> list[dict[str, Any]]:
        return [
            status_list_entry(
                self.status_list_url(slot.lists[purpose], slot.number), slot.index, purpose
            )
            for purpose in purposes
        ]

    def _unsealed(self, credential: Credential) -> dict[str, Any]:
        payload = decode_deterministic(
            self.vault.unseal(credential.subject_key_id, credential.sealed, credential.id.bytes)
        )
        return dict(payload)

    def credential_document(self, credential: Credential) -> dict[str, Any]:
        """The signed VC as issued (unsealed); raises SubjectErasedError after erasure."""
        return dict(json.loads(self._unsealed(credential)["credential"]))

    def credential(self, credential_id: UUID) -> Credential:
        return self._get(Credential, credential_id)

    def owned_credential(self, issuer_id: UUID, credential_id: UUID) -> Credential:
        credential = self._find(Credential, credential_id)
        if credential is None or credential.issuer_id != issuer_id:
            raise NotFoundError(f"no credential {credential_id}")
        return credential

    def holder_proof_bundle(self, vc: Any) -> dict[str, Any]:
        """The proof bundle of the credential presented, found by its digest: only a
        holder of the exact signed credential can compute it (the log shows digests,
        so a bare digest never opens anything)."""
        try:
            digest = vc_digest(vc) if isinstance(vc, dict) else None
        except (ValueError, TypeError, OverflowError, RecursionError):
            digest = None
        if digest is None:
            raise RequestInvalidError(
                [FieldError(("body", "credential"), "must be a signed credential (an object)")]
            )
        self.catch_up()
        found = self.digests.find(digest)
        if found is None:
            raise NotFoundError("this ledger recorded no credential with this digest")
        credential_id, version = found
        return self.proof_bundle(credential_id, version=version, presented=vc)

    def proof_bundle(
        self,
        credential_id: UUID,
        *,
        version: int | None = None,
        presented: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Everything an offline verifier needs: the credential, its issuance leaf and
        inclusion proof, the status list versions in force with theirs, all under one
        signed checkpoint, and the log's key. ``version``/``presented``: the issuance
        (or re-issuance) a holder's copy is of, when it is not the newest."""
        credential = self.credential(credential_id)
        vc = self.credential_document(credential)  # SubjectErasedError once erased
        version = version or credential.issued_version
        if version != credential.issued_version and presented is not None:
            vc = presented  # an earlier copy: its own leaf vouches for it
        lists = []
        if credential.status_slot is not None:
            group = credential.status_slot["group"]
            for purpose in credential.status_purposes:
                lists.append((purpose, self.current_status_list(list_id(group, purpose))))
        self.catch_up()
        index = self.log_index_of(credential.id, version)
        if index is None:
            raise NotFoundError(f"credential {credential_id} is not in the log yet")
        list_leaves = [
            (purpose, status_list, self.log_index_of(status_list.id, status_list.version))
            for purpose, status_list in lists
        ]
        highest = max([index, *[i for _, _, i in list_leaves if i is not None]])
        checkpoint = self.tlog.covering_checkpoint(highest)

        def anchored(leaf_index: int) -> dict[str, Any]:
            path = self.tlog.inclusion_proof(leaf_index, checkpoint.size)
            return {
                "leaf": {"index": leaf_index, "data": _b64(self.tlog.leaf(leaf_index))},
                "inclusion": {"size": checkpoint.size, "path": [_b64(h) for h in path]},
            }

        bundle: dict[str, Any] = {"credential": vc, **anchored(index)}
        bundle["checkpoint"] = checkpoint.note
        bundle["log_key"] = self.tlog.vkey
        bundle["status_lists"] = [
            {"purpose": purpose, "credential": status_list.document, **anchored(i)}
            for purpose, status_list, i in list_leaves
            if i is not None
        ]
        return bundle

    def change_status(self, act: Act, credential_id: UUID, change: str, reason: str) -> str:
        """Suspend, reinstate or revoke (``change``); returns the new status."""
        check_reason(reason)
        credential = self.owned_credential(UUID(act.actor), credential_id)
        with self._acting(act) as act:
            if credential.already_done():
                return credential.status_at(self.clock())
            if change == "revoke":
                credential.revoke(reason, act.actor)
            elif change == "suspend":
                credential.suspend(reason, act.actor)
            elif change == "reinstate":
                credential.reinstate(reason, act.actor)
            else:
                raise ValueError(change)
            self.save(credential)
        self._publish_after_act(self.status_publisher.after_change)
        return credential.status_at(self.clock())

    def status_history(self, issuer_id: UUID, credential_id: UUID) -> list[StatusChange]:
        self.owned_credential(issuer_id, credential_id)
        changes = []
        stored: Any
        for stored in self.events.get(credential_id):
            kind = kind_of(stored)  # the registry says which events change the status
            if kind.status is None:
                continue
            changes.append(
                StatusChange(
                    status=kind.status.status,
                    event=kind.public_name,
                    time=stored.timestamp,
                    actor=getattr(stored, "actor", ""),
                    reason=getattr(stored, "reason", None),
                )
            )
        return changes

    def status_at(self, issuer_id: UUID, credential_id: UUID, moment: datetime) -> str:
        """What the credential's status was at ``moment``, answered from its events."""
        credential = self.owned_credential(issuer_id, credential_id)
        changes = [c for c in self.status_history(issuer_id, credential_id) if c.time <= moment]
        if not changes:
            raise NotFoundError(f"credential {credential_id} was not issued yet at {moment}")
        status = changes[-1].status
        if status == "active" and credential.valid_until and moment >= credential.valid_until:
            return "expired"
        return status

    # -- endorsements ---------------------------------------------------------------------
    def endorse(self, act: Act, subject: str, comment: str) -> tuple[Endorsement, dict[str, Any]]:
        endorser = self._get(Issuer, UUID(act.actor))
        if not isinstance(comment, str) or not comment.strip() or len(comment) > 10_000:
            raise RequestInvalidError(
                [FieldError(("body", "comment"), "must be a non-empty string")]
            )
        kind, subject_uuid, subject_ref = self._endorsement_subject(subject)
        with self._acting(act) as act:
            endorsement_id = act.derived_id("endorsement")
            existing = self._earlier(Endorsement, act, "endorsement")
            if existing is not None and existing.already_done():
                return existing, existing.document
            for _attempt in range(32):
                now = self.clock().replace(microsecond=0)
                # A withdrawal must be visible to verifiers: the endorsement carries a
                # revocation entry in the endorser's list group.
                slot = self._allocate_status_slot(endorser.id, set())
                unsigned = rendering.endorsement_credential(
                    base_url=self.identity.base_url,
                    endorsement_id=endorsement_id,
                    endorser=self.issuer_profile(endorser, with_context=False),
                    subject_id=subject_ref,
                    comment=comment.strip(),
                    issued_at=now,
                    credential_status=self._status_entries(slot, ("revocation",)),
                )
                document = self.sign_as(endorser, unsigned, now, proof_array=True)
                endorsement = Endorsement(
                    endorser_id=endorser.id,
                    subject_kind=kind,
                    subject_id=subject_uuid,
                    comment=comment.strip(),
                    document=document,
                    digest=vc_digest(document),
                    status_slot={"group": slot.group, "index": slot.index, "number": slot.number},
                )
                claim = StatusSlot(
                    group=slot.group,
                    index=slot.index,
                    number=slot.number,
                    lists=slot.lists,
                    credential_id=endorsement_id,
                )
                try:
                    self.save(endorsement, claim)
                except IntegrityError:
                    self._note_used_slot(slot.group, slot.index)
                    winner = self._find(Endorsement, endorsement_id)
                    if winner is not None:
                        winner.already_done()
                        return winner, winner.document
                    continue  # the index was taken meanwhile: draw another
                self._note_used_slot(slot.group, slot.index)
                self._publish_after_act(
                    partial(
                        self.status_publisher.after_award,
                        [(slot.group, endorser.id, slot.number)],
                    )
                )
                return endorsement, endorsement.document
            raise ConflictError("could not claim a free status index; try again")

    def _endorsement_subject(self, subject: Any) -> tuple[str, UUID, str]:
        loc = ("body", "subject")
        if not isinstance(subject, str):
            raise RequestInvalidError([FieldError(loc, "must be an id string")])
        text = subject.removeprefix("urn:uuid:")
        try:
            subject_id = UUID(text.rsplit("/", 1)[-1])
        except ValueError:
            raise RequestInvalidError(
                [FieldError(loc, "must be an achievement, issuer or credential id")]
            ) from None
        try:
            aggregate: Any = self.repository.get(subject_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"nothing with id {subject_id} to endorse") from None
        base = self.identity.base_url
        if isinstance(aggregate, Achievement):
            return "achievement", subject_id, rendering.achievement_url(base, subject_id)
        if isinstance(aggregate, Issuer):
            return "issuer", subject_id, self.issuer_did(aggregate)
        if isinstance(aggregate, Credential):
            return "credential", subject_id, aggregate.vc_id
        raise NotFoundError(f"nothing with id {subject_id} to endorse")

    # -- recognitions ----------------------------------------------------------------------
    def recognise(
        self,
        act: Act,
        vc: Any,
        decision: Any,
        ects: Any = None,
        exemption: Any = None,
        note: Any = None,
    ) -> Recognition:
        institution = self._get(Issuer, UUID(act.actor))
        verification = self.verify_for_recognition(vc)
        errors = []
        if decision not in DECISIONS:
            errors.append(FieldError(("body", "decision"), "must be 'recognised' or 'rejected'"))
        credits: Decimal | None = None
        if ects is not None:
            try:
                credits = Decimal(str(ects))
                if isinstance(ects, bool) or not credits.is_finite() or credits < 0:
                    raise ValueError
            except (ArithmeticError, ValueError):
                errors.append(FieldError(("body", "ects"), "must be a non-negative number"))
        for name, value in (("exemption", exemption), ("note", note)):
            if value is not None and (not isinstance(value, str) or len(value) > 10_000):
                errors.append(FieldError(("body", name), "must be a string"))
        if errors:
            raise RequestInvalidError(errors)
        issuer_field = vc.get("issuer")
        credential_issuer = (
            issuer_field.get("id") if isinstance(issuer_field, dict) else issuer_field
        )
        credential_id = str(vc.get("id") or "")
        subject_key_id = self.vault.subject_key_id(
            "credential", credential_id or canonical_json(vc).hex()
        )
        with self._acting(act) as act:
            recognition_id = act.derived_id("recognition")
            existing = self._earlier(Recognition, act, "recognition")
            if existing is not None and existing.already_done():
                return existing
            recognition = Recognition(
                institution_id=institution.id,
                credential_id=credential_id,
                credential_issuer=str(credential_issuer),
                credential_digest=vc_digest(vc),
                subject_key_id=subject_key_id,
                sealed=self.vault.seal(subject_key_id, canonical_json(vc), recognition_id.bytes),
                decision=str(decision),
                ects=credits,
                exemption=exemption,
                note=note,
                verification=verification,
            )
            return self._save_new(Recognition, recognition_id, recognition) or recognition

    def withdraw_recognition(self, act: Act, recognition_id: UUID, reason: str) -> Recognition:
        check_reason(reason)
        recognition = self._find(Recognition, recognition_id)
        if recognition is None or str(recognition.institution_id) != act.actor:
            raise NotFoundError(f"no recognition {recognition_id}")
        with self._acting(act) as act:
            if not recognition.already_done():
                recognition.withdraw(reason, act.actor)
                self.save(recognition)
        return recognition

    def withdraw_endorsement(self, act: Act, endorsement_id: UUID, reason: str) -> Endorsement:
        check_reason(reason)
        endorsement = self._find(Endorsement, endorsement_id)
        if endorsement is None or str(endorsement.endorser_id) != act.actor:
            raise NotFoundError(f"no endorsement {endorsement_id}")
        with self._acting(act) as act:
            if not endorsement.already_done():
                endorsement.withdraw(reason, act.actor)
                self.save(endorsement)
        self._publish_after_act(self.status_publisher.after_change)
        return endorsement

    def update_issuer_profile(self, act: Act, issuer_id: UUID, changes: dict[str, Any]) -> Issuer:
        allowed = {"name", "url", "email"}
        unknown = set(changes) - allowed
        if unknown or not changes:
            raise RequestInvalidError(
                [FieldError(("body", k), "unknown field") for k in sorted(unknown)]
                or [FieldError(("body",), "give at least one of name, url, email")]
            )
        with self._acting(act) as act:
            issuer = self._owned_issuer(act, issuer_id)
            if not issuer.already_done():
                issuer.update_profile(changes)
                self.save(issuer)
        return issuer

    def issue_issuer_token(self, act: Act, issuer_id: UUID) -> str:
        """A further bearer token for the issuer (shown once; only its hash is kept)."""
        with self._acting(act) as act:
            issuer = self._owned_issuer(act, issuer_id)
            token = self._issuer_token(act, issuer_id)
            if not issuer.already_done():
                issuer.issue_token(token_hash(token))
                self.save(issuer)
        return token

    def revoke_issuer_token(self, act: Act, issuer_id: UUID, token: str) -> None:
        with self._acting(act) as act:
            issuer = self._owned_issuer(act, issuer_id)
            if not issuer.already_done():
                issuer.revoke_token(token_hash(token))
                self.save(issuer)

    def verify_for_recognition(self, vc: Any) -> dict[str, Any]:
        """Only a valid achievement, every status read and clear, is recognised (else 422)."""
        refuse_unless_achievement(vc)
        report = self.verifier.verify(vc)
        refuse_unless_valid(report)
        return report.as_dict()

    def fetch_status_list(
        self, url: str, session: FetchSession | None = None
    ) -> dict[str, Any] | FetchedStatusList:
        """This ledger's own lists are read from the ledger; other issuers' lists through
        the guarded fetcher (``session``: the request's budget; none, no fetching)."""
        base_url = self.identity.base_url_of(url)
        prefix = f"{base_url}/v1/status/"
        if base_url is None or not url.startswith(prefix):
            if session is None:
                raise LookupError(f"status list {url} is not held by this ledger")
            return session.status_list(url)
        try:
            list_uuid = UUID(url[len(prefix) :])
        except ValueError:
            raise LookupError(f"no status list at {url}") from None
        # A list names itself by its one URL; the verifier refuses it under any other.
        return self.current_status_list(list_uuid).document or {}

    def current_status_list(self, list_uuid: UUID) -> StatusList:
        """The newest published version of a list. A read: it never signs or records
        (versions are published after acts and on the tick: status_publication.py)."""
        return require_published(self.find_status_list(list_uuid), list_uuid)

    def find_status_list(self, list_uuid: UUID) -> StatusList | None:
        return self._find(StatusList, list_uuid)

    def document_digest(self, document: dict[str, Any]) -> bytes:
        return vc_digest(document)

    def publish_status_list(self, list_uuid: UUID) -> StatusList:
        """Publish a list's current bits now if they changed or its window closes soon
        (``POST /v1/status/{list}/publish``); returns the newest version."""
        current = self.find_status_list(list_uuid)
        if current is not None:
            ref = ListRef(list_uuid, current.issuer_id, current.group, current.purpose)
        else:
            found = [r for r in self.known_status_lists() if r.list_uuid == list_uuid]
            if not found:
                raise NotFoundError(f"no status list {list_uuid}")
            ref = found[0]
        self.status_publisher.publish(ref)
        return self.current_status_list(list_uuid)

    def publish_status_lists(self) -> int:
        """The publication tick: changed lists, unpublished ones, windows closing soon."""
        return self.status_publisher.publish_due()

    def known_status_lists(self) -> list[ListRef]:
        """Every list the read model knows of, each checked against its derived id (the
        read model names lists; it never decides a bit)."""
        refs = []
        for row in self.read_model.all_status_lists():
            group, issuer_id = UUID(row["group_id"]), UUID(row["issuer_id"])
            number = int(row["number"])
            ref = ListRef(UUID(row["id"]), issuer_id, group, str(row["purpose"]), number)
            if (
                ref.purpose in PURPOSES
                and list_id(group, ref.purpose) == ref.list_uuid
                and group_id(issuer_id, number) == group
            ):
                refs.append(ref)
        return refs

    def _status_owner(self, aggregate_id: UUID) -> SlotOwner | None:
        """The status slot of a credential or endorsement, from its own events."""
        try:
            aggregate: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        slot = getattr(aggregate, "status_slot", None)
        if not slot:
            return None
        issuer_id = aggregate.endorser_id if isinstance(aggregate, Endorsement) else None
        issuer_id = issuer_id or aggregate.issuer_id
        return SlotOwner(
            UUID(str(slot["group"])), int(slot["index"]), issuer_id, int(slot["number"])
        )

    def _publish_after_act(self, publish: Callable[[], Any]) -> None:
        """Publish what an act changed. The act is saved already: if publication fails
        here, the tick publishes it (logged, never the act's failure)."""
        try:
            publish()
        except Exception:  # pragma: no cover - logged; the tick retries
            log.exception("status list publication after an act failed; the tick retries")

    # -- notifications ------------------------------------------------------------------------
    def stored_events(self, start: int, limit: int) -> Iterator[Any]:
        yield from self.recorder.select_notifications(start, limit)


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC).replace(microsecond=0)
    except (OverflowError, ValueError):
        raise RequestInvalidError(
            [FieldError(("body", "valid_until"), "is out of range")]
        ) from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
