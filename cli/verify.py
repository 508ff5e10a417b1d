"""`credledger verify FILE|URL`: is this credential genuine, valid and not revoked?

Checks the data model and validity period, every Data Integrity proof with the bundled
contexts and the issuer's DID (did:key locally, did:web through the guarded fetcher),
every status entry against its status list (fetched over HTTP(S), proof checked), and,
for a credential issued by a credledger, that the transparency log its issuer vouches
for holds exactly this credential.

A file may hold a credential (JSON), a proof bundle, or a VC-JWT (a compact JWS, as
the VC API takes it): the JWT is verified as ``POST /v1/credentials/verify`` does.

Exit 0 valid, 1 invalid (forged, expired, revoked, suspended, not in the log it claims),
2 undecided (a status list or the log could not be reached). The verdict is spelled
``valid``, ``invalid`` or ``undecided`` everywhere (docs/verification.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from credledger.ledger.verify.bundle import credledger_base_url, loader_for, verify_issuance
from credledger.ledger.verify.bundle_errors import (
    BundleError,
    IssuerUnreachableError,
    UnvouchedLogError,
)
from credledger.ledger.verify.fetch_session import FetchSession, SharedFetchCache
from credledger.ledger.verify.guarded_fetch import FetchError, GuardedFetcher
from credledger.ledger.verify.status_floor import floored, logged_status_lists
from credledger.ledger.verify.vc_jwt import VcJwtError, decode_vc_jwt
from credledger.ledger.verify.verifier import CredentialVerifier, Outcome, Report

from .audit import read_key_option
from .did_resolution import DidResolver
from .log_client import USER_AGENT
from .verdicts import INVALID, UNDECIDED, VALID, emit_json, line, stderr, stdout

EXIT_CODES = {Outcome.VALID: VALID, Outcome.INVALID: INVALID, Outcome.UNDECIDED: UNDECIDED}

BUNDLE_FIELDS = frozenset({"credential", "leaf", "inclusion", "checkpoint", "log_key"})
COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
"""A VC-JWT as a file holds it: three base64url segments (whitespace around is ignored)."""
VERDICT_WORDS = {VALID: "valid", INVALID: "invalid", UNDECIDED: "undecided"}


@dataclass
class LogCheck:
    """Whether the credential's issuance is in its ledger's log."""

    outcome: str  # "included", "not-included", "unknown", "not-applicable", "skipped"
    detail: str
    info: dict[str, Any] = field(default_factory=dict)
    bundle: Mapping[str, Any] | None = None
    """The proof bundle that showed the inclusion (its status lists set a floor)."""


@dataclass
class Verdict:
    source: str
    code: int
    credential: Mapping[str, Any] | None = None
    report: Report | None = None
    log: LogCheck | None = None
    problem: str | None = None
    jwt_signer: str | None = None
    """For a VC-JWT: the key its header names (the credential itself has no proof)."""

    def as_dict(self) -> dict[str, Any]:
        result = VERDICT_WORDS[self.code]
        out: dict[str, Any] = {"source": self.source, "result": result, "valid": self.code == VALID}
        if self.problem:
            out["problem"] = self.problem
        if self.jwt_signer is not None:
            out["format"] = "vc-jwt"
        if self.credential is not None:
            out["credential"] = self.credential.get("id")
            out["issuer"] = _issuer(self.credential)
        if self.report is not None:
            out |= self.report.as_dict()
            out["valid"] = self.code == VALID
        if self.log is not None:
            out["log"] = {"outcome": self.log.outcome, "detail": self.log.detail, **self.log.info}
        return out


def _issuer(vc: Mapping[str, Any]) -> str | None:
    issuer = vc.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return str(value) if value is not None else None


def _from_credledger(vc: Mapping[str, Any]) -> tuple[str, UUID] | None:
    """(base URL, credential id) when a credledger issued ``vc`` (its context, id, issuer)."""
    base = credledger_base_url(vc)
    vc_id = vc.get("id")
    if base is None or not isinstance(vc_id, str) or not vc_id.startswith("urn:uuid:"):
        return None
    issuer = vc.get("issuer")
    others = issuer.get("otherIdentifier") if isinstance(issuer, Mapping) else None
    system_ids = (
        [o.get("identifier") for o in others or [] if isinstance(o, Mapping)]
        if isinstance(others, list)
        else []
    )
    if not any(isinstance(i, str) and i.startswith(f"{base}/v1/issuers/") for i in system_ids):
        return None
    try:
        return base, UUID(vc_id.removeprefix("urn:uuid:"))
    except ValueError:
        return None


def check_log(
    vc: Mapping[str, Any],
    bundle: Mapping[str, Any] | None,
    fetcher: FetchSession,
    log_key: str | None,
    resolve_did: DidResolver | None = None,
) -> LogCheck:
    """The log part: from the bundle given, or from the issuing ledger's proof endpoint,
    in a log the credential's issuer vouches for (or the one pinned with --log-key)."""
    if bundle is None:
        origin = _from_credledger(vc)
        if origin is None:
            return LogCheck("not-applicable", "not issued by a credledger")
        base, _ = origin
        try:  # presenting the credential: the ledger finds it by its digest
            bundle = fetcher.post_json(f"{base}/v1/proofs", {"credential": vc})
        except FetchError as exc:
            if exc.status in (404, 410):
                return LogCheck("not-included", f"the ledger at {base} has no such credential")
            return LogCheck("unknown", f"the ledger's log could not be reached: {exc}")
        if not isinstance(bundle, Mapping):
            return LogCheck("unknown", "the ledger did not answer a proof bundle")
    try:
        checkpoint, index, leaf, trust = verify_issuance(
            vc, bundle, trusted_log_key=log_key, resolve_did=resolve_did
        )
    except (UnvouchedLogError, IssuerUnreachableError) as exc:
        return LogCheck("unknown", str(exc))
    except BundleError as exc:
        return LogCheck("not-included", str(exc))
    return LogCheck(
        "included",
        f"leaf {index} ({leaf.get('event')}) of {checkpoint.origin}, "
        f"under the signed checkpoint of size {checkpoint.size}; "
        f"log key trusted because {trust.reason}",
        {
            "origin": checkpoint.origin,
            "leaf_index": index,
            "checkpoint_size": checkpoint.size,
            "log_key": trust.key,
            "trusted_because": trust.reason,
        },
        bundle,
    )


