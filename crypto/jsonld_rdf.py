"""JSON-LD to RDF (JSON-LD 1.1 API §8 "Deserialize JSON-LD to RDF"), in safe mode.

Walks the expanded document once and emits quads directly instead of building a node
map first: the set of quads is the same, and for canonicalisation only the set matters.
Terms come out already in canonical N-Quads form (``<iri>``, ``_:b0``, ``"lex"^^<dt>``),
which is what RDFC-1.0 hashes and sorts. Literal forms (numbers, booleans, ``@json``,
``@direction``) follow jsonld.js, the processor behind Digital Bazaar's verifiers.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from credledger.crypto.jcs import JcsError, canonicalize, format_number
from credledger.crypto.jsonld_errors import JsonLdError, UnsafeJsonLdError
from credledger.crypto.jsonld_iri import is_absolute_iri, is_keyword

__all__ = ["Quad", "format_iri", "format_literal", "to_rdf"]

Quad = tuple[str, str, str, str]
"""Subject, predicate, object, graph name ("" for the default graph), as N-Quads terms."""

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = f"<{RDF}type>"
_RDF_FIRST = f"<{RDF}first>"
_RDF_REST = f"<{RDF}rest>"
_RDF_NIL = f"<{RDF}nil>"
_RDF_JSON = f"{RDF}JSON"
_RDF_LANGSTRING = f"{RDF}langString"
_XSD_STRING = f"{XSD}string"
_XSD_BOOLEAN = f"{XSD}boolean"
_XSD_INTEGER = f"{XSD}integer"
_XSD_DOUBLE = f"{XSD}double"
_I18N = "https://www.w3.org/ns/i18n#"

_LITERAL_SPECIAL = re.compile('[\x00-\x1f\x7f"\\\\]')
_LITERAL_ESCAPES = {chr(c): f"\\u{c:04X}" for c in range(0x20)} | {
    "\x7f": "\\u007F",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}
_IRI_SPECIAL = re.compile('[\x00-\x20<>"{}|^`\\\\]')
# parseFloat's grammar: the longest leading StrDecimalLiteral (after white space).
_JS_FLOAT_PREFIX = re.compile(
    r"[\s\ufeff]*([+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))"
)


def _escape_literal(text: str) -> str:
    if _LITERAL_SPECIAL.search(text) is None:
        return text
    return _LITERAL_SPECIAL.sub(lambda m: _LITERAL_ESCAPES[m.group()], text)


def format_iri(iri: str) -> str:
    """An IRI as an N-Quads term, escaped as rdf-canonize escapes it."""
    if _IRI_SPECIAL.search(iri) is not None:
        iri = _IRI_SPECIAL.sub(lambda m: f"\\u{ord(m.group()):04X}", iri)
    return f"<{iri}>"


def format_literal(lexical: str, datatype: str = _XSD_STRING, language: str | None = None) -> str:
    """A literal as a canonical N-Quads term."""
    quoted = f'"{_escape_literal(lexical)}"'
    if datatype == _RDF_LANGSTRING:
        return f"{quoted}@{language}" if language else quoted
    if datatype == _XSD_STRING:
        return quoted
    return f"{quoted}^^{format_iri(datatype)}"


def _finite(number: float | int) -> float:
    try:
        value = float(number)
    except OverflowError as exc:
        raise JsonLdError("invalid value object value", f"number {number} is out of range") from exc
    if not math.isfinite(value):
        raise JsonLdError("invalid value object value", f"{value} is not a JSON number")
    return value


def _canonical_double(value: float) -> str:
    """ECMAScript ``value.toExponential(15)`` with trailing zeros trimmed: ``1.5E0``."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value == 0:
        return "0.0E0"
    exact = Decimal(value)
    exponent = exact.copy_abs().adjusted()
    digits = exact.scaleb(-exponent).quantize(Decimal("1.000000000000000"), ROUND_HALF_UP)
    if abs(digits) >= 10:  # rounding carried into a new digit
        exponent += 1
        digits = exact.scaleb(-exponent).quantize(Decimal("1.000000000000000"), ROUND_HALF_UP)
    mantissa = f"{digits:f}".rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    return f"{mantissa}E{exponent}"


