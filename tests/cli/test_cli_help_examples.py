"""Every example in `credledger --help` runs as written (issue 13.4).

The examples are collected from the help of every command when this module is
imported. Each runs in a scratch directory of its own holding a fresh copy of one
ledger (``./ledger``, as the examples name it) and the files the examples name, with
its placeholders (ISSUER_ID, z6Mk..., 5f0c..., URL, T...) given real values. An
example that talks to a server (``--server URL``, https://ledger.example, LEDGER)
reaches a live ledger on 127.0.0.1. Shell forms (``> course.yaml``,
``"$(cat log.vkey)"``) run in bash with the venv's ``credledger`` on PATH; the others
run in-process, split as a shell splits them. An example no case below knows fails
until one is added: the help cannot promise what no test runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer.main
from credledger.cli import verify as verify_command
from credledger.cli.main import app
from credledger.ledger.verify.guarded_fetch import GuardedFetcher
from typer.testing import CliRunner

from ..cli_helpers import ENVIRONMENT, ok, run, write_definition
from ..ledger_server import add_school, award, live_ledger, signed_credential
from ..loopback import listening
from ..server_process import free_port
from ..verdict_words import variants_in

EXAMPLE = re.compile(r"^\s*(?:Examples?:)?\s*(credledger\s.+?)\s*$")


@dataclass(frozen=True)
class Example:
    command: str
    line: str

    def __str__(self) -> str:
        return self.line


def help_examples() -> list[Example]:
    """Every ``credledger ...`` line of every command's help, in the order of the help."""
    found: list[Example] = []

    def walk(command: Any, path: list[str]) -> None:
        text = f"{command.help or ''}\n{command.epilog or ''}"
        for help_line in text.splitlines():
            match = EXAMPLE.match(help_line)
            if match:
                found.append(Example(" ".join(path), match.group(1)))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


EXAMPLES = help_examples()

SERVER = re.compile(r"--server |https://ledger\.example(?!\.)|\bLEDGER\b")
SHELL = re.compile(r"\$\(|>")

# Every example the fixtures below can run, with the exit code it must end with (each
# shows a command doing its job: 0). A new example in --help needs a line here.
CASES: dict[str, int] = {
    "credledger serve --data ./ledger --port 8000": 0,
    "credledger init --data ./ledger --base-url https://ledger.example.nl": 0,
    "credledger move-base-url https://credentials.example.nl --data ./ledger": 0,
    "credledger award --achievement ID --email a@example.nl --issuer ISSUER_ID --data ./ledger": 0,
    "credledger award --achievement ID --csv cohort.csv --server URL --token T": 0,
    "credledger revoke CREDENTIAL_ID --reason 'entered in error' --issuer ISSUER_ID "
    "--data ./ledger": 0,
    "credledger suspend CREDENTIAL_ID --reason 'entered in error' --issuer ISSUER_ID "
    "--data ./ledger": 0,
    "credledger reinstate CREDENTIAL_ID --reason 'entered in error' --issuer ISSUER_ID "
    "--data ./ledger": 0,
    "credledger endorse ACHIEVEMENT_ID --comment 'Solid course.' --issuer ISSUER_ID "
    "--data ./ledger": 0,
    "credledger recognise vc.json --decision recognised --ects 4 --issuer ISSUER_ID "
    "--data ./ledger": 0,
    "credledger erase --email learner@example.nl --server URL --token T": 0,
    "credledger verify badge.json": 0,
    "credledger verify https://wallet.example/credentials/42 --json": 0,
    'credledger audit --data ./ledger --log-key "$(cat log.vkey)"': 0,
    "credledger audit --server https://ledger.example --from-checkpoint saved.note --json": 0,
    "credledger witness --show-vkey --key witness.key": 0,
    "credledger witness --server https://ledger.example --state witness.json --key witness.key": 0,
    'credledger witness serve --state wstate --log "$(cat log.vkey)" --port 7380': 0,
    'credledger issuer add "Hogeschool Leeuwarden" --data ./ledger': 0,
    "credledger issuer rotate-key --issuer ISSUER_ID --data ./ledger": 0,
    'credledger issuer key-compromised z6Mk... --reason "stolen" --issuer ISSUER_ID '
    "--data ./ledger": 0,
    'credledger issuer reissue z6Mk... --reason "compromised" --issuer ISSUER_ID '
    "--data ./ledger": 0,
    "credledger issuer list --data ./ledger": 0,
    "credledger achievement template microcredential > course.yaml": 0,
    "credledger achievement define course.yaml --issuer ISSUER_ID --data ./ledger": 0,
    "credledger achievement list --data ./ledger": 0,
    "credledger achievement show ACHIEVEMENT_ID --data ./ledger": 0,
    "credledger credential list --issuer ISSUER_ID --data ./ledger": 0,
    "credledger credential show CREDENTIAL_ID --issuer ISSUER_ID --data ./ledger": 0,
    "credledger credential share CREDENTIAL_ID --issuer ISSUER_ID --data ./ledger": 0,
    "credledger credential unshare CREDENTIAL_ID --issuer ISSUER_ID --data ./ledger": 0,
    'credledger catalogue search "data literacy" --data ./ledger': 0,
    "credledger read-model rebuild --data ./ledger": 0,
    "credledger proof export badge.json -o proof.json --server https://ledger.example": 0,
    "credledger proof export 5f0c... -o proof.json --server https://ledger.example --token T": 0,
    "credledger proof export 5f0c... -o proof.cbor --format cbor --data ./ledger": 0,
    "credledger proof export 5f0c... -o badge.tlog-proof --format tlog-proof --data ./ledger": 0,
    'credledger proof verify proof.json --log-key "$(curl -s LEDGER/v1/log/key)"': 0,
}


