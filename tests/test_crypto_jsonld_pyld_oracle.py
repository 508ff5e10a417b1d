"""JSON-LD to RDF, differentially against pyld (an independent processor).

Both processors' datasets are brought to canonical form by pyoxigraph, so that this
compares what the documents say (pyld's own canonicaliser differs from RDFC-1.0 on
blank nodes that point at themselves; the canonicaliser is tested on its own).

Random documents exercise the JSON-LD 1.1 features credentials use and the ones they
might: typed values, ``@vocab`` coercion, set, list, language, index, id, type and graph
containers, reverse properties, nesting, property- and type-scoped contexts. The values
stay inside the range where pyld and jsonld.js agree (plain text, integers, doubles with
a fraction), since where they disagree credledger follows jsonld.js (tested elsewhere).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.jsonld_errors import JsonLdError
from credledger.crypto.jsonld_expand import expand
from credledger.crypto.jsonld_rdf import to_rdf
from credledger.crypto.rdfc import serialize_quad
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

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
_scalar = st.one_of(
    _text,
    st.integers(min_value=-1000, max_value=1000),
    st.integers(min_value=-1000, max_value=1000).map(lambda i: i + 0.5),
    st.booleans(),
)


def _node(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
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


_documents = st.recursive(
    st.fixed_dictionaries({"name": _text}),
    _node,
    max_leaves=12,
).map(lambda node: {"@context": CONTEXT, **node})


def _canonical(nquads: str) -> str:
    dataset = ox.Dataset(ox.parse(nquads, ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return "".join(sorted(f"{quad} .\n" for quad in dataset))


def _ours(document: Any, loader: DocumentLoader) -> str:
    return _canonical("".join(serialize_quad(*quad) for quad in to_rdf(expand(document, loader))))


def _pyld(document: Any, loader: DocumentLoader) -> str:
    def load(url: str, options: Any = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": url, "document": loader.load(url)}

    options = {"format": "application/n-quads", "documentLoader": load}
    return _canonical(jsonld.to_rdf(document, options))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents)
def test_random_documents_say_what_pyld_says_they_say(document: dict[str, Any]) -> None:
    loader = DocumentLoader()
    try:
        expected = _pyld(document, loader)
    except jsonld.JsonLdError:
        with pytest.raises(JsonLdError):
            _ours(document, loader)
        return
    assert _ours(document, loader) == expected


def _shared_documents() -> list[str]:
    names = [
        "examples/edubadges/ref_ob3_full_example.json",
        "examples/edubadges/ref_minimal_valid_obv3.json",
        "vectors/di-eddsa/unsigned.json",
        "vectors/di-eddsa/eddsa-rdfc-2022/signedDataInt.json",
        "vectors/di-eddsa/Ed25519Signature2020/signedEdSig.json",
        "vectors/di-eddsa/proof-set-chain/proofChainTempDoc1.json",
        "vectors/di-eddsa/proof-set-chain/signedProofChain2.json",
    ]
    return names


@pytest.mark.parametrize("name", _shared_documents())
def test_shared_credentials_say_what_pyld_says_they_say(shared_dir: Path, name: str) -> None:
    document = json.loads((shared_dir / name).read_text("utf-8"))
    loader = DocumentLoader()
    assert _ours(document, loader) == _pyld(document, loader)


def test_the_benchmark_credential_says_what_pyld_says_it_says() -> None:
    path = Path(__file__).resolve().parent.parent / "bench" / "data" / "ob3_microcredential.json"
    document = json.loads(path.read_text("utf-8"))
    loader = DocumentLoader()
    assert _ours(document, loader) == _pyld(document, loader)
