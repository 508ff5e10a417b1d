"""BitstringStatusListEntry and BitstringStatusListCredential documents (spec §2.1, §2.2)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from credledger.revocation.bitstring import Bitstring
from credledger.revocation.errors import StatusEntryError, StatusListSigningError
from credledger.revocation.status_list import (
    StatusEntry,
    StatusMessage,
    build_status_list_credential,
    parse_status_entry,
    parse_status_list_credential,
    sign_status_list_credential,
    status_list_entry,
)
from credledger.revocation.timestamps import TimestampError, parse_timestamp

LIST_URL = "https://example.com/credentials/status/3"
ISSUER = "did:example:12345"
EMPTY_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

# The first entry of Example 1 of the spec.
SPEC_ENTRY = {
    "id": "https://example.com/credentials/status/3#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://example.com/credentials/status/3",
}

# Example 2 of the spec, with its four messages written out.
SPEC_MESSAGE_ENTRY = {
    "id": "https://example.com/credentials/status/8#492847",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "message",
    "statusListIndex": "492847",
    "statusSize": 2,
    "statusListCredential": "https://example.com/credentials/status/8",
    "statusMessage": [
        {"status": "0x0", "message": "pending_review"},
        {"status": "0x1", "message": "accepted"},
        {"status": "0x2", "message": "rejected"},
        {"status": "0x3", "message": "undefined"},
    ],
    "statusReference": "https://example.org/status-dictionary/",
}

MESSAGES = (
    StatusMessage(0, "pending_review"),
    StatusMessage(1, "accepted"),
    StatusMessage(2, "rejected"),
    StatusMessage(3, "undefined"),
)


def test_status_list_entry_matches_the_spec_example() -> None:
    assert status_list_entry(LIST_URL, 94567, "revocation") == SPEC_ENTRY


def test_status_list_entry_writes_the_index_as_a_decimal_string() -> None:
    entry = status_list_entry(LIST_URL, 7, "suspension")
    assert entry["statusListIndex"] == "7"
    assert entry["id"] == LIST_URL + "#7"


def test_message_entries_carry_size_messages_and_reference_as_in_the_spec() -> None:
    entry = status_list_entry(
        "https://example.com/credentials/status/8",
        492847,
        "message",
        status_size=2,
        messages=MESSAGES,
        reference="https://example.org/status-dictionary/",
    )
    assert entry == SPEC_MESSAGE_ENTRY


@pytest.mark.parametrize(
    ("index", "purpose", "size", "messages"),
    [
        (-1, "revocation", 1, ()),
        (True, "revocation", 1, ()),
        (1, "", 1, ()),
        (1, "message", 2, ()),  # two bits need four messages
        (1, "message", 2, MESSAGES[:3]),
        (1, "revocation", 0, ()),
    ],
)
def test_status_list_entry_refuses_what_the_spec_forbids(
    index: int, purpose: str, size: int, messages: tuple[StatusMessage, ...]
) -> None:
    with pytest.raises(StatusEntryError):
        status_list_entry(LIST_URL, index, purpose, status_size=size, messages=messages)


def test_parse_status_entry_reads_the_spec_example() -> None:
    assert parse_status_entry(SPEC_ENTRY) == StatusEntry(
        status_list_credential=LIST_URL,
        index=94567,
        purpose="revocation",
        id="https://example.com/credentials/status/3#94567",
    )


def test_parse_status_entry_reads_sizes_messages_and_references() -> None:
    entry = parse_status_entry(SPEC_MESSAGE_ENTRY)
    assert (entry.status_size, entry.messages) == (2, MESSAGES)
    assert entry.references == ("https://example.org/status-dictionary/",)
    assert entry.message_for(2) == "rejected"


def test_single_bit_entries_without_messages_read_as_set_and_unset() -> None:
    entry = parse_status_entry(SPEC_ENTRY)
    assert (entry.message_for(1), entry.message_for(0)) == ("set", "unset")


def test_parse_status_entry_round_trips_the_builder() -> None:
    built = status_list_entry(LIST_URL, 131_071, "suspension")
    parsed = parse_status_entry(built)
    assert (parsed.index, parsed.purpose, parsed.status_list_credential) == (
        131_071,
        "suspension",
        LIST_URL,
    )


def _without(key: str) -> dict[str, Any]:
    entry = dict(SPEC_ENTRY)
    del entry[key]
    return entry


def _with(**changes: object) -> dict[str, Any]:
    entry: dict[str, Any] = copy.deepcopy(SPEC_MESSAGE_ENTRY)
    entry.update(changes)
    return entry


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ("not an object", "object"),
        (_without("type"), "type"),
        ({**SPEC_ENTRY, "type": "StatusList2021Entry"}, "type"),
        (_without("statusPurpose"), "statusPurpose"),
        ({**SPEC_ENTRY, "statusPurpose": 1}, "statusPurpose"),
        (_without("statusListIndex"), "statusListIndex is missing"),
        ({**SPEC_ENTRY, "statusListIndex": 94567}, "statusListIndex"),
        ({**SPEC_ENTRY, "statusListIndex": "abc"}, "statusListIndex"),
        ({**SPEC_ENTRY, "statusListIndex": "-5"}, "statusListIndex"),
        ({**SPEC_ENTRY, "statusListIndex": "0x10"}, "statusListIndex"),
        ({**SPEC_ENTRY, "statusListIndex": " 5"}, "statusListIndex"),
        ({**SPEC_ENTRY, "statusListIndex": "1" * 31}, "statusListIndex"),
        (_without("statusListCredential"), "statusListCredential is missing"),
        ({**SPEC_ENTRY, "statusListCredential": "not a url"}, "statusListCredential"),
        ({**SPEC_ENTRY, "id": LIST_URL}, "must not be the URL of the status list"),
        ({**SPEC_ENTRY, "statusSize": 0}, "statusSize"),
        ({**SPEC_ENTRY, "statusSize": "1"}, "statusSize"),
        (_with(statusMessage=None), "statusMessage must hold 4"),
        (_with(statusMessage=SPEC_MESSAGE_ENTRY["statusMessage"][:3]), "hold 4"),  # type: ignore[index]
        (_with(statusMessage=[{"status": "1", "message": "x"}] * 4), "0x-prefixed"),
        (_with(statusMessage=[{"status": "0x0", "message": "x"}] * 4), "exactly once"),
        (_with(statusMessage="accepted"), "array"),
        (_with(statusReference=["https://example.org/", 7]), "statusReference"),
    ],
)
def test_parse_status_entry_names_what_is_malformed(entry: object, complaint: str) -> None:
    with pytest.raises(StatusEntryError, match=complaint) as caught:
        parse_status_entry(entry)
    assert caught.value.code == "MALFORMED_VALUE_ERROR"


VALID_FROM = datetime(2021, 4, 5, 14, 27, 40, tzinfo=UTC)


def test_status_list_credential_has_the_shape_of_the_spec_example() -> None:
    document = build_status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER,
        purpose="revocation",
        bitstring=Bitstring(),
        valid_from=VALID_FROM,
    )
    assert document == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER,
        "validFrom": "2021-04-05T14:27:40Z",
        "credentialSubject": {
            "id": LIST_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": EMPTY_LIST,
        },
    }


def test_status_list_credential_writes_valid_until_and_ttl_in_milliseconds() -> None:
    document = build_status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER,
        purpose="suspension",
        bitstring=Bitstring(),
        valid_from=datetime(2025, 1, 1, 13, 0, tzinfo=timezone(timedelta(hours=1))),
        valid_until=datetime(2025, 1, 2, 12, 0, 0, 999_999, tzinfo=UTC),
        ttl=timedelta(minutes=5),
    )
    assert document["validFrom"] == "2025-01-01T12:00:00Z"
    assert document["validUntil"] == "2025-01-02T12:00:00Z"
    assert document["credentialSubject"]["ttl"] == 300_000


def test_status_list_credential_encodes_the_bits_it_is_given() -> None:
    bits = Bitstring.from_indices(131_072, [42])
    document = build_status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER,
        purpose="revocation",
        bitstring=bits,
        valid_from=VALID_FROM,
    )
    assert Bitstring.decode(document["credentialSubject"]["encodedList"]) == bits


def test_a_message_list_records_its_status_size() -> None:
    document = build_status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER,
        purpose="message",
        bitstring=Bitstring(2 * 131_072),
        valid_from=VALID_FROM,
        status_size=2,
    )
    assert document["credentialSubject"]["statusSize"] == 2
    with pytest.raises(StatusEntryError):
        build_status_list_credential(
            list_url=LIST_URL,
            issuer=ISSUER,
            purpose="message",
            bitstring=Bitstring(2 * 131_072),
            valid_from=VALID_FROM,
        )


def test_a_list_may_serve_several_purposes() -> None:
    document = build_status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER,
        purpose=["revocation", "suspension"],
        bitstring=Bitstring(),
        valid_from=VALID_FROM,
    )
    assert document["credentialSubject"]["statusPurpose"] == ["revocation", "suspension"]
    parsed = parse_status_list_credential(document)
    assert parsed.purposes == {"revocation", "suspension"}


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_status_list_credential(
            list_url=LIST_URL,
            issuer=ISSUER,
            purpose="revocation",
            bitstring=Bitstring(),
            valid_from=datetime(2025, 1, 1),
        )


def test_valid_until_before_valid_from_is_refused() -> None:
    with pytest.raises(StatusEntryError):
        build_status_list_credential(
            list_url=LIST_URL,
            issuer=ISSUER,
            purpose="revocation",
            bitstring=Bitstring(),
            valid_from=VALID_FROM,
            valid_until=VALID_FROM - timedelta(seconds=1),
        )


def _unsigned() -> dict[str, Any]:
    return build_status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER,
        purpose="revocation",
        bitstring=Bitstring(),
        valid_from=VALID_FROM,
    )


def test_signing_goes_through_the_callable_and_adds_only_a_proof() -> None:
    unsigned = _unsigned()
    seen: list[dict[str, Any]] = []

    def sign(document: dict[str, Any]) -> dict[str, Any]:
        seen.append(document)
        return {**document, "proof": {"type": "DataIntegrityProof"}}

    signed = sign_status_list_credential(unsigned, sign)
    assert seen == [unsigned]
    assert signed == {**unsigned, "proof": {"type": "DataIntegrityProof"}}


def test_a_signer_that_returns_no_proof_is_an_error() -> None:
    with pytest.raises(StatusListSigningError):
        sign_status_list_credential(_unsigned(), lambda document: document)


def test_a_signer_that_changes_the_list_is_an_error() -> None:
    def tamper(document: dict[str, Any]) -> dict[str, Any]:
        document["credentialSubject"]["encodedList"] = "uAAAA"
        return {**document, "proof": {}}

    with pytest.raises(StatusListSigningError):
        sign_status_list_credential(_unsigned(), tamper)


def test_parse_status_list_credential_reads_what_the_builder_writes() -> None:
    document = build_status_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER,
        purpose="revocation",
        bitstring=Bitstring(),
        valid_from=VALID_FROM,
        valid_until=VALID_FROM + timedelta(days=1),
        ttl=timedelta(seconds=90),
    )
    parsed = parse_status_list_credential(document)
    assert parsed.id == LIST_URL
    assert parsed.issuer == ISSUER
    assert parsed.purposes == {"revocation"}
    assert parsed.encoded_list == EMPTY_LIST
    assert (parsed.valid_from, parsed.valid_until) == (VALID_FROM, VALID_FROM + timedelta(days=1))
    assert parsed.ttl == timedelta(seconds=90)


def test_an_issuer_object_counts_by_its_id() -> None:
    document = {**_unsigned(), "issuer": {"id": ISSUER, "name": "Example"}}
    assert parse_status_list_credential(document).issuer == ISSUER


def _list_with(**changes: object) -> dict[str, Any]:
    document = _unsigned()
    subject = dict(document["credentialSubject"])
    for key, value in changes.items():
        if key.startswith("subject_"):
            subject[key.removeprefix("subject_")] = value
    document["credentialSubject"] = subject
    document.update({k: v for k, v in changes.items() if not k.startswith("subject_")})
    return document


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        (_list_with(type=["VerifiableCredential"]), "BitstringStatusListCredential"),
        (_list_with(credentialSubject="x"), "credentialSubject"),
        (_list_with(subject_type="StatusList2021"), "BitstringStatusList"),
        (_list_with(subject_statusPurpose=[]), "statusPurpose"),
        (_list_with(subject_statusPurpose=["revocation", 3]), "statusPurpose"),
        (_list_with(subject_encodedList=None), "encodedList"),
        (_list_with(subject_ttl=-1), "ttl"),
        (_list_with(subject_ttl=1.5), "ttl"),
        (_list_with(subject_statusSize=0), "statusSize"),
        (_list_with(validFrom="2021-04-05T14:27:40"), "validFrom"),
        (_list_with(validUntil="tomorrow"), "validUntil"),
    ],
)
def test_parse_status_list_credential_names_what_is_malformed(
    document: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(StatusEntryError, match=complaint):
        parse_status_list_credential(document)


def test_validity_window_includes_both_ends() -> None:
    parsed = parse_status_list_credential(_list_with(validUntil="2021-04-06T14:27:40.5+02:00"))
    until = datetime(2021, 4, 6, 12, 27, 40, 500_000, tzinfo=UTC)
    assert parsed.valid_until == until
    assert parsed.is_valid_at(VALID_FROM)
    assert parsed.is_valid_at(until)
    assert not parsed.is_valid_at(VALID_FROM - timedelta(microseconds=1))
    assert not parsed.is_valid_at(until + timedelta(microseconds=1))


def test_timestamps_keep_microseconds_and_drop_finer_fractions() -> None:
    assert parse_timestamp("2025-01-01T00:00:00.1234567Z") == datetime(
        2025, 1, 1, 0, 0, 0, 123_456, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "text", ["2025-02-30T00:00:00Z", "2025-01-01 00:00:00Z", "2025-01-01T00:00:00", 20250101]
)
def test_timestamps_without_a_valid_date_and_zone_are_refused(text: object) -> None:
    with pytest.raises(TimestampError):
        parse_timestamp(text)
