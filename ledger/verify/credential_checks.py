"""A credential's structure (VC Data Model 1.1 / 2.0) and its validity window."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from credledger.ledger.credentials.vc_data_model import data_model_violations
from credledger.ledger.verify.report import Report

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def types_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def issuer_id_of(vc: Mapping[str, Any]) -> str | None:
    issuer = vc.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def check_data_model(vc: Any, report: Report, now: datetime) -> bool:
    """VC Data Model 1.1 / 2.0 structure and the validity window."""
    report.checks.append("data-model")
    if not isinstance(vc, Mapping):
        report.fail("data-model", "a credential is a JSON object")
        return False
    contexts = vc.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first not in (VC_V1, VC_V2):
        report.fail("data-model", "the first @context must be the VC v1 or v2 context")
        return False
    if "VerifiableCredential" not in types_of(vc.get("type")):
        report.fail("data-model", "type must include VerifiableCredential")
    violations = data_model_violations(vc)
    for violation in violations:
        report.fail("data-model", f"{'.'.join(map(str, violation.loc))}: {violation.msg}")
    report.checks.append("validity")
    start_key, end_key = (
        ("validFrom", "validUntil") if first == VC_V2 else ("issuanceDate", "expirationDate")
    )
    if first == VC_V1 and start_key not in vc:
        report.fail("data-model", "a VC 1.1 credential needs issuanceDate")
    for key in (start_key, end_key):
        if key in vc and parse_time(vc[key]) is None and all(v.loc != (key,) for v in violations):
            report.fail("data-model", f"{key} must be an RFC 3339 date-time with a time zone")
    start, end = parse_time(vc.get(start_key)), parse_time(vc.get(end_key))
    if start is not None and now < start:
        report.fail("validity", f"not valid before {vc[start_key]}")
    if end is not None and now >= end:
        report.fail("validity", f"expired at {vc[end_key]}")
    return not report.errors
