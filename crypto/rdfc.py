"""RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) of JSON-LD documents.

``canonicalize(document, loader)`` is the transformation step of ``eddsa-rdfc-2022``:
JSON-LD (safe mode, bundled contexts only) to RDF, blank nodes relabelled canonically,
quads serialised as canonical N-Quads and sorted. The labelling follows the W3C RDFC-1.0
algorithm section by section, with rdf-canonize's defence against poisoned datasets:
at most as many "deep" N-degree hashing rounds as there are blank nodes that the first
degree hashes could not tell apart (``maxWorkFactor`` 1), beyond which it refuses.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.jsonld_errors import CanonicalizationError, JsonLdError
from credledger.crypto.jsonld_expand import expand
from credledger.crypto.jsonld_rdf import Quad, to_rdf

__all__ = ["canonicalize", "canonicalize_quads", "serialize_quad"]

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_UCHAR = re.compile(r"\\u([0-9A-F]{4})")


def serialize_quad(subject: str, predicate: str, obj: str, graph: str) -> str:
    """One canonical N-Quads line (with its newline)."""
    if graph:
        return f"{subject} {predicate} {obj} {graph} .\n"
    return f"{subject} {predicate} {obj} .\n"


def canonicalize(document: Mapping[str, Any], loader: DocumentLoader) -> str:
    """The canonical N-Quads of a JSON-LD document (what eddsa-rdfc-2022 hashes)."""
    try:
        quads = to_rdf(expand(document, loader))
    except RecursionError as exc:
        raise JsonLdError("document too deep", "the document nests too deeply") from exc
    # Not canonicalize_quads: a literal jsonld.js emits twice is hashed and printed twice.
    return _Canonicalizer(quads, max_work_factor=1).run()


class _IdentifierIssuer:
    """Issue Identifier algorithm state (RDFC-1.0 §4.5): old label -> new, in issue order."""

    __slots__ = ("issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = {} if issued is None else issued

    def issue(self, old: str) -> str:
        new = self.issued.get(old)
        if new is None:
            new = self.issued[old] = f"{self.prefix}{len(self.issued)}"
        return new

    def copy(self) -> _IdentifierIssuer:
        return _IdentifierIssuer(self.prefix, dict(self.issued))


def _permutations(items: list[str]) -> Iterable[list[str]]:
    """Every ordering, in rdf-canonize's (Steinhaus-Johnson-Trotter) order."""
    current = sorted(items)
    left = dict.fromkeys(current, True)
    length = len(current)
    while True:
        yield list(current)
        mobile: str | None = None
        position = 0
        for index, element in enumerate(current):
            if mobile is not None and element <= mobile:
                continue
            if (left[element] and index > 0 and element > current[index - 1]) or (
                not left[element] and index < length - 1 and element > current[index + 1]
            ):
                mobile, position = element, index
        if mobile is None:
            return
        swap = position - 1 if left[mobile] else position + 1
        current[position], current[swap] = current[swap], mobile
        for element in current:
            if element > mobile:
                left[element] = not left[element]