def _load(source: str, fetcher: FetchSession) -> Any:
    """The document: a JSON value, or a VC-JWT's compact serialisation (a ``str``)."""
    path = Path(source)
    if path.is_file():
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"{source} is neither JSON nor a VC-JWT: {exc}") from None
        if COMPACT_JWS.fullmatch(text.strip()):
            return text.strip()
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"{source} is neither JSON nor a VC-JWT: {exc}") from None
        if isinstance(document, str) and COMPACT_JWS.fullmatch(document):
            return document  # a JSON string holding the token
        return document
    if source.startswith(("http://", "https://")):
        return fetcher.json(source)
    raise FileNotFoundError(f"{source}: no such file (and not an http(s) URL)")


def verify_one(
    source: str,
    fetcher: GuardedFetcher,
    cache: SharedFetchCache,
    *,
    log: bool,
    log_key: str | None,
    resolve_did: DidResolver | None = None,
) -> Verdict:
    """One verification: its own budget of fetches, all through the guarded fetcher."""
    session = FetchSession(fetcher, cache)
    resolver = resolve_did or DidResolver(session)
    try:
        document = _load(source, session)
    except (FetchError, FileNotFoundError, OSError) as exc:
        return Verdict(source, UNDECIDED, problem=str(exc))
    except ValueError as exc:
        return Verdict(source, INVALID, problem=str(exc))
    if isinstance(document, str) and COMPACT_JWS.fullmatch(document):
        return _verify_jwt(source, document, session, resolver, cache)
    bundle = None
    if isinstance(document, dict) and set(document) >= BUNDLE_FIELDS:
        bundle, document = document, document["credential"]
    if not isinstance(document, dict):
        return Verdict(source, INVALID, problem="a credential is a JSON object")
    logged = (
        check_log(document, bundle, session, log_key, resolver)
        if log
        else LogCheck("skipped", "--no-log")
    )
    floor: dict[str, dict[str, Any]] = {}
    if logged.bundle is not None:
        try:
            floor = logged_status_lists(
                logged.bundle, trusted_log_key=logged.info.get("log_key") or log_key
            )
        except BundleError as exc:
            logged = LogCheck("not-included", f"the bundle's status lists: {exc}")
    rolled_back: list[str] = []
    verifier = CredentialVerifier(
        loader=loader_for(document),
        fetch_status_list=floored(session.status_list, floor, rolled_back),
        resolve_did=resolver,
        status_cache=None if floor else cache.status_lists,
        disclose_fetch_errors=True,
    )
    report = verifier.verify(document)
    for url in rolled_back:
        report.undecide(
            "status",
            f"the status list at {url} is older than the version in the log (rolled back); "
            "the logged version was read instead",
        )
    code = EXIT_CODES[report.outcome]
    if logged.outcome == "not-included":
        code = INVALID
    elif logged.outcome == "unknown" and code == VALID:
        code = UNDECIDED
    return Verdict(source, code, document, report, logged)


