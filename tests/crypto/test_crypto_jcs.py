"""RFC 8785 JSON Canonicalization Scheme."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.jcs import (
    JcsError,
    canonicalize,
    canonicalize_bytes,
    canonicalize_carefully,
    format_number,
)
from hypothesis import given
from hypothesis import strategies as st

from ..di_vectors import DATA, read_json, read_text, vectors

JCS_DATA = DATA / "jcs"
CASES = sorted(p.stem for p in (JCS_DATA / "input").glob("*.json"))


@pytest.mark.parametrize("name", CASES)
def test_reference_inputs_canonicalise_to_the_reference_bytes(name: str) -> None:
    value = json.loads((JCS_DATA / "input" / f"{name}.json").read_text("utf-8"))
    assert canonicalize_bytes(value) == (JCS_DATA / "output" / f"{name}.json").read_bytes()


# RFC 8785 Appendix B: IEEE 754 bit patterns and their serialisation.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def _double(bits: str) -> float:
    value: float = struct.unpack(">d", bytes.fromhex(bits))[0]
    return value


@pytest.mark.parametrize(("bits", "expected"), APPENDIX_B)
def test_numbers_serialise_as_rfc_8785_appendix_b(bits: str, expected: str) -> None:
    assert format_number(_double(bits)) == expected


def test_numbers_serialise_as_javascript_prints_them() -> None:
    mismatches = []
    for line in (JCS_DATA / "es6-numbers.txt").read_text("ascii").splitlines():
        bits, expected = line.split(" ")
        if format_number(_double(bits)) != expected:
            mismatches.append(line)
    assert mismatches == []


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 10**400])
def test_numbers_without_a_json_form_are_refused(value: float) -> None:
    with pytest.raises(JcsError):
        canonicalize({"n": value})


def test_integers_are_taken_as_the_double_they_round_to() -> None:
    assert canonicalize([2**53 + 1, 10**21, -0.0]) == "[9007199254740992,1e+21,0]"


def test_members_sort_by_utf16_code_units() -> None:
    # U+1F600 (D83D DE00) sorts before U+FFFD by code unit, after it by code point.
    assert canonicalize({"\ufffd": 1, "\U0001f600": 2, "a": 3}) == '{"a":3,"😀":2,"\ufffd":1}'


def test_strings_escape_only_what_json_requires() -> None:
    assert (
        canonicalize('\u2028</script>\x7f\x1f\n"\\é') == '"\u2028</script>\x7f\\u001f\\n\\"\\\\é"'
    )


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(JcsError):
        canonicalize({"k": "\ud800"})


@pytest.mark.parametrize("value", [{1: "x"}, {"k": b"bytes"}, {"k": {1, 2}}])
def test_non_json_values_are_refused(value: Any) -> None:
    with pytest.raises(JcsError):
        canonicalize(value)


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.text(alphabet=st.characters(blacklist_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(alphabet=st.characters(blacklist_categories=["Cs"])), children, max_size=4
        )
    ),
    max_leaves=20,
)


@given(_json)
def test_canonical_form_parses_back_to_the_same_value(value: Any) -> None:
    # JSON numbers are doubles: read every number back as one.
    assert json.loads(canonicalize(value), parse_int=float) == value


_KEY_CHARACTERS = ["a", "z", "\u00e9", "\ud7ff", "\ue000", "\U0001f600"]
"""Keys on both sides of the surrogates: code point and UTF-16 order part there."""
_numbers_and_keys_that_differ = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e-4, 1e-5, 1e16, 1e21, 2.0**53, -(2.0**53), 0.1, 1.5e15 + 0.5, -0.0])
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.text(alphabet=st.sampled_from(["a", "\x00", "\x1f", "\x7f", '"', "\\", "\u2028"])),
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(
            st.text(alphabet=st.sampled_from(_KEY_CHARACTERS)),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@given(_json | _numbers_and_keys_that_differ)
def test_the_fast_path_prints_what_the_careful_serialiser_prints(value: Any) -> None:
    assert canonicalize(value) == canonicalize_carefully(value)


def test_a_lone_surrogate_is_refused_on_the_fast_path_too() -> None:
    with pytest.raises(JcsError, match="U\\+DC00"):
        canonicalize({"name": ["ok", "\udc00"]})


@given(_json)
def test_canonicalising_is_idempotent(value: Any) -> None:
    text = canonicalize(value)
    assert canonicalize(json.loads(text)) == text


def test_eddsa_jcs_2022_vector_document_and_proof_config(test_data: Path) -> None:
    folder = vectors(test_data)
    assert canonicalize(read_json(folder / "unsigned.json")) == read_text(
        folder / "eddsa-jcs-2022" / "canonDocJCS.txt"
    )
    assert canonicalize(read_json(folder / "eddsa-jcs-2022" / "proofConfigJCS.json")) == read_text(
        folder / "eddsa-jcs-2022" / "proofCanonJCS.txt"
    )
