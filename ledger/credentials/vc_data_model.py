"""The VC Data Model's structural rules that JSON-LD processing does not catch.

Expanding a credential (as signing and verifying do) already refuses undefined terms,
relative IRIs and redefined protected terms. What it lets through are the data
model's own MUSTs: a null issuer, an empty subject, a status or schema without a
``type``, a ``validFrom`` that is not a dateTimeStamp, a ``relatedResource`` without
a digest. Issuing and verifying both ask this module, so a credential credledger
would refuse to sign never verifies either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from credledger.ledger.domain.errors import FieldError
from credledger.revocation.timestamps import TimestampError, parse_timestamp

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")
# VC 1.1: xsd:dateTime, the time zone optional.
_DATE_TIME = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
_INDEX = re.compile(r"0|[1-9]\d*")

Loc = tuple[str | int, ...]


def data_model_violations(vc: Mapping[str, Any]) -> list[FieldError]:
    """Every broken data-model rule of ``vc``, located relative to the credential.

    The version follows the first ``@context`` (VC 2.0 unless it is the v1 context);
    an empty list means the structure conforms, not that any proof is valid.
    """
    v1 = _first_context(vc) == VC_V1
    errors: list[FieldError] = []
    _check_issuer(vc, errors)
    _check_subjects(vc.get("credentialSubject"), errors)
    _check_validity(vc, v1, errors)
    needs_id = {"credentialSchema"} | ({"credentialStatus", "refreshService"} if v1 else set())
    for name in (
        "credentialStatus",
        "credentialSchema",
        "refreshService",
        "termsOfUse",
        "evidence",
    ):
        if name in vc:
            _check_typed_objects(name, vc[name], name in needs_id, errors)
    if not v1 and "relatedResource" in vc:
        _check_related_resources(vc["relatedResource"], errors)
    return errors


def presentation_violations(vp: Mapping[str, Any]) -> list[FieldError]:
    """Every broken data-model rule of a presentation itself (its credentials apart).

    A VC 1.1 presentation may carry VC-JWT strings; a VC 2.0 one only objects
    (credentials, or enveloped credentials).
    """
    errors: list[FieldError] = []
    first = _first_context(vp)
    if first not in (VC_V1, VC_V2):
        errors.append(FieldError(("@context",), "must start with the VC v2 or v1 context"))
    types = vp.get("type")
    if "VerifiablePresentation" not in (types if isinstance(types, list) else [types]):
        errors.append(FieldError(("type",), "must include VerifiablePresentation"))
    if "id" in vp and not _is_url(vp["id"]):
        errors.append(FieldError(("id",), "must be a URL"))
    if "holder" in vp:
        holder = vp["holder"]
        if isinstance(holder, Mapping):
            if not _is_url(holder.get("id")):
                errors.append(FieldError(("holder", "id"), "must be a URL"))
        elif not _is_url(holder):
            errors.append(FieldError(("holder",), "must be a URL or an object whose id is a URL"))
    embedded = vp.get("verifiableCredential", [])
    many = isinstance(embedded, list)
    for i, item in enumerate(_items(embedded)):
        allowed = isinstance(item, Mapping) or (first == VC_V1 and isinstance(item, str))
        if not allowed:
            loc: Loc = ("verifiableCredential", i) if many else ("verifiableCredential",)
            errors.append(FieldError(loc, "must be a credential object"))
    return errors


def _first_context(vc: Mapping[str, Any]) -> Any:
    contexts = vc.get("@context")
    return contexts[0] if isinstance(contexts, list) and contexts else contexts


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def _is_type(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, list) and bool(value) and all(isinstance(t, str) and t for t in value)


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _check_issuer(vc: Mapping[str, Any], errors: list[FieldError]) -> None:
    if "issuer" not in vc:
        errors.append(FieldError(("issuer",), "is required"))
        return
    issuer = vc["issuer"]
    if isinstance(issuer, Mapping):
        if not _is_url(issuer.get("id")):
            errors.append(FieldError(("issuer", "id"), "must be a URL"))
    elif not _is_url(issuer):
        errors.append(FieldError(("issuer",), "must be a URL or an object whose id is a URL"))


def _check_subjects(subject: Any, errors: list[FieldError]) -> None:
    if subject is None or subject == []:
        errors.append(FieldError(("credentialSubject",), "is required"))
        return
    many = isinstance(subject, list)
    for i, item in enumerate(_items(subject)):
        loc: Loc = ("credentialSubject", i) if many else ("credentialSubject",)
        if not isinstance(item, Mapping) or not item:
            errors.append(FieldError(loc, "must be an object making at least one claim"))


def _check_validity(vc: Mapping[str, Any], v1: bool, errors: list[FieldError]) -> None:
    if v1:
        for key in ("issuanceDate", "expirationDate"):
            value = vc.get(key)
            if key in vc and not (isinstance(value, str) and _DATE_TIME.fullmatch(value)):
                errors.append(FieldError((key,), "must be an XML Schema dateTime"))
        return
    moments = {}
    for key in ("validFrom", "validUntil"):
        if key in vc:
            try:
                moments[key] = parse_timestamp(vc[key])
            except TimestampError:
                errors.append(FieldError((key,), "must be an XML Schema dateTimeStamp"))
    if len(moments) == 2 and moments["validFrom"] > moments["validUntil"]:
        errors.append(FieldError(("validUntil",), "must not be earlier than validFrom"))


def _check_typed_objects(name: str, value: Any, needs_id: bool, errors: list[FieldError]) -> None:
    many = isinstance(value, list)
    if many and not value:
        errors.append(FieldError((name,), "must not be empty"))
    for i, item in enumerate(_items(value)):
        loc: Loc = (name, i) if many else (name,)
        if not isinstance(item, Mapping):
            errors.append(FieldError(loc, "must be an object"))
            continue
        if not _is_type(item.get("type")):
            errors.append(FieldError((*loc, "type"), "is required"))
        if ("id" in item or needs_id) and not _is_url(item.get("id")):
            errors.append(FieldError((*loc, "id"), "must be a URL"))
        if name == "credentialStatus" and item.get("type") == "BitstringStatusListEntry":
            _check_status_entry(item, loc, errors)


def _check_status_entry(entry: Mapping[str, Any], loc: Loc, errors: list[FieldError]) -> None:
    """Bitstring Status List §2.1: the entry's own MUSTs (MALFORMED_VALUE_ERROR)."""
    if not isinstance(entry.get("statusPurpose"), str):
        errors.append(FieldError((*loc, "statusPurpose"), "must be a string"))
    index = entry.get("statusListIndex")
    if not (isinstance(index, str) and _INDEX.fullmatch(index)):
        errors.append(
            FieldError((*loc, "statusListIndex"), "must be a non-negative base-10 integer string")
        )
    if not _is_url(entry.get("statusListCredential")):
        errors.append(FieldError((*loc, "statusListCredential"), "must be a URL"))


def _check_related_resources(value: Any, errors: list[FieldError]) -> None:
    many = isinstance(value, list)
    seen: set[str] = set()
    for i, item in enumerate(_items(value)):
        loc: Loc = ("relatedResource", i) if many else ("relatedResource",)
        if not isinstance(item, Mapping):
            errors.append(FieldError(loc, "must be an object with id and a digest"))
            continue
        resource_id = item.get("id")
        if not isinstance(resource_id, str) or not _is_url(resource_id):
            errors.append(FieldError((*loc, "id"), "must be a URL"))
        elif resource_id in seen:
            errors.append(FieldError((*loc, "id"), "must be unique among related resources"))
        else:
            seen.add(resource_id)
        digests = [item[k] for k in ("digestSRI", "digestMultibase") if k in item]
        if not digests or not all(isinstance(d, str) and d for d in digests):
            errors.append(FieldError(loc, "must carry a digestSRI or digestMultibase string"))
