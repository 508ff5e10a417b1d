"""The add-checkpoint exchange of c2sp.org/tlog-witness: request, decision, answers.

A log asks a witness to cosign a new checkpoint with ``POST <prefix>/add-checkpoint``;
the body is ``old <size>\\n``, up to 63 base64 consistency proof lines, an empty line
and the checkpoint note. The witness answers 200 with its cosignature lines, 409 with
the size it knows (``text/x.tlog.size``) when ``old`` is not that size, 404 for a log
it does not know, 403 when no trusted key signed (or a trusted key's signature fails),
400 for a malformed request or an old size beyond the checkpoint, and 422 when the
checkpoint does not extend the one it cosigned before (a bad proof, or another root
at the same size: a fork).

:func:`decide` is the witness's whole judgement, pure: the caller looks up the log's
keys and the remembered state, persists the new state before it answers, and keeps
the refused checkpoint as evidence when the answer says so. No I/O, no clock.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from credledger.crypto.checkpoint import Checkpoint, parse_checkpoint
from credledger.crypto.errors import CryptoError, InvalidSignatureError
from credledger.crypto.merkle_verify import MerkleProofError, verify_consistency
from credledger.crypto.rfc9162 import EMPTY_ROOT, HASH_SIZE
from credledger.crypto.signed_note import (
    MalformedNoteError,
    NoteSignature,
    NoteVerifier,
    UnverifiedNoteError,
    open_note,
)
from credledger.crypto.strict_base64 import Base64Error, decode_base64
from credledger.crypto.tlog_witness import WitnessKey, WitnessState

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_PROOF_LINES",
    "SIZE_CONTENT_TYPE",
    "AddCheckpoint",
    "Answer",
    "MalformedRequestError",
    "decide",
    "origin_of",
    "parse_size_answer",
]

MAX_PROOF_LINES = 63
"""The most consistency proof lines a client may send (the spec's limit)."""
MAX_BODY_BYTES = 16 * 1024
"""A request larger than this is refused unread (transparency-dev/witness's bound)."""
SIZE_CONTENT_TYPE = "text/x.tlog.size"
"""The media type of a 409 answer: the size the witness knows, in decimal, a newline."""

_OLD_LINE = re.compile(r"old (0|[1-9][0-9]{0,19})")
_SIZE_ANSWER = re.compile(rb"(0|[1-9][0-9]{0,19})\n")


class MalformedRequestError(CryptoError, ValueError):
    """An add-checkpoint body (or a 409 answer) that breaks the protocol's format."""


@dataclass(frozen=True)
class AddCheckpoint:
    """One add-checkpoint request: the size the log believes the witness knows, the
    consistency proof from that size, and the signed checkpoint note."""

    old_size: int
    proof: tuple[bytes, ...]
    note: str

    def body(self) -> bytes:
        """The request body, exactly as the spec lays it out."""
        if len(self.proof) > MAX_PROOF_LINES:
            raise MalformedRequestError(f"at most {MAX_PROOF_LINES} consistency proof lines")
        lines = [f"old {self.old_size}", *(base64.b64encode(h).decode("ascii") for h in self.proof)]
        return ("\n".join(lines) + "\n\n" + self.note).encode("utf-8")

    @classmethod
    def parse(cls, body: bytes) -> AddCheckpoint:
        """Parse a request body strictly (raises :class:`MalformedRequestError`)."""
        if len(body) > MAX_BODY_BYTES:
            raise MalformedRequestError(f"the request exceeds {MAX_BODY_BYTES} bytes")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedRequestError("the request is not UTF-8 text") from None
        head, blank, note = text.partition("\n\n")
        if not blank or not note:
            raise MalformedRequestError("no checkpoint after an empty line")
        old_line, *proof_lines = head.split("\n")
        found = _OLD_LINE.fullmatch(old_line)
        if found is None:
            raise MalformedRequestError("the first line must be 'old <size>' (decimal)")
        if len(proof_lines) > MAX_PROOF_LINES:
            raise MalformedRequestError(f"more than {MAX_PROOF_LINES} consistency proof lines")
        proof = []
        for number, line in enumerate(proof_lines, start=1):
            try:
                digest = decode_base64(line, f"consistency proof line {number}")
            except Base64Error as exc:
                raise MalformedRequestError(str(exc)) from None
            if len(digest) != HASH_SIZE:
                raise MalformedRequestError(f"consistency proof line {number} is not a hash")
            proof.append(digest)
        return cls(int(found.group(1)), tuple(proof), note)


def origin_of(note: str) -> str:
    """The origin line of a checkpoint note (unverified: to look up the log's keys)."""
    origin, newline, _ = note.partition("\n")
    if not newline or not origin:
        raise MalformedRequestError("the checkpoint has no origin line")
    return origin


def size_answer(size: int) -> bytes:
    """The body of a 409 answer."""
    return f"{size}\n".encode("ascii")


def parse_size_answer(body: bytes) -> int:
    """The size in a 409 answer's body (``text/x.tlog.size``)."""
    found = _SIZE_ANSWER.fullmatch(body)
    if found is None:
        raise MalformedRequestError("a text/x.tlog.size answer is a decimal size and a newline")
    return int(found.group(1))


@dataclass(frozen=True)
class Answer:
    """What the witness answers, and what it must do first.

    ``state``: the new state to persist *before* answering (200 only). ``evidence``:
    set when the checkpoint, validly signed by the log, contradicts the remembered one;
    the caller keeps it with the remembered state (the spec's MAY, done here).
    """

    status: int
    reason: str
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    state: WitnessState | None = None
    evidence: bool = False


def decide(
    request: AddCheckpoint,
    trusted: Sequence[NoteVerifier],
    remembered: WitnessState | None,
    key: WitnessKey,
    timestamp: int,
) -> Answer:
    """The witness's answer to ``request`` for a log whose keys are ``trusted`` (empty:
    an unknown origin), given the state it ``remembered`` for that origin."""
    if timestamp <= 0:
        raise ValueError("a cosignature's timestamp must not be zero")
    if not trusted:
        return Answer(404, "this witness does not know that log")
    try:
        origin = origin_of(request.note)
        opened = open_note(request.note, trusted)
        checkpoint = parse_checkpoint(opened.text, origin=origin)
    except (InvalidSignatureError, UnverifiedNoteError) as exc:
        return Answer(403, f"the checkpoint is not signed by the log's key: {exc}")
    except (MalformedNoteError, MalformedRequestError) as exc:
        return Answer(400, f"not a checkpoint: {exc}")
    if request.old_size > checkpoint.size:
        return Answer(400, f"old size {request.old_size} > checkpoint size {checkpoint.size}")
    known = remembered.size if remembered is not None else 0
    if request.old_size != known:
        return Answer(
            409,
            f"this witness last cosigned size {known}, not {request.old_size}",
            size_answer(known),
            SIZE_CONTENT_TYPE,
        )
    if checkpoint.size == 0 and checkpoint.root_hash != EMPTY_ROOT:
        return Answer(422, "a checkpoint of size 0 must have the empty tree's root")
    refusal = _inconsistency(request, checkpoint, remembered)
    if refusal is not None:
        return Answer(422, refusal, evidence=remembered is not None and request.old_size > 0)
    log_lines = "".join(s.line() for s in opened.signatures)
    signature = _cosignature_line(opened.text, key, timestamp)
    signed_by = {(s.name, s.key_id) for s in opened.signatures}
    used = next(v for v in trusted if (v.name, v.key_id) in signed_by)
    state = WitnessState.of(checkpoint, used.vkey(), opened.text + "\n" + log_lines + signature)
    return Answer(200, f"cosigned size {checkpoint.size}", signature.encode("utf-8"), state=state)


def _inconsistency(
    request: AddCheckpoint, checkpoint: Checkpoint, remembered: WitnessState | None
) -> str | None:
    """Why ``checkpoint`` does not extend the remembered one (None: it does)."""
    if request.old_size == 0:
        return "the proof from size 0 must be empty" if request.proof else None
    assert remembered is not None  # old_size == remembered.size > 0
    if checkpoint.size == remembered.size and checkpoint.root_hash != remembered.root_hash:
        return f"fork: the log shows two different trees of size {remembered.size}"
    try:
        verify_consistency(
            remembered.size,
            checkpoint.size,
            request.proof,
            remembered.root_hash,
            checkpoint.root_hash,
        )
    except MerkleProofError as exc:
        return (
            f"the tree of size {checkpoint.size} is not shown to extend the size "
            f"{remembered.size} this witness cosigned: {exc}"
        )
    return None


def _cosignature_line(text: str, key: WitnessKey, timestamp: int) -> str:
    """This witness's cosignature/v1 line over the checkpoint body."""
    signer = key.signer(timestamp)
    return NoteSignature(signer.name, signer.key_id, signer.sign(text.encode("utf-8"))).line()
