"""The offline document loader: bundled contexts plus caller-supplied documents, never a fetch."""

from __future__ import annotations

import pytest
from credledger.crypto.jsonld_documents import (
    DocumentLoader,
    UnknownContextError,
    bundled_context_urls,
)

VC_V2 = "https://www.w3.org/ns/credentials/v2"
EXTENSION = "https://credledger.example/contexts/extension/v1"


def test_bundled_contexts_load_as_parsed_json() -> None:
    document = DocumentLoader().load(VC_V2)
    assert document["@context"]["@protected"] is True


def test_every_bundled_context_loads() -> None:
    loader = DocumentLoader()
    for url in bundled_context_urls():
        assert "@context" in loader.load(url)


def test_an_unknown_url_is_refused_and_named() -> None:
    with pytest.raises(UnknownContextError) as raised:
        DocumentLoader().load("https://attacker.example/context.jsonld")
    assert raised.value.url == "https://attacker.example/context.jsonld"
    assert "https://attacker.example/context.jsonld" in str(raised.value)


def test_near_misses_of_bundled_urls_are_unknown() -> None:
    loader = DocumentLoader()
    for url in (VC_V2 + "/", "http://www.w3.org/ns/credentials/v2", VC_V2 + "#x"):
        with pytest.raises(UnknownContextError):
            loader.load(url)


def test_supplied_documents_are_served() -> None:
    extension = {"@context": {"grade": "https://credledger.example/vocab#grade"}}
    loader = DocumentLoader({EXTENSION: extension})
    assert loader.load(EXTENSION) == extension
    assert EXTENSION in loader
    assert loader.load(VC_V2)["@context"]["@protected"] is True


def test_a_supplied_document_overrides_a_bundled_one() -> None:
    replacement: dict[str, object] = {"@context": {}}
    assert DocumentLoader({VC_V2: replacement}).load(VC_V2) == replacement


def test_with_documents_returns_a_new_loader_and_leaves_the_old_one_alone() -> None:
    base = DocumentLoader()
    extended = base.with_documents({EXTENSION: {"@context": {}}})
    assert EXTENSION in extended
    assert EXTENSION not in base
    with pytest.raises(UnknownContextError):
        base.load(EXTENSION)


def test_the_supplied_mapping_is_copied() -> None:
    documents: dict[str, object] = {}
    loader = DocumentLoader(documents)
    documents[EXTENSION] = {"@context": {}}
    assert EXTENSION not in loader


def test_iteration_lists_every_url_once() -> None:
    urls = list(DocumentLoader({VC_V2: {"@context": {}}, EXTENSION: {"@context": {}}}))
    assert len(urls) == len(set(urls))
    assert set(urls) == bundled_context_urls() | {EXTENSION}
