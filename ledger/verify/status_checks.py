"""A credential's status entries, each read from its list: revoked, suspended, clear,
or (a list not had, an entry of a type not read here) unknown, which leaves the
credential undecided."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from credledger.ledger.verify.report import Report
from credledger.revocation.cache import StatusListCache
from credledger.revocation.check import (
    FetchList,
    check_status,
    status_by_purpose,
    unread_status_types,
)
from credledger.revocation.errors import (
    StatusListError,
    StatusRetrievalError,
    StatusVerificationError,
)

log = logging.getLogger("credledger.ledger")


def check_status_entries(
    vc: Mapping[str, Any],
    report: Report,
    now: datetime,
    *,
    fetch_list: FetchList,
    verify_list_credential: Callable[[Mapping[str, Any]], None],
    cache: StatusListCache | None,
    disclose_fetch_errors: bool,
) -> None:
    """Every status entry must be read: one that is not leaves the credential undecided."""
    if "credentialStatus" not in vc:
        return
    report.checks.append("status")
    for kind in unread_status_types(vc.get("credentialStatus")):
        report.undecide("status", f"a status entry of type {kind[:80]!r} cannot be read here")
    results = check_status(
        vc,
        fetch_list=fetch_list,
        verify_list_credential=verify_list_credential,
        now=now,
        cache=cache,
    )
    for purpose, is_set in status_by_purpose(results).items():
        if is_set is None:
            report.status[purpose] = "unknown"
            errors = [r.error for r in results if r.purpose == purpose and r.error]
            _status_unknown(report, purpose, errors, disclose_fetch_errors)
        elif is_set:
            report.status[purpose] = {"revocation": "revoked", "suspension": "suspended"}.get(
                purpose, "set"
            )
            report.fail("status", f"the credential is {report.status[purpose]}")
        else:
            report.status[purpose] = "clear"


def _status_unknown(
    report: Report, purpose: str, errors: list[StatusListError], disclose_fetch_errors: bool
) -> None:
    fetched = any(isinstance(e, StatusRetrievalError | StatusVerificationError) for e in errors)
    if fetched and not disclose_fetch_errors:
        for error in errors:
            log.info("status %s undecided: %s", purpose, error)
        reasons = "its list could not be retrieved, was stale or did not verify"
    else:
        reasons = "; ".join(str(e) for e in errors) or "no list was read"
    report.undecide("status", f"the {purpose} status could not be determined: {reasons}")
