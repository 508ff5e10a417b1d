"""Auditing what the log keeps beside its tree: the sequence of checkpoints and the
witnesses' cosignatures on them.

The replay checks every stored checkpoint; these checks find the ones that are gone
and the cosignatures that no longer hold: checkpoints are numbered 1, 2, 3, … in
signing order (``store/log_records.py``), so a deleted one leaves a gap, and every
stored cosignature must verify, with a configured witness key, on a checkpoint the log
still holds. A cosignature the audit cannot check (no witness keys given) makes the
audit undecided, never intact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from credledger.crypto.errors import CryptoError
from credledger.crypto.signed_note import CosignatureVerifier, open_note, parse_note
from credledger.ledger.audit.report import AuditSetupError, Discrepancy


def check_numbering(numbered: Sequence[tuple[int, int | None]]) -> None:
    """``numbered``: (size, number) of every stored checkpoint in size order; the numbers
    must run 1, 2, 3, … (a gap is a deleted checkpoint, a step back a reordered one)."""
    for expected, (size, number) in enumerate(numbered, start=1):
        if number == expected:
            continue
        if number is not None and number > expected:
            missing = expected if number == expected + 1 else f"{expected} to {number - 1}"
            raise Discrepancy(
                "checkpoint-missing",
                f"checkpoint number {missing} is missing: the log holds number {number} "
                f"(size {size}) after number {expected - 1}",
                checkpoint=size,
            )
        raise Discrepancy(
            "checkpoint-order",
            f"the checkpoint of size {size} is numbered {number}, out of signing order "
            f"(expected {expected})",
            checkpoint=size,
        )


def require_witness_keys(count: int, witnesses: Sequence[CosignatureVerifier]) -> None:
    """Stored cosignatures cannot be checked without the witnesses' keys: say so."""
    if count and not witnesses:
        raise AuditSetupError(
            f"the log keeps {count} witness cosignature(s); give the witnesses' vkeys "
            "(CREDLEDGER_WITNESS_KEYS, comma-separated, or CREDLEDGER_WITNESSES) to check them"
        )


def check_cosignatures(
    stored: Sequence[tuple[int, str, str]],
    witnesses: Sequence[CosignatureVerifier],
    notes: Mapping[int, str],
) -> None:
    """Every stored (size, witness name, cosignature line) verifies with that witness's
    configured key on the checkpoint of that size, which the log must still hold."""
    known = {w.name: w for w in witnesses}
    for size, name, line in stored:
        note = notes.get(size)
        if note is None:
            raise Discrepancy(
                "cosignature-orphan",
                f"a cosignature of {name} is stored for a checkpoint of size {size} that the "
                "log does not hold (a deleted checkpoint?)",
                checkpoint=size,
            )
        witness = known.get(name)
        if witness is None:
            raise Discrepancy(
                "cosignature-unknown",
                f"the stored cosignature on the checkpoint of size {size} is by {name!r}, "
                "which is not a configured witness",
                checkpoint=size,
            )
        try:
            open_note(parse_note(note).text + "\n" + line, [witness])
        except CryptoError as exc:
            raise Discrepancy(
                "cosignature",
                f"the stored cosignature of {name} on the checkpoint of size {size} "
                f"does not verify: {exc}",
                checkpoint=size,
            ) from None
