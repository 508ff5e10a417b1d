"""`credledger witness`: check that a log only grows, and cosign its checkpoints.

The witness remembers the last checkpoint it verified (``--state``, JSON). Each run
fetches the newest checkpoint, verifies the log's signature, checks a consistency
proof from the remembered size, cosigns (C2SP tlog-cosignature v1) and submits the
cosigned note to ``/v1/log/cosignatures``. A checkpoint that does not extend the
remembered one is a fork: exit 1, and the state keeps the old checkpoint as evidence.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from credledger.crypto.checkpoint import Checkpoint, open_checkpoint
from credledger.crypto.errors import CryptoError
from credledger.crypto.signed_note import NoteVerifier, parse_note
from credledger.crypto.tlog_witness import (
    ForkError,
    WitnessKey,
    WitnessState,
    WitnessStateError,
    check_extends,
    cosign,
)

from .audit import read_key_option
from .log_client import LogClient, ServerError
from .verdicts import INVALID, UNDECIDED, VALID, emit_json, fail, line, stderr, stdout
from .witness_state import write_atomically


def load_or_create_key(path: Path, name: str | None) -> tuple[WitnessKey, bool]:
    """The witness key in ``path``; a new one is generated into it (mode 0600) if absent."""
    if path.exists():
        key = WitnessKey.from_skey(path.read_text(encoding="ascii"))
        if name is not None and name != key.name:
            raise WitnessStateError(f"{path} holds the key of witness {key.name!r}, not {name!r}")
        return key, False
    key = WitnessKey.generate(name or f"{socket.gethostname()}/credledger-witness")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.skey() + "\n")
    return key, True


def load_state(path: Path) -> WitnessState | None:
    if not path.exists():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WitnessStateError(f"cannot read the witness state {path}: {exc}") from None
    if not isinstance(value, dict):
        raise WitnessStateError(f"{path} is not a witness state")
    return WitnessState.from_json(value)


def save_state(path: Path, state: WitnessState) -> None:
    """Replace the state file atomically, so a crash never leaves half a state."""
    write_atomically(path, (json.dumps(state.as_json(), indent=2) + "\n").encode("utf-8"))


def log_signed(note: str, verifier: NoteVerifier) -> str:
    """The note with only the log's own signature (other witnesses' lines dropped)."""
    parsed = parse_note(note)
    mine = (verifier.name, verifier.key_id)
    lines = [s.line() for s in parsed.signatures if (s.name, s.key_id) == mine]
    return parsed.text + "\n" + "".join(lines)


def witness(
    ctx: typer.Context,
    server: Annotated[str | None, typer.Option(help="the log server's URL")] = None,
    state: Annotated[
        Path | None, typer.Option(help="JSON file remembering the last verified checkpoint")
    ] = None,
    key: Annotated[
        Path, typer.Option(help="the witness key file (generated here on first use)")
    ] = Path("witness.key"),
    name: Annotated[
        str | None,
        typer.Option(help="the witness's name for a new key (default: HOST/credledger-witness)"),
    ] = None,
    log_key: Annotated[
        str | None,
        typer.Option(help="pin the log's vkey (default: remembered, or /v1/log/key on first use)"),
    ] = None,
    show_vkey: Annotated[
        bool, typer.Option("--show-vkey", help="print the witness's vkey for the log operator")
    ] = False,
    submit: Annotated[bool, typer.Option(help="send the cosignature to the server")] = True,
    json_output: Annotated[bool, typer.Option("--json", help="print a JSON report")] = False,
) -> None:
    """Verify that the log extends what this witness saw before, then cosign it.

    Exit 0 cosigned, 1 the log forked or its signature fails, 2 could not run.

    Examples:

      credledger witness --show-vkey --key witness.key

      credledger witness --server https://ledger.example --state witness.json --key witness.key

    `credledger witness serve` runs a witness that logs push their checkpoints to instead.
    """
    if ctx.invoked_subcommand is not None:
        return  # `witness serve`: the pull options do not apply
    try:
        witness_key, created = load_or_create_key(key, name)
    except (OSError, CryptoError) as exc:
        fail(f"cannot use the witness key {key}: {exc}", code=UNDECIDED, as_json=json_output)
    if created:
        stderr.print(f"generated a new witness key in {key} (keep it secret)")
    if show_vkey:
        if json_output:
            emit_json({"name": witness_key.name, "vkey": witness_key.vkey()})
        else:
            typer.echo(witness_key.vkey())
        raise typer.Exit(VALID)
    if server is None or state is None:
        fail(
            "give --server URL and --state FILE (or --show-vkey)",
            code=UNDECIDED,
            as_json=json_output,
        )
    try:
        remembered = load_state(state)
    except CryptoError as exc:
        fail(str(exc), code=UNDECIDED, as_json=json_output)
    try:
        with LogClient(server) as client:
            _run(
                client,
                witness_key,
                state,
                remembered,
                read_key_option(log_key),
                submit,
                json_output,
            )
    except ServerError as exc:
        fail(f"the witness could not check the log: {exc}", code=UNDECIDED, as_json=json_output)


def _run(
    client: LogClient,
    witness_key: WitnessKey,
    state_path: Path,
    remembered: WitnessState | None,
    pinned: str | None,
    submit: bool,
    json_output: bool,
) -> None:
    trusted = pinned or (remembered.log_key if remembered else None) or client.log_key()
    if remembered is not None and trusted != remembered.log_key:
        fail(
            "--log-key differs from the key this witness state remembers",
            code=UNDECIDED,
            as_json=json_output,
        )
    try:
        verifier = NoteVerifier.from_vkey(trusted)
    except CryptoError as exc:
        fail(f"not a log vkey: {exc}", code=UNDECIDED, as_json=json_output)
    note = client.checkpoint()
    try:
        checkpoint = open_checkpoint(note, verifier)
    except CryptoError as exc:
        _refuse(
            "bad-signature",
            f"the newest checkpoint does not verify with the log key: {exc}",
            remembered,
            note,
            json_output,
        )
    if remembered is not None:
        proof: list[bytes] = []
        if remembered.size < checkpoint.size and remembered.size > 0:
            proof = client.consistency(remembered.size, checkpoint.size)
        try:
            check_extends(remembered, checkpoint, proof)
        except ForkError as exc:
            _refuse("fork", f"fork: {exc}", remembered, note, json_output)
        except WitnessStateError as exc:
            _refuse("other-log", str(exc), remembered, note, json_output)
    cosigned = cosign(log_signed(note, verifier), witness_key, int(time.time()))
    save_state(state_path, WitnessState.of(checkpoint, trusted, log_signed(note, verifier)))
    outcome: dict[str, Any] = {"submitted": False}
    if submit:
        try:
            outcome = {"submitted": True, "accepted": client.post_cosignature(cosigned)}
        except ServerError as exc:
            outcome = {"submitted": False, "refused": str(exc)}
    _report(witness_key, remembered, checkpoint, cosigned, outcome, json_output)


def _refuse(
    kind: str, message: str, remembered: WitnessState | None, note: str, json_output: bool
) -> NoReturn:
    """Report a checkpoint the witness will not cosign; the state is left as it was."""
    if json_output:
        emit_json(
            {
                "result": kind,
                "message": message,
                "remembered": remembered.as_json() if remembered else None,
                "offered": note,
            }
        )
    stderr.print(f"[bold red]{message}[/]")
    if remembered is not None and not json_output:
        stderr.print("the checkpoint this witness verified before:\n" + remembered.note)
        stderr.print("the checkpoint the log offers now:\n" + note)
    raise typer.Exit(INVALID)


def _report(
    witness_key: WitnessKey,
    remembered: WitnessState | None,
    checkpoint: Checkpoint,
    cosigned: str,
    outcome: dict[str, Any],
    json_output: bool,
) -> None:
    line_signed = cosigned.rstrip("\n").rsplit("\n", 1)[-1]
    if json_output:
        emit_json(
            {
                "result": "cosigned",
                "witness": witness_key.name,
                "origin": checkpoint.origin,
                "previous_size": remembered.size if remembered else None,
                "size": checkpoint.size,
                "cosignature": line_signed,
                **outcome,
            }
        )
        return
    since = f"extends the size {remembered.size} seen before" if remembered else "first seen"
    stdout.print(f"[bold green]cosigned[/]: the checkpoint of size {checkpoint.size} ({since})")
    stdout.print(line("log", checkpoint.origin))
    stdout.print(line("witness", witness_key.name))
    if outcome.get("submitted"):
        stdout.print(line("submitted", "the log kept the cosignature"))
    elif "refused" in outcome:
        stdout.print(
            f"  [yellow]warning:[/] the server did not take the cosignature: {outcome['refused']}"
        )
        stdout.print(
            "  (the log's own checks passed; is this witness's vkey in CREDLEDGER_WITNESS_KEYS?)"
        )
