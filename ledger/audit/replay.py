"""Rebuilding the log's Merkle tree (as C2SP tiles) leaf by leaf, checking each checkpoint.

Shared by the local and the remote audit: whatever the leaves come from, each
checkpoint's signature is verified when the rebuilt tree reaches its size, its root
compared with the rebuilt one, and a consistency proof from the previous checkpoint
verified against both roots.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from credledger.crypto.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint
from credledger.crypto.errors import CryptoError
from credledger.crypto.merkle_verify import verify_consistency
from credledger.crypto.rfc9162 import EMPTY_ROOT
from credledger.crypto.signed_note import CosignatureVerifier, NoteVerifier, parse_note
from credledger.crypto.tlog_tiles import Tile, TileTree
from credledger.ledger.audit.report import AuditSetupError, Discrepancy

__all__ = ["TreeReplay", "claimed_size", "open_saved_checkpoint"]


class TreeReplay:
    """Rebuilds the tree leaf by leaf and checks each checkpoint as its size is reached.

    ``checkpoints`` are signed notes, oldest first. At each checkpoint's size the
    signature is verified, the rebuilt root compared, and the consistency proof from
    the previous checkpoint (from ``consistency(m, n)``) verified against both roots.
    """

    def __init__(
        self,
        verifier: NoteVerifier,
        checkpoints: Sequence[str],
        *,
        consistency: Callable[[int, int], list[bytes]] | None = None,
        saved: Checkpoint | None = None,
        witnesses: Sequence[CosignatureVerifier] = (),
    ) -> None:
        self.verifier = verifier
        self.consistency = consistency
        self.witnesses = list(witnesses)
        self.tree = TileTree()
        self.saved = saved
        self._notes: list[tuple[int, str]] = []
        for note in checkpoints:
            self._notes.append((claimed_size(note), note))
        for (a, _), (b, _) in zip(self._notes, self._notes[1:], strict=False):
            if b <= a:
                raise Discrepancy(
                    "checkpoint-order",
                    f"checkpoint of size {b} is listed after size {a}",
                    checkpoint=b,
                )
        self._next = 0
        self.prechecked: dict[int, Prechecked] = {}
        self._saved_checked = False
        self.previous: Checkpoint | None = None
        self.verified = 0

    def next_stop(self) -> int | None:
        """The next tree size at which a root must be checked."""
        stops = []
        if self._next < len(self._notes):
            stops.append(self._notes[self._next][0])
        if self.saved is not None and not self._saved_checked:
            stops.append(self.saved.size)
        return min(stops) if stops else None

    def notes(self) -> list[tuple[int, str]]:
        """(size, note) of every checkpoint, in size order."""
        return list(self._notes)

    def stops(self) -> list[int]:
        """Every tree size at which a root will be checked."""
        return [size for size, _ in self._notes] + ([self.saved.size] if self.saved else [])

    def append(
        self, leaf_hashes: Sequence[bytes]
    ) -> tuple[list[Tile], dict[tuple[int, int], bytes]]:
        """Add leaves (never past :meth:`next_stop`); returns the tiles they change and
        the block roots of those they fill."""
        return self.tree.extend_with_blocks(leaf_hashes)

    def at_stop(self) -> None:
        """Check every checkpoint (and the saved one) of the current size."""
        size = self.tree.size
        saved = self.saved
        if saved is not None and saved.size == size:
            self._saved_checked = True
            if self._root() != saved.root_hash:
                raise Discrepancy(
                    "fork",
                    f"the log's tree of size {size} has another root than the checkpoint you "
                    "saved: the log forked or rewrote history",
                    checkpoint=size,
                )
        while self._next < len(self._notes) and self._notes[self._next][0] == size:
            self._check_checkpoint(self._notes[self._next][1])
            self._next += 1

    def _root(self) -> bytes:
        return self.tree.root() if self.tree.size else EMPTY_ROOT

    def _check_checkpoint(self, note: str) -> None:
        size = self.tree.size
        checked = self.prechecked.pop(size, None)  # what a worker checked already
        if checked is not None and checked[0] == "checkpoint-signature":
            raise Discrepancy(checked[0], checked[1], checkpoint=size)
        if checked is None:
            checkpoint = open_signed(note, self.verifier, self.witnesses, size)
        else:
            checkpoint = checked[1]
        if checkpoint.root_hash != self._root():
            raise Discrepancy(
                "checkpoint-root",
                f"the checkpoint of size {size} signs a root the leaves do not give",
                checkpoint=size,
            )
        if checked is not None and checked[0] == "consistency":
            raise Discrepancy("consistency", checked[2], checkpoint=size)
        previous = self.previous
        if checked is None and previous is not None and self.consistency is not None:
            check_consistency(self.consistency, previous, checkpoint)
        self.previous = checkpoint
        self.verified += 1

    def finish(self, leaves: int) -> None:
        """After the last leaf: nothing may claim a size the log does not have."""
        if self._next < len(self._notes):
            size = self._notes[self._next][0]
            raise Discrepancy(
                "checkpoint-beyond-log",
                f"a checkpoint claims size {size} but the log holds {leaves} leaves",
                checkpoint=size,
            )
        if self.saved is not None and self.saved.size > leaves:
            raise Discrepancy(
                "fork",
                f"the checkpoint you saved has size {self.saved.size} but the log now holds "
                f"only {leaves} leaves: the log was truncated",
                checkpoint=self.saved.size,
            )


Prechecked = tuple[Any, ...]
"""What a worker found of one checkpoint: ``("ok", checkpoint)``, ``("consistency",
checkpoint, message)`` or ``("checkpoint-signature", message)``."""


def open_signed(
    note: str, verifier: NoteVerifier, witnesses: Sequence[CosignatureVerifier], size: int
) -> Checkpoint:
    """The checkpoint, once its signature verifies with the log key."""
    try:
        return open_checkpoint(note, verifier, witnesses=witnesses)
    except CryptoError as exc:
        raise Discrepancy(
            "checkpoint-signature",
            f"the checkpoint of size {size} does not verify with the log key: {exc}",
            checkpoint=size,
        ) from None


def check_consistency(
    consistency: Callable[[int, int], list[bytes]], previous: Checkpoint, checkpoint: Checkpoint
) -> None:
    """A consistency proof (from ``consistency``) between two signed checkpoints."""
    if previous.size == 0:
        return
    try:
        proof = consistency(previous.size, checkpoint.size)
        verify_consistency(
            previous.size, checkpoint.size, proof, previous.root_hash, checkpoint.root_hash
        )
    except (CryptoError, LookupError, ValueError) as exc:
        raise Discrepancy(
            "consistency",
            f"no valid consistency proof from the checkpoint of size {previous.size} "
            f"to the one of size {checkpoint.size}: {exc}",
            checkpoint=checkpoint.size,
        ) from None


def claimed_size(note: str) -> int:
    """The size a checkpoint note's text claims (unverified: only to order the replay)."""
    try:
        return parse_checkpoint(parse_note(note).text).size
    except CryptoError as exc:
        raise Discrepancy("checkpoint-malformed", f"a checkpoint is malformed: {exc}") from None


def open_saved_checkpoint(note: str, verifier: NoteVerifier) -> Checkpoint:
    """A checkpoint the auditor kept from earlier; it must verify with the same key."""
    try:
        return open_checkpoint(note, verifier)
    except CryptoError as exc:
        raise AuditSetupError(
            f"the saved checkpoint does not verify with the log key: {exc}"
        ) from None
