"""Claims: an award offered to the learner's wallet through one URL, delivered once.

    offer (the issuer's act, alone or with the award) -> Claim.Offered
    open(secret) -> the claim, if it is still open (not used, withdrawn or expired)
    check_tx_code -> the transaction code, when one guards it (slow hash, constant time,
                     a few wrong tries per claim at a time)
    deliver(claim, holder) -> the award signed anew for the holder's DID: same id and
                     status entries; Claim.Claimed + Credential.Delivered, one transaction
    withdraw (the issuer) -> Claim.Withdrawn for every open claim of a credential
    expire_due (the tick) -> Claim.Expired for every open claim past its time

The wallet protocols (the VC-API exchange, ``claim_exchange.py``; OpenID4VCI) sit on
these: each opens a claim by its secret, proves the holder's key its own way, and
delivers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID

from credledger.ledger.credentials.canonical import canonical_json
from credledger.ledger.credentials.rendering import rfc3339
from credledger.ledger.domain.acts import CLOCK, HOLDER, Act
from credledger.ledger.domain.claim import OPEN, Claim
from credledger.ledger.domain.credential import REVOKED, Credential
from credledger.ledger.domain.errors import (
    ClaimUsedError,
    ClaimWithdrawnError,
    ConcurrentChangeError,
    FieldError,
    HolderNotAuthenticatedError,
    NotDeliverableError,
    RequestInvalidError,
    TxCodeLockedError,
    TxCodeMismatchError,
    TxCodeRequiredError,
    UnknownClaimError,
)
from credledger.ledger.domain.holders import holder_did
from credledger.ledger.domain.issuer import Issuer
from credledger.ledger.services import claim_secrets as secrets
from credledger.ledger.services.credential_records import CredentialRecords
from credledger.ledger.services.issuers import Issuers
from credledger.ledger.store.aggregates import Aggregates
from credledger.ledger.store.settings import CLAIM_LIFETIME_BOUNDS
from credledger.ledger.store.transcoder import encode_deterministic
from credledger.ledger.store.vault import Vault
from eventsourcing.persistence import IntegrityError

CREDENTIAL_CONFIGURATION = "openbadge_credential"
"""The OpenID4VCI credential configuration id of an award (SURF edubadges' pre-authorized
offers name theirs so: docs/wallets.md)."""
CHALLENGE_LIFETIME = timedelta(minutes=30)


@dataclass(frozen=True)
class ClaimRequest:
    """What an issuer asks of a claim: a transaction code, and how long it stays open."""

    tx_code: bool = False
    expires_in: int | None = None


@dataclass(frozen=True)
class ClaimUrls:
    """Where a claim is reached: the interaction URL, its VC-API exchange, the
    OpenID4VCI credential offer (JSON) and the offer URI that points at it."""

    url: str
    exchange: str
    offer_json: str

    @property
    def offer(self) -> str:
        return f"openid-credential-offer://?credential_offer_uri={quote(self.offer_json, safe='')}"


@dataclass(frozen=True)
class ClaimOffer:
    """What the issuer gets back (once; the secret and code are not recorded)."""

    urls: ClaimUrls
    expires_at: datetime
    tx_code: str | None

    def as_dict(self) -> dict[str, Any]:
        answer = {"url": self.urls.url, "offer": self.urls.offer}
        if self.tx_code is not None:
            answer["tx_code"] = self.tx_code
        answer["expires_at"] = rfc3339(self.expires_at)
        return answer


@dataclass(frozen=True)
class Delivery:
    """A delivered copy: the VC signed for the holder, and where its leaf is."""

    vc: dict[str, Any]
    credential_id: UUID
    version: int


def checked_request(request: ClaimRequest) -> ClaimRequest:
    low, high = CLAIM_LIFETIME_BOUNDS
    seconds = request.expires_in
    if seconds is not None and (
        isinstance(seconds, bool) or not isinstance(seconds, int) or not low <= seconds <= high
    ):
        message = f"must be a whole number of seconds from {low} to {high}"
        raise RequestInvalidError([FieldError(("expires_in",), message)])
    if not isinstance(request.tx_code, bool):
        raise RequestInvalidError([FieldError(("tx_code",), "must be true or false")])
    return request


def subject_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """The credential's one subject (NotDeliverableError when it has none or many)."""
    subject = document.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, dict):
        raise NotDeliverableError("the credential has no single subject to give a holder's DID")
    return subject


def bound_copy(document: Mapping[str, Any], did: str) -> dict[str, Any]:
    """The credential without its proof, its one subject given the holder's DID.
    Raises NotDeliverableError (no single subject) or HolderNotAuthenticatedError (the
    credential already names another holder)."""
    copy = {key: value for key, value in document.items() if key != "proof"}
    subject = subject_of(copy)
    listed = isinstance(copy["credentialSubject"], list)
    if subject.get("id") not in (None, did):
        raise HolderNotAuthenticatedError("this credential names another holder's DID")
    subject = {"id": did, **{k: v for k, v in subject.items() if k != "id"}}
    copy["credentialSubject"] = [subject] if listed else subject
    return copy


