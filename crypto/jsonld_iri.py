"""IRI and keyword helpers for the JSON-LD processor.

The absolute-IRI test deliberately matches jsonld.js (the processor behind Digital
Bazaar's signers): a scheme, a colon, and no whitespace. Agreeing with it on what counts
as "absolute" is what makes our safe-mode verdicts and canonical forms match theirs.
"""

from __future__ import annotations

import re

KEYWORDS = frozenset(
    {
        "@base",
        "@container",
        "@context",
        "@default",
        "@direction",
        "@embed",
        "@explicit",
        "@graph",
        "@id",
        "@included",
        "@index",
        "@json",
        "@language",
        "@list",
        "@nest",
        "@none",
        "@omitDefault",
        "@prefix",
        "@preserve",
        "@protected",
        "@requireAll",
        "@reverse",
        "@set",
        "@type",
        "@value",
        "@version",
        "@vocab",
    }
)

# ECMAScript's \s, spelled out: Python's \s differs (it includes U+001C..U+001F, U+0085).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# jsonld.js writes the scheme class as [A-Za-z0-9+-.], a range that also admits ",".
_ABSOLUTE = re.compile(rf"(?:[A-Za-z][A-Za-z0-9+,\-.]*|_):[^{_JS_SPACE}]*\Z")
_KEYWORD_FORM = re.compile(r"@[a-zA-Z]+\Z")
BCP47 = re.compile(r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*\Z")
_URI_PARTS = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?\Z", re.S)


def is_keyword(value: object) -> bool:
    """True for the JSON-LD keywords (``@id``, ``@type`` …)."""
    return isinstance(value, str) and value in KEYWORDS


def has_keyword_form(value: str) -> bool:
    """True for ``@`` followed by letters: reserved for future keywords, to be ignored."""
    return _KEYWORD_FORM.match(value) is not None


def is_absolute_iri(value: object) -> bool:
    """True for an absolute IRI or a blank node identifier (``_:x``)."""
    return isinstance(value, str) and _ABSOLUTE.match(value) is not None


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, step by step."""
    buffer = path
    output: list[str] = []
    while buffer:
        if buffer.startswith("../"):
            buffer = buffer[3:]
        elif buffer.startswith("./") or buffer.startswith("/./"):
            buffer = buffer[2:]
        elif buffer == "/.":
            buffer = "/"
        elif buffer.startswith("/../"):
            buffer = buffer[3:]
            if output:
                output.pop()
        elif buffer == "/..":
            buffer = "/"
            if output:
                output.pop()
        elif buffer in (".", ".."):
            buffer = ""
        else:
            cut = buffer.find("/", 1)
            if cut == -1:
                cut = len(buffer)
            output.append(buffer[:cut])
            buffer = buffer[cut:]
    return "".join(output)


def resolve_iri(base: str | None, reference: str) -> str:
    """Resolve ``reference`` against ``base`` (RFC 3986 §5.2); ``None`` leaves it as is."""
    if base is None or is_absolute_iri(reference):
        return reference
    base_match = _URI_PARTS.match(base)
    ref_match = _URI_PARTS.match(reference)
    assert base_match is not None
    assert ref_match is not None
    b_scheme, b_auth, b_path, b_query, _ = base_match.groups()
    _, r_auth, r_path, r_query, r_fragment = ref_match.groups()
    if r_auth is not None:
        auth, path, query = r_auth, _remove_dot_segments(r_path), r_query
    elif r_path == "":
        auth, path = b_auth, b_path
        query = r_query if r_query is not None else b_query
    else:
        if r_path.startswith("/"):
            path = r_path
        else:
            merged = b_path[: b_path.rfind("/") + 1]
            if b_auth is not None and merged == "":
                merged = "/"
            path = merged + r_path
        auth, path, query = b_auth, _remove_dot_segments(path), r_query
    result = f"{b_scheme}:" if b_scheme else ""
    if auth is not None:
        result += "//" + auth
    result += path
    if query is not None:
        result += "?" + query
    if r_fragment is not None:
        result += "#" + r_fragment
    return result
