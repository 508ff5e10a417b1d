"""JSON-LD 1.1 expansion in safe mode.

Follows the JSON-LD 1.1 API Expansion Algorithm the way jsonld.js runs it, with one
difference in posture: every condition jsonld.js reports as a "safe mode" warning
(an undefined term dropped, a relative IRI, a free-floating value, an object that
would vanish) raises :class:`UnsafeJsonLdError` here. There is no unsafe mode: this
expander exists to feed signatures, and a signature must cover everything the
document says.
"""

from __future__ import annotations

from typing import Any

from credledger.crypto.jsonld_context import (
    ABSENT,
    ActiveContext,
    TermDefinition,
    context_key,
    expand_iri,
    initial_context,
    process_context,
)
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.jsonld_errors import JsonLdError, UnsafeJsonLdError
from credledger.crypto.jsonld_iri import BCP47, is_absolute_iri, is_keyword

__all__ = ["expand"]

_NO_TERM = TermDefinition()
_VALUE_INDEX_KEYS = ("@language", "@type", "@index")
"""The only index keys a value object may be filed under."""


def expand(document: Any, loader: DocumentLoader) -> list[Any]:
    """The expanded form of ``document``; raises on anything safe mode rejects."""
    expanded = _expand(initial_context(loader), None, document, False, False, None)
    if isinstance(expanded, dict) and "@graph" in expanded and len(expanded) == 1:
        expanded = expanded["@graph"]
    elif expanded is None:
        expanded = []
    return expanded if isinstance(expanded, list) else [expanded]


def _term(active: ActiveContext, key: str | None) -> TermDefinition:
    if key is None:
        return _NO_TERM
    return active.terms.get(key, _NO_TERM)


def _unsafe(code: str, detail: str) -> UnsafeJsonLdError:
    return UnsafeJsonLdError(code, detail)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _expand(
    active: ActiveContext,
    active_property: str | None,
    element: Any,
    inside_list: bool,
    inside_index: bool,
    type_scoped: ActiveContext | None,
) -> Any:
    if element is None:
        return None
    if isinstance(element, list):
        inside_list = inside_list or "@list" in _term(active, active_property).container
        result: list[Any] = []
        for item in element:
            expanded = _expand(active, active_property, item, False, inside_index, type_scoped)
            if inside_list and isinstance(expanded, list):
                expanded = {"@list": expanded}
            if expanded is None:
                continue
            if isinstance(expanded, list):
                result.extend(expanded)
            else:
                result.append(expanded)
        return result
    if not isinstance(element, dict):
        if not inside_list and (
            active_property is None or active.expand_vocab(active_property) == "@graph"
        ):
            raise _unsafe("free-floating scalar", f"value {element!r} belongs to no property")
        return _expand_value(active, active_property, element)
    return _expand_node(active, active_property, element, inside_list, inside_index, type_scoped)


