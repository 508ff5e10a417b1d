"""Since when this ledger's status list has shown a credential revoked or suspended.

The answer is the validity start of the first published list version, in the run of
versions up to the newest, whose bit for the credential is set: a date anyone who read
the public list then could have seen. The moment of the issuer's act, and its reason,
stay with the issuer (``GET /v1/credentials/{id}/status-history`` needs its token).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from credledger.ledger.application import CredentialLedger
from credledger.revocation.bitstring import Bitstring
from credledger.revocation.errors import StatusListError

MAX_VERSIONS = 2000
"""Lists with a longer history are not walked (the page then names the list read)."""


def set_since(ledger: CredentialLedger, list_url: str, index: int) -> str | None:
    """The ``validFrom`` of the first version in the newest run showing ``index`` set,
    for one of this ledger's own lists; None for any other list, or when unknown."""
    base = ledger.identity.base_url_of(list_url)
    prefix = f"{base}/v1/status/"
    if base is None or not list_url.startswith(prefix):
        return None
    try:
        list_uuid = UUID(list_url[len(prefix) :])
    except ValueError:
        return None
    documents: list[dict[str, Any]] = []
    for stored in ledger.events.get(list_uuid):
        document = getattr(stored, "document", None)
        if isinstance(document, dict):
            documents.append(document)
        if len(documents) > MAX_VERSIONS:
            return None
    since: str | None = None
    for document in reversed(documents):
        try:
            subject = document["credentialSubject"]
            if not Bitstring.decode(str(subject["encodedList"])).get(index):
                break
        except (KeyError, TypeError, IndexError, ValueError, StatusListError):
            return None
        since = str(document.get("validFrom") or "") or None
    return since
