"""The pages for people: ``/`` (what this ledger is) and ``/verify`` (check a credential).

Server-rendered HTML from bundled Jinja2 templates (autoescaped), one bundled
stylesheet, no script: a form posts, the answer is a page. A Content-Security-Policy
keeps every page to this origin. Nothing submitted is stored.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from credledger.api.auth import LedgerDep
from credledger.api.limits import MAX_BODY_BYTES
from credledger.api.pages.baked import BakedImageError, credential_text
from credledger.api.pages.catalogue import VARIANTS, Filters, issuer_achievements, search
from credledger.api.pages.checking import Checked, check, fetch_session, parse
from credledger.api.pages.messages import COOKIE, Messages, negotiate
from credledger.api.pages.submission import Submission, SubmissionError, read_form
from credledger.api.pages.view import achievement_rows, day, key_place, result_view
from credledger.api.problems import SECURITY_HEADERS, Problem
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.errors import LedgerError
from credledger.ledger.store.vault import SubjectErasedError
from credledger.ledger.verify.guarded_fetch import FetchError
from credledger.ledger.verify.report import Outcome
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.types import Scope

router = APIRouter(include_in_schema=False)

PAGES_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
FORM_PATHS = frozenset({"/verify", "/verify/bundle"})
"""Paths that take an HTML form body (not JSON): api/limits.py lets these through."""
STYLESHEET = "/pages/style.css"

_templates = Environment(
    loader=PackageLoader("credledger.api.pages", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def messages_for(request: Request) -> Messages:
    return Messages(
        negotiate(
            request.query_params.get("lang"),
            request.cookies.get(COOKIE),
            request.headers.get("accept-language"),
        )
    )


def _switch_href(request: Request, language: str) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    path = request.url.path if request.method == "GET" else "/verify"
    return f"{path}?{urlencode([*query, ('lang', language)])}"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    t = messages_for(request)
    html = _templates.get_template(template).render(
        t=t,
        lang=t.language,
        switch_href=_switch_href(request, t.other),
        stylesheet=STYLESHEET,
        limit_kb=MAX_BODY_BYTES // 1024,
        **context,
    )
    response = HTMLResponse(
        html,
        status_code=status_code,
        headers={
            **SECURITY_HEADERS,
            "Content-Security-Policy": PAGES_CSP,
            "Content-Language": t.language,
            "Vary": "Accept-Language, Cookie",
        },
    )
    chosen = request.query_params.get("lang")
    if chosen == t.language:
        response.set_cookie(COOKIE, chosen, max_age=31_536_000, samesite="lax", httponly=True)
    return response


def refused_form(scope: Scope, problem: Problem) -> Response:
    """A form the request limits refused (too large, say), answered as a page."""
    request = Request(scope)
    t = messages_for(request)
    words = (
        t("error.too_large", limit=MAX_BODY_BYTES // 1024)
        if problem.status == 413
        else t("error.form")
    )
    return render(request, "error.html", status_code=problem.status, problem=words)


@router.get("/")
def home(request: Request, ledger: LedgerDep) -> HTMLResponse:
    """What this ledger is, and where to go (a read: it catches nothing up)."""
    return render(
        request,
        "home.html",
        base_url=ledger.identity.base_url,
        origin=ledger.identity.log_origin,
        size=ledger.tlog.size(),
    )


@router.get(STYLESHEET)
def stylesheet() -> Response:
    css = resources.files("credledger.api.pages").joinpath("static", "style.css").read_bytes()
    return Response(
        css,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=86400", "Content-Security-Policy": PAGES_CSP},
    )


@router.get("/verify")
def verify_page(request: Request, ledger: LedgerDep, url: str | None = None) -> HTMLResponse:
    """The form; with ``?url=`` the result for the credential at that address."""
    if not url:
        return render(request, "verify.html", form=Submission())
    submission = Submission(url=url.strip()[:2000])
    return result_page(request, ledger, _from_url(ledger, submission.url or ""), submission)


@router.post("/verify")
async def verify_submitted(request: Request, ledger: LedgerDep) -> HTMLResponse:
    """The result page for what was pasted, uploaded or addressed in the form."""
    try:
        submission = read_form(request.headers.get("content-type", ""), await request.body())
    except SubmissionError:
        return error_page(request, 400, "error.form")
    if submission.file:
        try:
            text = credential_text(submission.file)
        except BakedImageError as exc:
            return result_page(request, ledger, _unreadable(ledger, str(exc)), submission)
        return result_page(request, ledger, _checked(ledger, text, submission), submission, text)
    if submission.text.strip():
        checked = _checked(ledger, submission.text, submission)
        return result_page(request, ledger, checked, submission, submission.text)
    if submission.url:
        return result_page(request, ledger, _from_url(ledger, submission.url), submission)
    return render(request, "verify.html", status_code=400, form=submission, empty=True)


@router.post("/verify/bundle")
async def bundle_download(request: Request, ledger: LedgerDep) -> Response:
    """The proof bundle of the credential presented, as ``POST /v1/proofs`` gives it:
    only the holder of the exact signed credential can ask for it."""
    try:
        submission = read_form(request.headers.get("content-type", ""), await request.body())
        document = parse(submission.text)
    except (SubmissionError, ValueError):
        return error_page(request, 400, "result.unreadable")
    try:
        bundle = ledger.proofs.holder_bundle(document)
    except SubjectErasedError:
        return error_page(request, 410, "log.erased")
    except (LedgerError, LookupError):
        return error_page(request, 404, "log.not_here")
    return Response(
        json.dumps(bundle, indent=2, ensure_ascii=False).encode("utf-8"),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="proof-bundle.json"'},
    )


def error_page(request: Request, status: int, key: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status, problem=messages_for(request)(key))


def _unreadable(ledger: CredentialLedger, problem: str) -> Checked:
    return Checked("unreadable", Outcome.INVALID, ledger.clock(), problem=problem)


def _checked(ledger: CredentialLedger, text: str, submission: Submission) -> Checked:
    try:
        document = parse(text)
    except ValueError as exc:
        return _unreadable(ledger, str(exc)[:300])
    return check(ledger, document, challenge=submission.challenge, domain=submission.domain)


def _from_url(ledger: CredentialLedger, url: str) -> Checked:
    """The credential at ``url``, read only through the guarded fetcher (public
    addresses only, bounded size and time); one that cannot be read is undecided."""
    if not url.startswith(("https://", "http://")):
        return _unreadable(ledger, "give an http(s) address")
    session = fetch_session(ledger, limit=1)
    try:
        document = session.json(url)
    except FetchError:
        return Checked(
            "unreadable",
            Outcome.UNDECIDED,
            ledger.clock(),
            problem="the address could not be read (it must be public and answer JSON)",
        )
    if isinstance(document, str):
        return _checked(ledger, document, Submission())
    return check(ledger, document)


def result_page(
    request: Request,
    ledger: CredentialLedger,
    checked: Checked,
    submission: Submission,
    text: str | None = None,
    share: object | None = None,
) -> HTMLResponse:
    """The verdict and what was checked; ``share``: the share link's extras (its QR
    code, downloads and the add-to-profile link) when a link opened the page."""
    t = messages_for(request)
    view = result_view(checked, t)
    downloads = [
        json.dumps(found.document, ensure_ascii=False)
        if found.log.bundle_here and not found.jwt
        else None
        for found in checked.credentials
    ]
    return render(
        request,
        "result.html",
        view=view,
        downloads=downloads,
        again_text=text if text is not None and len(text) <= MAX_BODY_BYTES // 2 else None,
        submission=submission,
        share=share,
    )


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


@router.get("/catalogue")
def catalogue(request: Request, ledger: LedgerDep) -> HTMLResponse:
    """Search the published achievements (full text, variant, EQF, ECTS, language)."""
    filters = Filters.from_query(dict(request.query_params))
    rows, more = search(ledger, filters)
    return render(
        request, "catalogue.html", filters=filters, rows=rows, more=more, variants=VARIANTS
    )


@router.get("/catalogue/{achievement_id}")
def achievement_page(request: Request, ledger: LedgerDep, achievement_id: str) -> HTMLResponse:
    """One achievement with every standard element it carries, and who offers it."""
    found = _uuid(achievement_id)
    try:
        achievement = ledger.achievements.achievement(found) if found else None
    except (LedgerError, LookupError):
        achievement = None
    if achievement is None or found is None:
        return error_page(request, 404, "catalogue.unknown")
    t = messages_for(request)
    document = ledger.achievement_document(achievement)
    return render(
        request,
        "achievement.html",
        document=document,
        rows=achievement_rows(document, t),
        issuer_id=str(achievement.issuer_id),
        issuer_name=_issuer_name(document),
        archived=bool(getattr(achievement, "archived", False)),
    )


def _issuer_name(document: dict[str, Any]) -> str:
    creator = document.get("creator")
    return str(creator.get("name") or "") if isinstance(creator, dict) else ""


@router.get("/issuers/{issuer_id}")
def issuer_page(request: Request, ledger: LedgerDep, issuer_id: str) -> HTMLResponse:
    """An institution's public profile: name, identifiers, key history, achievements."""
    found = _uuid(issuer_id)
    try:
        issuer = ledger.issuer(found) if found else None
    except (LedgerError, LookupError):
        issuer = None
    if issuer is None or found is None:
        return error_page(request, 404, "issuer.unknown")
    t = messages_for(request)
    did = ledger.issuer_did(issuer)
    keys = [
        (period.key_id, day(period.since, t), day(period.until, t), period.state)
        for period in ledger.dids.key_periods(found).values()
    ]
    return render(
        request,
        "issuer.html",
        name=issuer.name,
        website=issuer.url or "",
        did=did,
        key_where=key_place(did, t),
        system_id=f"{ledger.identity.base_url}/v1/issuers/{found}",
        keys=keys,
        achievements=issuer_achievements(ledger, str(found)),
    )
