"""C2SP tlog-proof (c2sp.org/tlog-proof@v1): an offline proof that an entry is logged.

The text is the header line ``c2sp.org/tlog-proof@v1``, an optional ``extra
<base64>`` line (opaque, unauthenticated data the verifier needs to rebuild the leaf),
``index <n>``, the RFC 6962 inclusion proof one base64 hash a line (from the leaf's
sibling up), an empty line, and the checkpoint note verbatim with its signature and
any witness cosignatures.

This module only writes and reads that layout; nothing in a parsed proof is trusted
until the checkpoint opens with the log's key and the inclusion proof binds the leaf
rebuilt from the extra data to the checkpoint's root. Pure: no I/O.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from credledger.crypto.errors import CryptoError
from credledger.crypto.rfc9162 import HASH_SIZE
from credledger.crypto.strict_base64 import Base64Error, decode_base64

__all__ = ["HEADER", "MAX_PROOF_HASHES", "MalformedTlogProofError", "TlogProof"]

HEADER = "c2sp.org/tlog-proof@v1"
MAX_PROOF_HASHES = 64
"""An inclusion proof in a tree of at most 2**64 leaves has at most 64 hashes."""
MAX_SIZE = 1 << 20
_INDEX = re.compile(r"index (0|[1-9][0-9]{0,19})")


class MalformedTlogProofError(CryptoError, ValueError):
    """The text is not a tlog-proof in the spec's layout."""


@dataclass(frozen=True)
class TlogProof:
    """An entry's index, its inclusion proof, the checkpoint note and optional extra data."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def text(self) -> str:
        """The proof in its one textual form (store it with the extension .tlog-proof)."""
        lines = [HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode("ascii"))
        lines.append(f"index {self.index}")
        lines += [base64.b64encode(h).decode("ascii") for h in self.proof]
        return "\n".join(lines) + "\n\n" + self.checkpoint

    @classmethod
    def parse(cls, text: str | bytes) -> TlogProof:
        """Read a proof strictly; the checkpoint is returned as text, still to be opened."""
        if isinstance(text, bytes):
            if len(text) > MAX_SIZE:
                raise MalformedTlogProofError(f"a tlog-proof is at most {MAX_SIZE} bytes")
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedTlogProofError("a tlog-proof is UTF-8 text") from None
        head, blank, checkpoint = text.partition("\n\n")
        if not blank or not checkpoint:
            raise MalformedTlogProofError("no empty line before the checkpoint")
        lines = head.split("\n")
        if lines[0] != HEADER:
            raise MalformedTlogProofError(f"the first line must be {HEADER}")
        rest = lines[1:]
        extra = None
        if rest and rest[0].startswith("extra "):
            extra = _base64(rest.pop(0).removeprefix("extra "), "the extra data")
        found = _INDEX.fullmatch(rest.pop(0)) if rest else None
        if found is None:
            raise MalformedTlogProofError("an 'index <n>' line (decimal) must follow the header")
        if len(rest) > MAX_PROOF_HASHES:
            raise MalformedTlogProofError(f"more than {MAX_PROOF_HASHES} inclusion proof hashes")
        proof = []
        for number, line in enumerate(rest, start=1):
            digest = _base64(line, f"inclusion proof line {number}")
            if len(digest) != HASH_SIZE:
                raise MalformedTlogProofError(f"inclusion proof line {number} is not a hash")
            proof.append(digest)
        return cls(int(found.group(1)), tuple(proof), checkpoint, extra)


def _base64(text: str, what: str) -> bytes:
    try:
        return decode_base64(text, what)
    except Base64Error as exc:
        raise MalformedTlogProofError(str(exc)) from None