def test_every_example_in_the_help_has_a_case() -> None:
    lines = [e.line for e in EXAMPLES]
    assert len(lines) >= 30, "the examples are no longer found in the help"
    unknown = sorted(set(lines) - set(CASES))
    assert not unknown, f"examples in --help that no test runs (add them to CASES): {unknown}"
    gone = sorted(set(CASES) - set(lines))
    assert not gone, f"CASES names examples no longer in --help: {gone}"


# -- the world the examples run in --------------------------------------------------------


@dataclass(frozen=True)
class Local:
    """A ledger made through the CLI, to be copied to ./ledger for each example."""

    data: Path
    issuer: str
    achievement: str
    credential: str
    suspended: str
    retired_key: str


@dataclass(frozen=True)
class Remote:
    url: str
    token: str
    achievement: str
    credential: str
    wallet_url: str


@dataclass(frozen=True)
class World:
    local: Local
    remote: Remote
    files: Path
    """course.yaml, cohort.csv, vc.json, badge.json, proof.json, log.vkey, saved.note,
    witness.key: copied into every scratch directory."""


def _make_local(root: Path, files: Path) -> Local:
    data = root / "ledger"
    ok(run("init", "--data", data, "--base-url", "https://ledger.example.nl", "--json"))
    issuer = ok(run("issuer", "add", "Hogeschool Leeuwarden", "--data", data, "--json"))["id"]
    definition = write_definition(root / "definition.yaml", suspendable=True)
    local = ["--data", data, "--issuer", issuer, "--json"]
    achievement = ok(run("achievement", "define", definition, *local))["id"]
    awarded = ok(run("award", "--achievement", achievement, "--email", "b@example.nl", *local))
    proofs = awarded["credential"]["proof"]
    proof = proofs[0] if isinstance(proofs, list) else proofs
    retired_key = str(proof["verificationMethod"]).rsplit("#", 1)[-1]
    ok(run("issuer", "rotate-key", *local))
    suspended = ok(run("award", "--achievement", achievement, "--email", "s@example.nl", *local))
    ok(run("suspend", suspended["id"], "--reason", "under review", *local))
    # vc.json: another institution's credential, for the first one to recognise
    other = ok(run("issuer", "add", "Hogeschool Noord", "--data", data, "--json"))["id"]
    others = ["--data", data, "--issuer", other, "--json"]
    other_definition = write_definition(root / "other.yaml", name="Statistics")
    other_achievement = ok(run("achievement", "define", other_definition, *others))["id"]
    presented = ok(
        run("award", "--achievement", other_achievement, "--email", "c@example.nl", *others)
    )
    (files / "vc.json").write_text(json.dumps(presented["credential"]))
    course = run("achievement", "template", "microcredential")
    assert course.exit_code == 0, course.output
    (files / "course.yaml").write_text(course.stdout)
    from credledger.ledger.application import CredentialLedger
    from credledger.ledger.store.settings import Settings

    ledger = CredentialLedger(Settings.from_env(data))
    try:
        (files / "log.vkey").write_text(ledger.tlog.vkey + "\n")
    finally:
        ledger.close()
    return Local(data, issuer, achievement, awarded["id"], suspended["id"], retired_key)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("examples")
    files = root / "files"
    files.mkdir()
    saved = dict(os.environ)
    for name in ENVIRONMENT:
        os.environ.pop(name, None)
    try:
        local = _make_local(root, files)
        witness_vkey = run("witness", "--show-vkey", "--key", files / "witness.key").stdout
        with (
            live_ledger(root / "server", witness_keys=(witness_vkey.strip(),)) as live,
            listening() as wallet,
        ):
            school = add_school(live.ledger, did_method="key")
            badge = signed_credential(live.ledger, award(live.ledger, school, "dana@example.org"))
            award(live.ledger, school, "learner@example.nl")
            (files / "badge.json").write_text(json.dumps(badge))
            wallet_url = wallet.serve_json("/credentials/42", badge)
            exported = run(
                "proof", "export", files / "badge.json", "-o", files / "proof.json",
                "--server", live.url,
            )  # fmt: skip
            assert exported.exit_code == 0, exported.output
            live.ledger.tlog.make_checkpoint()
            note = httpx.get(f"{live.url}/v1/log/checkpoint", timeout=10)
            note.raise_for_status()
            (files / "saved.note").write_text(note.text)
            (files / "cohort.csv").write_text("email,result\nanna@example.nl,8\nbo@example.nl,7\n")
            remote = Remote(
                live.url,
                school.token,
                str(school.achievement),
                badge["id"].removeprefix("urn:uuid:"),
                wallet_url,
            )
            yield World(local, remote, files)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def substitute(line: str, world: World, port: int) -> str:
    """The example with its placeholders replaced by values of the scratch ledger (or the
    live server, when the example talks to one)."""
    if SERVER.search(line):
        remote = world.remote
        values = {
            r"\bID\b": remote.achievement,
            r"5f0c\.\.\.": remote.credential,
            r"(?<=--token )T\b": remote.token,
            r"\bURL\b|\bLEDGER\b|https://ledger\.example(?!\.)": remote.url,
        }
    else:
        local = world.local
        values = {
            r"^credledger reinstate CREDENTIAL_ID\b": f"credledger reinstate {local.suspended}",
            r"\bISSUER_ID\b": local.issuer,
            r"\bACHIEVEMENT_ID\b|\bID\b": local.achievement,
            r"\bCREDENTIAL_ID\b|5f0c\.\.\.": local.credential,
            r"z6Mk\.\.\.": local.retired_key,
            r"(?<=--port )(?:8000|7380)\b": str(port),
        }
    values[r"https://wallet\.example/credentials/42"] = world.remote.wallet_url
    for pattern, value in values.items():
        line = re.sub(pattern, value, line)
    return line


