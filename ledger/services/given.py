"""The W3C VC API's issue: sign exactly the credential given, and record its issuance.

A credential's own id names it ledger-wide (a second issuer's use of it is a 409); the
ids of credledger 0.1, which named one per issuer, keep being found.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from credledger.ledger.credentials import rendering
from credledger.ledger.credentials.canonical import canonical_json
from credledger.ledger.credentials.request_checks import (
    check_given_credential,
    cryptosuite_option,
    refuse_held_vc_id,
    uuid_of,
)
from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.aggregate import LedgerAggregate
from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.errors import (
    ConcurrentChangeError,
    CredentialIdTakenError,
    UnknownCredentialError,
    UnknownIssuerError,
)
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.services.claims import ClaimOffer, ClaimRequest, Claims, subject_of
from credledger.ledger.services.credential_records import CredentialRecords
from credledger.ledger.services.issuers import Issuers
from credledger.ledger.services.status_lists import StatusLists
from credledger.ledger.services.status_slots import Slot, StatusSlots
from credledger.ledger.store.aggregates import Aggregates, BatchReads
from credledger.ledger.store.transcoder import encode_deterministic
from eventsourcing.persistence import IntegrityError


def given_id_key(vc_id: str) -> bytes:
    """The act key a VC API credential's own id gives it: the same for every issuer, so an
    id names one credential in the whole ledger (a second issuer's use of it is a 409)."""
    return hashlib.sha256(f"vc-id\n{vc_id}".encode()).digest()


def per_issuer_key(issuer_id: UUID, vc_id: Any) -> bytes:
    """The act key a VC API credential's id gave it in credledger 0.1 (per issuer)."""
    return hashlib.sha256(f"{issuer_id}\n{vc_id}".encode()).digest()


class GivenCredentials:
    """Credentials issued through the VC API: signed as given, found by their own id."""

    def __init__(
        self,
        aggregates: Aggregates,
        issuers: Issuers,
        slots: StatusSlots,
        status_lists: StatusLists,
        records: CredentialRecords,
        claims: Claims,
    ) -> None:
        self.aggregates = aggregates
        self.claims = claims
        self.issuers = issuers
        self.slots = slots
        self.status_lists = status_lists
        self.records = records

    def issue(
        self, act: Act, issuer_id: UUID, credential: Any, options: Any = None
    ) -> dict[str, Any]:
        """Sign exactly the credential given (VC 2.0 or 1.1) under the issuer's did:key,
        adding BitstringStatusListEntry entries when ``options.credentialStatus`` asks,
        and record the issuance. A credential id can be issued once."""
        return self.issue_offering(act, issuer_id, credential, options)[0]

    def issue_offering(
        self,
        act: Act,
        issuer_id: UUID,
        credential: Any,
        options: Any = None,
        claim: ClaimRequest | None = None,
        *,
        issuer: Issuer | None = None,
    ) -> tuple[dict[str, Any], ClaimOffer | None]:
        """As :meth:`issue`, and with ``claim`` a claim offering it to a wallet, in the
        same act (a retry finds both). ``issuer``: the issuer as the request's
        authentication just read it (read again here when not given)."""
        if act.actor != str(issuer_id):
            raise UnknownIssuerError(f"no issuer {issuer_id}")
        issuer = BatchReads(self.aggregates, [issuer] if issuer else ()).get(Issuer, issuer_id)
        document, purposes = check_given_credential(credential, options, self.issuers.did(issuer))
        if claim is not None:
            subject_of(document)  # a wallet can be given only one subject
        vc_id = document.get("id")
        if isinstance(vc_id, str):  # the VC's own id names the aggregate: a retry finds it
            act = Act(act.actor, given_id_key(vc_id), act.digest, replayable=True)
        # One read tells whether anything the lookups below could find exists at all
        # (for a new credential, nothing does): they load only what is there.
        known = self.aggregates.known(self._ids_looked_up(act, issuer.id, vc_id))
        refuse_held_vc_id(
            vc_id,
            lambda held: held in known and self.aggregates.find(Credential, held) is not None,
        )
        with self.aggregates.acting(act) as act:
            credential_id = act.derived_id("credential")
            existing = None
            if known:
                existing = (
                    self.aggregates.find(Credential, credential_id)
                    or self.aggregates.earlier(Credential, act, "credential")
                    or self._given_before_ids_were_ledger_wide(issuer.id, vc_id)
                )
            if existing is not None:
                recorded = {
                    existing.acts.get(act.key),
                    existing.acts.get(per_issuer_key(issuer.id, vc_id)),
                }
                if existing.issuer_id != issuer.id or act.digest not in recorded:
                    raise CredentialIdTakenError(f"a credential with id {vc_id} was already issued")
                offered = self.claims.offered(act) if claim is not None else None
                return self.records.document(existing), offered
            offer = None
            if claim is not None:
                offer = self.claims.prepare(act, credential_id, issuer.id, claim)
            vc = self._sign_and_record(credential_id, issuer, document, purposes, options, offer)
            return vc, None if offer is None else offer[1]

    def _ids_looked_up(self, act: Act, issuer_id: UUID, vc_id: Any) -> list[UUID | None]:
        """Every id the lookups of :meth:`issue_offering` read: a credential the VC's id
        names, and what an earlier run of the act (keyed now, or per issuer as in 0.1)
        created."""
        keyed = act.keyed(self.aggregates.id_key)
        ids: list[UUID | None] = [keyed.derived_id("credential")]
        ids += self.aggregates.earlier_ids(keyed, "credential")
        if isinstance(vc_id, str):
            ids.append(uuid_of(vc_id) if vc_id.startswith("urn:uuid:") else None)
            per_issuer = Act(str(issuer_id), per_issuer_key(issuer_id, vc_id), replayable=True)
            ids += self.aggregates.earlier_ids(
                per_issuer.keyed(self.aggregates.id_key), "credential"
            )
        return ids

    def _sign_and_record(
        self,
        credential_id: UUID,
        issuer: Issuer,
        document: dict[str, Any],
        purposes: Sequence[str],
        options: Any,
        offer: tuple[LedgerAggregate, ClaimOffer] | None = None,
    ) -> dict[str, Any]:
        """Allocate a slot (if statuses were asked for), sign, seal, record (with the
        claim offered, if any), publish."""
        now = self.issuers.clock().replace(microsecond=0)
        slot = self.slots.allocate(issuer.id, set()) if purposes else None
        if slot is not None:
            entries = self.slots.entries(slot, purposes)
            document["credentialStatus"] = entries[0] if len(entries) == 1 else entries
        vc = self.issuers.sign_as(
            issuer,
            document,
            now,
            cryptosuite=cryptosuite_option(options),
            proof_array=rendering.is_open_badge(document),
        )
        aggregates = self._events_of(credential_id, issuer, vc, now, slot, purposes)
        if offer is not None:
            aggregates.append(offer[0])
        try:
            self.aggregates.save(*aggregates)
        except IntegrityError:
            if slot is not None:
                self.slots.note_used(slot)
            raise ConcurrentChangeError(
                "the credential or its status index was taken; retry"
            ) from None
        if slot is not None:
            self.slots.note_used(slot)
            self.status_lists.after_award({(slot.group, issuer.id, slot.number)})
        return vc

    def _events_of(
        self,
        credential_id: UUID,
        issuer: Issuer,
        vc: dict[str, Any],
        now: datetime,
        slot: Slot | None,
        purposes: Sequence[str],
    ) -> list[LedgerAggregate]:
        """The Credential (its VC sealed under a key of its own) and its slot claim."""
        vc_id = vc.get("id")
        canonical = canonical_json(vc)
        vault = self.issuers.vault
        subject_key_id = vault.subject_key_id("credential", str(vc_id or credential_id))
        sealed = vault.seal(
            subject_key_id, encode_deterministic({"credential": canonical}), credential_id.bytes
        )
        credential = Credential(
            issuer_id=issuer.id,
            achievement_id=None,
            achievement_version=0,
            subject_key_id=subject_key_id,
            sealed=sealed,
            digest=hashlib.sha256(canonical).digest(),
            awarded_at=now,
            valid_until=None,
            signing_key_id=issuer.active_key_id,
            status_slot=None if slot is None else slot.recorded(purposes),
            vc_id=vc_id if isinstance(vc_id, str) else None,
        )
        return [credential] if slot is None else [credential, slot.claim(credential_id)]

    def find(self, issuer_id: UUID, vc_id: str) -> Credential:
        """A credential issued through the VC API, by its own id (its issuer only)."""
        act = Act(str(issuer_id), given_id_key(vc_id), replayable=True).keyed(
            self.aggregates.id_key
        )
        found = self.aggregates.earlier(Credential, act, "credential")
        if found is None or found.issuer_id != issuer_id:
            found = self._given_before_ids_were_ledger_wide(issuer_id, vc_id)
        if found is None or found.issuer_id != issuer_id:
            found = self.aggregates.find(Credential, uuid_of(vc_id))
        if found is None or found.issuer_id != issuer_id:
            raise UnknownCredentialError(f"no credential {vc_id} of this issuer")
        return found

    def _given_before_ids_were_ledger_wide(self, issuer_id: UUID, vc_id: Any) -> Credential | None:
        """A credential given through the VC API when its id named it per issuer
        (credledger 0.1): found so that retries and status updates of those keep working."""
        if not isinstance(vc_id, str):
            return None
        act = Act(str(issuer_id), per_issuer_key(issuer_id, vc_id), replayable=True)
        return self.aggregates.earlier(Credential, act.keyed(self.aggregates.id_key), "credential")
