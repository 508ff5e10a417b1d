"""Status list documents: the ``BitstringStatusListCredential`` and ``BitstringStatusListEntry``.

Builders write the data model of spec §2 for VC 2.0; parsers validate documents
that come from elsewhere against the spec's MUSTs and raise StatusEntryError
(MALFORMED_VALUE_ERROR) naming the offending property. Nothing here signs:
``sign_status_list_credential`` takes the signer as a callable, so the ledger
decides which key and cryptosuite secure the list.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from credledger.revocation.bitstring import Bitstring
from credledger.revocation.errors import StatusEntryError, StatusListSigningError
from credledger.revocation.timestamps import TimestampError, format_timestamp, parse_timestamp

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
STATUS_LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
STATUS_LIST_TYPE = "BitstringStatusList"
STATUS_ENTRY_TYPE = "BitstringStatusListEntry"
PURPOSES = frozenset({"refresh", "revocation", "suspension", "message"})
"""The status purposes whose meaning the spec fixes (others are allowed)."""

_DECIMAL_INDEX = re.compile(r"0|[1-9][0-9]{0,29}")
_HEX_STATUS = re.compile(r"0x[0-9a-fA-F]+")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_MAX_STATUS_SIZE = 16  # 65,536 messages: far past any real use, small enough to check
_MAX_TTL_MS = timedelta.max // timedelta(milliseconds=1)
"""A larger ``ttl`` (any non-negative integer is valid) means the same: longer than any cap."""


@dataclass(frozen=True, slots=True)
class StatusMessage:
    """One ``statusMessage`` item: what a status value means."""

    status: int
    message: str

    def to_json(self) -> dict[str, str]:
        return {"status": hex(self.status), "message": self.message}


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """A validated ``BitstringStatusListEntry``."""

    status_list_credential: str
    index: int
    purpose: str
    status_size: int = 1
    messages: tuple[StatusMessage, ...] = ()
    id: str | None = None
    references: tuple[str, ...] = ()

    def message_for(self, value: int) -> str | None:
        """The message for a status value: from ``statusMessage``, else set/unset (§2.1)."""
        for item in self.messages:
            if item.status == value:
                return item.message
        if not self.messages and self.status_size == 1:
            return "set" if value else "unset"
        return None


@dataclass(frozen=True, slots=True)
class StatusListCredential:
    """The parts of a ``BitstringStatusListCredential`` a status check needs."""

    id: str | None
    issuer: str | None
    purposes: frozenset[str]
    encoded_list: str
    valid_from: datetime | None
    valid_until: datetime | None
    ttl: timedelta | None
    status_size: int | None

    def is_valid_at(self, now: datetime) -> bool:
        """Whether ``now`` lies inside the list's validity period (VC 2.0 §4.6)."""
        if self.valid_from is not None and now < self.valid_from:
            return False
        return self.valid_until is None or now <= self.valid_until