class _Canonicalizer:
    """The canonicalization state of RDFC-1.0 §4.4 for one dataset."""

    def __init__(self, quads: Iterable[Quad], max_work_factor: float) -> None:
        self.max_work_factor = max_work_factor
        self.quads = list(quads)
        self.blank_node_quads: dict[str, list[Quad]] = {}
        for quad in self.quads:
            subject, _, obj, graph = quad
            for term in dict.fromkeys((subject, obj, graph)):
                if term.startswith("_:"):
                    self.blank_node_quads.setdefault(term, []).append(quad)
        self.first_degree: dict[str, str] = {}
        self.canonical = _IdentifierIssuer("_:c14n")
        self.deep_iterations_left: float = 0

    def run(self) -> str:
        hash_to_nodes: dict[str, list[str]] = {}
        for node in self.blank_node_quads:
            digest = self.hash_first_degree(node)
            hash_to_nodes.setdefault(digest, []).append(node)
        shared: list[list[str]] = []
        for digest in sorted(hash_to_nodes):
            nodes = hash_to_nodes[digest]
            if len(nodes) > 1:
                shared.append(nodes)
            else:
                self.canonical.issue(nodes[0])
        self.deep_iterations_left = sum(len(nodes) for nodes in shared) ** self.max_work_factor
        for nodes in shared:
            paths: list[tuple[str, _IdentifierIssuer]] = []
            for node in nodes:
                if node in self.canonical.issued:
                    continue
                issuer = _IdentifierIssuer("_:b")
                issuer.issue(node)
                paths.append(self.hash_n_degree(node, issuer))
            paths.sort(key=lambda result: result[0])
            for _, issuer in paths:
                for node in issuer.issued:
                    self.canonical.issue(node)
        labels = self.canonical.issued
        lines = [
            serialize_quad(
                labels.get(subject, subject),
                predicate,
                labels.get(obj, obj),
                labels.get(graph, graph),
            )
            for subject, predicate, obj, graph in self.quads
        ]
        _sort_lines(lines)
        return "".join(lines)

    def hash_first_degree(self, node: str) -> str:
        """Hash First Degree Quads (§4.6): the node's quads with itself as _:a, others _:z."""
        lines = []
        for subject, predicate, obj, graph in self.blank_node_quads[node]:
            lines.append(
                serialize_quad(
                    _first_degree_label(subject, node),
                    predicate,
                    _first_degree_label(obj, node),
                    _first_degree_label(graph, node),
                )
            )
        _sort_lines(lines)
        digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
        self.first_degree[node] = digest
        return digest

    def hash_related(self, related: str, quad: Quad, issuer: _IdentifierIssuer, pos: str) -> str:
        """Hash Related Blank Node (§4.7)."""
        identifier = self.canonical.issued.get(related) or issuer.issued.get(related)
        if identifier is None:
            identifier = self.first_degree[related]
        predicate = _raw_iri_term(quad[1]) if pos != "g" else ""
        return hashlib.sha256(f"{pos}{predicate}{identifier}".encode()).hexdigest()

    def hash_n_degree(self, node: str, issuer: _IdentifierIssuer) -> tuple[str, _IdentifierIssuer]:
        """Hash N-Degree Quads (§4.8), bounded against poisoned graphs."""
        if self.deep_iterations_left <= 0:
            raise CanonicalizationError(
                "the dataset needs too much work to canonicalise (possible poisoned dataset)"
            )
        self.deep_iterations_left -= 1
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.blank_node_quads[node]:
            for term, pos in ((quad[0], "s"), (quad[2], "o"), (quad[3], "g")):
                if term.startswith("_:") and term != node:
                    digest = self.hash_related(term, quad, issuer, pos)
                    related_by_hash.setdefault(digest, []).append(term)
        data = hashlib.sha256()
        for digest in sorted(related_by_hash):
            data.update(digest.encode())
            chosen_path = ""
            chosen_issuer: _IdentifierIssuer | None = None
            for permutation in _permutations(related_by_hash[digest]):
                issuer_copy = issuer.copy()
                path = ""
                recursion: list[str] = []
                skip = False
                for related in permutation:
                    canonical = self.canonical.issued.get(related)
                    if canonical is not None:
                        path += canonical
                    else:
                        if related not in issuer_copy.issued:
                            recursion.append(related)
                        path += issuer_copy.issue(related)
                    if chosen_path and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion:
                    result_hash, issuer_copy = self.hash_n_degree(related, issuer_copy)
                    path += issuer_copy.issue(related) + f"<{result_hash}>"
                    if chosen_path and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path, chosen_issuer = path, issuer_copy
            data.update(chosen_path.encode())
            assert chosen_issuer is not None  # the first permutation is always chosen
            issuer = chosen_issuer
        return data.hexdigest(), issuer


def _sort_lines(lines: list[str]) -> None:
    """Sort as JavaScript does (UTF-16 code units), which differs only for astral characters.

    Only lines that are not ASCII are searched for one (``isascii`` reads a flag CPython
    keeps on every string; searching the whole text cost a tenth of a canonicalization).
    """
    if not any(_ASTRAL.search(line) for line in lines if not line.isascii()):
        lines.sort()
    else:
        lines.sort(key=lambda line: line.encode("utf-16-be", "surrogatepass"))


def _raw_iri_term(term: str) -> str:
    """``<iri>`` with N-Quads escapes undone: §4.7 hashes the predicate's own characters."""
    if "\\" not in term:
        return term
    return _UCHAR.sub(lambda m: chr(int(m.group(1), 16)), term)


def _first_degree_label(term: str, node: str) -> str:
    if term.startswith("_:"):
        return "_:a" if term == node else "_:z"
    return term


def canonicalize_quads(quads: Iterable[Quad], *, max_work_factor: float = 1) -> str:
    """Canonical N-Quads of a dataset given as N-Quads term tuples (duplicates collapse,
    as when rdf-canonize parses N-Quads text, keeping the order of first occurrence).

    The order matters in one corner: blank nodes that tie on every hash yet are not
    interchangeable get their labels in the order they are first met, in RDFC-1.0 as in
    rdf-canonize, so the same quads in another order can canonicalise differently.

    ``max_work_factor`` bounds the N-degree hashing rounds to (number of blank nodes the
    first-degree hashes leave ambiguous) ** factor, as rdf-canonize does (default 1, its
    default, so that what Digital Bazaar refuses as poisoned is refused here too).
    """
    return _Canonicalizer(dict.fromkeys(quads), max_work_factor).run()
