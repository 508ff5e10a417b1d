"""JSON-LD safe mode: what would be silently dropped or misread is refused, never signed.

Each case is a condition Digital Bazaar's jsonld.js reports as unsafe (``safe: true``
turns it into an error); the expected code is jsonld.js's event code.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.jsonld_errors import JsonLdError, UnknownContextError, UnsafeJsonLdError
from credledger.crypto.rdfc import canonicalize

from ..edubadges_material import EdubadgesMaterial

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
XSD = "http://www.w3.org/2001/XMLSchema#"
P = {"p": "http://example.org/p"}


def _vc1(**claims: Any) -> dict[str, Any]:
    return {
        "@context": [VC_V1],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", **claims},
    }


def _vc2(**top: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": [VC_V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    document.update(top)
    return document


UNSAFE = [
    ("undefined term (VC 1.1)", _vc1(nickname="Bob"), "invalid property"),
    (
        "undefined term (VC 2.0)",
        _vc2(credentialSubject={"id": "did:example:subject", "nickname": "Bob"}),
        "invalid property",
    ),
    ("relative id", _vc2(id="credentials/1"), "relative @id reference"),
    (
        "undefined type",
        {**_vc1(), "type": ["VerifiableCredential", "Mystery"]},
        "relative @type reference",
    ),
    ("relative object", {**_vc1(), "issuer": "issuers/1"}, "relative object reference"),
    ("free-floating value", {"@context": P, "@graph": ["loose"]}, "free-floating scalar"),
    ("dangling node", {"@context": [VC_V2], "@graph": [{"id": "urn:x:1"}]}, "object with only @id"),
    ("nothing but a context", {"@context": [VC_V2]}, "empty object"),
    (
        "null value object",
        {"@context": P, "@id": "urn:x:1", "p": {"@value": None}},
        "null @value value",
    ),
    (
        "bad language tag",
        {"@context": P, "@id": "urn:x:1", "p": {"@value": "x", "@language": "not a tag"}},
        "invalid @language value",
    ),
    ("reserved term", {"@context": {"@foo": "http://e/f"}, "@id": "urn:x:1"}, "reserved term"),
    (
        "blank node property",
        {"@context": {"@vocab": "_:"}, "@id": "urn:x:1", "q": "v"},
        "blank node predicate",
    ),
]


@pytest.mark.parametrize(("name", "document", "code"), UNSAFE, ids=[c[0] for c in UNSAFE])
def test_unsafe_documents_are_refused(name: str, document: dict[str, Any], code: str) -> None:
    with pytest.raises(UnsafeJsonLdError) as raised:
        canonicalize(document, DocumentLoader())
    assert raised.value.code == code


def test_an_unknown_context_is_refused_by_url() -> None:
    document = _vc2()
    document["@context"] = [VC_V2, "https://unknown.example/context"]
    with pytest.raises(UnknownContextError) as raised:
        canonicalize(document, DocumentLoader())
    assert raised.value.url == "https://unknown.example/context"


def test_redefining_a_protected_term_is_refused() -> None:
    document = _vc2()
    document["@context"] = [VC_V2, {"name": "http://example.org/not-a-name"}]
    with pytest.raises(JsonLdError) as raised:
        canonicalize(document, DocumentLoader())
    assert raised.value.code == "protected term redefinition"


def test_a_term_definition_with_unknown_keys_is_refused() -> None:
    context = {"term": {"@id": "http://example.org/t", "context": {}}}
    with pytest.raises(JsonLdError) as raised:
        canonicalize({"@context": context, "@id": "urn:x:1", "term": "v"}, DocumentLoader())
    assert raised.value.code == "invalid term definition"


def test_the_published_edubadges_context_is_refused_as_jsonld_js_refuses_it(
    edubadges: EdubadgesMaterial,
) -> None:
    # Its scoped context for EducredentialAchievement spells "context" for "@context".
    url = "https://raw.githubusercontent.com/educredentials/obv3-examples/refs/heads/main/contexts/educredential.json"
    context = json.loads(edubadges.context().read_text())
    example = json.loads(edubadges.credential("mbob_eo_eov_microcredential_full.json").read_text())
    with pytest.raises(JsonLdError) as raised:
        canonicalize(example, DocumentLoader({url: context}))
    assert raised.value.code == "invalid scoped context"


def test_the_undefined_terms_context_gives_every_term_an_iri_of_its_own() -> None:
    # Opting in with VC 2.0's undefined-terms context: the term is kept, so it is signed.
    document = _vc2(credentialSubject={"id": "did:example:subject", "nickname": "Bob"})
    document["@context"] = [VC_V2, "https://www.w3.org/ns/credentials/undefined-terms/v2"]
    nquads = canonicalize(document, DocumentLoader())
    nickname = "<https://www.w3.org/ns/credentials/undefined-term#nickname>"
    assert f'<did:example:subject> {nickname} "Bob" .' in nquads


def _objects(value: Any, context: dict[str, Any] | None = None) -> list[str]:
    document = {"@context": context or P, "@id": "urn:x:1", "p": value}
    lines = canonicalize(document, DocumentLoader()).splitlines()
    return sorted(line.split(" ", 2)[2].rsplit(" .", 1)[0] for line in lines)


def test_numbers_become_literals_as_jsonld_js_makes_them() -> None:
    # 1e-7 and -0.0 both print as "0", and jsonld.js keeps both (they differ in JavaScript).
    assert _objects([42.0, 7, 1.5, 1e21, 1e-7, -0.0, True]) == sorted(
        [
            f'"42"^^<{XSD}integer>',
            f'"7"^^<{XSD}integer>',
            f'"1.5E0"^^<{XSD}double>',
            f'"1.0E21"^^<{XSD}double>',
            f'"0"^^<{XSD}integer>',
            f'"0"^^<{XSD}integer>',
            f'"true"^^<{XSD}boolean>',
        ]
    )


def test_typed_numbers_keep_their_lexical_rules() -> None:
    context = {"p": {"@id": "http://example.org/p", "@type": f"{XSD}float"}}
    assert _objects([3.0, 2.5], context) == sorted([f'"3"^^<{XSD}float>', f'"2.5E0"^^<{XSD}float>'])


def test_json_literals_are_canonical_json() -> None:
    context = {"p": {"@id": "http://example.org/p", "@type": "@json"}}
    assert _objects({"b": 1.0, "a": ["x", None]}, context) == [
        '"{\\"a\\":[\\"x\\",null],\\"b\\":1}"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON>'
    ]


def test_directional_strings_use_i18n_datatypes_like_the_eddsa_rdfc_2022_suite() -> None:
    value = {"@value": "مرحبا", "@language": "AR", "@direction": "rtl"}
    assert _objects(value) == ['"مرحبا"^^<https://www.w3.org/ns/i18n#ar_rtl>']


def test_language_maps_expand_to_tagged_strings() -> None:
    context = {"p": {"@id": "http://example.org/p", "@container": "@language"}}
    assert _objects({"nl": "hallo", "en": "hello"}, context) == ['"hallo"@nl', '"hello"@en']


def test_an_absurdly_deep_document_is_refused_not_crashed_on() -> None:
    node: dict[str, Any] = {"@id": "urn:x:leaf", "p": "v"}
    for _ in range(5000):
        node = {"@id": "urn:x:n", "p": node}
    with pytest.raises(JsonLdError) as raised:
        canonicalize({"@context": P, **node}, DocumentLoader())
    assert raised.value.code == "document too deep"


def test_inline_contexts_give_the_same_result_every_time() -> None:
    document = {"@context": {"q": "http://example.org/q"}, "@id": "urn:x:1", "q": "v"}
    first = canonicalize(document, DocumentLoader())
    assert (
        first
        == canonicalize(document, DocumentLoader())
        == canonicalize(document, DocumentLoader())
    )
    assert first == '<urn:x:1> <http://example.org/q> "v" .\n'
