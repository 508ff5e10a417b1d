"""Recipients: who a credential is for, checked and normalised before anything is recorded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from credledger.ledger.domain.errors import FieldError, RequestInvalidError

_EMAIL = re.compile(r"^[\w.!#$%&'*+/=?^`{|}~-]+@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}$")
"""A dot-atom address at a domain of letter-digit-hyphen labels (Unicode letters allowed):
no commas, quotes, brackets or spaces, which in a CSV cell mean a misread row."""
_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0, DEL and C1: a NUL or line break would make two spellings of one learner, and
would reach hashes, logs and CSV reports as something other than what was meant."""
KINDS = ("email", "eduid", "did")


@dataclass(frozen=True)
class Recipient:
    kind: str
    identity: str


def parse_recipient(data: Any) -> Recipient:
    """Exactly one of email, eduid or did; raises RequestInvalidError naming the field."""
    loc = ("recipient",)
    if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in KINDS:
        raise RequestInvalidError(
            [FieldError(loc, "must be an object with exactly one of 'email', 'eduid', 'did'")]
        )
    kind, value = next(iter(data.items()))
    if not isinstance(value, str) or not value.strip() or len(value) > 320:
        raise RequestInvalidError([FieldError((*loc, kind), "must be a non-empty string")])
    if _CONTROL.search(value):
        raise RequestInvalidError([FieldError((*loc, kind), "must not hold control characters")])
    value = value.strip()
    if kind == "email":
        if not _EMAIL.match(value):
            raise RequestInvalidError([FieldError((*loc, kind), "is not an email address")])
        value = value.lower()
    elif kind == "did" and not _DID.match(value):
        raise RequestInvalidError([FieldError((*loc, kind), "is not a DID")])
    return Recipient(kind, value)
