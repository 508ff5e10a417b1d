"""Random status list index allocation: uniform, never reused, bounded when nearly full."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from credledger.revocation.allocation import allocate_index
from credledger.revocation.bitstring import MIN_LIST_LENGTH, Bitstring
from credledger.revocation.errors import StatusListFullError
from hypothesis import given
from hypothesis import strategies as st


@st.composite
def partly_used(draw: st.DrawFn) -> tuple[int, set[int]]:
    length = draw(st.integers(min_value=1, max_value=300))
    used = draw(st.sets(st.integers(min_value=0, max_value=length - 1), max_size=length - 1))
    return length, used


@given(partly_used(), st.integers())
def test_never_returns_a_used_index(case: tuple[int, set[int]], seed: int) -> None:
    length, used = case
    index = allocate_index(used, length, random.Random(seed))
    assert 0 <= index < length
    assert index not in used


@given(partly_used(), st.integers())
def test_a_bitmap_of_used_indices_gives_the_same_guarantee(
    case: tuple[int, set[int]], seed: int
) -> None:
    length, used = case
    width = -(-length // 8) * 8
    used_with_padding = used | set(range(length, width))  # bits past the list count as used
    bitmap = Bitstring.from_indices(width, used_with_padding, min_length=0)
    index = allocate_index(bitmap, width, random.Random(seed))
    assert index not in used_with_padding


def test_allocating_until_full_hands_out_every_index_exactly_once() -> None:
    rng = random.Random(7)
    used: set[int] = set()
    order = []
    for _ in range(500):
        index = allocate_index(used, 500, rng)
        used.add(index)
        order.append(index)
    assert sorted(order) == list(range(500))
    with pytest.raises(StatusListFullError):
        allocate_index(used, 500, rng)


def test_a_full_bitmap_raises() -> None:
    bitmap = Bitstring.from_indices(64, range(64), min_length=0)
    with pytest.raises(StatusListFullError):
        allocate_index(bitmap, 64)


def test_indices_are_not_handed_out_in_sequence() -> None:
    rng = random.Random(11)
    used: set[int] = set()
    order = []
    for _ in range(50):
        index = allocate_index(used, MIN_LIST_LENGTH, rng)
        used.add(index)
        order.append(index)
    ascending_steps = sum(1 for a, b in itertools.pairwise(order) if b == a + 1)
    assert ascending_steps == 0
    assert order != sorted(order)


def _chi_square(counts: Counter[int], cells: list[int], draws: int) -> float:
    expected = draws / len(cells)
    return sum((counts[c] - expected) ** 2 / expected for c in cells)


# 99.9th percentile of chi-square with 39 degrees of freedom.
CHI2_39_P999 = 72.05


def test_sparse_lists_draw_free_indices_uniformly() -> None:
    rng = random.Random(2024)
    used = {0, 5, 17, 33}
    free = [i for i in range(40) if i not in used] + [40, 41, 42, 43]
    draws = 40_000
    counts = Counter(allocate_index(used, 44, rng) for _ in range(draws))
    assert set(counts) == set(free)
    assert _chi_square(counts, free, draws) < CHI2_39_P999


def test_dense_lists_draw_free_indices_uniformly() -> None:
    rng = random.Random(4048)
    free = list(range(0, 400, 10))  # 40 free indices out of 400
    used = set(range(400)) - set(free)
    draws = 40_000
    counts = Counter(allocate_index(used, 400, rng) for _ in range(draws))
    assert set(counts) == set(free)
    assert _chi_square(counts, free, draws) < CHI2_39_P999


def test_dense_bitmaps_draw_free_indices_uniformly() -> None:
    rng = random.Random(99)
    free = list(range(3, 4000, 100))  # 40 free out of 4000
    bitmap = Bitstring.from_indices(4000, set(range(4000)) - set(free), min_length=0)
    draws = 20_000
    counts = Counter(allocate_index(bitmap, 4000, rng) for _ in range(draws))
    assert set(counts) == set(free)
    assert _chi_square(counts, free, draws) < CHI2_39_P999


def test_the_last_free_index_of_a_large_list_is_found_directly() -> None:
    bitmap = Bitstring.from_indices(MIN_LIST_LENGTH * 8, range(MIN_LIST_LENGTH * 8), min_length=0)
    bitmap.set(777_777, False)
    assert allocate_index(bitmap, MIN_LIST_LENGTH * 8, random.Random(1)) == 777_777


def test_used_indices_outside_the_list_are_refused_when_they_matter() -> None:
    with pytest.raises(ValueError, match="is outside the 6-entry list"):
        allocate_index({1, 2, 3, 99}, 6, random.Random(0))


def test_a_bitmap_must_match_the_list_length() -> None:
    with pytest.raises(ValueError, match="bitmap has 64 bits, the list 72"):
        allocate_index(Bitstring(64, min_length=0), 72)


def test_the_default_random_source_is_the_operating_system() -> None:
    index = allocate_index(set(), MIN_LIST_LENGTH)
    assert 0 <= index < MIN_LIST_LENGTH