def _js_parse_float(text: str) -> float:
    match = _JS_FLOAT_PREFIX.match(text)
    if match is None:
        return math.nan
    return float(match.group(1).replace("Infinity", "inf"))


def _number_literal(value: float | int, datatype: str | None) -> str:
    number = _finite(value)
    # jsonld.js calls a number a double when its JS string has a "." or it is >= 1e21.
    if "." in format_number(number) or abs(number) >= 1e21 or datatype == _XSD_DOUBLE:
        return format_literal(_canonical_double(number), datatype or _XSD_DOUBLE)
    # What remains is integral, or a tiny number JS prints in exponent form: toFixed(0) -> 0.
    tiny = "-0" if number < 0 else "0"
    lexical = str(int(number)) if number == int(number) else tiny
    return format_literal(lexical, datatype or _XSD_INTEGER)


def _value_literal(item: dict[str, Any]) -> str:
    value = item["@value"]
    datatype = item.get("@type")
    if datatype == "@json":
        try:
            return format_literal(canonicalize(value), _RDF_JSON)
        except JcsError as exc:
            raise JsonLdError("invalid JSON literal", str(exc)) from exc
    if isinstance(value, bool):
        return format_literal("true" if value else "false", datatype or _XSD_BOOLEAN)
    if isinstance(value, int | float):
        return _number_literal(value, datatype)
    if datatype == _XSD_DOUBLE:
        return format_literal(_canonical_double(_js_parse_float(value)), datatype)
    if "@direction" in item:
        language = item.get("@language", "").lower()
        return format_literal(value, f"{_I18N}{language}_{item['@direction']}")
    if "@language" in item:
        return format_literal(value, _RDF_LANGSTRING, item["@language"])
    return format_literal(value, datatype or _XSD_STRING)


def _js_value_key(item: dict[str, Any]) -> tuple[Any, ...]:
    """What jsonld.js's node map compares to drop a repeated value object (``===``).

    Two value objects that JavaScript tells apart (``0`` and ``5e-324``, ``1`` and ``"1"``,
    two equal ``@json`` objects) both stay, even when they make the same literal: the
    dataset rdf-canonize hashes then holds that quad twice, and so must ours.
    """
    value = item["@value"]
    if isinstance(value, bool):
        kind: tuple[Any, ...] = ("boolean", value)
    elif isinstance(value, int | float):
        try:
            kind = ("number", float(value))
        except OverflowError:
            kind = ("number", value)
    elif isinstance(value, str):
        kind = ("string", value)
    else:  # an @json object or array: JavaScript's === is identity
        kind = ("object", id(value))
    return (*kind, item.get("@type"), item.get("@language"), item.get("@index"))


