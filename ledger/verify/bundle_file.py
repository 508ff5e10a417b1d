"""A proof bundle's file: canonical JSON or deterministic CBOR, judged by its content.

See docs/api.md, "Proof bundle". Any faithful copy of a bundle (another JSON
serialisation of the same content) loads to the same bundle; what a parser would have
to guess at is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from credledger.crypto import cbor
from credledger.crypto.errors import CryptoError
from credledger.ledger.verify.bundle_errors import MalformedBundleError, NotABundleError

BOM = b"\xef\xbb\xbf"


def dump_json(bundle: Mapping[str, Any]) -> bytes:
    """The canonical JSON file of a bundle: sorted keys, two-space indent, UTF-8, final newline."""
    text = json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def dump_cbor(bundle: Mapping[str, Any]) -> bytes:
    """The same structure as deterministic CBOR (RFC 8949 §4.2.1)."""
    return cbor.encode(dict(bundle))


def load_bundle(data: bytes) -> dict[str, Any]:
    """Parse a bundle file: JSON in any serialisation, or deterministic CBOR.

    A bundle is judged by its content, not its bytes: re-indented, without the final
    newline, with CRLF line ends or a byte order mark it is the same bundle, and every
    change to its content fails a digest, proof or signature in ``verify_bundle``.
    What a parser would have to guess at is refused: duplicate keys, NaN, lone
    surrogates.
    """
    text = data.removeprefix(BOM).lstrip(b" \t\r\n")
    if text[:1] == b"{":
        try:
            value = json.loads(
                text.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_no_constant
            )
            dump_json(value)  # refuses what JSON cannot carry (lone surrogates)
        except (UnicodeError, ValueError) as exc:
            raise MalformedBundleError(f"not valid JSON: {exc}") from None
        return _a_bundle(value, "JSON object")
    try:
        value = cbor.decode(data)
    except CryptoError as exc:
        raise MalformedBundleError(f"neither JSON nor deterministic CBOR: {exc}") from None
    return _a_bundle(value, "CBOR map")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("a key appears twice in one object")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _a_bundle(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedBundleError(f"a bundle is a {what}")
    if "leaf" not in value and ({"@context", "proof", "credentialSubject"} & set(value)):
        raise NotABundleError(
            "this is a credential, not a proof bundle: check it with `credledger verify FILE` "
            "(a proof bundle comes from `credledger proof export`)"
        )
    return value
