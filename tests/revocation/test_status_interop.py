"""Interop with Digital Bazaar's @digitalbazaar/vc-bitstring-status-list (Node).

Skipped unless node and bench/node-status/node_modules are present (``npm ci`` there).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from credledger.revocation.bitstring import MIN_LIST_LENGTH, Bitstring

NODE_DIR = Path(__file__).resolve().parents[2] / "bench" / "node-status"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (NODE_DIR / "node_modules").is_dir(),
    reason="needs node and `npm ci` in bench/node-status",
)


def run_node(mode: str, stdin: str) -> str:
    completed = subprocess.run(
        ["node", "status.mjs", mode],
        cwd=NODE_DIR,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return completed.stdout


def random_indices(length: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return sorted(rng.sample(range(length), rng.randrange(1, length // 50)))


@pytest.mark.parametrize(("length", "seed"), [(MIN_LIST_LENGTH, 1), (MIN_LIST_LENGTH * 4, 2)])
def test_a_list_credledger_encodes_decodes_in_digital_bazaars_library(
    length: int, seed: int
) -> None:
    indices = random_indices(length, seed)
    encoded = Bitstring.from_indices(length, indices).encode()
    decoded: dict[str, Any] = json.loads(run_node("decode", encoded))
    assert decoded == {"length": length, "indices": indices}


@pytest.mark.parametrize(("length", "seed"), [(MIN_LIST_LENGTH, 3), (MIN_LIST_LENGTH * 4, 4)])
def test_a_list_digital_bazaar_encodes_decodes_in_credledger(length: int, seed: int) -> None:
    indices = random_indices(length, seed)
    encoded = run_node("encode", json.dumps({"length": length, "indices": indices}))
    bits = Bitstring.decode(encoded)
    assert len(bits) == length
    assert [i for i in range(length) if bits.get(i)] == indices


def test_both_libraries_write_the_same_encoded_list_for_the_same_bits() -> None:
    indices = random_indices(MIN_LIST_LENGTH, 5)
    theirs = run_node("encode", json.dumps({"length": MIN_LIST_LENGTH, "indices": indices}))
    assert Bitstring.from_indices(MIN_LIST_LENGTH, indices).encode() == theirs
