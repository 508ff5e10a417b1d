"""Canonical N-Quads, differentially against jsonld.js + rdf-canonize (Digital Bazaar).

Whatever jsonld.js in safe mode and rdf-canonize print for a document is what a
Digital Bazaar verifier hashes, so credledger must print the very same bytes, or refuse
exactly the documents they refuse. Checked on random JSON-LD 1.1 documents with
awkward values (control characters, astral characters, every kind of number) and on
every unsafe case of the safe-mode tests. One node process per batch of documents.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.errors import CryptoError
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.jsonld_errors import JsonLdError
from credledger.crypto.rdfc import canonicalize, canonicalize_quads
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..crypto.test_crypto_jsonld_safe_mode import UNSAFE
from ..crypto.test_crypto_rdfc import _quad
from ..jsonld_strategies import AWKWARD_SCALARS, jsonld_documents

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = REPO / "bench" / "node"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None or not (NODE_DIR / "node_modules").is_dir(),
    reason="Digital Bazaar's stack is not installed (npm ci --prefix bench/node)",
)
LOADER = DocumentLoader()


def _run_there(command: str, inputs: list[Any]) -> list[dict[str, str]]:
    """``node di.mjs COMMAND -`` over a batch: one answer (nquads or error) per input."""
    assert NODE is not None
    completed = subprocess.run(
        [NODE, str(NODE_DIR / "di.mjs"), command, "-"],
        input=json.dumps(inputs),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    results: list[dict[str, str]] = json.loads(completed.stdout)
    return results


def _canonize_there(documents: list[Any]) -> list[dict[str, str]]:
    return _run_there("canonize", documents)


def _compare(documents: list[Any]) -> None:
    for document, theirs in zip(documents, _canonize_there(documents), strict=True):
        if "error" in theirs:
            with pytest.raises(CryptoError):
                canonicalize(document, LOADER)
        else:
            assert canonicalize(document, LOADER) == theirs["nquads"], json.dumps(document)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(jsonld_documents(AWKWARD_SCALARS), min_size=60, max_size=60))
def test_random_documents_canonicalise_to_jsonld_js_bytes(documents: list[Any]) -> None:
    _compare(documents)


def test_the_unsafe_cases_are_refused_by_jsonld_js_with_the_same_code() -> None:
    documents = [document for _, document, _ in UNSAFE]
    results = _canonize_there(documents)
    for (name, document, code), theirs in zip(UNSAFE, results, strict=True):
        assert theirs.get("error") == code, name
        with pytest.raises(JsonLdError) as raised:
            canonicalize(document, LOADER)
        assert raised.value.code == code, name


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(_quad, max_size=12, unique=True), min_size=80, max_size=80))
def test_random_datasets_canonicalise_to_rdf_canonize_bytes(datasets: list[list[Any]]) -> None:
    """Blank node graph names included: the cases pyoxigraph is not trusted with."""
    texts = ["".join(f"{s} {p} {o}{' ' + g if g else ''} .\n" for s, p, o, g in quads)
             for quads in datasets]  # fmt: skip
    for quads, theirs in zip(datasets, _run_there("canonize-nquads", texts), strict=True):
        assert "error" not in theirs, theirs
        assert canonicalize_quads(quads, max_work_factor=float("inf")) == theirs["nquads"]