def _expand_node(
    active: ActiveContext,
    active_property: str | None,
    element: dict[str, Any],
    inside_list: bool,
    inside_index: bool,
    type_scoped: ActiveContext | None,
) -> Any:
    expanded_property = None if active_property is None else active.expand_vocab(active_property)
    property_scoped = _term(active, active_property)
    if type_scoped is None and active.previous is not None:
        type_scoped = active
    keys = sorted(element)
    must_revert = not inside_index
    if must_revert and type_scoped is not None and len(keys) <= 2 and "@context" not in element:
        for key in keys:
            expanded_key = type_scoped.expand_vocab(key)
            if expanded_key == "@value":
                must_revert = False
                active = type_scoped
                break
            if expanded_key == "@id" and len(keys) == 1:
                must_revert = False
                break
    if must_revert:
        active = active.revert()
    if property_scoped.context is not ABSENT:
        active = active.derive(
            property_scoped.context,
            property_scoped.context_key,
            propagate=True,
            override_protected=True,
        )
    if "@context" in element:
        local = element["@context"]
        if isinstance(local, str) or (
            isinstance(local, list) and all(isinstance(c, str) for c in local)
        ):
            active = active.derive(local, context_key(local))
        else:  # inline definitions are the document's own: never memoised for others
            inline = process_context(active, local)
            if inline is not active:
                inline.isolate()
            active = inline
    type_scoped = active
    type_key: str | None = None
    for key in keys:
        if active.expand_vocab(key) != "@type":
            continue
        type_key = type_key or key
        types = _as_list(element[key])
        if not all(isinstance(t, str) for t in types):
            raise JsonLdError("invalid type value", "@type must be a string or strings")
        for type_name in sorted(types) if len(types) > 1 else types:
            scoped = type_scoped.terms.get(type_name)
            if scoped is not None and scoped.context is not ABSENT:
                active = active.derive(scoped.context, scoped.context_key, propagate=False)
    result: dict[str, Any] = {}
    _expand_object(
        active, type_scoped, active_property, expanded_property, element, keys, result, type_key
    )
    return _finish(active, active_property, expanded_property, result, inside_list)


def _finish(
    active: ActiveContext,
    active_property: str | None,
    expanded_property: str | None,
    result: dict[str, Any],
    inside_list: bool,
) -> Any:
    """Check the expanded object's shape and drop what the algorithm drops (i.e. refuse it)."""
    count = len(result)
    if "@value" in result:
        _check_value_object(result)
    elif "@set" in result or "@list" in result:
        if count > 1 and not (count == 2 and "@index" in result):
            raise JsonLdError("invalid set or list object", "@set/@list allow only @index")
        if "@set" in result:
            return result["@set"]
    elif count == 1 and "@language" in result:
        raise _unsafe("object with only @language", "an object with only @language is dropped")
    if not inside_list and (
        active_property is None
        or expanded_property == "@graph"
        or "@graph" in _term(active, active_property).container
    ):
        _refuse_dropped(result)
    return result


def _check_value_object(result: dict[str, Any]) -> None:
    types = result.get("@type", [])
    if "@type" in result and ("@language" in result or "@direction" in result):
        raise JsonLdError("invalid value object", "@type cannot go with @language/@direction")
    allowed = {"@value", "@type", "@index", "@language", "@direction"}
    if any(key not in allowed for key in result):
        raise JsonLdError("invalid value object", f"unexpected keys {sorted(result)}")
    if len(types) > 1:
        raise JsonLdError("invalid typed value", "a value object has one @type")
    if types:
        result["@type"] = types[0]
    if types == ["@json"]:
        return
    value = result["@value"]
    if value is None:
        raise _unsafe("null @value value", "a value object with a null @value is dropped")
    if isinstance(value, dict | list):
        raise JsonLdError("invalid value object value", "@value must be a scalar")
    if "@language" in result and not isinstance(value, str):
        raise JsonLdError("invalid language-tagged value", "only strings take a @language")
    for type_iri in types:
        if not is_absolute_iri(type_iri) or type_iri.startswith("_:"):
            raise JsonLdError("invalid typed value", f"@type {type_iri!r} is not an IRI")


def _refuse_dropped(value: dict[str, Any]) -> None:
    if not value:
        raise _unsafe("empty object", "an empty object here is dropped")
    if "@value" in value:
        raise _unsafe("object with only @value", "a value here belongs to no property")
    if "@list" in value:
        raise _unsafe("object with only @list", "a list here belongs to no property")
    if len(value) == 1 and "@id" in value:
        raise _unsafe("object with only @id", f"node {value['@id']!r} says nothing here")


