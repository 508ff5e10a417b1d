"""`credledger proof export` and `credledger proof verify`: proof bundles for holders.

Export writes the bundle in its canonical form (JSON, or deterministic CBOR with
``--format cbor``), or the issuance's C2SP tlog-proof (``--format tlog-proof``: the
leaf, its inclusion proof and the witness-cosigned checkpoint, without the credential);
verify checks either fully offline, so a holder can prove a credential years later
with nothing but the files.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from credledger.crypto.checkpoint import parse_checkpoint
from credledger.crypto.errors import CryptoError
from credledger.crypto.signed_note import parse_note
from credledger.crypto.tlog_proof import HEADER, TlogProof
from credledger.ledger.verify.bundle import BundleReport, verify_bundle
from credledger.ledger.verify.bundle_errors import (
    BundleError,
    IssuerUnreachableError,
    MalformedBundleError,
    NotABundleError,
    UnvouchedLogError,
)
from credledger.ledger.verify.bundle_file import dump_cbor, dump_json, load_bundle
from credledger.ledger.verify.bundle_tlog_proof import verify_tlog_proof
from credledger.ledger.verify.did_web import DidResolutionError
from credledger.ledger.verify.fetch_session import FetchSession
from credledger.ledger.verify.guarded_fetch import GuardedFetcher

from .did_resolution import DidResolver
from .log_client import USER_AGENT, LogClient, ServerError
from .options import TokenOption
from .verdicts import INVALID, UNDECIDED, VALID, emit_json, fail, line, stderr, stdout

proof_app = typer.Typer(
    no_args_is_help=True, help="Export and check proof bundles (offline evidence of a credential)."
)


class BundleFormat(StrEnum):
    json = "json"
    cbor = "cbor"
    tlog_proof = "tlog-proof"


def _local_bundle(
    data: Path,
    base_url: str | None,
    credential_id: UUID | None,
    vc: Any,
    as_json: bool = False,
    tlog_proof: bool = False,
) -> Any:
    from credledger.ledger.application import CredentialLedger
    from credledger.ledger.domain.errors import LedgerError
    from credledger.ledger.store.settings import Settings, SettingsError
    from credledger.ledger.store.vault import SubjectErasedError

    from .errors import command_error

    try:
        settings = Settings.from_env(data, base_url)
    except SettingsError as exc:
        fail(str(exc), code=UNDECIDED, as_json=as_json)
    if not settings.data_dir.is_dir():
        fail(f"no ledger in {settings.data_dir}", code=UNDECIDED, as_json=as_json)
    ledger = CredentialLedger(settings, read_only=True)  # exporting a proof writes nothing
    try:
        if tlog_proof:
            if credential_id is not None:
                return ledger.proofs.tlog_proof(credential_id)
            return ledger.proofs.holder_tlog_proof(vc)
        if credential_id is not None:
            return ledger.proof_bundle(credential_id)
        return ledger.proofs.holder_bundle(vc)
    except (LedgerError, SubjectErasedError) as exc:
        fail(command_error(exc).detail, code=INVALID, as_json=as_json)
    finally:
        ledger.close()


def _presented(path: Path) -> Any:
    """The credential in a file (a bare credential, or the one inside a bundle)."""
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        fail(f"{path} does not hold a JSON credential: {exc}", code=UNDECIDED, as_json=False)
    if isinstance(document, dict) and isinstance(document.get("credential"), dict):
        document = document["credential"]
    if not isinstance(document, dict):
        fail(f"{path} does not hold a credential (a JSON object)", code=UNDECIDED, as_json=False)
    return document


@proof_app.command("export")
def export(
    credential: Annotated[
        str,
        typer.Argument(
            help="the credential's id (its issuer: with --token), or a file holding the "
            "credential (its holder: no token needed)"
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="file to write ('-': stdout)")],
    data: Annotated[
        Path | None, typer.Option(help="local mode: the ledger's data directory")
    ] = None,
    server: Annotated[str | None, typer.Option(help="remote mode: the server's URL")] = None,
    token: TokenOption = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="local mode: the ledger's public base URL (as `serve --base-url`)"),
    ] = None,
    format: Annotated[
        BundleFormat,
        typer.Option(help="json, deterministic CBOR, or the C2SP tlog-proof of the issuance"),
    ] = BundleFormat.json,
    json_output: Annotated[
        bool, typer.Option("--json", help="report what was written as JSON (stdout)")
    ] = False,
) -> None:
    """Write the proof bundle of a credential to a file.

    A holder presents the credential itself (the server finds it by its digest); by
    id, a bundle is its issuer's to fetch, with the issuer's token.

    Examples:

      credledger proof export badge.json -o proof.json --server https://ledger.example

      credledger proof export 5f0c... -o proof.json --server https://ledger.example --token T

      credledger proof export 5f0c... -o proof.cbor --format cbor --data ./ledger

      credledger proof export 5f0c... -o badge.tlog-proof --format tlog-proof --data ./ledger
    """
    uuid: UUID | None = None
    vc: Any = None
    if Path(credential).is_file():
        vc = _presented(Path(credential))
    else:
        try:
            uuid = UUID(credential.removeprefix("urn:uuid:"))
        except ValueError:
            fail(
                f"{credential!r} is neither a credential file nor a credential id (a UUID)",
                code=UNDECIDED,
                as_json=json_output,
            )
    if (data is None) == (server is None):
        fail(
            "give --data DIR (local) or --server URL (remote)", code=UNDECIDED, as_json=json_output
        )
    tlog = format is BundleFormat.tlog_proof
    if server is not None:
        got = _remote(server, uuid, token, vc, tlog, json_output)
    else:
        assert data is not None
        got = _local_bundle(data, base_url, uuid, vc, json_output, tlog)
    blob, index, size = _serialised(got, format, json_output)
    if str(output) == "-":
        sys.stdout.buffer.write(blob)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(blob)
    if json_output and str(output) != "-":
        emit_json(
            {"file": str(output), "credential": str(uuid), "format": format.value,
             "leaf_index": index, "checkpoint_size": size, "bytes": len(blob)}
        )  # fmt: skip
    what = "tlog-proof" if tlog else "proof bundle"
    stderr.print(f"wrote the {what} (leaf {index}, checkpoint size {size}) to {output}")


def _remote(
    server: str, uuid: UUID | None, token: str | None, vc: Any, tlog: bool, json_output: bool
) -> Any:
    """The bundle (or tlog-proof text) from the server: by id for its issuer, else the
    holder's by presenting the credential."""
    if uuid is not None and not token:
        fail(
            "a bundle by id is its issuer's: pass --token (or set CREDLEDGER_TOKEN); "
            "a holder passes the credential file instead of its id",
            code=UNDECIDED,
            as_json=json_output,
        )
    try:
        with LogClient(server) as client:
            if uuid is not None:
                assert token is not None
                got = client.proof_bundle(str(uuid), token, tlog_proof=tlog)
            else:
                got = client.holder_proof_bundle(vc, tlog_proof=tlog)
    except ServerError as exc:
        fail(str(exc), code=INVALID if exc.status in (404, 410) else UNDECIDED, as_json=json_output)
    if not isinstance(got, str if tlog else dict):
        fail("the server did not answer a proof bundle", code=UNDECIDED, as_json=json_output)
    return got


