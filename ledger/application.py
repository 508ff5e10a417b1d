"""The credledger application: a thin facade over the use cases in ``services/``.

``bootstrap.open_ports`` builds every adapter from the settings; this class wires the
services to them (each receives only what it needs, and calls the others directly)
and keeps one-line shortcuts for the acts used most. The data flow of every act is

    command -> service -> event(s) saved in one transaction
    -> (follower, after the save) leaf in the transparency log, checkpoint signed
       (at once, or once per ``checkpoint_interval``), read model and digest index
    -> credential returned; status list versions published after the act

Reads only read: no query catches up, signs or publishes. Opened ``read_only`` (the
CLI's read commands), the ledger does not even catch up or sign when it opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from credledger.ledger.bootstrap import Ports, open_ports, utcnow
from credledger.ledger.credentials.canonical import canonical_json, vc_digest
from credledger.ledger.domain.acts import Act
from credledger.ledger.log.follower import Follower
from credledger.ledger.services.achievements import Achievements
from credledger.ledger.services.award_documents import AwardDocuments
from credledger.ledger.services.claim_exchange import ClaimExchange
from credledger.ledger.services.claims import Claims
from credledger.ledger.services.credential_records import CredentialRecords
from credledger.ledger.services.dids import Dids
from credledger.ledger.services.endorsements import Endorsements
from credledger.ledger.services.erasure import Erasures
from credledger.ledger.services.given import GivenCredentials
from credledger.ledger.services.issuance import AwardRequest, Issuance, IssuedCredential
from credledger.ledger.services.issuers import Issuers, RegisteredIssuer, admin_token_hash
from credledger.ledger.services.keys import Keys
from credledger.ledger.services.oid4vci import PreAuthorizedIssuance
from credledger.ledger.services.proofs import Proofs
from credledger.ledger.services.recognitions import Recognitions
from credledger.ledger.services.reissue import Reissues
from credledger.ledger.services.sharing import Sharing
from credledger.ledger.services.status import Statuses
from credledger.ledger.services.status_lists import StatusLists
from credledger.ledger.services.status_publication import StatusPublisher
from credledger.ledger.services.status_slots import StatusSlots
from credledger.ledger.services.verification import Verification
from credledger.ledger.store.settings import Settings
from credledger.ledger.verify.verifier import CredentialVerifier

__all__ = [
    "AwardRequest",
    "CredentialLedger",
    "IssuedCredential",
    "RegisteredIssuer",
    "canonical_json",
    "utcnow",
    "vc_digest",
]


class CredentialLedger:
    """Institutions, definitions, credentials, endorsements and recognitions, as events."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        read_only: bool = False,
    ) -> None:
        ports = self.ports = open_ports(settings, clock)
        self.settings, self.clock, self.identity = settings, clock, ports.identity
        store = self.store = ports.store
        self.recorder, self.mapper, self.events = store.recorder, store.mapper, store.events
        self.repository, self.save = store.repository, store.save
        self.vault, self.signer, self.tlog = ports.vault, ports.signer, ports.tlog
        self.read_model, self.digests = ports.read_model, ports.digests
        self.status_fold, self.witness_pusher = ports.status_fold, ports.witness_pusher
        self.follower = Follower(
            ports.store.select_notifications, ports.tlog, ports.read_model, ports.digests
        )
        self._wire(ports, self.follower)
        self._shortcuts()
        if read_only:
            return
        ports.store.on_recorded = self.follower.catch_up
        self.catch_up()
        self.tlog.checkpoint_if_due()  # a new ledger's first checkpoint; what a crash left

    def _wire(self, ports: Ports, follower: Follower) -> None:
        """The use cases, each given the ports and the other use cases it calls."""
        aggregates = ports.aggregates
        self.issuers = issuers = Issuers(
            aggregates, ports.vault, ports.signer, ports.identity, ports.tlog.vkey, ports.clock
        )
        self.dids = Dids(aggregates, ports.identity, ports.tlog.vkey)
        self.records = CredentialRecords(aggregates, ports.vault)
        self.achievements = Achievements(aggregates, issuers, ports.read_model)
        slots = StatusSlots(ports.read_model, ports.identity)
        self.status_publisher = StatusPublisher(
            aggregates, issuers, ports.read_model, ports.identity, ports.status_fold, ports.clock
        )
        self.status_lists = lists = StatusLists(
            aggregates, ports.read_model, ports.identity, self.status_publisher
        )
        documents = AwardDocuments(aggregates, ports.vault, issuers, self.achievements, slots)
        self.claims = claims = Claims(
            aggregates, ports.vault, self.records, issuers, ports.settings.claim_lifetime,
            lambda credential: [UUID(i) for i in ports.read_model.claims_of(str(credential))],
            follower.catch_up,
            ports.read_model.claims_due,
        )  # fmt: skip
        self.claim_exchange = ClaimExchange(claims)
        self.oid4vci = PreAuthorizedIssuance(claims, ports.settings.nonce_lifetime)
        self.issuance = Issuance(
            aggregates, ports.vault, documents, slots, lists, self.records, follower, claims
        )
        self.given = GivenCredentials(aggregates, issuers, slots, lists, self.records, claims)
        self.reissues = Reissues(aggregates, self.records, documents)
        self.statuses = Statuses(aggregates, self.records, lists, ports.clock)
        self.sharing = Sharing(aggregates, self.records)
        self.keys = Keys(
            aggregates, issuers, self.dids, self.records, documents, self.given, lists,
            ports.read_model,
        )  # fmt: skip
        self.verification = Verification(
            ports.settings,
            ports.identity,
            ports.signer,
            ports.fetcher,
            ports.fetch_cache,
            ports.clock,
            self.dids,
            lists,
            self.keys.signed_in_force,
        )
        self.recognitions = Recognitions(
            aggregates, ports.vault, ports.read_model, self.verification.verifier
        )
        self.endorsements = Endorsements(aggregates, issuers, slots, lists)
        self.proofs = Proofs(ports.tlog, ports.digests, self.records, lists, follower.select)
        self.erasures = Erasures(
            aggregates, ports.vault, self.records, ports.read_model, ports.digests, follower
        )

    def close(self) -> None:
        self.ports.close()

    def catch_up(self) -> None:
        """Bring the transparency log and the read model up to date with the event store."""
        self.follower.catch_up()

    def rebuild_read_model(self) -> int:
        """Rebuild the read model from the events (repairs one changed by hand); returns
        how many events it applied."""
        return self.read_model.rebuild(self.follower.select)

    def stored_events(self, start: int, limit: int) -> Iterator[Any]:
        yield from self.recorder.select_notifications(start, limit)

    def admin_token_hash(self, configured: str | None) -> tuple[bytes, str | None]:
        return admin_token_hash(self.vault, configured)

    @property
    def verifier(self) -> CredentialVerifier:
        """A verifier for one request: its own fetch budget, the process's shared cache."""
        return self.verification.verifier()

    def issue_credential(
        self,
        act: Act,
        achievement_id: UUID,
        recipient: Any,
        evidence: list[dict[str, Any]] | None = None,
        result: dict[str, Any] | None = None,
        valid_until: datetime | None = None,
    ) -> IssuedCredential:
        """Award an achievement to one recipient (see ``Issuance.issue``)."""
        request = AwardRequest(act, achievement_id, recipient, evidence, result, valid_until)
        return self.issuance.issue(request)

    def _shortcuts(self) -> None:
        """The acts and reads used most, under the names api/, cli/ and tests know."""
        self.register_issuer, self.issuer = self.issuers.register, self.issuers.issuer
        self.issuer_did, self.rotate_issuer_key = self.issuers.did, self.keys.rotate
        self.define_achievement = self.achievements.define
        self.achievement_document = self.achievements.document
        self.issue_credentials = self.issuance.issue_many
        self.credential, self.credential_document = self.records.credential, self.records.document
        self.change_status = self.statuses.change
        self.endorse, self.recognise = self.endorsements.endorse, self.recognitions.recognise
        self.erase_learner = self.erasures.erase_learner
        self.proof_bundle, self.log_index_of = self.proofs.bundle, self.proofs.log_index_of
        self.current_status_list = self.status_lists.current
        self.publish_status_lists = self.status_lists.publish_due