def _expand_object(
    active: ActiveContext,
    type_scoped: ActiveContext,
    active_property: str | None,
    expanded_active_property: str | None,
    element: dict[str, Any],
    keys: list[str],
    out: dict[str, Any],
    type_key: str | None,
) -> None:
    nests: list[str] = []
    is_json_type = False
    if type_key is not None and element.get(type_key):
        first = _as_list(element[type_key])[0]
        is_json_type = isinstance(first, str) and active.expand_vocab(first) == "@json"
    for key in keys:
        if key == "@context":
            continue
        value = element[key]
        expanded = active.expand_vocab(key)
        if expanded is None or not (is_absolute_iri(expanded) or is_keyword(expanded)):
            raise _unsafe("invalid property", f"term {key!r} is not defined by any context")
        if is_keyword(expanded):
            if expanded_active_property == "@reverse":
                raise JsonLdError("invalid reverse property map", f"{key!r} in @reverse")
            if expanded in out and expanded not in ("@included", "@type"):
                raise JsonLdError("colliding keywords", f"{expanded} given twice")
            if expanded == "@nest":
                nests.append(key)
                continue
            if expanded in _SIMPLE_KEYWORDS:
                _expand_keyword(active, type_scoped, active_property, expanded, value, out)
                continue
            if expanded == "@value":
                if not is_json_type and isinstance(value, dict | list):
                    raise JsonLdError("invalid value object value", "@value must be a scalar")
                out["@value"] = value
                continue
            if expanded == "@graph" and not isinstance(value, dict | list):
                raise JsonLdError("invalid @graph value", "@graph must be an object or array")
        _expand_property(
            active, active_property, expanded_active_property, key, expanded, value, out
        )
    for key in nests:
        for nested in _as_list(element[key]):
            if not isinstance(nested, dict) or any(
                active.expand_vocab(k) == "@value" for k in nested
            ):
                raise JsonLdError("invalid @nest value", "nested values must be node objects")
            _expand_object(
                active,
                type_scoped,
                active_property,
                expanded_active_property,
                nested,
                sorted(nested),
                out,
                type_key,
            )


_SIMPLE_KEYWORDS = frozenset(
    {"@id", "@type", "@included", "@language", "@direction", "@index", "@reverse"}
)


def _expand_keyword(
    active: ActiveContext,
    type_scoped: ActiveContext,
    active_property: str | None,
    keyword: str,
    value: Any,
    out: dict[str, Any],
) -> None:
    if keyword == "@id":
        if not isinstance(value, str):
            raise JsonLdError("invalid @id value", "@id must be a string")
        iri = expand_iri(active, value, base=True)
        if iri is None:
            raise _unsafe("reserved @id value", f"@id {value!r} looks like a keyword")
        if not is_absolute_iri(iri):
            raise _unsafe("relative @id reference", f"@id {value!r} is relative")
        out["@id"] = iri
    elif keyword == "@type":
        types: list[str] = []
        for type_name in _as_list(value):
            if not isinstance(type_name, str):
                raise JsonLdError("invalid type value", "@type must be a string or strings")
            iri = _expand_type(type_scoped, type_name)
            if iri != "@json" and (iri is None or not is_absolute_iri(iri)):
                raise _unsafe("relative @type reference", f"type {type_name!r} is not defined")
            types.append(iri)
        if types:
            out.setdefault("@type", []).extend(types)
    elif keyword == "@included":
        included = _as_list(_expand(active, active_property, value, False, False, None))
        if not all(_is_node(item) for item in included):
            raise JsonLdError("invalid @included value", "@included takes node objects")
        out.setdefault("@included", []).extend(included)
    elif keyword == "@language":
        if value is None:
            return
        if not isinstance(value, str):
            raise JsonLdError("invalid language-tagged string", "@language must be a string")
        if BCP47.match(value) is None:
            raise _unsafe("invalid @language value", f"{value!r} is not BCP 47")
        out["@language"] = value.lower()
    elif keyword == "@direction":
        if value not in ("ltr", "rtl"):
            raise JsonLdError("invalid base direction", "@direction must be ltr or rtl")
        out["@direction"] = value
    elif keyword == "@index":
        if not isinstance(value, str):
            raise JsonLdError("invalid @index value", "@index must be a string")
        out["@index"] = value
    else:
        _expand_reverse(active, value, out)


