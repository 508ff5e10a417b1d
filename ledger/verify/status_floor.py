"""A status list may not be older than the version the log holds (rollback protection).

A verifier holding a proof bundle holds the log's newest list versions at the time of
the bundle, each anchored in the checkpoint, published after every status change the
credential had by then. A list fetched later with other bits and no later
``validFrom`` than that version is a replay of history (or cannot be told from
one): it is not read. The logged version is
read instead, so a credential the log shows revoked or suspended stays invalid; and
the credential is at least undecided, since its current status cannot be had from
a source that replays old lists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from credledger.ledger.verify.bundle_anchors import (
    open_bundle_checkpoint,
    status_urls,
    verified_lists,
)
from credledger.revocation.check import FetchedStatusList
from credledger.revocation.errors import StatusListError
from credledger.revocation.status_list import parse_status_list_credential


def logged_status_lists(
    bundle: Mapping[str, Any], *, trusted_log_key: str | None = None
) -> dict[str, dict[str, Any]]:
    """The bundle's status list credentials by URL, each checked against its leaf.

    Raises a BundleError when the bundle does not prove them.
    """
    _, checkpoint = open_bundle_checkpoint(
        bundle.get("checkpoint"),
        bundle.get("log_key"),
        trusted_log_key=trusted_log_key,
        witnesses=(),
    )
    vc = bundle.get("credential")
    referenced = status_urls(vc) if isinstance(vc, Mapping) else {}
    return verified_lists(bundle.get("status_lists", []), checkpoint, referenced)


def _read(document: Mapping[str, Any]) -> tuple[datetime | None, str | None]:
    try:
        parsed = parse_status_list_credential(document)
    except StatusListError:
        return None, None
    return parsed.valid_from, parsed.encoded_list


def older_than_logged(fetched: Mapping[str, Any], logged: Mapping[str, Any]) -> bool:
    """Whether ``fetched`` is not provably as new as ``logged``.

    The same bits are never a rollback. Other bits must come with a later
    ``validFrom``: an earlier one is a replay, and an equal one (two versions in one
    second) cannot be placed, so it is not trusted either.
    """
    fetched_from, fetched_bits = _read(fetched)
    logged_from, logged_bits = _read(logged)
    if fetched_bits is not None and fetched_bits == logged_bits:
        return False
    if logged_from is None:
        return False
    return fetched_from is None or fetched_from <= logged_from


FetchList = Callable[[str], Mapping[str, Any] | FetchedStatusList]


def floored(
    fetch: FetchList, logged: Mapping[str, Mapping[str, Any]], rolled_back: list[str]
) -> FetchList:
    """``fetch``, but a list older than the logged version gives the logged version, and
    its URL is added to ``rolled_back``."""

    def fetch_no_older(url: str) -> Mapping[str, Any] | FetchedStatusList:
        answer = fetch(url)
        floor = logged.get(url)
        if floor is None:
            return answer
        document = answer.document if isinstance(answer, FetchedStatusList) else answer
        if document is not None and older_than_logged(document, floor):
            rolled_back.append(url)
            return floor
        return answer

    return fetch_no_older
