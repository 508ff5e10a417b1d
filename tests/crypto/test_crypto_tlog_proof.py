"""C2SP tlog-proof text (c2sp.org/tlog-proof@v1): written and read in the spec's layout."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.tlog_proof import HEADER, MalformedTlogProofError, TlogProof

from ..tlog_helpers import ToyLog, inclusion


@pytest.fixture(scope="module")
def examples(test_data: Path) -> Any:
    path = test_data / "vectors/signed-note/c2sp-tlog-proof-examples.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_spec_example_reads_line_by_line(examples: Any) -> None:
    proof = TlogProof.parse(examples["tlog_proof"])
    fields = examples["tlog_proof_fields"]
    assert proof.extra == base64.b64decode(fields["extra_base64"])
    assert proof.index == fields["index"]
    assert len(proof.proof) == fields["inclusion_hashes"]
    assert all(len(h) == 32 for h in proof.proof)
    assert proof.checkpoint.split("\n", 1)[0] == fields["checkpoint_first_line"]
    assert proof.text() == examples["tlog_proof"]


def test_a_proof_written_is_the_spec_layout_and_reads_back() -> None:
    log = ToyLog().grow(7)
    proof = TlogProof(5, tuple(inclusion(5, log.leaves)), log.checkpoint(), extra=b"leaf 5")
    text = proof.text()
    lines = text.split("\n")
    assert lines[0] == HEADER
    assert lines[1] == "extra " + base64.b64encode(b"leaf 5").decode()
    assert lines[2] == "index 5"
    assert lines[3 : 3 + len(proof.proof)] == [base64.b64encode(h).decode() for h in proof.proof]
    assert text.endswith("\n\n" + log.checkpoint())
    assert TlogProof.parse(text) == proof
    assert TlogProof.parse(text.encode()) == proof


def test_the_extra_line_is_optional() -> None:
    log = ToyLog().grow(1)
    text = TlogProof(0, (), log.checkpoint()).text()
    assert text.startswith(f"{HEADER}\nindex 0\n\n")
    assert TlogProof.parse(text).extra is None


@pytest.mark.parametrize(
    "text",
    [
        "c2sp.org/tlog-proof@v2\nindex 0\n\nx\n",
        "c2sp.org/tlog-proof@v1\n\nx\n",
        "c2sp.org/tlog-proof@v1\nindex 01\n\nx\n",
        "c2sp.org/tlog-proof@v1\nindex 0\nnot base64\n\nx\n",
        "c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\nx\n",
        "c2sp.org/tlog-proof@v1\nextra !!\nindex 0\n\nx\n",
        "c2sp.org/tlog-proof@v1\nindex 0\nextra AAAA\n\nx\n",
        "c2sp.org/tlog-proof@v1\nindex 0\n",
        "c2sp.org/tlog-proof@v1\nindex 0\n\n",
    ],
    ids=[
        "other-version",
        "no-index",
        "leading-zero",
        "not-base64",
        "not-a-hash",
        "bad-extra",
        "extra-after-index",
        "no-checkpoint",
        "empty-checkpoint",
    ],
)
def test_what_breaks_the_layout_is_refused(text: str) -> None:
    with pytest.raises(MalformedTlogProofError):
        TlogProof.parse(text)


def test_more_hashes_than_any_tree_needs_are_refused() -> None:
    hashes = "\n".join([base64.b64encode(bytes(32)).decode()] * 65)
    with pytest.raises(MalformedTlogProofError):
        TlogProof.parse(f"{HEADER}\nindex 0\n{hashes}\n\nx\n")
