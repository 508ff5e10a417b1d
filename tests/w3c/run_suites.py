"""Run the W3C test suites against a credledger server on 127.0.0.1 and count the results.

Not part of pytest (the suites are node projects that live outside the repository).
This script fetches nothing: give it checkouts of the suites whose npm dependencies
are already installed (see CONFORMANCE.md for how). For each suite it writes a
``localConfig.cjs`` into the checkout naming credledger's endpoints, then runs mocha
with the JSON reporter and prints passes, failures and pending tests.

    .venv/bin/python tests/w3c/run_suites.py \\
        --data-model /tmp/w3c/vc-data-model-2.0-test-suite \\
        --eddsa /tmp/w3c/vc-di-eddsa-test-suite \\
        --status /tmp/w3c/vc-bitstring-status-list-test-suite

The server is `credledger serve` on a fresh data directory, over HTTPS with a
throwaway self-signed certificate (the suites' HTTP client sends authorization
headers only over HTTPS, and the status suite dereferences status lists only
over HTTPS); node trusts it through NODE_EXTRA_CA_CERTS.
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
MOCHA_TIMEOUT_MS = "15000"
CONFIG_MARKER = "// written by credledger tests/w3c/run_suites.py"


@dataclass(frozen=True)
class Issuer:
    """An issuer registered on the server: its id, did:key and bearer token."""

    id: str
    did: str
    token: str


@dataclass
class Outcome:
    """One suite's counts and its failing tests (title, message)."""

    suite: str
    passes: int = 0
    failures: int = 0
    pending: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    pending_titles: list[str] = field(default_factory=list)
    error: str | None = None


def implementation(
    base: str, issuer: Issuer, tags: list[str], issuer_options: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A vc-test-suite-implementations entry for credledger's VC API endpoints."""
    issue: dict[str, Any] = {
        "id": issuer.did,
        "endpoint": f"{base}/v1/issuers/{issuer.id}/credentials/issue",
        "headers": {"Authorization": f"Bearer {issuer.token}"},
        "supports": {"vc": ["1.1", "2.0"]},
        "tags": tags,
    }
    if issuer_options:
        issue["options"] = issuer_options
    return {
        "name": "credledger",
        "implementation": "credledger",
        "issuers": [issue],
        "verifiers": [
            {"id": issuer.did, "endpoint": f"{base}/v1/credentials/verify", "tags": tags}
        ],
        "vpVerifiers": [
            {"id": issuer.did, "endpoint": f"{base}/v1/presentations/verify", "tags": tags}
        ],
    }


def data_model_config(base: str, issuer: Issuer) -> dict[str, Any]:
    """vc-data-model-2.0-test-suite: every test runs against the ``vc2.0`` tag.

    ``EnvelopingProof`` (VC-JOSE-COSE enveloped credentials) is left out on purpose:
    credledger secures credentials with Data Integrity only.
    """
    return {"implementations": [implementation(base, issuer, ["vc2.0"])]}


def eddsa_config(base: str, issuer: Issuer) -> dict[str, Any]:
    """vc-di-eddsa-test-suite: credledger issues (and verifies) ``eddsa-rdfc-2022``."""
    return {"implementations": [implementation(base, issuer, ["eddsa-rdfc-2022"])]}


def status_config(base: str, issuer: Issuer, purpose: str = "revocation") -> dict[str, Any]:
    """vc-bitstring-status-list-test-suite: every issued VC asks for a status entry."""
    options = {"credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": purpose}}
    return {"implementations": [implementation(base, issuer, ["BitstringStatusList"], options)]}


SUITES: dict[str, Callable[[str, Issuer], dict[str, Any]]] = {
    "vc-data-model-2.0-test-suite": data_model_config,
    "vc-di-eddsa-test-suite": eddsa_config,
    "vc-bitstring-status-list-test-suite": status_config,
}