def _verify_jwt(
    source: str,
    token: str,
    session: FetchSession,
    resolver: DidResolver,
    cache: SharedFetchCache,
) -> Verdict:
    """A VC-JWT, checked as the VC API checks one (``verify_jwt``). credledger's logs
    hold Data Integrity credentials only, so no log speaks for a JWT."""
    try:
        decoded = decode_vc_jwt(token)
        credential: dict[str, Any] | None = decoded.credential
        signer: str | None = decoded.key_id
    except VcJwtError:
        credential, signer = None, None  # the verifier names why
    verifier = CredentialVerifier(
        loader=loader_for(credential or {}),
        fetch_status_list=session.status_list,
        resolve_did=resolver,
        status_cache=cache.status_lists,
        disclose_fetch_errors=True,
    )
    report = verifier.verify_jwt(token)
    logged = LogCheck("not-applicable", "a VC-JWT: credledger's logs hold Data Integrity proofs")
    verdict = Verdict(source, EXIT_CODES[report.outcome], credential, report, logged)
    verdict.jwt_signer = signer
    return verdict


def verify(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="credential files or URLs (JSON, a VC-JWT, or a proof bundle)",
        ),
    ],
    log: Annotated[
        bool, typer.Option(help="check the issuing ledger's log for credledger credentials")
    ] = True,
    log_key: Annotated[
        str | None, typer.Option(help="the log vkey you trust (or a file holding it)")
    ] = None,
    allow_private: Annotated[
        bool,
        typer.Option(help="allow fetching from private and loopback addresses (testing)"),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(min=0.1, help="seconds one fetch may take in all, connection to last byte"),
    ] = 10.0,
    json_output: Annotated[bool, typer.Option("--json", help="print a JSON report")] = False,
) -> None:
    """Verify credentials: exit 0 valid, 1 invalid, 2 undecided (e.g. status unknown).

    Examples:

      credledger verify badge.json

      credledger verify https://wallet.example/credentials/42 --json
    """
    fetcher = GuardedFetcher(allow_private=allow_private, deadline=timeout, user_agent=USER_AGENT)
    cache = SharedFetchCache()
    key = read_key_option(log_key)
    verdicts = [verify_one(s, fetcher, cache, log=log, log_key=key) for s in sources]
    if json_output:
        emit_json(verdicts[0].as_dict() if len(verdicts) == 1 else [v.as_dict() for v in verdicts])
    else:
        for verdict in verdicts:
            _print(verdict)
    codes = {v.code for v in verdicts}
    raise typer.Exit(INVALID if INVALID in codes else UNDECIDED if UNDECIDED in codes else VALID)


def _print(verdict: Verdict) -> None:
    headline = {
        VALID: "[bold green]valid[/]",
        INVALID: "[bold red]invalid[/]",
        UNDECIDED: "[bold yellow]undecided[/]",
    }[verdict.code]
    stdout.print(f"{headline}: {verdict.source}")
    if verdict.problem:
        stdout.print(line("problem", verdict.problem))
    vc, report = verdict.credential, verdict.report
    if vc is None or report is None:
        return
    stdout.print(line("credential", str(vc.get("id"))))
    stdout.print(line("issuer", str(_issuer(vc))))
    proof = vc.get("proof")
    proofs = proof if isinstance(proof, list) else [proof] if isinstance(proof, dict) else []
    if verdict.jwt_signer is not None:
        stdout.print(line("signed", f"VC-JWT (EdDSA) by {verdict.jwt_signer}"))
    for p in proofs:
        if isinstance(p, Mapping):
            suite = p.get("cryptosuite") or p.get("type")
            stdout.print(line("signed", f"{suite} by {p.get('verificationMethod')}"))
    window = [f"{k} {vc[k]}" for k in ("validFrom", "validUntil") if k in vc]
    if window:
        stdout.print(line("validity", ", ".join(window)))
    status = ", ".join(f"{k}: {v}" for k, v in sorted(report.status.items()))
    stdout.print(line("status", status or "no status entries"))
    if verdict.log is not None:
        stdout.print(line("log", f"{verdict.log.outcome}: {verdict.log.detail}"))
    for error in report.errors:
        stdout.print(f"  [red]{error['kind']}:[/] {error['message']}")
    for warning in report.warnings:
        stdout.print(f"  [yellow]warning:[/] {warning['message']}")
    if verdict.code == UNDECIDED and not report.errors:
        stderr.print("[dim]undecided: a status list or the log could not be reached[/]")
