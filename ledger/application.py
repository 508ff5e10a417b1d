"""The credledger application: a thin facade over the use cases in ``services/``.

``bootstrap.open_ports`` builds every adapter from the settings; this class wires the
services to them (each receives only what it needs, and calls the others directly)
and keeps one-line shortcuts for the acts used most. The data flow of every act is

    command -> service -> event(s) saved in one transaction
    -> (follower, after the save) leaf in the transparency log, checkpoint when due,
       read model and digest index
    -> credential returned; status list versions published after the act
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from credledger.ledger.bootstrap import Ports, open_ports, utcnow
from credledger.ledger.credentials.canonical import canonical_json, vc_digest
from credledger.ledger.domain.achievement import Achievement
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.endorsement import Endorsement
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.domain.recognition import Recognition
from credledger.ledger.domain.status_lists import StatusList
from credledger.ledger.log.follower import Follower
from credledger.ledger.services.achievements import Achievements
from credledger.ledger.services.award_documents import AwardDocuments
from credledger.ledger.services.credential_records import CredentialRecords
from credledger.ledger.services.dids import Dids
from credledger.ledger.services.endorsements import Endorsements
from credledger.ledger.services.erasure import ErasureResult, Erasures
from credledger.ledger.services.given import GivenCredentials
from credledger.ledger.services.issuance import AwardRequest, Issuance, IssuedCredential, Outcome
from credledger.ledger.services.issuers import Issuers, RegisteredIssuer, admin_token_hash
from credledger.ledger.services.keys import Keys
from credledger.ledger.services.proofs import Proofs
from credledger.ledger.services.recognitions import Recognitions
from credledger.ledger.services.reissue import Reissues
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

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> None:
        ports = self.ports = open_ports(settings, clock)
        self.settings, self.clock, self.identity = settings, clock, ports.identity
        self.store, self.recorder, self.mapper = (
            ports.store,
            ports.store.recorder,
            ports.store.mapper,
        )
        self.repository, self.events, self.save = (
            ports.store.repository,
            ports.store.events,
            ports.store.save,
        )
        self.vault, self.signer, self.tlog = ports.vault, ports.signer, ports.tlog
        self.read_model, self.digests, self.status_fold = (
            ports.read_model,
            ports.digests,
            ports.status_fold,
        )
        self.follower = Follower(
            ports.store.select_notifications, ports.tlog, ports.read_model, ports.digests
        )
        self._wire(ports, self.follower)
        ports.store.on_recorded = self.follower.catch_up
        self.catch_up()

    def _wire(self, ports: Ports, follower: Follower) -> None:
        """The use cases, each given the ports and the other use cases it calls."""
        store = ports.aggregates
        self.issuers = issuers = Issuers(
            store, ports.vault, ports.signer, ports.identity, ports.tlog.vkey, ports.clock
        )
        self.dids = Dids(store, ports.identity, ports.tlog.vkey)
        self.records = CredentialRecords(store, ports.vault)
        self.achievements = Achievements(store, issuers, ports.read_model, follower)
        slots = StatusSlots(ports.read_model, ports.identity)
        self.status_publisher = StatusPublisher(
            store, issuers, ports.read_model, ports.identity, ports.status_fold, ports.clock
        )
        self.status_lists = lists = StatusLists(
            store, ports.read_model, ports.identity, self.status_publisher
        )
        documents = AwardDocuments(store, ports.vault, issuers, self.achievements, slots)
        self.issuance = Issuance(
            store, ports.vault, documents, slots, lists, self.records, follower
        )
        self.given = GivenCredentials(store, issuers, slots, lists, self.records)
        self.reissues = Reissues(store, self.records, documents)
        self.statuses = Statuses(store, self.records, lists, ports.clock)
        self.keys = Keys(
            store, issuers, self.dids, self.records, documents, self.given, lists, ports.read_model
        )
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
            store, ports.vault, ports.read_model, follower, self.verification.verifier
        )
        self.endorsements = Endorsements(store, issuers, slots, lists)
        self.proofs = Proofs(ports.tlog, ports.digests, self.records, lists, follower)
        self.erasures = Erasures(
            store, ports.vault, self.records, ports.read_model, ports.digests, follower
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

    # -- shortcuts to the acts and reads used most -----------------------------------------
    def register_issuer(
        self,
        act: Act,
        name: str,
        url: str | None = None,
        email: str | None = None,
        *,
        did_method: str = "web",
    ) -> RegisteredIssuer:
        return self.issuers.register(act, name, url, email, did_method=did_method)

    def issuer(self, issuer_id: UUID) -> Issuer:
        return self.issuers.issuer(issuer_id)

    def issuer_did(self, issuer: Issuer) -> str:
        return self.issuers.did(issuer)

    def define_achievement(self, act: Act, definition: Any) -> Achievement:
        return self.achievements.define(act, definition)

    def achievement_document(
        self, achievement: Achievement, *, with_context: bool = True
    ) -> dict[str, Any]:
        return self.achievements.document(achievement, with_context=with_context)

    def issue_credential(
        self,
        act: Act,
        achievement_id: UUID,
        recipient: Any,
        evidence: list[dict[str, Any]] | None = None,
        result: dict[str, Any] | None = None,
        valid_until: datetime | None = None,
    ) -> IssuedCredential:
        return self.issuance.issue(
            AwardRequest(act, achievement_id, recipient, evidence, result, valid_until)
        )

    def issue_credentials(self, requests: list[AwardRequest]) -> list[Outcome]:
        return self.issuance.issue_many(requests)

    def credential(self, credential_id: UUID) -> Credential:
        return self.records.credential(credential_id)

    def credential_document(self, credential: Credential) -> dict[str, Any]:
        return self.records.document(credential)

    def change_status(self, act: Act, credential_id: UUID, change: str, reason: str) -> str:
        return self.statuses.change(act, credential_id, change, reason)

    def rotate_issuer_key(self, act: Act, issuer_id: UUID) -> str:
        return self.keys.rotate(act, issuer_id)

    def endorse(self, act: Act, subject: str, comment: str) -> tuple[Endorsement, dict[str, Any]]:
        return self.endorsements.endorse(act, subject, comment)

    def recognise(
        self,
        act: Act,
        vc: Any,
        decision: Any,
        ects: Any = None,
        exemption: Any = None,
        note: Any = None,
    ) -> Recognition:
        return self.recognitions.recognise(act, vc, decision, ects, exemption, note)

    def erase_learner(self, act: Act, recipient: Any) -> ErasureResult:
        return self.erasures.erase_learner(act, recipient)

    def proof_bundle(
        self,
        credential_id: UUID,
        *,
        version: int | None = None,
        presented: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return self.proofs.bundle(credential_id, version=version, presented=presented)

    def log_index_of(self, aggregate_id: UUID, version: int) -> int | None:
        return self.proofs.log_index_of(aggregate_id, version)

    def current_status_list(self, list_uuid: UUID) -> StatusList:
        return self.status_lists.current(list_uuid)

    def publish_status_lists(self) -> int:
        return self.status_lists.publish_due()
