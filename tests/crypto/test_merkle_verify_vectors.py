"""Every transparency-dev/merkle verification vector under shared/vectors/rfc6962.

Happy paths must verify; every adversarial case (bit flips, truncated, padded or
reordered proofs, wrong sizes and indices, swapped roots) must be rejected with a
typed MerkleProofError of the kind its description names.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.merkle_verify import (
    HashSizeError,
    IndexOutOfRangeError,
    InvalidSubtreeError,
    MerkleProofError,
    ProofLengthError,
    RootMismatchError,
    verify_consistency,
    verify_inclusion,
    verify_subtree_consistency,
    verify_subtree_inclusion,
)

VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors" / "rfc6962"

Kinds = tuple[type[MerkleProofError], ...]
MISMATCH: Kinds = (RootMismatchError,)
LENGTH: Kinds = (ProofLengthError,)
SIZE: Kinds = (HashSizeError,)
RANGE: Kinds = (IndexOutOfRangeError,)
SUBTREE: Kinds = (InvalidSubtreeError,)
# A changed index or size either leaves the tree, changes the expected proof
# length, or (when the length happens to stay the same) leads to another root.
MOVED: Kinds = (IndexOutOfRangeError, ProofLengthError, RootMismatchError)

# The error kind each adversarial case must raise, by description ("- subtree"
# suffixes dropped). A description missing here fails the test: classify it.
EXPECTED_ERRORS: dict[str, Kinds] = {
    # inclusion
    "empty leaf": SIZE,
    "empty root and leaf": SIZE,
    "wrong leaf": SIZE,
    "empty root": (HashSizeError, IndexOutOfRangeError, RootMismatchError),
    "empty root and random leaf": (IndexOutOfRangeError, RootMismatchError),
    "random leaf": (IndexOutOfRangeError, RootMismatchError),
    "random root": MISMATCH,
    "modified proof[0] bit @3": MISMATCH,
    "modified proof[1] bit @3": MISMATCH,
    "modified proof[2] bit @3": MISMATCH,
    "inserted component": LENGTH,
    "removed component": LENGTH,
    "preceding root": LENGTH,
    "trailing root": LENGTH,
    "preceding garbage": SIZE,
    "trailing garbage": SIZE,
    "leafIdx XOR @2": MOVED,
    "leafIdx plus @1": MOVED,
    "leafIdx sub @1": MOVED,
    "treeSize div @2": MOVED,
    "treeSize mul @2": LENGTH,
    "everything zero": RANGE,
    "oob left": RANGE,
    "oob right": RANGE,
    "oob right 2": RANGE,
    "start equals end": RANGE,
    "start larger than end": SUBTREE,
    "invalid subtree": SUBTREE,
    "invalid large subtree": SUBTREE,
    # consistency
    "modified proof@0 bit @4": MISMATCH,
    "modified proof@1 bit @4": MISMATCH,
    "modified proof@2 bit @4": MISMATCH,
    "wrong root1": MISMATCH,
    "wrong root2": MISMATCH,
    "swapped roots": MISMATCH,
    "empty proof": LENGTH,
    "truncated proof": LENGTH,
    "preceding proof @0": LENGTH,
    "preceding root1": LENGTH,
    "preceding root2": LENGTH,
    "trailing root1": LENGTH,
    "trailing root2": LENGTH,
    "size1 plus @1": LENGTH,
    "size2 mul @2": LENGTH,
    "size1 XOR @2": MOVED,
    "size1 sub @1": MOVED,
    "size2 div @2": MOVED,
    "consistency check on empty tree (size1 is zero) is useless": (
        IndexOutOfRangeError,
        ProofLengthError,
    ),
    "size1 is greater than size2": RANGE,
    "size1 is greater than size2 again": RANGE,
    "size1 is zero and size2 is not zero": RANGE,
    "size1 is zero and does not equal size2": (IndexOutOfRangeError, RootMismatchError),
    "sizes are equal (zero) and proof is empty": (IndexOutOfRangeError, RootMismatchError),
    "sizes are equal (zero) but roots are not": (IndexOutOfRangeError, RootMismatchError),
    "sizes are equal (one) but roots are not": MISMATCH,
    "roots do not match and sizes are zero": RANGE,
    "roots do not match and sizes are one": MISMATCH,
    "roots do not not match and sizes are one": MISMATCH,
    "sizes do not match and proof is empty": LENGTH,
    "sizes do not watch and proof is empty": LENGTH,
    "sizes match but proof is not empty and sizes are one": LENGTH,
    "sizes match but proof is not empty and sizes are zero": (
        IndexOutOfRangeError,
        ProofLengthError,
    ),
    "invalid subtree start 1 end 15 size 15": SUBTREE,
    "invalid subtree start 1 end 3 size 8": SUBTREE,
    "invalid subtree start 2 end 5 size 8": SUBTREE,
    "invalid subtree start 2 end 6 size 8": SUBTREE,
    "subtree is empty roots match but not valid": MISMATCH,
    "subtree is empty roots valid but proof is not empty": LENGTH,
    "subtree is empty sizes are equal (one) roots match but not valid": MISMATCH,
    "subtree is empty sizes are equal (one) roots valid but proof is not empty": LENGTH,
    "subtree is empty sizes are equal (zero) roots match but not valid": MISMATCH,
    "subtree is empty sizes are equal (zero) roots valid but proof is not empty": LENGTH,
}


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _proof(case: dict[str, Any]) -> list[bytes]:
    return [_b64(h) for h in case["proof"] or []]


def _inclusion(case: dict[str, Any]) -> None:
    verify_inclusion(
        _b64(case["leafHash"]), case["leafIdx"], case["treeSize"], _proof(case), _b64(case["root"])
    )


def _subtree_inclusion(case: dict[str, Any]) -> None:
    verify_subtree_inclusion(
        _b64(case["leafHash"]),
        case["leafIdx"],
        case["start"],
        case["end"],
        _proof(case),
        _b64(case["root"]),
    )


def _consistency(case: dict[str, Any]) -> None:
    verify_consistency(
        case["size1"], case["size2"], _proof(case), _b64(case["root1"]), _b64(case["root2"])
    )


def _subtree_consistency(case: dict[str, Any]) -> None:
    verify_subtree_consistency(
        case["start"],
        case["end"],
        case["size"],
        _proof(case),
        _b64(case["root1"]),
        _b64(case["root2"]),
    )


VERIFIERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "inclusion": _inclusion,
    "subtreeinclusion": _subtree_inclusion,
    "consistency": _consistency,
    "subtreeconsistency": _subtree_consistency,
}

CASES = sorted(
    str(p.relative_to(VECTORS)) for folder in VERIFIERS for p in (VECTORS / folder).rglob("*.json")
)


def _load(test_data: Path, relpath: str) -> tuple[Callable[[dict[str, Any]], None], Any]:
    path = test_data / "vectors" / "rfc6962" / relpath
    return VERIFIERS[relpath.split("/", 1)[0]], json.loads(path.read_text())


def test_every_vector_folder_has_cases(test_data: Path) -> None:
    for folder in VERIFIERS:
        assert any((test_data / "vectors" / "rfc6962" / folder).rglob("*.json")), folder


@pytest.mark.parametrize("relpath", CASES)
def test_vector_outcome_matches_want_err(test_data: Path, relpath: str) -> None:
    verify, case = _load(test_data, relpath)
    if not case["wantErr"]:
        verify(case)
        return
    kinds = EXPECTED_ERRORS.get(case["desc"].removesuffix(" - subtree"))
    assert kinds is not None, f"unclassified adversarial case {case['desc']!r}"
    with pytest.raises(kinds):
        verify(case)
