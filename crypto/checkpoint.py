"""C2SP transparency-log checkpoints (c2sp.org/tlog-checkpoint).

A checkpoint is the signed-note text ``<origin>\\n<tree size>\\n<base64 root
hash>\\n`` plus optional extension lines. It is what the log commits to and
what clients, auditors and witnesses compare, so parsing is strict: one tree
head has exactly one body (decimal size without leading zeros, canonical
base64 of a 32-byte hash, no empty lines).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass

from credledger.crypto.signed_note import (
    MalformedNoteError,
    Signer,
    UnverifiedNoteError,
    Verifier,
    open_note,
    sign_note,
)
from credledger.crypto.strict_base64 import Base64Error, decode_base64

__all__ = [
    "HASH_SIZE",
    "MAX_TREE_SIZE",
    "Checkpoint",
    "MalformedCheckpointError",
    "open_checkpoint",
    "parse_checkpoint",
    "sign_checkpoint",
]

HASH_SIZE = 32
"""Bytes in an RFC 6962 / RFC 9162 SHA-256 root hash."""
MAX_TREE_SIZE = 2**64 - 1
"""Tree sizes are unsigned 64-bit, as in the Go implementations."""

_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")
"""At most 20 digits (2**64-1 has 20): longer lines are refused before ``int`` parses them."""


class MalformedCheckpointError(MalformedNoteError):
    """The note text is not a well-formed checkpoint (or not from the expected origin)."""


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, tree size, root hash and opaque extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if type(self.size) is not int or not 0 <= self.size <= MAX_TREE_SIZE:
            raise MalformedCheckpointError("tree size must be an integer in 0..2**64-1")
        if len(self.root_hash) != HASH_SIZE:
            raise MalformedCheckpointError(f"root hash must be {HASH_SIZE} bytes")
        object.__setattr__(self, "root_hash", bytes(self.root_hash))
        object.__setattr__(self, "extensions", tuple(self.extensions))
        for extension in self.extensions:
            _check_line(extension, "extension line")

    def body(self) -> str:
        """The note text: origin, size and base64 root hash lines, then extension lines."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode("ascii")]
        return "\n".join([*lines, *self.extensions]) + "\n"


def parse_checkpoint(text: str, *, origin: str | None = None) -> Checkpoint:
    """Parse a checkpoint body, optionally requiring a given origin.

    The result's :meth:`Checkpoint.body` is exactly ``text``. Parsing does not
    make the text trustworthy: use :func:`open_checkpoint` on a signed note.
    """
    if not text.endswith("\n"):
        raise MalformedCheckpointError("checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedCheckpointError("a checkpoint has origin, size and root hash lines")
    origin_line, size_line, hash_line, *extensions = lines
    if not _DECIMAL.fullmatch(size_line):
        raise MalformedCheckpointError(
            "tree size must be at most 20 decimal digits without leading zeros"
        )
    try:
        root_hash = decode_base64(hash_line, "root hash")
    except Base64Error as exc:
        raise MalformedCheckpointError(str(exc)) from None
    checkpoint = Checkpoint(origin_line, int(size_line), root_hash, tuple(extensions))
    if origin is not None and checkpoint.origin != origin:
        raise MalformedCheckpointError(
            f"checkpoint origin {checkpoint.origin!r} is not the expected {origin!r}"
        )
    return checkpoint


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The checkpoint as a note signed by the log's key.

    The key name must be the origin (the spec's SHOULD, made a rule here) so
    that clients can find the log's signature by name.
    """
    if signer.name != checkpoint.origin:
        raise ValueError(f"log key name {signer.name!r} differs from origin {checkpoint.origin!r}")
    return sign_note(checkpoint.body(), [signer])


def open_checkpoint(
    note: str | bytes,
    verifier: Verifier,
    *,
    origin: str | None = None,
    witnesses: Iterable[Verifier] = (),
) -> Checkpoint:
    """Verify a checkpoint note signed by the log's key and parse its body.

    ``origin`` defaults to the verifier's key name. Signatures from other keys
    are ignored unless listed in ``witnesses``, in which case each one present
    must verify (a missing witness is the caller's quorum policy, not checked
    here). Raises what :func:`~credledger.crypto.signed_note.open_note` raises,
    plus :class:`MalformedCheckpointError`.
    """
    opened = open_note(note, [verifier, *witnesses])
    identity = (verifier.name, verifier.key_id)
    if not any((signature.name, signature.key_id) == identity for signature in opened.signatures):
        raise UnverifiedNoteError("the checkpoint is not signed by the log's key")
    return parse_checkpoint(opened.text, origin=verifier.name if origin is None else origin)


def _check_line(value: str, what: str) -> None:
    if not value:
        raise MalformedCheckpointError(f"{what} must not be empty")
    if any(char < " " for char in value):
        raise MalformedCheckpointError(f"{what} must not hold newlines or control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedCheckpointError(f"{what} is not valid Unicode") from None
