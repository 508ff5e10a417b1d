"""Hypothesis strategies for JSON-LD documents that exercise JSON-LD 1.1's features.

Typed values, ``@vocab`` coercion, set, list, language, index, id, type and graph
containers, reverse properties, nesting, property- and type-scoped contexts: the
shapes credentials use and the ones they might. Shared by the differential tests
against pyld and against jsonld.js (Digital Bazaar).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

EX = "http://example.org/vocab#"
CONTEXT: dict[str, Any] = {
    "@version": 1.1,
    "ex": EX,
    "id": "@id",
    "type": "@type",
    "name": "ex:name",
    "ref": {"@id": "ex:ref", "@type": "@id"},
    "kind": {"@id": "ex:kind", "@type": "@vocab"},
    "count": {"@id": "ex:count", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
    "tags": {"@id": "ex:tags", "@container": "@set"},
    "steps": {"@id": "ex:steps", "@container": "@list"},
    "label": {"@id": "ex:label", "@container": "@language"},
    "byIndex": {"@id": "ex:byIndex", "@container": "@index"},
    "byId": {"@id": "ex:byId", "@container": "@id"},
    "byType": {"@id": "ex:byType", "@container": "@type"},
    "graph": {"@id": "ex:graph", "@container": "@graph"},
    "parent": {"@reverse": "ex:child"},
    "Thing": {"@id": "ex:Thing", "@context": {"detail": "ex:detail", "name": "ex:thingName"}},
    "scoped": {"@id": "ex:scoped", "@context": {"inner": "ex:inner"}},
    "meta": "@nest",
    "nestedNote": {"@id": "ex:nestedNote", "@nest": "meta"},
}

_text = st.text(alphabet="abcxyz é日", min_size=1, max_size=6)
_iri = st.sampled_from(["http://example.org/a", "http://example.org/b", "urn:x:1", "did:ex:2"])

PLAIN_SCALARS: st.SearchStrategy[Any] = st.one_of(
    _text,
    st.integers(min_value=-1000, max_value=1000),
    st.integers(min_value=-1000, max_value=1000).map(lambda i: i + 0.5),
    st.booleans(),
)
"""Values on which pyld and jsonld.js agree."""

AWKWARD_SCALARS: st.SearchStrategy[Any] = st.one_of(
    PLAIN_SCALARS,
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8),
    st.sampled_from(['\t\n\r"\\', "\x00\x07\x1f\x7f", "\U0001f600", "\ufffd", ""]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([42.0, -0.0, 1e-7, -1e-7, 1e21, 1e20, 2.0**53 + 2, 0.1, 5e-324]),
    st.integers(min_value=-(2**60), max_value=2**60),
)
"""Values whose canonical literal forms are easy to get wrong (jsonld.js is the judge)."""


def _node(
    children: st.SearchStrategy[dict[str, Any]], _scalar: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict[str, Any]]:
    thing = st.booleans()
    properties: dict[str, st.SearchStrategy[Any]] = {
        "name": st.one_of(_text, st.lists(_text, min_size=1, max_size=3)),
        "ref": _iri,
        "kind": st.sampled_from(["Thing", "ex:Kind", "http://example.org/k"]),
        "count": st.integers(min_value=0, max_value=99),
        "tags": st.lists(_scalar, max_size=3),
        "steps": st.lists(st.one_of(_scalar, children), max_size=3),
        "label": st.dictionaries(st.sampled_from(["en", "nl", "fr-BE"]), _text, max_size=2),
        "byIndex": st.dictionaries(st.sampled_from(["i1", "i2"]), children, max_size=2),
        "byId": st.dictionaries(_iri, children, max_size=2),
        "byType": st.dictionaries(st.sampled_from(["ex:T1", "ex:T2"]), children, max_size=2),
        "graph": children,
        "parent": children,
        "scoped": st.fixed_dictionaries({"inner": _text}),
        "meta": st.fixed_dictionaries({"nestedNote": _text}),
        "ex:plain": _scalar,
    }

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        node: dict[str, Any] = {}
        if draw(st.booleans()):
            node["id"] = draw(st.one_of(_iri, st.sampled_from(["_:x", "_:y"])))
        is_thing = draw(thing)
        if is_thing:
            node["type"] = draw(st.sampled_from([["Thing"], ["Thing", "ex:Other"]]))
            node["detail"] = draw(_text)
        keys = draw(st.lists(st.sampled_from(sorted(properties)), min_size=1, max_size=4))
        for key in keys:
            node[key] = draw(properties[key])
        return node

    return build()


def jsonld_documents(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Documents under :data:`CONTEXT` whose literal values come from ``scalars``."""
    return st.recursive(
        st.fixed_dictionaries({"name": _text}),
        lambda children: _node(children, scalars),
        max_leaves=12,
    ).map(lambda node: {"@context": CONTEXT, **node})
