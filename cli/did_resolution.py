"""Resolving issuers' DIDs for the command line: did:web through the guarded fetcher.

did:key needs no resolution (the verifier builds its document). A did:web document is
fetched from the HTTPS URL the DID names (did:web §3.2) through the one guarded
fetcher (``ledger/verify/guarded_fetch.py``, within the verification's ``FetchSession``), or
taken from a file the user gives (for checks without a network). Under
``--allow-private`` (tests on 127.0.0.1) a did:web whose host is a loopback or private
address is fetched over plain HTTP, since test servers there have no certificate; a
public host is always HTTPS.

A DID that does not resolve follows the server's rule (``unresolved`` in
``ledger/verify/did_web.py``): its host answering 404 or 410 says there is no such DID
(invalid); any other failure leaves the verdict undecided.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from credledger.ledger.verify.did_web import (
    DidResolutionError,
    check_did_document,
    did_web_url,
    unresolved,
)
from credledger.ledger.verify.fetch_session import FetchSession
from credledger.ledger.verify.guarded_fetch import FetchError


def _private_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


class DidResolver:
    """``resolve_did`` for the credential verifier; remembers where each document came from."""

    def __init__(
        self, session: FetchSession, given: Mapping[str, dict[str, Any]] | None = None
    ) -> None:
        self.session = session
        self.given = dict(given or {})
        self.documents: dict[str, dict[str, Any]] = {}
        self.sources: dict[str, str] = {}

    @classmethod
    def with_files(cls, session: FetchSession, files: list[Path]) -> DidResolver:
        """A resolver that takes these DID documents (JSON files) as given."""
        import json

        given: dict[str, dict[str, Any]] = {}
        for file in files:
            try:
                document = json.loads(file.read_text("utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise DidResolutionError(f"{file} is not a DID document: {exc}") from None
            if not isinstance(document, dict) or not isinstance(document.get("id"), str):
                raise DidResolutionError(f"{file} is not a DID document (no id)")
            given[document["id"]] = document
        return cls(session, given)

    def __call__(self, did: str) -> dict[str, Any]:
        if did in self.documents:
            return self.documents[did]
        if did in self.given:
            self.sources[did] = "the DID document you gave"
            self.documents[did] = self.given[did]
            return self.given[did]
        url = self.url_of(did)
        if url.startswith("http:"):
            try:
                fetched = self.session.json(url)
            except FetchError as exc:
                raise unresolved(did, exc) from exc
            document = check_did_document(did, fetched)
        else:
            document = self.session.did_document(did)
        self.sources[did] = url
        self.documents[did] = document
        return document

    def url_of(self, did: str) -> str:
        url = did_web_url(did)  # refuses anything but did:web
        parts = urlsplit(url)
        if self.session.fetcher.allow_private and _private_host(parts.hostname or ""):
            return urlunsplit(parts._replace(scheme="http"))
        return url