def _expand_type(active: ActiveContext, value: str) -> str | None:
    if active.base is None:
        return active.expand_vocab(value)
    return expand_iri(active, value, vocab=True, base=True)


def _is_node(value: Any) -> bool:
    if not isinstance(value, dict) or "@value" in value or "@set" in value or "@list" in value:
        return False
    return len(value) > 1 or "@id" not in value


def _expand_reverse(active: ActiveContext, value: Any, out: dict[str, Any]) -> None:
    if not isinstance(value, dict):
        raise JsonLdError("invalid @reverse value", "@reverse must be an object")
    expanded = _expand(active, "@reverse", value, False, False, None)
    if not isinstance(expanded, dict):
        return
    for prop, items in expanded.get("@reverse", {}).items():
        out.setdefault(prop, []).extend(items)
    for prop, items in expanded.items():
        if prop == "@reverse":
            continue
        reverse_map = out.setdefault("@reverse", {})
        target = reverse_map.setdefault(prop, [])
        for item in items:
            if isinstance(item, dict) and ("@value" in item or "@list" in item):
                raise JsonLdError("invalid reverse property value", "@reverse takes nodes")
            target.append(item)


def _expand_property(
    active: ActiveContext,
    active_property: str | None,
    expanded_active_property: str | None,
    key: str,
    expanded: str,
    value: Any,
    out: dict[str, Any],
) -> None:
    """Expand one entry whose key is a property IRI (or @graph, @list, @set)."""
    definition = _term(active, key)
    term_ctx = active
    if definition.context is not ABSENT:
        term_ctx = active.derive(
            definition.context, definition.context_key, propagate=True, override_protected=True
        )
    container = definition.container
    result: Any
    if container and isinstance(value, dict) and "@language" in container:
        scoped_term = _term(term_ctx, key)
        direction = (
            scoped_term.direction if scoped_term.direction is not ABSENT else term_ctx.direction
        )
        result = _expand_language_map(term_ctx, value, direction)
    elif container and isinstance(value, dict) and "@index" in container:
        index_key = _term(term_ctx, key).index or "@index"
        property_index = None if index_key == "@index" else active.expand_vocab(index_key)
        result = _expand_index_map(
            term_ctx, key, value, "@graph" in container, index_key, property_index
        )
    elif container and isinstance(value, dict) and "@id" in container:
        result = _expand_index_map(term_ctx, key, value, "@graph" in container, "@id", None)
    elif container and isinstance(value, dict) and "@type" in container:
        result = _expand_index_map(term_ctx.revert(), key, value, False, "@type", None)
    elif expanded in ("@list", "@set"):
        next_property = active_property
        if expanded == "@list" and expanded_active_property == "@graph":
            next_property = None
        result = _expand(term_ctx, next_property, value, expanded == "@list", False, None)
    elif definition.type_mapping == "@json":
        result = {"@type": "@json", "@value": value}
    else:
        result = _expand(term_ctx, key, value, False, False, None)
    if result is None:
        return
    if (
        "@list" in container
        and expanded != "@list"
        and not (isinstance(result, dict) and "@list" in result)
    ):
        result = {"@list": _as_list(result)}
    if "@graph" in container and "@id" not in container and "@index" not in container:
        items = _as_list(result)
        for item in items:
            _refuse_dropped(item)
        if not items:
            return
        result = [{"@graph": _as_list(item)} for item in items]
    if _term(term_ctx, key).reverse:
        reverse_map = out.setdefault("@reverse", {})
        target = reverse_map.setdefault(expanded, [])
        for item in _as_list(result):
            if isinstance(item, dict) and ("@value" in item or "@list" in item):
                raise JsonLdError("invalid reverse property value", f"{key!r} takes nodes")
            target.append(item)
        return
    target = out.setdefault(expanded, [])
    if isinstance(result, list):
        target.extend(result)
    else:
        target.append(result)


