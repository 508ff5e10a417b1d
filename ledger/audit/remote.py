"""Auditing a log from outside, through its public endpoints (docs/api.md).

An outsider holds no events, so the audit rebuilds the tree from the published
leaves, checks that each leaf is a well-formed leaf naming its own index, verifies
every listed checkpoint against the rebuilt tree and the server's consistency proofs
between consecutive checkpoints, and (optionally) that the log still extends a
checkpoint the auditor saved earlier.
"""

from __future__ import annotations

import hashlib
import time
from typing import Protocol

from credledger.crypto.errors import CryptoError
from credledger.crypto.signed_note import NoteVerifier
from credledger.ledger.audit.replay import TreeReplay, claimed_size, open_saved_checkpoint
from credledger.ledger.audit.report import AuditReport, AuditSetupError, Discrepancy, Progress
from credledger.ledger.log.leaves import decode_leaf

__all__ = ["LogSource", "audit_remote"]

_sha256 = hashlib.sha256


class LogSource(Protocol):
    """The log's public read endpoints (docs/api.md), however they are reached."""

    def log_key(self) -> str: ...

    def checkpoints(self) -> list[str]: ...

    def leaves(self, start: int, end: int) -> list[bytes]:
        """Leaves ``start`` through ``end`` inclusive (possibly fewer)."""
        ...

    def consistency(self, first: int, second: int) -> list[bytes]: ...


def audit_remote(
    source: LogSource,
    *,
    log_key: str | None = None,
    saved_checkpoint: str | None = None,
    progress: Progress | None = None,
    page: int = 1000,
) -> AuditReport:
    """Audit a log through its public endpoints, up to its newest listed checkpoint."""
    started = time.perf_counter()
    served = source.log_key()
    key, key_source = (log_key, "given") if log_key else (served, "the server's /v1/log/key")
    try:
        verifier = NoteVerifier.from_vkey(key)
    except CryptoError as exc:
        raise AuditSetupError(f"not a log vkey: {exc}") from None
    report = AuditReport("remote", key, key_source, origin=verifier.name)
    if log_key and served != log_key:
        report.warnings.append(f"the server now publishes another log key: {served}")
    saved = open_saved_checkpoint(saved_checkpoint, verifier) if saved_checkpoint else None
    report.from_checkpoint = saved.size if saved else None
    try:
        notes = source.checkpoints()
        replay = TreeReplay(verifier, notes, consistency=source.consistency, saved=saved)
        size = max([claimed_size(n) for n in notes] or [0])
        replay.at_stop()
        while replay.tree.size < size:
            start = replay.tree.size
            stop = replay.next_stop()
            end = min(start + page, stop if stop is not None and stop > start else size)
            leaves = source.leaves(start, end - 1)[: end - start]
            hashes = []
            for offset, data in enumerate(leaves):
                _check_public_leaf(start + offset, data)
                hashes.append(_sha256(b"\x00" + data).digest())
            replay.append(hashes)
            if replay.next_stop() == replay.tree.size:
                replay.at_stop()
            report.leaves = replay.tree.size
            if progress is not None:
                progress(replay.tree.size, size)
        replay.finish(size)
        report.checkpoints = replay.verified
        report.size = size
        report.root_hash = replay.previous.root_hash if replay.previous else None
    except Discrepancy as found:
        report.discrepancy = found
    report.seconds = time.perf_counter() - started
    return report


def _check_public_leaf(index: int, data: bytes) -> None:
    """A leaf as the contract describes it: a deterministic CBOR map naming its own index."""
    try:
        leaf = decode_leaf(data)
    except (CryptoError, ValueError) as exc:
        raise Discrepancy(
            "leaf-malformed", f"leaf {index} is not a deterministic CBOR map: {exc}", leaf=index
        ) from None
    if leaf.get("seq") != index:
        raise Discrepancy(
            "leaf-malformed", f"leaf {index} says it is leaf {leaf.get('seq')!r}", leaf=index
        )
    for key, kind in (("event", str), ("aggregate", str), ("version", int), ("time", str)):
        if not isinstance(leaf.get(key), kind):
            raise Discrepancy("leaf-malformed", f"leaf {index} has no valid {key!r}", leaf=index)
    if not isinstance(leaf.get("commitment"), bytes) or len(leaf["commitment"]) != 32:
        raise Discrepancy("leaf-malformed", f"leaf {index} has no 32-byte commitment", leaf=index)
