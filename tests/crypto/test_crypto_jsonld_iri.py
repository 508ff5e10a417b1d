"""IRI helpers: RFC 3986 reference resolution and jsonld.js's notion of an absolute IRI."""

from __future__ import annotations

import pytest
from credledger.crypto.jsonld_iri import is_absolute_iri, is_keyword, resolve_iri

BASE = "http://a/b/c/d;p?q"

# RFC 3986 §5.4.1 normal examples and §5.4.2 abnormal examples.
RFC3986 = {
    "g:h": "g:h",
    "g": "http://a/b/c/g",
    "./g": "http://a/b/c/g",
    "g/": "http://a/b/c/g/",
    "/g": "http://a/g",
    "//g": "http://g",
    "?y": "http://a/b/c/d;p?y",
    "g?y": "http://a/b/c/g?y",
    "#s": "http://a/b/c/d;p?q#s",
    "g#s": "http://a/b/c/g#s",
    "g?y#s": "http://a/b/c/g?y#s",
    ";x": "http://a/b/c/;x",
    "g;x": "http://a/b/c/g;x",
    "g;x?y#s": "http://a/b/c/g;x?y#s",
    "": "http://a/b/c/d;p?q",
    ".": "http://a/b/c/",
    "./": "http://a/b/c/",
    "..": "http://a/b/",
    "../": "http://a/b/",
    "../g": "http://a/b/g",
    "../..": "http://a/",
    "../../": "http://a/",
    "../../g": "http://a/g",
    "../../../g": "http://a/g",
    "../../../../g": "http://a/g",
    "/./g": "http://a/g",
    "/../g": "http://a/g",
    "g.": "http://a/b/c/g.",
    ".g": "http://a/b/c/.g",
    "g..": "http://a/b/c/g..",
    "..g": "http://a/b/c/..g",
    "./../g": "http://a/b/g",
    "./g/.": "http://a/b/c/g/",
    "g/./h": "http://a/b/c/g/h",
    "g/../h": "http://a/b/c/h",
    "g;x=1/./y": "http://a/b/c/g;x=1/y",
    "g;x=1/../y": "http://a/b/c/y",
    "g?y/./x": "http://a/b/c/g?y/./x",
    "g?y/../x": "http://a/b/c/g?y/../x",
    "g#s/./x": "http://a/b/c/g#s/./x",
    "g#s/../x": "http://a/b/c/g#s/../x",
}


@pytest.mark.parametrize(("reference", "expected"), sorted(RFC3986.items()))
def test_references_resolve_as_rfc_3986_section_5_4(reference: str, expected: str) -> None:
    assert resolve_iri(BASE, reference) == expected


def test_without_a_base_a_reference_stays_relative() -> None:
    assert resolve_iri(None, "g") == "g"


@pytest.mark.parametrize(
    "value",
    ["http://example.org/x", "urn:uuid:1", "did:key:z6Mk", "_:b0", "a+b,c.d-e:x", "mailto:x@y"],
)
def test_absolute_iris_and_blank_nodes_are_absolute(value: str) -> None:
    assert is_absolute_iri(value)


@pytest.mark.parametrize(
    "value", ["relative", "/path", "1http:x", "http://a b", "http://a\u00a0b", ":x", ""]
)
def test_relative_or_spaced_values_are_not_absolute(value: str) -> None:
    assert not is_absolute_iri(value)


def test_separator_controls_are_not_javascript_whitespace() -> None:
    # Python's str.isspace() says yes to U+001F, jsonld.js's \s does not.
    assert is_absolute_iri("http://a/\x1fb")


def test_keywords_are_recognised_and_lookalikes_are_not() -> None:
    assert is_keyword("@id")
    assert not is_keyword("@ids")
    assert not is_keyword("id")