class _Emitter:
    """Issues blank node labels and collects the quads of one document.

    The quads form the dataset jsonld.js makes: a set, except that a literal is kept once
    per value object that jsonld.js's node map keeps (see ``_js_value_key``), and a list
    value is always kept (its node map never merges lists: an empty list given twice to
    one property makes its ``rdf:nil`` quad twice).
    """

    __slots__ = ("_counter", "_indexes", "_labels", "_seen", "_values", "quads")

    def __init__(self) -> None:
        self.quads: list[Quad] = []
        self._seen: set[Quad] = set()
        self._values: dict[tuple[str, str, str], set[tuple[Any, ...]]] = {}
        self._labels: dict[str, str] = {}
        self._indexes: dict[tuple[str, str], str] = {}
        self._counter = 0

    def add(self, quad: Quad) -> None:
        if quad not in self._seen:
            self._seen.add(quad)
            self.quads.append(quad)

    def add_value(self, subject: str, predicate: str, item: dict[str, Any], graph: str) -> None:
        keys = self._values.setdefault((subject, predicate, graph), set())
        key = _js_value_key(item)
        if key in keys:
            return
        keys.add(key)
        self.quads.append((subject, predicate, _value_literal(item), graph))

    def fresh(self) -> str:
        label = f"_:b{self._counter}"
        self._counter += 1
        return label

    def resource(self, iri: str, code: str) -> str:
        """A node identifier as a term: blank nodes relabelled, relative IRIs refused."""
        if iri.startswith("_:"):
            label = self._labels.get(iri)
            if label is None:
                label = self._labels[iri] = self.fresh()
            return label
        if not is_absolute_iri(iri):
            raise UnsafeJsonLdError(code, f"{iri!r} is not an absolute IRI")
        return format_iri(iri)

    def node(self, node: dict[str, Any], graph: str) -> str:
        """Emit a node object's quads into ``graph``; return its subject term."""
        identifier = node.get("@id")
        if identifier is None:
            subject = self.fresh()
        elif len(node) == 1:  # a bare reference: nothing to emit, and no subject to check
            return self.resource(identifier, "relative object reference")
        else:
            subject = self.resource(identifier, "relative subject reference")
            if "@index" in node:
                self._check_index(graph, subject, node["@index"])
        for key, values in node.items():
            if key == "@id":
                continue
            if key == "@type":
                for type_iri in values:
                    obj = self.resource(type_iri, "relative object reference")
                    self.add((subject, _RDF_TYPE, obj, graph))
            elif key == "@graph":
                for item in values:
                    self.node(item, subject)
            elif key == "@included":
                for item in values:
                    self.node(item, graph)
            elif key == "@reverse":
                for prop, items in values.items():
                    predicate = self.predicate(prop)
                    for item in items:
                        self.add((self.node(item, graph), predicate, subject, graph))
            elif values and not is_keyword(key):
                predicate = self.predicate(key)
                for item in values:
                    if "@value" in item:
                        self.add_value(subject, predicate, item, graph)
                    elif "@list" in item:  # jsonld.js keeps every list: an empty one twice
                        self.quads.append(
                            (subject, predicate, self.list(item["@list"], graph), graph)
                        )
                    else:
                        self.add((subject, predicate, self.object(item, graph), graph))
        return subject

    def _check_index(self, graph: str, subject: str, index: str) -> None:
        """One node, one @index (per graph): jsonld.js's node map refuses a second one."""
        known = self._indexes.setdefault((graph, subject), index)
        if known != index:
            raise JsonLdError(
                "conflicting indexes", f"{subject} has @index {known!r} and {index!r}"
            )

    def predicate(self, iri: str) -> str:
        if iri.startswith("_:"):
            raise UnsafeJsonLdError("blank node predicate", f"property {iri!r} is a blank node")
        if not is_absolute_iri(iri):
            raise UnsafeJsonLdError("relative predicate reference", f"property {iri!r}")
        return format_iri(iri)

    def object(self, item: dict[str, Any], graph: str) -> str:
        if "@value" in item:
            return _value_literal(item)
        if "@list" in item:
            return self.list(item["@list"], graph)
        return self.node(item, graph)

    def list(self, items: list[Any], graph: str) -> str:
        if not items:
            return _RDF_NIL
        head = subject = self.fresh()
        for index, item in enumerate(items):
            self.add((subject, _RDF_FIRST, self.object(item, graph), graph))
            following = _RDF_NIL if index == len(items) - 1 else self.fresh()
            self.add((subject, _RDF_REST, following, graph))
            subject = following
        return head


def to_rdf(expanded: list[Any]) -> list[Quad]:
    """The RDF dataset of an expanded JSON-LD document as jsonld.js makes it (N-Quads terms).

    Distinct quads, but for a literal that two value objects JavaScript tells apart both
    make: that one appears once for each (rdf-canonize hashes and prints it twice).
    """
    emitter = _Emitter()
    for item in expanded:
        if isinstance(item, dict) and "@value" not in item and "@list" not in item:
            emitter.node(item, "")
    return emitter.quads
