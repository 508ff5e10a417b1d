"""Share links: a learner asks their institution for a link to show a credential.

The issuer (which acts for the learner) makes a link; whoever holds it sees the
credential's verification page and may download the credential and its proof bundle;
ending the sharing ends every link of the credential at once. Making and ending links
are acts in the log; the token itself is recorded nowhere (``domain/share_link.py``).
"""

from __future__ import annotations

from uuid import UUID

from credledger.ledger.domain.acts import Act
from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.errors import UnknownShareLinkError
from credledger.ledger.domain.share_link import ShareLink, link_id, share_token
from credledger.ledger.services.credential_records import CredentialRecords
from credledger.ledger.store.aggregates import Aggregates


class Sharing:
    """Making, ending and opening the share links of credentials."""

    def __init__(self, aggregates: Aggregates, records: CredentialRecords) -> None:
        self.aggregates = aggregates
        self.records = records

    def share(self, act: Act, credential_id: UUID) -> str:
        """A new link's token (the same token again for a retry of the same act).

        Raises UnknownCredentialError for another issuer's credential and
        SubjectErasedError once the learner's data was erased (nothing left to show).
        """
        credential = self.records.owned(UUID(act.actor), credential_id)
        self.records.document(credential)
        with self.aggregates.acting(act) as keyed:
            token = share_token(self.aggregates.id_key, keyed.key)
            new_id = ShareLink.create_id()
            earlier = self.aggregates.find(ShareLink, new_id)
            if earlier is not None:
                earlier.already_done()  # IdempotencyKeyReusedError for another request
                return token
            link = ShareLink(
                credential_id=credential.id,
                issuer_id=credential.issuer_id,
                sharing_round=credential.sharing_round,
            )
            self.aggregates.save_new(ShareLink, new_id, link)
        return token

    def unshare(self, act: Act, credential_id: UUID) -> None:
        """End every link of the credential made so far (links made later live)."""
        credential = self.records.owned(UUID(act.actor), credential_id)
        with self.aggregates.acting(act) as keyed:
            if credential.already_done():
                return
            credential.end_sharing(keyed.actor)
            self.aggregates.save(credential)

    def shared(self, token: str) -> Credential:
        """The credential a live link opens; UnknownShareLinkError for any other token
        (malformed, never made, ended, or of a credential whose data was erased)."""
        found = link_id(self.aggregates.id_key, token)
        link = self.aggregates.find(ShareLink, found)
        if link is None:
            raise UnknownShareLinkError("no share link with this token")
        credential = self.records.credential(link.credential_id)
        if credential.sharing_round != link.sharing_round:
            raise UnknownShareLinkError("no share link with this token")
        return credential