def _serialised(got: Any, format: BundleFormat, json_output: bool) -> tuple[bytes, Any, Any]:
    """The file's bytes, and the leaf index and checkpoint size it proves."""
    if format is BundleFormat.tlog_proof:
        try:
            proof = TlogProof.parse(got)
            size = parse_checkpoint(parse_note(proof.checkpoint).text).size
        except CryptoError as exc:
            fail(
                f"the server did not answer a tlog-proof: {exc}",
                code=UNDECIDED,
                as_json=json_output,
            )
        return got.encode("utf-8"), proof.index, size
    blob = dump_cbor(got) if format is BundleFormat.cbor else dump_json(got)
    return blob, got.get("leaf", {}).get("index"), got.get("inclusion", {}).get("size")


@proof_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="a bundle or tlog-proof written by `proof export`")],
    credential: Annotated[
        Path | None,
        typer.Option(help="the credential a tlog-proof is for (a tlog-proof does not hold it)"),
    ] = None,
    log_key: Annotated[
        str | None,
        typer.Option(
            help="the log's vkey you trust (default: the one the credential's issuer vouches "
            "for, in the credential or its DID document)"
        ),
    ] = None,
    witness_key: Annotated[
        list[str] | None, typer.Option(help="a witness vkey whose cosignature may appear")
    ] = None,
    did_document: Annotated[
        list[Path] | None,
        typer.Option(help="a DID document (JSON file) to use instead of resolving that DID"),
    ] = None,
    allow_private: Annotated[
        bool,
        typer.Option(help="resolve did:web on private and loopback addresses (testing)"),
    ] = False,
    timeout: Annotated[float, typer.Option(help="seconds per HTTP request")] = 10.0,
    json_output: Annotated[bool, typer.Option("--json", help="print a JSON report")] = False,
) -> None:
    """Check a proof bundle: exit 0 valid, 1 invalid (2: undecided, or the file is not a
    proof bundle).

    The bundle is judged by its content: any JSON serialisation of it verifies (the
    server's /proof answer saved with curl, a re-indented or CRLF copy).

    Checks the credential's Data Integrity proof (bundled contexts; a did:key issuer is
    resolved locally, a did:web one through the guarded fetcher or --did-document), that
    its leaf records exactly this credential, the inclusion proof, the checkpoint
    signature, and every bundled status list with its own leaf and proof.

    The log counts only if the credential's issuer vouches for it (its signed credential
    or its DID document names the log's key) or you pin its key: a bundle from any other
    log is invalid. A credential whose issuer names no log (issued before issuers named
    theirs) is undecided unless you pin the key. The report says which key was trusted
    and why. Nothing but a did:web issuer's DID document is fetched.

    A C2SP tlog-proof (`proof export --format tlog-proof`) proves the issuance only:
    give the credential with --credential; the witnesses named with --witness-key must
    have cosigned validly (others are reported, not checked); its status is not in it.

    Example: credledger proof verify proof.json --log-key "$(curl -s LEDGER/v1/log/key)"
    """
    try:
        raw = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}", code=UNDECIDED, as_json=json_output)
    fetcher = GuardedFetcher(allow_private=allow_private, deadline=timeout, user_agent=USER_AGENT)
    try:
        resolver = DidResolver.with_files(FetchSession(fetcher), did_document or [])
        report = _check(raw, credential, log_key, witness_key or [], resolver, json_output)
    except DidResolutionError as exc:
        fail(str(exc), code=UNDECIDED, as_json=json_output)
    except (UnvouchedLogError, IssuerUnreachableError) as exc:
        if json_output:
            emit_json({"valid": False, "result": "undecided", "error": str(exc)})
        stderr.print(f"[bold yellow]undecided:[/] {exc}")
        raise typer.Exit(UNDECIDED) from None
    except NotABundleError as exc:
        fail(str(exc), code=UNDECIDED, as_json=json_output)
    except BundleError as exc:
        if json_output:
            emit_json({"valid": False, "result": "invalid", "error": str(exc)})
        stderr.print(f"[bold red]invalid:[/] {exc}")
        raise typer.Exit(INVALID) from None
    code = INVALID if report.status_set else UNDECIDED if report.undecided else VALID
    _print(report, code, json_output)
    raise typer.Exit(code)


