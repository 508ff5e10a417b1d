"""JSON-LD 1.1 context processing (active contexts and term definitions), cached.

Follows the JSON-LD 1.1 API "Context Processing" and "Create Term Definition"
algorithms as jsonld.js implements them (the processor behind Digital Bazaar's
signers and verifiers), including its eager validation of scoped contexts: a context
that jsonld.js refuses is refused here too, so credledger never signs what a Digital
Bazaar verifier cannot read.

Active contexts are immutable once built, so every processed context is cached on
the context it was derived from. The root of each cache hangs off the document loader
(weakly), so a cache never outlives, or crosses, the loader whose documents it read.
"""

from __future__ import annotations

import enum
import json
import re
import weakref
from typing import Any, Final, Literal

from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.jsonld_errors import JsonLdError, UnknownContextError, UnsafeJsonLdError
from credledger.crypto.jsonld_iri import (
    BCP47,
    has_keyword_form,
    is_absolute_iri,
    is_keyword,
    resolve_iri,
)

__all__ = ["ABSENT", "ActiveContext", "TermDefinition", "context_key", "initial_context"]


class _Absent(enum.Enum):
    ABSENT = enum.auto()


ABSENT: Final = _Absent.ABSENT
"""Marks a term-definition entry that is not there (as opposed to one set to null)."""

_MAX_REMOTE_CONTEXTS = 10
_CONTEXT_BUDGET = 1024
"""At most this many derived contexts are memoised per loader (documents pick the shape)."""
_PRIVATE_BUDGET = 64
_MAX_VOCAB_MEMO = 512
_TERM_LOOKS_LIKE_IRI = re.compile(r":[^:]|/")
_ENDS_WITH_GEN_DELIM = re.compile(r"[:/?#\[\]@]\Z")
_TERM_DEFINITION_KEYS = frozenset(
    {
        "@container",
        "@id",
        "@language",
        "@reverse",
        "@type",
        "@context",
        "@direction",
        "@index",
        "@nest",
        "@prefix",
        "@protected",
    }
)
_CONTAINERS = frozenset({"@list", "@set", "@index", "@language", "@graph", "@id", "@type"})
_EMPTY: frozenset[str] = frozenset()


