"""Every CSV row checked before anything is issued for it.

A row is refused, by line and column, when it is not well-formed CSV, names no valid
recipient (e-mail, eduID or DID), carries a result the achievement's ResultDescription
does not allow, or a date out of range. The ledger checks every award again; these
checks only make sure a sheet is judged whole before a single credential is signed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from credledger.ledger.domain.errors import RequestInvalidError
from credledger.ledger.domain.recipients import parse_recipient
from credledger.ledger.domain.results import fit_result, spec_from_description

from .errors import FieldProblem
from .inputs import normalise_time

_EDUID = re.compile(r"^[^\s,;\"'<>\\]{1,320}$")
LAST_DATE = datetime(9999, 12, 31, tzinfo=UTC)


def result_spec(achievement: dict[str, Any]) -> dict[str, Any] | None:
    """The result the achievement allows, from its published ResultDescription."""
    descriptions = achievement.get("resultDescription")
    if not isinstance(descriptions, list) or not descriptions:
        return None
    return spec_from_description(descriptions[0])


def row_problems(
    cells: dict[str, str], kind: str, spec: dict[str, Any] | None, now: datetime
) -> list[FieldProblem]:
    """What is wrong with a well-formed row, by column (empty: nothing)."""
    problems: list[FieldProblem] = []
    recipient = cells.get(kind)
    if recipient is None:
        problems.append(FieldProblem(kind, "is empty: every row names its recipient"))
    elif kind == "eduid" and not _EDUID.match(recipient):
        problems.append(FieldProblem(kind, "is not an eduID (no spaces, quotes or separators)"))
    else:
        try:
            parse_recipient({kind: recipient})
        except RequestInvalidError as exc:
            problems.extend(FieldProblem(kind, e.msg) for e in exc.errors)
    if "result" in cells and spec is not None:
        try:
            fit_result({"result": spec}, cells["result"])
        except RequestInvalidError as exc:
            problems.extend(FieldProblem("result", e.msg) for e in exc.errors)
    url = cells.get("evidence_url")
    if url is not None and not url.startswith(("https://", "http://")):
        problems.append(FieldProblem("evidence_url", "must be an http(s) URL"))
    if "valid_until" in cells:
        problems.extend(_date_problems(cells["valid_until"], now))
    return problems


def _date_problems(text: str, now: datetime) -> list[FieldProblem]:
    try:
        moment = datetime.fromisoformat(normalise_time(text))
    except ValueError:
        return [FieldProblem("valid_until", "is not a date (YYYY-MM-DD) or RFC 3339 date-time")]
    if moment <= now:
        return [FieldProblem("valid_until", "must be in the future")]
    if moment > LAST_DATE:
        return [FieldProblem("valid_until", "must be before the year 10000")]
    return []
