"""What a share link opens: ``GET /c/<token>``, the credential verified, for whoever the
learner gave the link to.

A browser gets the verify result page with the link's QR code (made here), downloads of
the credential and its proof bundle, and a link to add it to a LinkedIn profile; a client
asking for ``application/ld+json`` (or ``application/vc``) gets the credential itself.
Any token that opens nothing (never made, ended, its learner's data erased) gets the same
404, so an answer tells nothing about a token but that it does not work. Pages carry
``Referrer-Policy: no-referrer`` (the token never leaves in a Referer header) and
``noindex``. Reads only: nothing is recorded when a link is opened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from credledger.api.auth import LedgerDep
from credledger.api.pages.checking import check
from credledger.api.pages.qr import qr_svg
from credledger.api.pages.routes import error_page, messages_for, result_page
from credledger.api.pages.submission import Submission
from credledger.api.problems import SECURITY_HEADERS, Problem, problem_response
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.credential import Credential
from credledger.ledger.domain.errors import LedgerError
from credledger.ledger.store.vault import SubjectErasedError
from fastapi import APIRouter, Request
from fastapi.responses import Response

router = APIRouter(include_in_schema=False)

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"
"""LinkedIn's add-to-profile address for a certification (a link the person follows;
nothing is loaded from there)."""
CREDENTIAL_TYPES = {
    "application/vc": "application/vc",
    "application/vc+ld+json": "application/vc+ld+json",
    "application/ld+json": "application/ld+json",
    "application/json": "application/json",
}
"""Media types a client may ask for the credential itself by (VC DM 2.0 §6.2 names
``application/vc``), and the type it is then sent as."""
LINK_HEADERS = {**SECURITY_HEADERS, "X-Robots-Tag": "noindex, nofollow", "Vary": "Accept"}


@dataclass(frozen=True)
class ShareExtras:
    """What the result page adds when a share link opened it."""

    url: str
    path: str
    qr: str
    """Inline SVG made by segno from the link alone (the title escaped by segno)."""
    credential_href: str
    bundle_href: str
    linkedin_href: str


def _opened(ledger: CredentialLedger, token: str) -> tuple[Credential, dict[str, Any]] | None:
    """The credential a live link opens, and its signed document; None for any other."""
    try:
        credential = ledger.sharing.shared(token)
        return credential, ledger.records.document(credential)
    except (LedgerError, LookupError, SubjectErasedError):
        return None


def _wanted_type(accept: str) -> str | None:
    """The credential media type the client asked for, if it asked for one before HTML."""
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in ("text/html", "application/xhtml+xml"):
            return None
        if media in CREDENTIAL_TYPES:
            return CREDENTIAL_TYPES[media]
    return None


def _not_found(request: Request, wanted: str | None) -> Response:
    if wanted is not None:
        detail = "this link opens nothing (unknown or ended)"
        problem = Problem(404, detail, kind="not-found", headers=LINK_HEADERS)
        return problem_response(problem)
    page = error_page(request, 404, "share.unknown")
    page.headers.update({"X-Robots-Tag": "noindex, nofollow", "Vary": "Accept"})
    return page


@router.get("/c/{token}")
def shared_credential(request: Request, ledger: LedgerDep, token: str) -> Response:
    """The credential a learner shared, verified now (or as JSON when asked for)."""
    wanted = _wanted_type(request.headers.get("accept", ""))
    opened = _opened(ledger, token)
    if opened is None:
        return _not_found(request, wanted)
    credential, document = opened
    if wanted is not None:
        return Response(_json(document), media_type=wanted, headers=LINK_HEADERS)
    t = messages_for(request)
    url = f"{ledger.identity.base_url}/c/{token}"
    extras = ShareExtras(
        url=url,
        path=f"/c/{token}",
        qr=qr_svg(url, title=t("share.qr")),
        credential_href=f"/c/{token}/credential",
        bundle_href=f"/c/{token}/proof",
        linkedin_href=linkedin_link(document, credential, url),
    )
    page = result_page(request, ledger, check(ledger, document), Submission(), share=extras)
    page.headers.update({"X-Robots-Tag": "noindex, nofollow", "Vary": "Accept"})
    return page


@router.get("/c/{token}/credential")
def shared_download(request: Request, ledger: LedgerDep, token: str) -> Response:
    """The shared credential as a file (JSON), to keep or to give on."""
    opened = _opened(ledger, token)
    if opened is None:
        return _not_found(request, None)
    headers = {**LINK_HEADERS, "Content-Disposition": 'attachment; filename="credential.json"'}
    return Response(_json(opened[1]), media_type="application/ld+json", headers=headers)


@router.get("/c/{token}/proof")
def shared_bundle(request: Request, ledger: LedgerDep, token: str) -> Response:
    """The shared credential's offline proof bundle (``credledger proof verify`` reads it)."""
    opened = _opened(ledger, token)
    if opened is None:
        return _not_found(request, None)
    try:
        bundle = ledger.proofs.bundle(opened[0].id)
    except (LedgerError, LookupError):
        return error_page(request, 503, "share.not_anchored")
    headers = {**LINK_HEADERS, "Content-Disposition": 'attachment; filename="proof-bundle.json"'}
    return Response(_json(bundle), media_type="application/json", headers=headers)


def _json(document: Any) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


def linkedin_link(document: dict[str, Any], credential: Credential, url: str) -> str:
    """LinkedIn's add-to-profile link for a certification: the achievement's name, the
    issuer's name, the award month, the expiry month if any, the share link and the id."""
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    name = achievement.get("name") if isinstance(achievement, dict) else None
    issuer = document.get("issuer")
    organisation = issuer.get("name") if isinstance(issuer, dict) else None
    fields: list[tuple[str, str]] = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", str(name or document.get("name") or "Credential")[:200]),
    ]
    if organisation:
        fields.append(("organizationName", str(organisation)[:200]))
    awarded: datetime = credential.awarded_at
    fields += [("issueYear", str(awarded.year)), ("issueMonth", str(awarded.month))]
    if credential.valid_until is not None:
        fields += [
            ("expirationYear", str(credential.valid_until.year)),
            ("expirationMonth", str(credential.valid_until.month)),
        ]
    fields += [("certUrl", url), ("certId", credential.vc_id)]
    return f"{LINKEDIN_ADD}?{urlencode(fields)}"
