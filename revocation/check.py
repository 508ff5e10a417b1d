"""The verifier's status check: the Validate Algorithm of spec §3.2 for every entry.

Fetching and proof verification are callables passed in, so nothing is fetched
behind the caller's back and the caller owns HTTP, trust and caching policy. A
failure at any step gives that entry an *unknown* result carrying the typed error
(STATUS_RETRIEVAL_ERROR, STATUS_VERIFICATION_ERROR, ...): a list that could not be
read never reads as "not revoked".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from credledger.revocation.bitstring import MIN_LIST_LENGTH, Bitstring
from credledger.revocation.cache import CachedStatusList, StatusListCache
from credledger.revocation.errors import (
    StatusEntryError,
    StatusListError,
    StatusListLengthError,
    StatusRetrievalError,
    StatusVerificationError,
)
from credledger.revocation.status_list import (
    STATUS_ENTRY_TYPE,
    StatusEntry,
    issuer_id,
    parse_status_entry,
    parse_status_list_credential,
)

_NO_HEADERS: Mapping[str, str] = {}


@dataclass(frozen=True, slots=True)
class FetchedStatusList:
    """What ``fetch_list`` may return instead of a bare document, to pass HTTP caching data.

    ``document`` None means ``304 Not Modified``: the cached copy is still current.
    """

    document: Mapping[str, Any] | None
    headers: Mapping[str, str] = field(default_factory=dict)


FetchList = Callable[[str], Mapping[str, Any] | FetchedStatusList]
VerifyListCredential = Callable[[Mapping[str, Any]], None]


@dataclass(frozen=True, slots=True)
class StatusResult:
    """The outcome for one ``BitstringStatusListEntry``.

    ``value`` is the status read from the list (0 or 1 for single-bit entries), or
    None when it is unknown, in which case ``error`` says why.
    """

    purpose: str
    status_list_credential: str | None
    index: int | None
    value: int | None
    message: str | None = None
    error: StatusListError | None = None

    @property
    def unknown(self) -> bool:
        return self.value is None

    @property
    def is_set(self) -> bool | None:
        """True when the status is set (e.g. revoked), False when clear, None when unknown."""
        return None if self.value is None else self.value != 0


def check_status(
    credential: Mapping[str, Any],
    *,
    fetch_list: FetchList,
    verify_list_credential: VerifyListCredential,
    now: datetime,
    cache: StatusListCache | None = None,
    min_length: int = MIN_LIST_LENGTH,
    require_same_issuer: bool = True,
) -> list[StatusResult]:
    """Check every ``BitstringStatusListEntry`` in ``credential["credentialStatus"]``.

    ``fetch_list(url)`` dereferences a list (raising on failure); it may consult
    ``cache.etag(url)`` and return a FetchedStatusList with headers or a 304.
    ``verify_list_credential(document)`` raises unless every proof verifies and the
    signer is trusted. Entries of other types are skipped; a credential without
    ``credentialStatus`` gives no results. ``require_same_issuer`` enforces that the
    list and the credential have the same issuer (spec §2.2 allows them to differ
    only where the verifier trusts the list's issuer separately).
    """
    loaded: dict[str, CachedStatusList | StatusListError] = {}
    results = []
    for raw in _status_entries(credential.get("credentialStatus")):
        purpose = raw.get("statusPurpose") if isinstance(raw, Mapping) else None
        try:
            entry = parse_status_entry(raw)
        except StatusEntryError as error:
            results.append(_unknown(str(purpose or ""), None, None, error))
            continue
        url = entry.status_list_credential
        if url not in loaded:
            loaded[url] = _load(url, fetch_list, verify_list_credential, now, cache, min_length)
        outcome = loaded[url]
        if isinstance(outcome, StatusListError):
            results.append(_unknown(entry.purpose, url, entry.index, outcome))
            continue
        try:
            results.append(_read(credential, entry, outcome, now, min_length, require_same_issuer))
        except StatusListError as error:
            results.append(_unknown(entry.purpose, url, entry.index, error))
    return results


def status_by_purpose(results: Iterable[StatusResult]) -> dict[str, bool | None]:
    """Per purpose: True if any entry is set, else None if any is unknown, else False."""
    summary: dict[str, bool | None] = {}
    for result in results:
        current = summary.get(result.purpose, False)
        if current is True or result.is_set is True:
            summary[result.purpose] = True
        elif current is None or result.is_set is None:
            summary[result.purpose] = None
        else:
            summary[result.purpose] = False
    return summary


def unread_status_types(raw: object) -> list[str]:
    """The types of ``credentialStatus`` entries that are not BitstringStatusListEntry.

    :func:`check_status` reads only Bitstring Status List entries; a verifier must not
    take an entry of any other type (StatusList2021Entry, a 1EdTech revocation list, ...)
    for a clear status.
    """
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    unread = []
    for item in items:
        if isinstance(item, Mapping) and _mentions_type(item.get("type"), STATUS_ENTRY_TYPE):
            continue
        kind = item.get("type") if isinstance(item, Mapping) else None
        unread.append(kind if isinstance(kind, str) else repr(kind)[:80])
    return unread


def _status_entries(raw: object) -> list[object]:
    """The BitstringStatusListEntry items of ``credentialStatus`` (object or array)."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    return [
        item
        for item in items
        if not isinstance(item, Mapping) or _mentions_type(item.get("type"), STATUS_ENTRY_TYPE)
    ]


