"""The screen that decides whether a body's numbers need the exact parse answers as the
regular expression that defines it, for any bytes (it only runs faster)."""

from __future__ import annotations

from credledger.api.json_numbers import MAYBE_INEXACT, may_be_inexact
from hypothesis import example, given
from hypothesis import strategies as st

_NEAR_NUMBERS = st.binary(max_size=80) | st.lists(
    st.sampled_from([b"0", b"9", b".", b"e", b"E", b"+", b"-", b" ", b'"', b"x", b"12345678"]),
    max_size=40,
).map(b"".join)


@given(_NEAR_NUMBERS)
@example(b"1234567890123456")
@example(b"123456789012345")
@example(b"1e-400")
@example(b"1E+99")
@example(b"0.000000000000001")
@example(b"e0001")
def test_the_screen_is_the_regular_expression(body: bytes) -> None:
    assert may_be_inexact(body) == (MAYBE_INEXACT.search(body) is not None)
