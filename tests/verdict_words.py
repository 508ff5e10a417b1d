"""The verdict words the CLI may use, and the variants it may not (docs/verification.md,
"Verdict words"): one spelling each, in lower case."""

from __future__ import annotations

import re

CREDENTIAL_VERDICTS = frozenset({"valid", "invalid", "undecided"})
LOG_VERDICTS = frozenset({"intact", "tampered", "undecided"})

VARIANTS = re.compile(
    r"\b(?:INVALID|VALID|UNDECIDED|INTACT|TAMPERED|INCONSISTENT|FORK)\b"
    r"|\b(?:Valid|Invalid|Undecided|Intact|Tampered)\b"
    r"|\b(?:credential|bundle|log) is not valid\b"
    r"|\bnot valid(?=\s*[:.;,)]|\s*$)"
    r"|\b(?:could not|cannot|can't) decide\b"
    r"|\b(?:unverifiable|indeterminate)\b"
    r"|\btampered or inconsistent\b"
    r"|\bcredential does not verify\b",
    re.MULTILINE,
)


def variants_in(text: str) -> list[str]:
    """Every spelling of a verdict that is not the one spelling (empty: all is well)."""
    return [match.group(0) for match in VARIANTS.finditer(text)]