def _mentions_type(value: object, wanted: str) -> bool:
    return value == wanted or (isinstance(value, list) and wanted in value)


def _load(
    url: str,
    fetch_list: FetchList,
    verify_list_credential: VerifyListCredential,
    now: datetime,
    cache: StatusListCache | None,
    min_length: int,
) -> CachedStatusList | StatusListError:
    """The verified, decoded list at ``url`` (from the cache when fresh), or the error."""
    if cache is not None and (hit := cache.get(url, now)) is not None:
        return hit
    try:
        response = fetch_list(url)
    except Exception as error:
        return _caused(StatusRetrievalError(f"could not fetch {url}: {error}"), error)
    headers = response.headers if isinstance(response, FetchedStatusList) else _NO_HEADERS
    document = response.document if isinstance(response, FetchedStatusList) else response
    if document is None:
        revalidated = None if cache is None else cache.revalidated(url, now=now, headers=headers)
        return revalidated or StatusRetrievalError(f"{url}: 'not modified' but nothing cached")
    if not isinstance(document, Mapping):
        return StatusRetrievalError(f"{url} did not give a JSON object")
    try:
        verify_list_credential(document)
    except Exception as error:
        message = f"the status list credential at {url} did not verify: {error}"
        return _caused(StatusVerificationError(message), error)
    try:
        credential = parse_status_list_credential(document)
        if credential.id is not None and credential.id != url:
            raise StatusVerificationError(f"the list at {url} names itself {credential.id}")
        bitstring = Bitstring.decode(credential.encoded_list, min_length=min_length)
    except StatusListError as error:
        return error
    if cache is not None:
        cached = cache.put(url, credential, bitstring, now=now, headers=headers)
        if cached is not None:
            return cached
    return CachedStatusList(url, credential, bitstring, etag=None, fresh_until=now)


def _read(
    credential: Mapping[str, Any],
    entry: StatusEntry,
    status_list: CachedStatusList,
    now: datetime,
    min_length: int,
    require_same_issuer: bool,
) -> StatusResult:
    """Steps 5 and 9-12 of the Validate Algorithm on an already verified list."""
    listed = status_list.credential
    if not listed.is_valid_at(now):
        raise StatusVerificationError(f"the status list is not valid at {now.isoformat()}")
    if entry.purpose not in listed.purposes:
        raise StatusVerificationError(
            f"the list's statusPurpose {sorted(listed.purposes)} lacks {entry.purpose!r}"
        )
    if require_same_issuer and (listed.issuer is None or listed.issuer != issuer_id(credential)):
        raise StatusVerificationError("the list and the credential have different issuers")
    if listed.status_size is not None and listed.status_size != entry.status_size:
        raise StatusVerificationError(
            f"the list's statusSize {listed.status_size} is not the entry's {entry.status_size}"
        )
    entries = status_list.bitstring.entries(entry.status_size)
    if entries < min_length:
        raise StatusListLengthError(f"the list holds {entries} entries; {min_length} required")
    value = status_list.bitstring.get_status(entry.index, entry.status_size)
    return StatusResult(
        purpose=entry.purpose,
        status_list_credential=entry.status_list_credential,
        index=entry.index,
        value=value,
        message=entry.message_for(value),
    )


def _unknown(
    purpose: str, url: str | None, index: int | None, error: StatusListError
) -> StatusResult:
    return StatusResult(purpose, url, index, value=None, error=error)


def _caused(error: StatusListError, cause: BaseException) -> StatusListError:
    error.__cause__ = cause
    return error