def _expand_value(active: ActiveContext, active_property: str | None, value: Any) -> Any:
    """Value Expansion (JSON-LD 1.1 API §5.3.2)."""
    expanded_property = None if active_property is None else active.expand_vocab(active_property)
    if expanded_property == "@id":
        return expand_iri(active, value, base=True) if isinstance(value, str) else value
    if expanded_property == "@type":
        return _expand_type(active, value) if isinstance(value, str) else value
    definition = _term(active, active_property)
    type_mapping = definition.type_mapping
    if isinstance(value, str) and (type_mapping == "@id" or expanded_property == "@graph"):
        iri = expand_iri(active, value, base=True)
        if iri is None:
            raise _unsafe("reserved @id value", f"{value!r} looks like a keyword")
        return {"@id": iri}
    if isinstance(value, str) and type_mapping == "@vocab":
        return {"@id": _expand_type(active, value)}
    if expanded_property is not None and is_keyword(expanded_property):
        return value
    result: dict[str, Any] = {}
    if type_mapping is not None and type_mapping not in ("@id", "@vocab", "@none"):
        result["@type"] = type_mapping
    elif isinstance(value, str):
        language = definition.language if definition.language is not ABSENT else active.language
        if language is not None:
            result["@language"] = language
        direction = definition.direction if definition.direction is not ABSENT else active.direction
        if direction is not None:
            result["@direction"] = direction
    result["@value"] = value
    return result


def _expand_language_map(
    active: ActiveContext, language_map: dict[str, Any], direction: str | None
) -> list[Any]:
    result: list[Any] = []
    for key in sorted(language_map):
        expanded_key = active.expand_vocab(key)
        for item in _as_list(language_map[key]):
            if item is None:
                continue
            if not isinstance(item, str):
                raise JsonLdError("invalid language map value", "language maps hold strings")
            value: dict[str, Any] = {"@value": item}
            if expanded_key != "@none":
                if BCP47.match(key) is None:
                    raise _unsafe("invalid @language value", f"{key!r} is not BCP 47")
                value["@language"] = key.lower()
            if direction:
                value["@direction"] = direction
            result.append(value)
    return result


def _expand_index_map(
    active: ActiveContext,
    active_property: str,
    value: dict[str, Any],
    as_graph: bool,
    index_key: str,
    property_index: str | None,
) -> list[Any]:
    result: list[Any] = []
    type_index = index_key == "@type"
    for key in sorted(value):
        if type_index:
            scoped = active.terms.get(key)
            if scoped is not None and scoped.context is not ABSENT:
                active = active.derive(scoped.context, scoped.context_key, propagate=False)
        items = _expand(active, active_property, _as_list(value[key]), False, True, None)
        expanded_key: Any
        if property_index is not None:
            expanded_key = "@none" if key == "@none" else _expand_value(active, index_key, key)
        else:
            expanded_key = active.expand_vocab(key)
        if index_key == "@id":
            id_key = expand_iri(active, key, base=True)
            if id_key is None:
                raise _unsafe("reserved @id value", f"{key!r} looks like a keyword")
            key = id_key
        elif type_index:
            key = expanded_key
        for item in items:
            if as_graph and not _is_graph(item):
                item = {"@graph": [item]}
            if type_index:
                if expanded_key != "@none":
                    item["@type"] = [key, *item.get("@type", [])]
            elif "@value" in item and index_key not in _VALUE_INDEX_KEYS:
                raise JsonLdError("invalid value object", f"cannot add {index_key} to a value")
            elif property_index is not None:
                if expanded_key != "@none":
                    item[property_index] = [expanded_key, *item.get(property_index, [])]
            elif expanded_key != "@none" and index_key not in item:
                item[index_key] = key
            result.append(item)
    return result


def _is_graph(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and "@graph" in value
        and all(k in ("@graph", "@id", "@index") for k in value)
    )