@pytest.fixture
def scratch(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory of one's own: a fresh copy of the ledger and of every file."""
    shutil.copytree(world.local.data, tmp_path / "ledger")
    for file in world.files.iterdir():
        shutil.copy2(file, tmp_path / file.name)
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    # The live server and the wallet are on 127.0.0.1, which the guarded fetcher refuses
    # to reach unless told to (as `--allow-private` does): here, without the flag.
    monkeypatch.setattr(verify_command, "GuardedFetcher", _loopback_allowed)
    return tmp_path


def _loopback_allowed(**options: Any) -> GuardedFetcher:
    return GuardedFetcher(**{**options, "allow_private": True})


def _shell_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _in_shell(line: str, cwd: Path) -> tuple[int, str]:
    done = subprocess.run(
        ["bash", "-c", line], cwd=cwd, env=_shell_environment(),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def _in_process(line: str, _cwd: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, shlex.split(line)[1:])
    return result.exit_code, result.output


def _serving(line: str, cwd: Path, port: int) -> tuple[int, str]:
    """`serve` (and `witness serve`) runs until stopped: it must answer /healthz, then
    stop cleanly when told to (SIGTERM; uvicorn re-raises the signal after its shutdown,
    so a parent sees why it ended: that is a clean stop, 0 here)."""
    server = subprocess.Popen(
        ["bash", "-c", f"exec {line}"], cwd=cwd, env=_shell_environment(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    answered = False
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                answered = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success
            if answered:
                break
            time.sleep(0.1)
    finally:
        if server.poll() is None:
            server.terminate()
        output, _ = server.communicate(timeout=30)
    assert answered, f"`serve` did not answer /healthz:\n{output}"
    assert "Traceback" not in output, output
    stopped_cleanly = server.returncode in (0, -signal.SIGTERM)
    return 0 if stopped_cleanly else server.returncode, output


def _runner(line: str, port: int) -> Callable[[str, Path], tuple[int, str]]:
    if line.startswith(("credledger serve", "credledger witness serve")):
        return partial(_serving, port=port)
    return _in_shell if SHELL.search(line) else _in_process


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.line)
def test_the_example_runs_as_written(example: Example, world: World, scratch: Path) -> None:
    assert example.line in CASES, f"no case runs this example from `{example.command} --help`"
    port = free_port()
    line = substitute(example.line, world, port)
    code, output = _runner(example.line, port)(line, scratch)
    assert code == CASES[example.line], f"`{line}` ended with {code}:\n{output}"
    assert not variants_in(output), f"`{line}` spells a verdict another way:\n{output}"