def status_list_entry(
    list_url: str,
    index: int,
    purpose: str,
    *,
    status_size: int = 1,
    messages: Sequence[StatusMessage] = (),
    reference: str | None = None,
) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` for index ``index`` of the list at ``list_url``.

    ``statusSize`` is written only when it is not 1; ``messages`` are required when
    it is (spec §2.1: one per possible value).
    """
    _require(_is_url(list_url), "statusListCredential must be a URL")
    _require(_is_index(index), "statusListIndex must be a non-negative integer")
    _require(isinstance(purpose, str) and purpose != "", "statusPurpose must be a string")
    _check_messages(status_size, tuple(messages))
    entry: dict[str, Any] = {
        "id": f"{list_url}#{index}",
        "type": STATUS_ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }
    if status_size != 1:
        entry["statusSize"] = status_size
    if messages:
        entry["statusMessage"] = [item.to_json() for item in messages]
    if reference is not None:
        _require(_is_url(reference), "statusReference must be a URL")
        entry["statusReference"] = reference
    return entry


def parse_status_entry(entry: object) -> StatusEntry:
    """Validate one ``BitstringStatusListEntry`` of a credential (spec §2.1)."""
    if not isinstance(entry, Mapping):
        raise StatusEntryError("a credentialStatus entry must be an object")
    _require(_has_type(entry.get("type"), STATUS_ENTRY_TYPE), f"type must be {STATUS_ENTRY_TYPE}")
    purpose = entry.get("statusPurpose")
    _require(isinstance(purpose, str) and purpose != "", "statusPurpose must be a string")
    raw_index = entry.get("statusListIndex")
    _require(raw_index is not None, "statusListIndex is missing")
    _require(
        isinstance(raw_index, str) and _DECIMAL_INDEX.fullmatch(raw_index) is not None,
        "statusListIndex must be a base-10 integer expressed as a string",
    )
    url = entry.get("statusListCredential")
    _require(url is not None, "statusListCredential is missing")
    _require(_is_url(url), "statusListCredential must be a URL")
    entry_id = entry.get("id")
    _require(entry_id is None or _is_url(entry_id), "id must be a URL")
    _require(entry_id != url, "id must not be the URL of the status list")
    status_size = entry.get("statusSize", 1)
    _require(_is_status_size(status_size), "statusSize must be an integer greater than zero")
    messages = _parse_messages(entry.get("statusMessage"))
    _check_messages(status_size, messages)
    return StatusEntry(
        status_list_credential=str(url),
        index=int(str(raw_index)),
        purpose=str(purpose),
        status_size=int(status_size),
        messages=messages,
        id=None if entry_id is None else str(entry_id),
        references=_parse_references(entry.get("statusReference")),
    )


def build_status_list_credential(
    *,
    list_url: str,
    issuer: str,
    purpose: str | Sequence[str],
    bitstring: Bitstring,
    valid_from: datetime,
    valid_until: datetime | None = None,
    ttl: timedelta | None = None,
    status_size: int | None = None,
) -> dict[str, Any]:
    """An unsigned VC 2.0 ``BitstringStatusListCredential`` (spec §2.2, §3.1).

    ``issuer`` is the issuer's DID; ``ttl`` becomes ``credentialSubject.ttl`` in
    milliseconds; ``status_size`` is written for lists whose entries are wider than
    one bit (required with the ``message`` purpose).
    """
    _require(_is_url(list_url), "the list URL must be a URL")
    _require(_is_url(issuer), "issuer must be a URL (the issuer's DID)")
    purposes = [purpose] if isinstance(purpose, str) else list(purpose)
    _require(
        bool(purposes) and all(isinstance(p, str) and p for p in purposes),
        "statusPurpose must be one or more strings",
    )
    _require("message" not in purposes or status_size is not None, "message needs status_size")
    if valid_until is not None:
        _require(valid_until >= valid_from, "validUntil must not precede validFrom")
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": STATUS_LIST_TYPE,
        "statusPurpose": purposes[0] if len(purposes) == 1 else purposes,
        "encodedList": bitstring.encode(),
    }
    if status_size is not None:
        _require(_is_status_size(status_size), "statusSize must be an integer greater than zero")
        subject["statusSize"] = status_size
    if ttl is not None:
        _require(ttl >= timedelta(0), "ttl must not be negative")
        subject["ttl"] = ttl // timedelta(milliseconds=1)
    document: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", STATUS_LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": format_timestamp(valid_from),
    }
    if valid_until is not None:
        document["validUntil"] = format_timestamp(valid_until)
    document["credentialSubject"] = subject
    return document


def sign_status_list_credential(
    unsigned: Mapping[str, Any], sign: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """``sign`` applied to a copy of ``unsigned``, checked to have added only a ``proof``."""
    signed = sign(copy.deepcopy(dict(unsigned)))
    if not isinstance(signed, dict) or "proof" not in signed:
        raise StatusListSigningError("the signer returned no proof")
    if {k: v for k, v in signed.items() if k != "proof"} != dict(unsigned):
        raise StatusListSigningError("the signer changed the status list credential")
    return signed


def parse_status_list_credential(document: Mapping[str, Any]) -> StatusListCredential:
    """Validate a ``BitstringStatusListCredential`` (spec §2.2) without decoding its list."""
    if not isinstance(document, Mapping):
        raise StatusEntryError("a status list credential must be an object")
    _require(
        _has_type(document.get("type"), STATUS_LIST_CREDENTIAL_TYPE),
        f"type must include {STATUS_LIST_CREDENTIAL_TYPE}",
    )
    doc_id = document.get("id")
    _require(doc_id is None or _is_url(doc_id), "id must be a URL")
    subject = document.get("credentialSubject")
    if not isinstance(subject, Mapping):
        raise StatusEntryError("credentialSubject must be an object")
    _require(
        _has_type(subject.get("type"), STATUS_LIST_TYPE, exact=True),
        f"credentialSubject.type must be {STATUS_LIST_TYPE}",
    )
    purposes = _strings(
        subject.get("statusPurpose"), "credentialSubject.statusPurpose must be one or more strings"
    )
    encoded = subject.get("encodedList")
    _require(isinstance(encoded, str), "credentialSubject.encodedList must be a string")
    ttl = subject.get("ttl")
    _require(
        ttl is None or (isinstance(ttl, int) and not isinstance(ttl, bool) and ttl >= 0),
        "credentialSubject.ttl must be a non-negative integer (milliseconds)",
    )
    size = subject.get("statusSize")
    _require(size is None or _is_status_size(size), "credentialSubject.statusSize is invalid")
    valid_from = _optional_timestamp(document, "validFrom")
    valid_until = _optional_timestamp(document, "validUntil")
    return StatusListCredential(
        id=None if doc_id is None else str(doc_id),
        issuer=issuer_id(document),
        purposes=frozenset(purposes),
        encoded_list=str(encoded),
        valid_from=valid_from,
        valid_until=valid_until,
        ttl=None if ttl is None else timedelta(milliseconds=min(ttl, _MAX_TTL_MS)),
        status_size=None if size is None else int(size),
    )


def issuer_id(document: Mapping[str, Any]) -> str | None:
    """The issuer URL of a credential, whose ``issuer`` is a URL or an object with an ``id``."""
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise StatusEntryError(message)


def _is_url(value: object) -> bool:
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def _is_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_status_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_STATUS_SIZE


def _has_type(value: object, wanted: str, *, exact: bool = False) -> bool:
    if isinstance(value, str):
        return value == wanted
    return not exact and isinstance(value, list) and wanted in value


def _optional_timestamp(document: Mapping[str, Any], key: str) -> datetime | None:
    if key not in document:
        return None
    try:
        return parse_timestamp(document[key])
    except TimestampError as error:
        raise StatusEntryError(f"{key}: {error}") from error


def _parse_messages(raw: object) -> tuple[StatusMessage, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise StatusEntryError("statusMessage must be an array")
    messages = []
    for item in raw:
        _require(isinstance(item, Mapping), "each statusMessage must be an object")
        status, message = item.get("status"), item.get("message")
        _require(
            isinstance(status, str) and _HEX_STATUS.fullmatch(status) is not None,
            "statusMessage.status must be a 0x-prefixed hexadecimal string",
        )
        _require(isinstance(message, str), "statusMessage.message must be a string")
        messages.append(StatusMessage(int(str(status), 16), str(message)))
    return tuple(messages)


def _check_messages(status_size: int, messages: tuple[StatusMessage, ...]) -> None:
    _require(_is_status_size(status_size), "statusSize must be an integer greater than zero")
    if status_size > 1 or messages:
        _require(
            len(messages) == 1 << status_size,
            f"statusMessage must hold {1 << status_size} items for statusSize {status_size}",
        )
        _require(
            sorted(item.status for item in messages) == list(range(1 << status_size)),
            "statusMessage must give each possible status value exactly once",
        )


def _parse_references(raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    references = _strings(raw, "statusReference must be a URL or an array of URLs")
    _require(all(_is_url(r) for r in references), "statusReference must be a URL or URLs")
    return tuple(references)


def _strings(raw: object, message: str) -> list[str]:
    """A non-empty string, or a non-empty array of non-empty strings, as a list."""
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not values:
        raise StatusEntryError(message)
    strings = [v for v in values if isinstance(v, str) and v]
    _require(len(strings) == len(values), message)
    return strings