def _suite_of(document: Mapping[str, Any]) -> str:
    proofs = document.get("proof")
    proof = proofs[0] if isinstance(proofs, list) and proofs else proofs
    suite = proof.get("cryptosuite") if isinstance(proof, Mapping) else None
    return suite if suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022") else "eddsa-rdfc-2022"


class Claims:
    """Offers, opens, checks, delivers and withdraws claims."""

    def __init__(
        self,
        aggregates: Aggregates,
        vault: Vault,
        records: CredentialRecords,
        issuers: Issuers,
        lifetime: int,
        claims_of: Callable[[UUID], list[UUID]],
        catch_up: Callable[[], None],
        claims_due: Callable[[str, int], list[str]] | None = None,
    ) -> None:
        self.aggregates = aggregates
        self.vault = vault
        self.records = records
        self.issuers = issuers
        self.clock = issuers.clock
        self.lifetime = lifetime
        self.claims_of = claims_of
        self.catch_up = catch_up
        self.claims_due = claims_due or (lambda now, limit: [])
        self.tokens = secrets.ChallengeTokens.under(aggregates.id_key)
        self.attempts = secrets.Attempts()

    # -- where -----------------------------------------------------------------------------
    def urls(self, secret_text: str) -> ClaimUrls:
        base = self.issuers.identity.base_url
        url = f"{base}/claims/{secret_text}"
        return ClaimUrls(url, f"{url}/exchange", f"{url}/offer")

    @property
    def domain(self) -> str:
        """The domain a holder's proof names: the host (and port) of the base URL."""
        base = self.issuers.identity.base_url
        return base.split("://", 1)[1].split("/", 1)[0]

    # -- offering ----------------------------------------------------------------------------
    def offer(self, act: Act, credential_id: UUID, request: ClaimRequest) -> ClaimOffer:
        """Offer the issuer's credential to a wallet: one act (a retry finds its claim)."""
        request = checked_request(request)
        credential = self.records.owned(UUID(act.actor), credential_id)
        with self.aggregates.acting(act) as act:
            earlier = self.offered(act)
            if earlier is not None:
                return earlier
            self.check_deliverable(credential, self.records.document(credential))
            claim, offer = self.prepare(act, credential.id, credential.issuer_id, request)
            found = self.aggregates.save_new(Claim, claim.id, claim)
        return offer if found is None else self._offer_of(found, act)

    def prepare(
        self, act: Act, credential_id: UUID, issuer_id: UUID, request: ClaimRequest
    ) -> tuple[Claim, ClaimOffer]:
        """The Claim an act offers (not saved) and its offer; call inside the act."""
        request = checked_request(request)
        secret = secrets.derived_secret(self.aggregates.id_key, act.key)
        now = self.clock().replace(microsecond=0)
        expires_at = now + timedelta(seconds=request.expires_in or self.lifetime)
        code = secrets.derived_tx_code(self.aggregates.id_key, act.key) if request.tx_code else None
        claim = Claim.offer(
            secrets.claim_id_of(self.aggregates.id_key, secret),
            credential_id=credential_id,
            issuer_id=issuer_id,
            expires_at=expires_at,
            tx_code=None if code is None else secrets.hash_tx_code(code),
        )
        return claim, ClaimOffer(self.urls(secrets.secret_text(secret)), expires_at, code)

    def offered(self, act: Act) -> ClaimOffer | None:
        """The claim this act offered before (a retried act), if any."""
        secret = secrets.derived_secret(self.aggregates.id_key, act.key)
        claim = self.aggregates.find(Claim, secrets.claim_id_of(self.aggregates.id_key, secret))
        if claim is None or not claim.already_done():
            return None
        return self._offer_of(claim, act)

    def _offer_of(self, claim: Claim, act: Act) -> ClaimOffer:
        secret = secrets.derived_secret(self.aggregates.id_key, act.key)
        code = secrets.derived_tx_code(self.aggregates.id_key, act.key) if claim.guarded else None
        return ClaimOffer(self.urls(secrets.secret_text(secret)), claim.expires_at, code)

    @staticmethod
    def check_deliverable(credential: Credential, document: Mapping[str, Any]) -> None:
        if credential.state == REVOKED:
            raise NotDeliverableError("a revoked credential is not offered to wallets")
        subject_of(document)

    # -- claiming ----------------------------------------------------------------------------
    def find(self, secret_text: str) -> Claim | None:
        """The claim behind a claim URL's secret (whatever its state), or None."""
        secret = secrets.secret_from_text(secret_text)
        if secret is None:
            return None
        return self.aggregates.find(Claim, secrets.claim_id_of(self.aggregates.id_key, secret))

    def open(self, secret_text: str) -> Claim:
        """The claim behind the secret, if it can still be claimed; else UnknownClaimError
        or the ClaimClosedError that says why not (a revoked credential's claims are as
        withdrawn)."""
        claim = self.find(secret_text)
        if claim is None:
            raise UnknownClaimError("no claim at this URL")
        return self.still_open(claim)

    def open_by_id(self, claim_id: UUID) -> Claim:
        """The claim of this id (one a token of ours names), if it can still be claimed."""
        claim = self.aggregates.find(Claim, claim_id)
        if claim is None:
            raise UnknownClaimError("no such claim")
        return self.still_open(claim)

    def still_open(self, claim: Claim) -> Claim:
        claim.check_open(self.clock())
        if self.records.credential(claim.credential_id).state == REVOKED:
            raise ClaimWithdrawnError("the credential of this claim was revoked")
        return claim

    def check_tx_code(self, claim: Claim, code: Any) -> None:
        """The transaction code given is the claim's (no-op for an unguarded claim)."""
        if claim.tx_code is None:
            return
        if code is None or code == "":
            raise TxCodeRequiredError("this claim needs the transaction code sent to you")
        wait = self.attempts.wait(claim.id)
        if wait:
            raise TxCodeLockedError("too many wrong transaction codes; try again later", wait)
        if not isinstance(code, str) or not secrets.tx_code_matches(claim.tx_code, code):
            self.attempts.failed(claim.id)
            raise TxCodeMismatchError("the transaction code is not this claim's")

    def challenge(self, claim: Claim, purpose: int, *, tx_code_given: bool = False) -> str:
        """A fresh challenge (or pass) for this claim; writes nothing."""
        expires_at = self.clock() + CHALLENGE_LIFETIME
        return self.tokens.mint(claim.id, purpose, expires_at, tx_code_given=tx_code_given)

    def read_challenge(self, claim: Claim, token: Any) -> secrets.Challenge | None:
        return self.tokens.read(token, claim.id, self.clock())

    def deliver(
        self,
        claim: Claim,
        holder: str | Mapping[str, Any],
        protocol: str,
        *,
        tx_code_given: bool,
    ) -> Delivery:
        """Sign the award for the holder and record the delivery (once per claim)."""
        now = self.clock()
        claim.check_open(now)
        if claim.guarded and not tx_code_given:
            raise TxCodeRequiredError("this claim needs the transaction code sent to you")
        did = holder_did(holder)
        credential = self.records.credential(claim.credential_id)
        if credential.state == REVOKED:
            raise ClaimWithdrawnError("the credential of this claim was revoked")
        document = self.records.document(credential)
        issuer = self.aggregates.get(Issuer, credential.issuer_id)
        vc = self.issuers.sign_as(
            issuer,
            bound_copy(document, did),
            now.replace(microsecond=0),
            cryptosuite=_suite_of(document),
            proof_array=isinstance(document.get("proof"), list),
        )
        canonical = canonical_json(vc)
        key_id = credential.subject_key_id
        with self.aggregates.acting(Act(HOLDER)):
            claim.claim(
                now,
                subject_key_id=key_id,
                holder=self.vault.seal(key_id, did.encode(), claim.id.bytes + b"/holder"),
                protocol=protocol,
            )
            credential.deliver(
                claim.id,
                self.vault.seal(
                    key_id, encode_deterministic({"credential": canonical}), claim.id.bytes
                ),
                hashlib.sha256(canonical).digest(),
                issuer.active_key_id,
            )
            self._save_delivery(claim, credential)
        return Delivery(vc, credential.id, credential.version)

    def _save_delivery(self, claim: Claim, credential: Credential) -> None:
        try:
            self.aggregates.save(claim, credential)
        except IntegrityError:
            again = self.aggregates.get(Claim, claim.id)
            if again.state != OPEN:
                raise ClaimUsedError("this claim was used already; a claim delivers once") from None
            raise ConcurrentChangeError("the credential changed meanwhile; try again") from None

    # -- expiring ----------------------------------------------------------------------------
    def expire_due(self, limit: int = 500) -> int:
        """Record the expiry of open claims whose time ran out (the server's tick, by the
        clock); how many. A claim used or withdrawn meanwhile (another process) is left
        to the next tick."""
        now = self.clock()
        due = self.claims_due(now.replace(microsecond=0).isoformat(), limit)
        claims = [self.aggregates.get(Claim, UUID(i)) for i in due]
        with self.aggregates.acting(Act(CLOCK)):
            expiring = [claim for claim in claims if claim.expire(now)]
            if expiring:
                try:
                    self.aggregates.save(*expiring)
                except IntegrityError:
                    return 0
        return len(expiring)

    # -- withdrawing -------------------------------------------------------------------------
    def withdraw(self, act: Act, credential_id: UUID, reason: str) -> int:
        """Withdraw every open (or expired) claim of the issuer's credential; how many (a
        retried act answers what it did the first time)."""
        self.records.owned(UUID(act.actor), credential_id)
        self.catch_up()  # the write path: claims offered by another process are seen
        claims = [self.aggregates.get(Claim, i) for i in self.claims_of(credential_id)]
        with self.aggregates.acting(act) as act:
            earlier = [c for c in claims if act.key in c.acts and c.already_done()]
            if earlier:
                return len(earlier)
            closing = [c for c in claims if c.state == OPEN]
            for claim in closing:
                claim.withdraw(act.actor, reason)
            if closing:
                try:
                    self.aggregates.save(*closing)
                except IntegrityError:
                    raise ConcurrentChangeError("a claim changed meanwhile; try again") from None
        return len(closing)