def write_local_config(checkout: Path, config: dict[str, Any]) -> None:
    """Write ``localConfig.cjs`` (only our implementations run); never clobber a foreign one."""
    path = checkout / "localConfig.cjs"
    if path.exists() and CONFIG_MARKER not in path.read_text():
        raise SystemExit(f"{path} exists and was not written by this script; move it away")
    settings = {"enableInteropTests": False, "testAllImplementations": False}
    body = json.dumps({"settings": settings, **config}, indent=2)
    path.write_text(f"{CONFIG_MARKER}\nmodule.exports = {body};\n")


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway P-256 certificate for 127.0.0.1, valid for one day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def credledger_server(
    work: Path, port: int, admin_token: str, cert: Path, key: Path
) -> Iterator[str]:
    """`credledger serve` over HTTPS on a fresh data directory; yields its base URL."""
    env = {k: v for k, v in os.environ.items() if k != "CREDLEDGER_DATABASE_URL"}
    env["CREDLEDGER_ADMIN_TOKEN"] = admin_token
    log = (work / "server.log").open("wb")
    command = [sys.executable, "-m", "credledger.cli.main", "serve", "--data", str(work / "data")]
    command += ["--host", HOST, "--port", str(port), "--tls-cert", str(cert), "--tls-key", str(key)]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"https://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the server exited; see {work / 'server.log'}")
            try:
                if httpx.get(f"{base}/healthz", verify=str(cert), timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def register_issuer(base: str, admin_token: str, cert: Path, name: str) -> Issuer:
    r = httpx.post(
        f"{base}/v1/issuers",
        # did:key: the suites' verifiers resolve did:key locally, and no did:web on
        # 127.0.0.1 (see docs/keys-and-identity.md)
        json={"name": name, "did_method": "key"},
        headers={"Authorization": f"Bearer {admin_token}"},
        verify=str(cert),
        timeout=30,
    )
    r.raise_for_status()
    body = r.json()
    return Issuer(id=body["id"], did=body["did"], token=body["token"])


def run_mocha(suite: str, checkout: Path, cert: Path, report: Path) -> Outcome:
    """mocha over the suite's tests/ with the JSON reporter, as its `npm test` would."""
    mocha = checkout / "node_modules" / ".bin" / "mocha"
    outcome = Outcome(suite)
    if not mocha.exists():
        outcome.error = f"{mocha} is missing: install the suite's npm dependencies first"
        return outcome
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(cert)}
    command = [str(mocha), "tests/", "--reporter", "json", "--reporter-option"]
    command += [f"output={report}", "--timeout", MOCHA_TIMEOUT_MS, "--preserve-symlinks"]
    done = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True)
    if not report.exists():
        outcome.error = f"mocha wrote no report (exit {done.returncode}): {done.stderr[-2000:]}"
        return outcome
    data = json.loads(report.read_text())
    stats = data["stats"]
    outcome.passes, outcome.failures = stats["passes"], stats["failures"]
    outcome.pending = stats["pending"]
    outcome.failed = [
        (t["fullTitle"], (t.get("err") or {}).get("message", "")) for t in data["failures"]
    ]
    outcome.pending_titles = [t["fullTitle"] for t in data["pending"]]
    return outcome


def print_outcome(outcome: Outcome, checkout: Path) -> None:
    commit = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(f"\n== {outcome.suite} ({commit or 'no git commit'})")
    if outcome.error:
        print(f"   NOT RUN: {outcome.error}")
        return
    print(f"   pass {outcome.passes}  fail {outcome.failures}  pending {outcome.pending}")
    for title, message in outcome.failed:
        print(f"   FAIL {title}\n        {message.splitlines()[0] if message else ''}")
    for title in outcome.pending_titles:
        print(f"   PENDING {title}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-model", type=Path, help="vc-data-model-2.0-test-suite checkout")
    parser.add_argument("--eddsa", type=Path, help="vc-di-eddsa-test-suite checkout")
    parser.add_argument("--status", type=Path, help="vc-bitstring-status-list-test-suite checkout")
    parser.add_argument(
        "--status-purpose",
        choices=["revocation", "suspension"],
        default="revocation",
        help="the statusPurpose the status suite's credentials ask for",
    )
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--json", type=Path, help="also write the outcomes here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (data, logs)")
    args = parser.parse_args(argv)
    checkouts = {
        "vc-data-model-2.0-test-suite": args.data_model,
        "vc-di-eddsa-test-suite": args.eddsa,
        "vc-bitstring-status-list-test-suite": args.status,
    }
    chosen = {suite: path.resolve() for suite, path in checkouts.items() if path is not None}
    if not chosen:
        parser.error("give at least one suite checkout")
    work = Path(tempfile.mkdtemp(prefix="credledger-w3c-"))
    cert, key = self_signed_certificate(work)
    admin_token = secrets.token_urlsafe(24)
    outcomes: list[Outcome] = []
    with credledger_server(work, args.port or free_port(), admin_token, cert, key) as base:
        for suite, checkout in chosen.items():
            issuer = register_issuer(base, admin_token, cert, f"W3C {suite}")
            config = SUITES[suite](base, issuer)
            if suite == "vc-bitstring-status-list-test-suite":
                config = status_config(base, issuer, args.status_purpose)
            write_local_config(checkout, config)
            outcome = run_mocha(suite, checkout, cert, work / f"{suite}.json")
            outcomes.append(outcome)
            print_outcome(outcome, checkout)
    if args.json:
        args.json.write_text(json.dumps([o.__dict__ for o in outcomes], indent=2))
    if args.keep:
        print(f"\nwork dir (data, server.log, reports): {work}")
    else:
        shutil.rmtree(work)
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