def context_key(local_context: Any) -> str:
    """A cache key for a local context value (its compact, key-sorted JSON)."""
    if isinstance(local_context, str):
        return local_context
    return json.dumps(local_context, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class TermDefinition:
    """One term of an active context. ``iri`` is ``None`` for a term explicitly mapped to null."""

    __slots__ = (
        "container",
        "context",
        "context_key",
        "direction",
        "index",
        "iri",
        "language",
        "nest",
        "prefix",
        "protected",
        "reverse",
        "type_mapping",
    )

    def __init__(self) -> None:
        self.iri: str | None = None
        self.reverse = False
        self.type_mapping: str | None = None
        self.container: frozenset[str] = _EMPTY
        self.language: str | Literal[_Absent.ABSENT] | None = ABSENT
        self.direction: str | Literal[_Absent.ABSENT] | None = ABSENT
        self.context: Any = ABSENT
        self.context_key = ""
        self.index: str | None = None
        self.nest: str | None = None
        self.prefix: bool | None = None
        self.protected = False

    def same_as(self, other: TermDefinition) -> bool:
        """Equal in everything but protection: a protected term may be restated, not changed."""
        return (
            self.iri == other.iri
            and self.reverse == other.reverse
            and self.type_mapping == other.type_mapping
            and self.container == other.container
            and self.language == other.language
            and self.direction == other.direction
            and self.context_key == other.context_key
            and self.index == other.index
            and self.nest == other.nest
            and self.prefix == other.prefix
        )


class _Budget:
    """How many more derived contexts may be memoised under one loader's root."""

    __slots__ = ("remaining",)

    def __init__(self, remaining: int) -> None:
        self.remaining = remaining


class ActiveContext:
    """An immutable active context, with memoised IRI expansion and derived contexts.

    Memory stays bounded whatever documents arrive: each context memoises a few hundred
    IRI expansions, and all contexts under one loader share a budget of memoised
    derived contexts (beyond it, contexts are still computed, just not kept).
    """

    __slots__ = (
        "_budget",
        "_derived",
        "_vocab_iris",
        "base",
        "direction",
        "language",
        "loader",
        "previous",
        "protected_terms",
        "terms",
        "vocab",
    )

    def __init__(self, loader: DocumentLoader, budget: _Budget | None = None) -> None:
        self.loader = loader
        self._budget = budget if budget is not None else _Budget(_CONTEXT_BUDGET)
        self.terms: dict[str, TermDefinition] = {}
        self.base: str | None = None
        self.vocab: str | None = None
        self.language: str | None = None
        self.direction: str | None = None
        self.previous: ActiveContext | None = None
        self.protected_terms: frozenset[str] = _EMPTY
        self._vocab_iris: dict[str, str | None] = {}
        self._derived: dict[tuple[str, bool, bool], ActiveContext] = {}

    def clone(self) -> ActiveContext:
        child = ActiveContext(self.loader, self._budget)
        child.terms = dict(self.terms)
        child.base = self.base
        child.vocab = self.vocab
        child.language = self.language
        child.direction = self.direction
        child.previous = self.previous
        child.protected_terms = self.protected_terms
        return child

    def isolate(self) -> None:
        """Give a context built from a document's inline definitions a budget of its own.

        Called once, right after it is built: whatever that document defines can then
        never use up the memo budget the loader's shared contexts rely on.
        """
        self._budget = _Budget(_PRIVATE_BUDGET)

    def revert(self) -> ActiveContext:
        """The context before any type-scoped context was applied."""
        return self.previous if self.previous is not None else self

    def expand_vocab(self, value: str) -> str | None:
        """IRI expansion relative to the vocabulary (keys, types, ``@vocab`` values)."""
        try:
            return self._vocab_iris[value]
        except KeyError:
            pass
        result = expand_iri(self, value, vocab=True)
        if len(self._vocab_iris) < _MAX_VOCAB_MEMO:
            self._vocab_iris[value] = result
        return result

    def derive(
        self,
        local_context: Any,
        key: str,
        *,
        propagate: bool = True,
        override_protected: bool = False,
    ) -> ActiveContext:
        """This context with ``local_context`` applied (memoised under ``key``)."""
        cache_key = (key, propagate, override_protected)
        derived = self._derived.get(cache_key)
        if derived is None:
            derived = process_context(
                self,
                local_context,
                propagate=propagate,
                override_protected=override_protected,
            )
            if self._budget.remaining > 0:
                self._budget.remaining -= 1
                self._derived[cache_key] = derived
        return derived


_ROOTS: weakref.WeakKeyDictionary[DocumentLoader, ActiveContext] = weakref.WeakKeyDictionary()


def initial_context(loader: DocumentLoader) -> ActiveContext:
    """The empty active context for documents read through ``loader`` (shared, cached)."""
    root = _ROOTS.get(loader)
    if root is None:
        root = _ROOTS[loader] = ActiveContext(loader)
    return root


def expand_iri(
    active: ActiveContext,
    value: str,
    *,
    vocab: bool = False,
    base: bool = False,
    local: dict[str, Any] | None = None,
    defined: dict[str, bool] | None = None,
) -> str | None:
    """IRI Expansion (JSON-LD 1.1 API §5.2); ``local``/``defined`` only while defining terms."""
    if is_keyword(value):
        return value
    if has_keyword_form(value):
        return None
    if local is not None and defined is not None and value in local and not defined.get(value):
        _create_term(active, local, value, defined)
    if vocab:
        definition = active.terms.get(value)
        if definition is not None:
            return definition.iri
    colon = value.find(":")
    if colon > 0:
        prefix, suffix = value[:colon], value[colon + 1 :]
        if prefix == "_" or suffix.startswith("//"):
            return value
        if local is not None and defined is not None and prefix in local:
            _create_term(active, local, prefix, defined)
        definition = active.terms.get(prefix)
        if definition is not None and definition.prefix and definition.iri is not None:
            return definition.iri + suffix
        if is_absolute_iri(value):
            return value
    if vocab and active.vocab is not None:
        return active.vocab + value
    if base and active.base is not None:
        return resolve_iri(active.base, value)
    return value


def _fail(code: str, message: str) -> JsonLdError:
    return JsonLdError(code, message)


def _resolve(
    loader: DocumentLoader, contexts: list[Any], seen: tuple[str, ...]
) -> list[tuple[Any, bool]]:
    """Replace context URLs by the contexts they hold: ``(context, came_from_remote)`` pairs."""
    resolved: list[tuple[Any, bool]] = []
    for context in contexts:
        if isinstance(context, str):
            if context in seen or len(seen) > _MAX_REMOTE_CONTEXTS:
                raise _fail("context overflow", f"cyclic or too deep @context URLs at {context!r}")
            document = loader.load(context)
            if not isinstance(document, dict):
                raise _fail("invalid remote context", f"{context!r} is not a JSON object")
            inner = document.get("@context", {})
            inner_list = inner if isinstance(inner, list) else [inner]
            inner_list = [resolve_iri(context, c) if isinstance(c, str) else c for c in inner_list]
            resolved.extend(
                (item, True) for item, _ in _resolve(loader, inner_list, (*seen, context))
            )
        elif context is None or isinstance(context, dict):
            resolved.append((context, False))
        else:
            raise _fail("invalid local context", f"@context entry {context!r} is not an object")
    return resolved


def process_context(
    active: ActiveContext,
    local_context: Any,
    *,
    propagate: bool = True,
    override_protected: bool = False,
    cycles: set[str] | None = None,
) -> ActiveContext:
    """Context Processing (JSON-LD 1.1 API §4.1): ``active`` with ``local_context`` applied."""
    if cycles is None:
        cycles = set()
    if (
        isinstance(local_context, dict)
        and "@context" in local_context
        and isinstance(local_context["@context"], list)
    ):
        local_context = local_context["@context"]
    contexts = local_context if isinstance(local_context, list) else [local_context]
    if not contexts:
        return active
    resolved = _resolve(active.loader, contexts, ())
    first = resolved[0][0]
    if isinstance(first, dict) and isinstance(first.get("@propagate"), bool):
        propagate = first["@propagate"]
    result = active
    if not propagate and result.previous is None:
        result = result.clone()
        result.previous = active
    for context, remote in resolved:
        if context is None:
            if not override_protected and result.protected_terms:
                raise _fail(
                    "invalid context nullification",
                    "a context with protected terms cannot be reset to null",
                )
            result = ActiveContext(active.loader, active._budget)
            continue
        if isinstance(context, dict) and "@context" in context:
            context = context["@context"]
        if not isinstance(context, dict):
            raise _fail("invalid local context", "@context must be an object")
        result = _apply_context(result, context, remote, override_protected, cycles)
    return result


def _apply_context(
    active: ActiveContext,
    context: dict[str, Any],
    remote: bool,
    override_protected: bool,
    cycles: set[str],
) -> ActiveContext:
    result = active.clone()
    defined: dict[str, bool] = {}
    if "@import" in context:
        # The JSON-LD 1.1 order: imported entries take part in everything below.
        context = _import(active, context)
        defined["@import"] = True
    if "@version" in context:
        version = context["@version"]
        if isinstance(version, bool) or version != 1.1:
            raise _fail("invalid @version value", f"unsupported JSON-LD version {version!r}")
        defined["@version"] = True
    if "@base" in context:
        defined["@base"] = True
    if "@base" in context and not remote:
        base = context["@base"]
        if base is None or is_absolute_iri(base):
            result.base = base
        elif isinstance(base, str) and result.base is not None:
            result.base = resolve_iri(result.base, base)
        else:
            raise _fail("invalid base IRI", f"@base {base!r} cannot be resolved")
    if "@vocab" in context:
        vocab = context["@vocab"]
        if vocab is None:
            result.vocab = None
        elif not isinstance(vocab, str):
            raise _fail("invalid vocab mapping", "@vocab must be a string or null")
        else:
            expanded = expand_iri(result, vocab, vocab=True, base=True)
            if expanded is None or not is_absolute_iri(expanded):
                raise UnsafeJsonLdError("relative @vocab reference", f"@vocab {vocab!r}")
            result.vocab = expanded
        defined["@vocab"] = True
    if "@language" in context:
        language = context["@language"]
        if language is None:
            result.language = None
        elif not isinstance(language, str):
            raise _fail("invalid default language", "@language must be a string or null")
        else:
            if BCP47.match(language) is None:
                raise UnsafeJsonLdError("invalid @language value", f"{language!r} is not BCP 47")
            result.language = language.lower()
        defined["@language"] = True
    if "@direction" in context:
        direction = context["@direction"]
        if direction not in (None, "ltr", "rtl"):
            raise _fail("invalid base direction", f"@direction {direction!r}")
        result.direction = direction
        defined["@direction"] = True
    if "@propagate" in context:
        if not isinstance(context["@propagate"], bool):
            raise _fail("invalid @propagate value", "@propagate must be true or false")
        defined["@propagate"] = True
    default_protected = context.get("@protected") is True
    if "@protected" in context:
        defined["@protected"] = True
    for term, value in context.items():
        _create_term(result, context, term, defined, default_protected, override_protected)
        if isinstance(value, dict) and "@context" in value:
            _validate_scoped(result, term, value["@context"], cycles)
    return result


def _import(active: ActiveContext, context: dict[str, Any]) -> dict[str, Any]:
    url = context["@import"]
    if not isinstance(url, str):
        raise _fail("invalid @import value", "@import must be a string")
    imported = _resolve(active.loader, [url], ())
    if len(imported) != 1 or not isinstance(imported[0][0], dict):
        raise _fail("invalid remote context", f"@import {url!r} must name one context object")
    imported_context = imported[0][0]
    if "@import" in imported_context:
        raise _fail("invalid context entry", "an imported context must not import")
    merged = dict(context)
    for key, value in imported_context.items():
        merged.setdefault(key, value)
    return merged


def _validate_scoped(active: ActiveContext, term: str, scoped: Any, cycles: set[str]) -> None:
    """jsonld.js checks every scoped context when its term is defined; so do we."""
    if isinstance(scoped, str):
        if scoped in cycles:
            return
        cycles.add(scoped)
    try:
        process_context(active.clone(), scoped, override_protected=True, cycles=cycles)
    except UnknownContextError:
        raise
    except JsonLdError as exc:
        raise _fail("invalid scoped context", f"term {term!r}: {exc}") from exc


def _create_term(
    active: ActiveContext,
    local: dict[str, Any],
    term: str,
    defined: dict[str, bool],
    default_protected: bool | None = None,
    override_protected: bool = False,
) -> None:
    """Create Term Definition (JSON-LD 1.1 API §4.2)."""
    if term in defined:
        if defined[term]:
            return
        raise _fail("cyclic IRI mapping", f"term {term!r} depends on itself")
    if default_protected is None:
        default_protected = local.get("@protected") is True
    defined[term] = False
    value = local.get(term)
    if (
        term == "@type"
        and isinstance(value, dict)
        and (value.get("@container") or "@set") == "@set"
    ):
        if not value or any(k not in ("@container", "@id", "@protected") for k in value):
            raise _fail("keyword redefinition", "@type may only be given @container: @set")
    elif is_keyword(term):
        raise _fail("keyword redefinition", f"{term!r} is a keyword")
    elif has_keyword_form(term):
        raise UnsafeJsonLdError("reserved term", f"term {term!r} looks like a keyword")
    elif term == "":
        raise _fail("invalid term definition", "a term cannot be empty")
    previous = active.terms.pop(term, None)
    simple = False
    if value is None or isinstance(value, str):
        simple = True
        value = {"@id": value}
    if not isinstance(value, dict):
        raise _fail("invalid term definition", f"term {term!r}: definition must be an object")
    for keyword in value:
        if keyword not in _TERM_DEFINITION_KEYS:
            raise _fail("invalid term definition", f"term {term!r} must not contain {keyword!r}")
    definition = TermDefinition()
    colon = term.find(":")
    has_colon = colon > 0
    iri: str | Literal[_Absent.ABSENT] | None = ABSENT
    if "@reverse" in value:
        if "@id" in value or "@nest" in value:
            raise _fail("invalid reverse property", f"term {term!r}: @reverse with @id or @nest")
        reverse = value["@reverse"]
        if not isinstance(reverse, str):
            raise _fail("invalid IRI mapping", f"term {term!r}: @reverse must be a string")
        if has_keyword_form(reverse):
            raise UnsafeJsonLdError("reserved @reverse value", f"term {term!r}: {reverse!r}")
        expanded = expand_iri(active, reverse, vocab=True, local=local, defined=defined)
        if expanded is None or not is_absolute_iri(expanded):
            raise _fail("invalid IRI mapping", f"term {term!r}: @reverse must be absolute")
        iri = expanded
        definition.reverse = True
    elif "@id" in value:
        id_value = value["@id"]
        if id_value is not None and not isinstance(id_value, str):
            raise _fail("invalid IRI mapping", f"term {term!r}: @id must be a string")
        if id_value is None:
            iri = None
        elif not is_keyword(id_value) and has_keyword_form(id_value):
            raise UnsafeJsonLdError("reserved @id value", f"term {term!r}: {id_value!r}")
        elif id_value != term:
            expanded = expand_iri(active, id_value, vocab=True, local=local, defined=defined)
            if expanded is None or not (is_absolute_iri(expanded) or is_keyword(expanded)):
                raise _fail("invalid IRI mapping", f"term {term!r}: {id_value!r} is not absolute")
            if _TERM_LOOKS_LIKE_IRI.search(term):
                term_defined = {**defined, term: True}
                term_iri = expand_iri(active, term, vocab=True, local=local, defined=term_defined)
                if term_iri != expanded:
                    raise _fail("invalid IRI mapping", f"term {term!r} must expand to its @id")
            iri = expanded
            definition.prefix = bool(
                simple and not has_colon and _ENDS_WITH_GEN_DELIM.search(expanded)
            )
    if iri is ABSENT:
        if has_colon:
            prefix = term[:colon]
            if prefix in local:
                _create_term(active, local, prefix, defined)
            parent = active.terms.get(prefix)
            if parent is not None:
                if parent.iri is None:
                    raise _fail("invalid IRI mapping", f"term {term!r}: prefix maps to null")
                iri = parent.iri + term[colon + 1 :]
            else:
                iri = term
        elif term == "@type":
            iri = "@type"
        else:
            if active.vocab is None:
                raise _fail("invalid IRI mapping", f"term {term!r} has no @id and no @vocab")
            iri = active.vocab + term
    definition.iri = iri
    protected_flag = value.get("@protected")
    if protected_flag is True or (default_protected and protected_flag is not False):
        definition.protected = True
        active.protected_terms = active.protected_terms | {term}
    defined[term] = True
    _set_type_and_container(active, local, term, value, definition, defined)
    _set_options(term, value, definition)
    if iri in ("@context", "@preserve"):
        raise _fail("invalid keyword alias", f"term {term!r} cannot alias {iri}")
    if previous is not None and previous.protected and not override_protected:
        definition.protected = True
        active.protected_terms = active.protected_terms | {term}
        if not previous.same_as(definition):
            raise _fail("protected term redefinition", f"term {term!r} is protected")
    active.terms[term] = definition


def _set_type_and_container(
    active: ActiveContext,
    local: dict[str, Any],
    term: str,
    value: dict[str, Any],
    definition: TermDefinition,
    defined: dict[str, bool],
) -> None:
    if "@type" in value:
        type_value = value["@type"]
        if not isinstance(type_value, str):
            raise _fail("invalid type mapping", f"term {term!r}: @type must be a string")
        if type_value not in ("@json", "@none", "@id", "@vocab"):
            expanded = expand_iri(active, type_value, vocab=True, local=local, defined=defined)
            if expanded is None or not is_absolute_iri(expanded) or expanded.startswith("_:"):
                raise _fail("invalid type mapping", f"term {term!r}: @type {type_value!r}")
            type_value = expanded
        definition.type_mapping = type_value
    if "@container" in value:
        raw = value["@container"]
        container = [raw] if isinstance(raw, str) else (raw if raw is not None else [])
        if not isinstance(container, list) or not all(isinstance(c, str) for c in container):
            raise _fail("invalid container mapping", f"term {term!r}: bad @container")
        has_set = "@set" in container
        valid = True
        if "@list" in container:
            if len(container) != 1:
                raise _fail("invalid container mapping", f"term {term!r}: @list stands alone")
        elif "@graph" in container:
            if any(c not in ("@graph", "@id", "@index", "@set") for c in container):
                raise _fail("invalid container mapping", f"term {term!r}: bad @graph container")
        else:
            valid = len(container) <= (2 if has_set else 1)
        if "@type" in container:
            if definition.type_mapping is None:
                definition.type_mapping = "@id"
            if definition.type_mapping not in ("@id", "@vocab"):
                raise _fail("invalid type mapping", f"term {term!r}: @type map needs @id/@vocab")
        valid = valid and all(c in _CONTAINERS for c in container)
        valid = valid and not (has_set and "@list" in container)
        if not valid:
            raise _fail("invalid container mapping", f"term {term!r}: {raw!r}")
        if definition.reverse and any(c not in ("@index", "@set") for c in container):
            raise _fail("invalid reverse property", f"term {term!r}: bad reverse container")
        definition.container = frozenset(container)
    if "@index" in value:
        index = value["@index"]
        if "@container" not in value or "@index" not in definition.container:
            raise _fail("invalid term definition", f"term {term!r}: @index without index map")
        if not isinstance(index, str) or index.startswith("@"):
            raise _fail("invalid term definition", f"term {term!r}: bad @index {index!r}")
        definition.index = index


def _set_options(term: str, value: dict[str, Any], definition: TermDefinition) -> None:
    if "@context" in value:
        definition.context = value["@context"]
        definition.context_key = context_key(value["@context"])
    if "@language" in value and "@type" not in value:
        language = value["@language"]
        if language is not None and not isinstance(language, str):
            raise _fail("invalid language mapping", f"term {term!r}: bad @language")
        definition.language = language.lower() if language is not None else None
    if "@prefix" in value:
        if ":" in term or "/" in term:
            raise _fail("invalid term definition", f"term {term!r}: @prefix on a compact IRI")
        if is_keyword(definition.iri):
            raise _fail("invalid term definition", f"term {term!r}: a keyword is no prefix")
        if not isinstance(value["@prefix"], bool):
            raise _fail("invalid @prefix value", f"term {term!r}: @prefix must be boolean")
        definition.prefix = value["@prefix"]
    if "@direction" in value:
        direction = value["@direction"]
        if direction not in (None, "ltr", "rtl"):
            raise _fail("invalid base direction", f"term {term!r}: @direction {direction!r}")
        definition.direction = direction
    if "@nest" in value:
        nest = value["@nest"]
        if not isinstance(nest, str) or (nest != "@nest" and nest.startswith("@")):
            raise _fail("invalid @nest value", f"term {term!r}: bad @nest {nest!r}")
        definition.nest = nest