def _check(
    raw: bytes,
    credential: Path | None,
    log_key: str | None,
    witnesses: list[str],
    resolver: DidResolver,
    json_output: bool,
) -> BundleReport:
    """Verify a tlog-proof (with its credential) or a proof bundle, as the file is."""
    if raw.startswith(HEADER.encode() + b"\n"):
        return verify_tlog_proof(
            _tlog_proof(raw),
            _credential_for_tlog_proof(credential, json_output),
            trusted_log_key=log_key,
            witnesses=witnesses,
            resolve_did=resolver,
        )
    return verify_bundle(
        load_bundle(raw), trusted_log_key=log_key, witnesses=witnesses, resolve_did=resolver
    )


def _tlog_proof(raw: bytes) -> TlogProof:
    try:
        return TlogProof.parse(raw)
    except CryptoError as exc:
        raise MalformedBundleError(f"not a valid tlog-proof: {exc}") from None


def _credential_for_tlog_proof(path: Path | None, json_output: bool) -> Any:
    if path is None:
        fail(
            "a tlog-proof proves a log entry, not which credential: give the credential "
            "with --credential FILE",
            code=UNDECIDED,
            as_json=json_output,
        )
    return _presented(path)


def _print(report: BundleReport, code: int, json_output: bool) -> None:
    result = {VALID: "valid", INVALID: "invalid", UNDECIDED: "undecided"}[code]
    if json_output:
        emit_json({"valid": code == VALID, "result": result, **report.as_dict()})
        return
    headline = {
        VALID: "[bold green]valid[/]: the proof bundle verifies",
        INVALID: f"[bold red]invalid[/]: the credential is {' and '.join(report.status_set)}",
        UNDECIDED: "[bold yellow]undecided[/]: the bundle does not settle the status",
    }[code]
    status = ", ".join(f"{k}: {v}" for k, v in sorted(report.status.items())) or "none listed"
    stdout.print(headline)
    stdout.print(line("credential", report.credential_id))
    stdout.print(line("issuer", str(report.issuer)))
    stdout.print(
        line(
            "log",
            f"{report.log_origin}, leaf {report.leaf_index} ({report.event}) "
            f"under the checkpoint of size {report.checkpoint_size}",
        )
    )
    stdout.print(line("log key", f"{report.log_key}, trusted: {report.log_trust}"))
    stdout.print(line("status", f"{status} (as of that checkpoint)"))
    if report.witnesses:
        stdout.print(line("cosigned by", ", ".join(report.witnesses)))
    for warning in report.warnings:
        stdout.print(f"  [yellow]warning:[/] {warning}")
