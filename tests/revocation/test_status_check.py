"""The verifier-side status check (spec §3.2 Validate Algorithm)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from credledger.revocation.bitstring import Bitstring
from credledger.revocation.cache import StatusListCache
from credledger.revocation.check import (
    FetchedStatusList,
    StatusResult,
    check_status,
    status_by_purpose,
)
from credledger.revocation.errors import (
    StatusEntryError,
    StatusIndexError,
    StatusListDecodeError,
    StatusListLengthError,
    StatusRetrievalError,
    StatusVerificationError,
)
from credledger.revocation.status_list import (
    StatusMessage,
    build_status_list_credential,
    status_list_entry,
)

ISSUER = "did:example:12345"
REVOCATION_URL = "https://example.com/credentials/status/3"
SUSPENSION_URL = "https://example.com/credentials/status/4"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def status_list(
    url: str,
    purpose: str | list[str],
    set_indices: Sequence[int] = (),
    *,
    issuer: str = ISSUER,
    valid_until: datetime | None = None,
    length: int = 131_072,
) -> dict[str, Any]:
    document = build_status_list_credential(
        list_url=url,
        issuer=issuer,
        purpose=purpose,
        bitstring=Bitstring.from_indices(length, set_indices, min_length=0),
        valid_from=NOW - timedelta(days=1),
        valid_until=valid_until,
    )
    return {**document, "proof": {"signedBy": issuer}}


def credential(*entries: dict[str, Any], issuer: object = ISSUER) -> dict[str, Any]:
    status: object = entries[0] if len(entries) == 1 else list(entries)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "credentialStatus": status,
        "credentialSubject": {"id": "did:example:6789"},
    }


class Lists:
    """A fake web of status lists that records every fetch and verification."""

    def __init__(self, *documents: dict[str, Any]) -> None:
        self.documents = {document["id"]: document for document in documents}
        self.fetched: list[str] = []
        self.verified: list[Mapping[str, Any]] = []

    def fetch(self, url: str) -> Mapping[str, Any] | FetchedStatusList:
        self.fetched.append(url)
        if url not in self.documents:
            raise ConnectionError(f"404 for {url}")
        return self.documents[url]

    def verify(self, document: Mapping[str, Any]) -> None:
        self.verified.append(document)
        if document.get("proof") != {"signedBy": document.get("issuer")}:
            raise ValueError("proof does not verify")

    def check(self, vc: Mapping[str, Any], **options: Any) -> list[StatusResult]:
        return check_status(
            vc, fetch_list=self.fetch, verify_list_credential=self.verify, now=NOW, **options
        )


def test_a_set_bit_reads_as_revoked() -> None:
    lists = Lists(status_list(REVOCATION_URL, "revocation", [94567]))
    [result] = lists.check(credential(status_list_entry(REVOCATION_URL, 94567, "revocation")))
    assert result.is_set is True
    assert (result.purpose, result.index, result.value) == ("revocation", 94567, 1)
    assert result.error is None
    assert not result.unknown
    assert result.message == "set"


def test_a_clear_bit_reads_as_not_revoked() -> None:
    lists = Lists(status_list(REVOCATION_URL, "revocation", [94566, 94568]))
    [result] = lists.check(credential(status_list_entry(REVOCATION_URL, 94567, "revocation")))
    assert result.is_set is False
    assert result.message == "unset"


def test_each_entry_of_a_status_array_is_checked_against_its_own_list() -> None:
    lists = Lists(
        status_list(REVOCATION_URL, "revocation", []),
        status_list(SUSPENSION_URL, "suspension", [23452]),
    )
    results = lists.check(
        credential(
            status_list_entry(REVOCATION_URL, 94567, "revocation"),
            status_list_entry(SUSPENSION_URL, 23452, "suspension"),
        )
    )
    assert [(r.purpose, r.is_set) for r in results] == [("revocation", False), ("suspension", True)]
    assert status_by_purpose(results) == {"revocation": False, "suspension": True}


def test_the_fetched_list_is_what_gets_verified() -> None:
    document = status_list(REVOCATION_URL, "revocation")
    lists = Lists(document)
    lists.check(credential(status_list_entry(REVOCATION_URL, 1, "revocation")))
    assert lists.fetched == [REVOCATION_URL]
    assert lists.verified == [document]


def test_entries_sharing_a_list_fetch_it_once() -> None:
    lists = Lists(status_list(REVOCATION_URL, ["revocation", "suspension"], [5]))
    results = lists.check(
        credential(
            status_list_entry(REVOCATION_URL, 5, "revocation"),
            status_list_entry(REVOCATION_URL, 6, "suspension"),
        )
    )
    assert [r.is_set for r in results] == [True, False]
    assert lists.fetched == [REVOCATION_URL]


def test_a_credential_without_credential_status_has_no_results() -> None:
    vc = credential(status_list_entry(REVOCATION_URL, 1, "revocation"))
    del vc["credentialStatus"]
    assert Lists().check(vc) == []


def test_entries_of_other_status_types_are_left_alone() -> None:
    other = {"type": "StatusList2021Entry", "statusListCredential": "https://x.example/1"}
    lists = Lists(status_list(REVOCATION_URL, "revocation"))
    results = lists.check(credential(other, status_list_entry(REVOCATION_URL, 1, "revocation")))
    assert [r.purpose for r in results] == ["revocation"]
    assert lists.fetched == [REVOCATION_URL]


def _only_unknown(results: list[StatusResult]) -> StatusResult:
    [result] = results
    assert result.unknown
    assert result.is_set is None
    assert result.value is None
    return result


def test_a_list_that_cannot_be_fetched_is_unknown_not_valid() -> None:
    result = _only_unknown(
        Lists().check(credential(status_list_entry(REVOCATION_URL, 1, "revocation")))
    )
    assert isinstance(result.error, StatusRetrievalError)
    assert result.error.code == "STATUS_RETRIEVAL_ERROR"
    assert isinstance(result.error.__cause__, ConnectionError)
    assert status_by_purpose([result]) == {"revocation": None}


def test_a_fetch_that_returns_no_json_object_is_a_retrieval_error() -> None:
    def fetch(url: str) -> Any:
        return ["not", "a", "credential"]

    results = check_status(
        credential(status_list_entry(REVOCATION_URL, 1, "revocation")),
        fetch_list=fetch,
        verify_list_credential=lambda document: None,
        now=NOW,
    )
    assert isinstance(_only_unknown(results).error, StatusRetrievalError)


def test_a_list_whose_proof_fails_is_unknown() -> None:
    document = status_list(REVOCATION_URL, "revocation", [1])
    document["proof"] = {"signedBy": "did:example:mallory"}
    result = _only_unknown(
        Lists(document).check(credential(status_list_entry(REVOCATION_URL, 2, "revocation")))
    )
    assert isinstance(result.error, StatusVerificationError)
    assert result.error.code == "STATUS_VERIFICATION_ERROR"


def test_a_list_for_another_purpose_is_unknown() -> None:
    lists = Lists(status_list(REVOCATION_URL, "suspension"))
    result = _only_unknown(
        lists.check(credential(status_list_entry(REVOCATION_URL, 1, "revocation")))
    )
    assert isinstance(result.error, StatusVerificationError)
    assert "statusPurpose" in str(result.error)


def test_a_list_from_another_issuer_is_unknown() -> None:
    lists = Lists(status_list(REVOCATION_URL, "revocation", issuer="did:example:other"))
    result = _only_unknown(
        lists.check(credential(status_list_entry(REVOCATION_URL, 1, "revocation")))
    )
    assert isinstance(result.error, StatusVerificationError)
    assert "issuer" in str(result.error)


def test_an_issuer_object_is_compared_by_its_id() -> None:
    lists = Lists(status_list(REVOCATION_URL, "revocation", [1]))
    vc = credential(
        status_list_entry(REVOCATION_URL, 1, "revocation"), issuer={"id": ISSUER, "name": "X"}
    )
    [result] = lists.check(vc)
    assert result.is_set is True


def test_a_separately_trusted_list_issuer_can_be_allowed() -> None:
    lists = Lists(status_list(REVOCATION_URL, "revocation", [1], issuer="did:example:registry"))
    vc = credential(status_list_entry(REVOCATION_URL, 1, "revocation"))
    [result] = lists.check(vc, require_same_issuer=False)
    assert result.is_set is True


def test_an_expired_list_is_unknown() -> None:
    lists = Lists(status_list(REVOCATION_URL, "revocation", valid_until=NOW - timedelta(seconds=1)))
    result = _only_unknown(
        lists.check(credential(status_list_entry(REVOCATION_URL, 1, "revocation")))
    )
    assert isinstance(result.error, StatusVerificationError)
    assert "not valid" in str(result.error)


def test_a_list_that_is_not_yet_valid_is_unknown() -> None:
    document = status_list(REVOCATION_URL, "revocation")
    document["validFrom"] = "2025-06-01T12:00:01Z"
    result = _only_unknown(
        Lists(document).check(credential(status_list_entry(REVOCATION_URL, 1, "revocation")))
    )
    assert isinstance(result.error, StatusVerificationError)


def test_a_list_served_under_another_lists_url_is_unknown() -> None:
    other = status_list(SUSPENSION_URL, "revocation")
    lists = Lists()
    lists.documents[REVOCATION_URL] = other  # a replayed, validly signed, empty list
    result = _only_unknown(
        lists.check(credential(status_list_entry(REVOCATION_URL, 1, "revocation")))
    )
    assert isinstance(result.error, StatusVerificationError)


def test_a_document_that_is_not_a_status_list_credential_is_unknown() -> None:
    document = status_list(REVOCATION_URL, "revocation")
    document["type"] = ["VerifiableCredential"]
    result = _only_unknown(
        Lists(document).check(credential(status_list_entry(REVOCATION_URL, 1, "revocation")))
    )
    assert isinstance(result.error, StatusEntryError)
    assert result.error.code == "MALFORMED_VALUE_ERROR"


def test_an_undecodable_list_is_unknown() -> None:
    document = status_list(REVOCATION_URL, "revocation")
    document["credentialSubject"]["encodedList"] = "uBAAAAAADLIST"
    result = _only_unknown(
        Lists(document).check(credential(status_list_entry(REVOCATION_URL, 1, "revocation")))
    )
    assert isinstance(result.error, StatusListDecodeError)


def test_a_list_below_the_privacy_minimum_is_unknown() -> None:
    lists = Lists(status_list(REVOCATION_URL, "revocation", length=100_000))
    result = _only_unknown(
        lists.check(credential(status_list_entry(REVOCATION_URL, 1, "revocation")))
    )
    assert isinstance(result.error, StatusListLengthError)
    [ecosystem] = lists.check(
        credential(status_list_entry(REVOCATION_URL, 1, "revocation")), min_length=100_000
    )
    assert ecosystem.is_set is False


def test_an_index_past_the_end_of_the_list_is_a_range_error() -> None:
    lists = Lists(status_list(REVOCATION_URL, "revocation"))
    result = _only_unknown(
        lists.check(credential(status_list_entry(REVOCATION_URL, 131_072, "revocation")))
    )
    assert isinstance(result.error, StatusIndexError)
    assert result.error.code == "RANGE_ERROR"


def test_a_malformed_entry_is_unknown_and_the_others_are_still_checked() -> None:
    bad = status_list_entry(REVOCATION_URL, 1, "suspension")
    bad["statusListIndex"] = 1
    lists = Lists(status_list(REVOCATION_URL, "revocation", [3]))
    results = lists.check(credential(bad, status_list_entry(REVOCATION_URL, 3, "revocation")))
    assert results[0].unknown
    assert isinstance(results[0].error, StatusEntryError)
    assert results[0].purpose == "suspension"
    assert results[1].is_set is True


def test_a_credential_status_that_is_not_an_object_is_unknown() -> None:
    vc = credential(status_list_entry(REVOCATION_URL, 1, "revocation"))
    vc["credentialStatus"] = "revoked?"
    result = _only_unknown(Lists().check(vc))
    assert isinstance(result.error, StatusEntryError)


MESSAGES = [StatusMessage(v, m) for v, m in enumerate(["pending", "accepted", "rejected", "n/a"])]


def _message_list(values: dict[int, int], *, status_size: int | None = 2) -> dict[str, Any]:
    bits = Bitstring(2 * 131_072)
    for index, value in values.items():
        bits.set_status(index, value, status_size=2)
    document = build_status_list_credential(
        list_url=REVOCATION_URL,
        issuer=ISSUER,
        purpose="message",
        bitstring=bits,
        valid_from=NOW,
        status_size=2,
    )
    if status_size != 2:
        document["credentialSubject"]["statusSize"] = status_size
    return {**document, "proof": {"signedBy": ISSUER}}


def test_a_message_entry_reads_its_multi_bit_value_and_message() -> None:
    lists = Lists(_message_list({492: 2}))
    entry = status_list_entry(REVOCATION_URL, 492, "message", status_size=2, messages=MESSAGES)
    [result] = lists.check(credential(entry))
    assert (result.value, result.message, result.is_set) == (2, "rejected", True)


def test_a_message_entry_whose_size_differs_from_the_lists_is_unknown() -> None:
    lists = Lists(_message_list({}, status_size=4))
    entry = status_list_entry(REVOCATION_URL, 1, "message", status_size=2, messages=MESSAGES)
    result = _only_unknown(lists.check(credential(entry)))
    assert isinstance(result.error, StatusVerificationError)


def test_status_by_purpose_prefers_a_known_set_bit_over_an_unknown() -> None:
    set_bit = StatusResult("revocation", REVOCATION_URL, 1, value=1)
    clear = StatusResult("revocation", REVOCATION_URL, 2, value=0)
    unknown = StatusResult("revocation", None, None, value=None, error=StatusRetrievalError("x"))
    assert status_by_purpose([unknown, set_bit]) == {"revocation": True}
    assert status_by_purpose([clear, unknown]) == {"revocation": None}
    assert status_by_purpose([clear, clear]) == {"revocation": False}


class TestWithCache:
    def test_a_warm_check_neither_fetches_nor_verifies(self) -> None:
        lists = Lists(status_list(REVOCATION_URL, "revocation", [7]))
        cache = StatusListCache(default_ttl=timedelta(minutes=5))
        vc = credential(status_list_entry(REVOCATION_URL, 7, "revocation"))
        first = lists.check(vc, cache=cache)
        second = lists.check(vc, cache=cache)
        assert first == second
        assert second[0].is_set is True
        assert lists.fetched == [REVOCATION_URL]
        assert len(lists.verified) == 1

    def test_a_stale_entry_is_fetched_again(self) -> None:
        lists = Lists(status_list(REVOCATION_URL, "revocation"))
        cache = StatusListCache(default_ttl=timedelta(minutes=5))
        vc = credential(status_list_entry(REVOCATION_URL, 7, "revocation"))
        check_status(
            vc, fetch_list=lists.fetch, verify_list_credential=lists.verify, now=NOW, cache=cache
        )
        lists.documents[REVOCATION_URL] = status_list(REVOCATION_URL, "revocation", [7])
        later = NOW + timedelta(minutes=5)
        [result] = check_status(
            vc, fetch_list=lists.fetch, verify_list_credential=lists.verify, now=later, cache=cache
        )
        assert result.is_set is True
        assert lists.fetched == [REVOCATION_URL, REVOCATION_URL]

    def test_failures_are_not_cached(self) -> None:
        lists = Lists()
        cache = StatusListCache(default_ttl=timedelta(minutes=5))
        vc = credential(status_list_entry(REVOCATION_URL, 7, "revocation"))
        assert lists.check(vc, cache=cache)[0].unknown
        lists.documents[REVOCATION_URL] = status_list(REVOCATION_URL, "revocation")
        assert lists.check(vc, cache=cache)[0].is_set is False
        assert len(cache) == 1

    def test_a_cached_list_still_expires_at_its_valid_until(self) -> None:
        lists = Lists(
            status_list(REVOCATION_URL, "revocation", valid_until=NOW + timedelta(seconds=30))
        )
        cache = StatusListCache(default_ttl=timedelta(hours=1))
        vc = credential(status_list_entry(REVOCATION_URL, 7, "revocation"))
        lists.check(vc, cache=cache)
        lists.documents.clear()
        [result] = check_status(
            vc,
            fetch_list=lists.fetch,
            verify_list_credential=lists.verify,
            now=NOW + timedelta(seconds=31),
            cache=cache,
        )
        assert result.unknown

    def test_a_not_modified_answer_reuses_the_cached_list(self) -> None:
        document = status_list(REVOCATION_URL, "revocation", [7])
        cache = StatusListCache()
        sent_etags: list[str | None] = []

        def fetch(url: str) -> FetchedStatusList:
            etag = cache.etag(url)
            sent_etags.append(etag)
            if etag == '"v1"':
                return FetchedStatusList(None, {"Cache-Control": "max-age=60"})
            return FetchedStatusList(document, {"ETag": '"v1"', "Cache-Control": "no-cache"})

        vc = credential(status_list_entry(REVOCATION_URL, 7, "revocation"))
        verified: list[object] = []
        for _ in range(3):
            [result] = check_status(
                vc, fetch_list=fetch, verify_list_credential=verified.append, now=NOW, cache=cache
            )
            assert result.is_set is True
        assert sent_etags == [None, '"v1"']  # the third check was fresh after the 304
        assert len(verified) == 1

    def test_a_not_modified_answer_without_a_cached_copy_is_unknown(self) -> None:
        results = check_status(
            credential(status_list_entry(REVOCATION_URL, 7, "revocation")),
            fetch_list=lambda url: FetchedStatusList(None),
            verify_list_credential=lambda document: None,
            now=NOW,
            cache=StatusListCache(),
        )
        assert isinstance(_only_unknown(results).error, StatusRetrievalError)

    def test_the_issuer_and_purpose_are_checked_on_every_warm_read(self) -> None:
        lists = Lists(status_list(REVOCATION_URL, "revocation", [7]))
        cache = StatusListCache(default_ttl=timedelta(minutes=5))
        lists.check(credential(status_list_entry(REVOCATION_URL, 7, "revocation")), cache=cache)
        forged = credential(
            status_list_entry(REVOCATION_URL, 7, "revocation"), issuer="did:example:other"
        )
        wrong_purpose = credential(status_list_entry(REVOCATION_URL, 7, "suspension"))
        assert _only_unknown(lists.check(forged, cache=cache))
        assert _only_unknown(lists.check(wrong_purpose, cache=cache))
        assert lists.fetched == [REVOCATION_URL]
