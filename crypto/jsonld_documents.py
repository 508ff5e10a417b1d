"""The offline JSON-LD document loader: bundled contexts plus documents the caller supplies.

Nothing is ever fetched. A credential that names a context URL the loader does not hold
is refused with :class:`UnknownContextError`, which is what keeps a verifier from being
steered by a context an attacker controls. The loader is always passed in explicitly
(never a module-level default), and it is immutable: :meth:`DocumentLoader.with_documents`
returns a new loader, so caches keyed on a loader can never go stale.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from credledger.crypto.jsonld_errors import UnknownContextError

__all__ = ["DocumentLoader", "UnknownContextError", "bundled_context_urls"]

_CONTEXTS_PACKAGE = "credledger.crypto.contexts"


@cache
def _bundled_index() -> Mapping[str, str]:
    """URL -> file name of every bundled context, read once from ``index.json``."""
    folder = resources.files(_CONTEXTS_PACKAGE)
    index = json.loads(folder.joinpath("index.json").read_text("utf-8"))
    return MappingProxyType({url: entry["file"] for url, entry in index.items()})


@cache
def _bundled_document(url: str) -> Any:
    """The parsed bundled document for ``url`` (parsed once per process)."""
    file_name = _bundled_index()[url]
    text = resources.files(_CONTEXTS_PACKAGE).joinpath(file_name).read_text("utf-8")
    return json.loads(text)


def bundled_context_urls() -> frozenset[str]:
    """Every context URL shipped inside the package."""
    return frozenset(_bundled_index())


class DocumentLoader:
    """Resolves JSON-LD document URLs from the bundled contexts and caller-supplied documents.

    ``documents`` maps a URL to its parsed JSON (for example a DID document, or
    credledger's own extension context served under the server's base URL). A supplied
    document overrides a bundled one with the same URL. Returned documents are shared
    between calls and must not be mutated.
    """

    __slots__ = ("__weakref__", "_extra")

    def __init__(self, documents: Mapping[str, Any] | None = None) -> None:
        self._extra: Mapping[str, Any] = MappingProxyType(dict(documents or {}))

    def load(self, url: str) -> Any:
        """Return the parsed document for ``url``; raise :class:`UnknownContextError` if absent."""
        extra = self._extra.get(url)
        if extra is not None:
            return extra
        if url in _bundled_index():
            return _bundled_document(url)
        raise UnknownContextError(url)

    def with_documents(self, documents: Mapping[str, Any]) -> DocumentLoader:
        """A new loader holding this loader's documents plus ``documents`` (which win)."""
        return DocumentLoader({**self._extra, **documents})

    def __contains__(self, url: object) -> bool:
        return url in self._extra or url in _bundled_index()

    def __iter__(self) -> Iterator[str]:
        yield from self._extra
        yield from (url for url in _bundled_index() if url not in self._extra)

    def __repr__(self) -> str:
        return f"DocumentLoader(extra={sorted(self._extra)!r})"
