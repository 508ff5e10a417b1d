"""`credledger witness serve`: a C2SP tlog-witness that logs push their checkpoints to.

``POST /add-checkpoint`` takes ``old <size>``, a consistency proof, an empty line and a
checkpoint note (c2sp.org/tlog-witness). The witness checks the note with the keys
configured for its origin (``--log ORIGIN=VKEY``), that ``old`` is the size it last
cosigned (409 with that size otherwise), and the proof from there; then it persists
the new checkpoint (``--state DIR``, fsynced) and answers its cosignature line
(tlog-cosignature/v1). A checkpoint that contradicts the one it cosigned (a fork) is
refused with 422 and kept in ``DIR/evidence``; a smaller one (a rollback) is never
cosigned. ``GET /<sha256(origin)>/checkpoint`` serves the newest cosigned checkpoint.

Check and persist happen under one lock, so two requests cannot roll the state back.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated

import typer
from credledger.crypto.errors import CryptoError
from credledger.crypto.signed_note import NoteVerifier
from credledger.crypto.tlog_witness import WitnessKey, WitnessStateError
from credledger.crypto.tlog_witness_protocol import (
    MAX_BODY_BYTES,
    AddCheckpoint,
    Answer,
    MalformedRequestError,
    decide,
    origin_of,
)
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from .verdicts import UNDECIDED, fail, stderr
from .witness import load_or_create_key
from .witness_state import StateDirectory

log = logging.getLogger("credledger.witness")
NOTE = "text/plain; charset=utf-8"


def parse_logs(values: Sequence[str]) -> dict[str, list[NoteVerifier]]:
    """``ORIGIN=VKEY`` (or a bare VKEY: the origin is its key name) -> origin: keys."""
    logs: dict[str, list[NoteVerifier]] = {}
    for value in values:
        origin, equals, vkey = value.partition("=")
        if not equals or "+" in origin:  # a bare vkey (whose base64 may hold '=')
            origin, vkey = "", value
        try:
            verifier = NoteVerifier.from_vkey(vkey.strip())
        except CryptoError as exc:
            raise ValueError(f"--log {value[:80]!r}: not a log vkey: {exc}") from None
        keys = logs.setdefault(origin.strip() or verifier.name, [])
        if verifier not in keys:
            keys.append(verifier)
    return logs


class ServedWitness:
    """The witness's judgement with its memory: one request at a time per process."""

    def __init__(
        self,
        key: WitnessKey,
        logs: Mapping[str, Sequence[NoteVerifier]],
        state: StateDirectory,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.key = key
        self.logs = logs
        self.state = state
        self.clock = clock
        self._lock = threading.Lock()

    def add_checkpoint(self, body: bytes) -> Answer:
        try:
            request = AddCheckpoint.parse(body)
            origin = origin_of(request.note)
        except MalformedRequestError as exc:
            return Answer(400, str(exc))
        trusted = self.logs.get(origin, ())
        with self._lock:  # the check and the write are one step
            remembered = self.state.load(origin) if trusted else None
            answer = decide(request, trusted, remembered, self.key, int(self.clock()))
            if answer.evidence:
                kept = self.state.keep_evidence(origin, remembered, body, answer.reason)
                log.error("refused a checkpoint of %r: %s (kept: %s)", origin, answer.reason, kept)
            if answer.state is not None:
                self.state.save(answer.state)
        if answer.status != 200 and not answer.evidence:
            log.warning("refused a checkpoint of %r: %s %s", origin, answer.status, answer.reason)
        return answer


def witness_app(witness: ServedWitness) -> Starlette:
    """The HTTP face of ``witness``: the spec's two routes and /healthz."""

    async def add_checkpoint(request: Request) -> Response:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return PlainTextResponse(f"at most {MAX_BODY_BYTES} bytes\n", 413)
        try:
            answer = await run_in_threadpool(witness.add_checkpoint, bytes(body))
        except (OSError, WitnessStateError):
            log.exception("the witness state could not be read or written")
            return PlainTextResponse("the witness cannot use its state\n", 500)
        text = answer.body if answer.status in (200, 409) else (answer.reason + "\n").encode()
        # Exactly the media type given (Go clients compare text/x.tlog.size verbatim).
        return Response(text, answer.status, headers={"Content-Type": answer.content_type})

    async def checkpoint(request: Request) -> Response:
        try:
            state = witness.state.load_by_hash(str(request.path_params["origin_hash"]))
        except (OSError, ValueError, WitnessStateError):
            return PlainTextResponse("the witness cannot use its state\n", 500)
        if state is None:
            return PlainTextResponse("this witness has cosigned no checkpoint of that log\n", 404)
        return PlainTextResponse(state.note, media_type=NOTE)

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok\n")

    return Starlette(
        routes=[
            Route("/add-checkpoint", add_checkpoint, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/{origin_hash}/checkpoint", checkpoint, methods=["GET"]),
        ]
    )


def serve(
    state: Annotated[Path, typer.Option(help="directory of the witness's state (made if absent)")],
    log_keys: Annotated[
        list[str],
        typer.Option(
            "--log",
            help="a log this witness cosigns: ORIGIN=VKEY (or its VKEY alone when the key is "
            "named after the origin); repeat for more logs or keys",
        ),
    ],
    key: Annotated[
        Path, typer.Option(help="the witness key file (generated here on first use)")
    ] = Path("witness.key"),
    name: Annotated[
        str | None,
        typer.Option(help="the witness's name for a new key (default: HOST/credledger-witness)"),
    ] = None,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 7380,
    json_output: Annotated[
        bool, typer.Option("--json", help="print the witness's vkey and address as one JSON line")
    ] = False,
) -> None:
    """Run a C2SP tlog-witness: logs POST their checkpoints to /add-checkpoint.

    Give the log operator this witness's URL and vkey (`credledger witness --show-vkey`);
    they list them in CREDLEDGER_WITNESSES. Stop it with Ctrl-C (or SIGTERM).

    Example: credledger witness serve --state wstate --log "$(cat log.vkey)" --port 7380
    """
    import uvicorn

    try:
        logs = parse_logs(log_keys)
        witness_key, created = load_or_create_key(key, name)
        directory = StateDirectory(state)
    except (ValueError, OSError, CryptoError) as exc:
        fail(str(exc), code=UNDECIDED, as_json=json_output)
    if created:
        stderr.print(f"generated a new witness key in {key} (keep it secret)")
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    if json_output:
        about = {"url": url, "witness": witness_key.name, "vkey": witness_key.vkey()}
        typer.echo(json.dumps({**about, "logs": sorted(logs), "state": str(state)}))
    stderr.print(
        f"witness {witness_key.name} ({witness_key.vkey()}) for {', '.join(sorted(logs))}; "
        f"listening on {url}/add-checkpoint; state in {state}"
    )
    try:
        uvicorn.run(
            witness_app(ServedWitness(witness_key, logs, directory)),
            host=host,
            port=port,
            log_level="info",
            server_header=False,
            proxy_headers=False,
        )
    finally:
        directory.close()
