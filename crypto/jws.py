"""Compact JWS (RFC 7515 §7.1) read strictly and verified with EdDSA or ES256.

Two algorithms, both asymmetric: ``EdDSA`` with an Ed25519 key (RFC 8037 §3.1) and
``ES256``, ECDSA on P-256 with SHA-256 (RFC 7518 §3.4), whose signature is the 64-byte
``R || S`` (each 32 bytes, big-endian), not the DER that ``cryptography`` speaks.

What is read is what the signature covers, in one spelling only:

- each segment is unpadded base64url in its one canonical spelling (no ``=``, no
  non-zero unused bits), so no bit of a token can change unseen;
- the header (and, through :func:`strict_json_object`, a JWT's claims) is UTF-8 JSON
  whose objects repeat no key (RFC 7515 §5.2 step 4 lets a recipient refuse them; a
  parser that kept the last ``alg`` while a signer read the first is how confusion
  attacks start), with no ``NaN`` and no lone surrogate;
- ``alg`` must be on the caller's allow-list, itself a subset of the two above:
  ``none`` and every MAC algorithm are refused by name;
- ``crit`` (RFC 7515 §4.1.11) is refused unless the caller understands every
  extension it names; ``b64: false`` (RFC 7797, unencoded payloads) is refused;
- the key must be of the algorithm's type: an Ed25519 key never checks an ES256
  signature, nor the reverse.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from credledger.crypto.errors import CryptoError, InvalidSignatureError
from credledger.crypto.jwk import PublicJwk
from credledger.crypto.strict_base64 import Base64Error, decode_base64url
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

__all__ = [
    "MAX_COMPACT_JWS_CHARS",
    "SUPPORTED_ALGORITHMS",
    "CompactJws",
    "InvalidSignatureError",
    "JwsAlgorithmError",
    "JwsError",
    "parse_compact_jws",
    "strict_json_object",
    "verify_jws_signature",
]

SUPPORTED_ALGORITHMS = ("EdDSA", "ES256")
SIGNATURE_SIZE = 64
"""Both algorithms' signatures: Ed25519's 64 bytes, ES256's ``R || S``."""
MAX_COMPACT_JWS_CHARS = 64 * 1024
"""Longest token read: a key proof with its key is under 2 KB."""

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
"""n, the order of P-256's base point: R and S lie in [1, n - 1] (SEC 1 §4.1.4)."""

REGISTERED_HEADERS = frozenset(
    {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"}
)
"""RFC 7515 §4.1 names, which ``crit`` must never list (§4.1.11)."""
MAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})


class JwsError(CryptoError, ValueError):
    """The text is not a compact JWS this reader accepts (its form, header or JSON)."""


class JwsAlgorithmError(JwsError):
    """The JWS names an algorithm that is not accepted, or one its key cannot make."""


@dataclass(frozen=True)
class CompactJws:
    """A compact JWS, decoded and checked in form; its signature is not yet verified."""

    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    """The ASCII bytes the signature covers: the header and payload segments as sent."""
    signature: bytes

    @property
    def algorithm(self) -> str:
        """The header's ``alg``: one of the algorithms the reader was allowed."""
        return str(self.header["alg"])

    def payload_object(self) -> dict[str, Any]:
        """The payload as a JSON object (a JWT's claims set), read as strictly as the
        header."""
        return strict_json_object(self.payload, "JWS payload")


def parse_compact_jws(
    token: str,
    *,
    algorithms: Collection[str] = SUPPORTED_ALGORITHMS,
    understood_critical: Collection[str] = (),
) -> CompactJws:
    """Split, decode and check a compact JWS; :func:`verify_jws_signature` then checks
    its signature with the key the caller trusts.

    ``algorithms`` is the allow-list (a subset of :data:`SUPPORTED_ALGORITHMS`);
    ``understood_critical`` names the ``crit`` extensions the caller processes itself.
    """
    unknown = set(algorithms) - set(SUPPORTED_ALGORITHMS)
    if unknown:
        raise ValueError(f"algorithms this module cannot verify: {sorted(unknown)}")
    if not isinstance(token, str):
        raise JwsError("a compact JWS is a string")
    if len(token) > MAX_COMPACT_JWS_CHARS:
        raise JwsError(f"a compact JWS longer than {MAX_COMPACT_JWS_CHARS} characters")
    parts = token.split(".")
    if len(parts) != 3:
        raise JwsError(f"a compact JWS has three dot-separated parts, this has {len(parts)}")
    header = strict_json_object(_segment(parts[0], "header"), "JWS header")
    _check_algorithm(header, algorithms)
    _check_critical(header, understood_critical)
    if "b64" in header and header["b64"] is not True:
        raise JwsError("unencoded payloads (b64: false, RFC 7797) are not accepted")
    payload = _segment(parts[1], "payload", empty=True)
    signature = _segment(parts[2], "signature")
    if len(signature) != SIGNATURE_SIZE:
        raise JwsError(
            f"an {header['alg']} signature is {SIGNATURE_SIZE} bytes, got {len(signature)}"
        )
    return CompactJws(header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def verify_jws_signature(jws: CompactJws, key: PublicJwk) -> None:
    """Check the signature with ``key``; raise :class:`InvalidSignatureError` unless it
    verifies, :class:`JwsAlgorithmError` if the key cannot make this algorithm."""
    if key.algorithm != jws.algorithm:
        raise JwsAlgorithmError(
            f"a {key.crv} key signs {key.algorithm}, but the JWS says {jws.algorithm}"
        )
    public_key = key.public_key()
    try:
        if isinstance(public_key, Ed25519PublicKey):
            public_key.verify(jws.signature, jws.signing_input)
        else:
            public_key.verify(_der(jws.signature), jws.signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise InvalidSignatureError(f"the {jws.algorithm} signature does not verify") from None


def _der(signature: bytes) -> bytes:
    """RFC 7518 §3.4's ``R || S`` as the DER ``cryptography`` verifies."""
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < P256_ORDER and 0 < s < P256_ORDER):
        raise InvalidSignatureError("the ES256 signature's R or S is out of range")
    return encode_dss_signature(r, s)


def _segment(text: str, what: str, *, empty: bool = False) -> bytes:
    if not text and not empty:
        raise JwsError(f"the JWS {what} is empty")
    try:
        return decode_base64url(text, f"the JWS {what}")
    except Base64Error as exc:
        raise JwsError(str(exc)) from None


def _check_algorithm(header: dict[str, Any], algorithms: Collection[str]) -> None:
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise JwsAlgorithmError("the JWS header names no algorithm (alg)")
    allowed = ", ".join(sorted(algorithms))
    if alg.lower() == "none":
        raise JwsAlgorithmError(f"alg none (an unsecured JWS) is never accepted ({allowed})")
    if alg in MAC_ALGORITHMS:
        raise JwsAlgorithmError(
            f"alg {alg} is a shared-secret MAC, not a signature: not accepted ({allowed})"
        )
    if alg not in algorithms:
        raise JwsAlgorithmError(f"alg {alg[:20]!r} is not accepted ({allowed})")


def _check_critical(header: dict[str, Any], understood: Collection[str]) -> None:
    if "crit" not in header:
        return
    crit = header["crit"]
    if not isinstance(crit, list) or not crit or not all(isinstance(c, str) for c in crit):
        raise JwsError("crit must be a non-empty list of header parameter names")
    if len(set(crit)) != len(crit):
        raise JwsError("crit names a header parameter twice")
    for name in crit:
        if name in REGISTERED_HEADERS:
            raise JwsError(f"crit may not name {name}, a parameter every reader understands")
        if name not in understood:
            raise JwsError(f"the critical header parameter {name[:40]!r} is not understood")
        if name not in header:
            raise JwsError(f"crit names {name[:40]!r}, which the header does not hold")


def strict_json_object(data: bytes, what: str) -> dict[str, Any]:
    """A JSON object from UTF-8 ``data``, refusing repeated keys (at any depth), ``NaN``
    and ``Infinity``, and lone surrogates; ``what`` names it in errors."""
    try:
        value = json.loads(
            data.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_no_constant
        )
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeError:
        raise JwsError(f"the {what} is not UTF-8 JSON (or holds a lone surrogate)") from None
    except (ValueError, RecursionError) as exc:
        raise JwsError(f"the {what} is not valid JSON: {str(exc)[:80]}") from None
    if not isinstance(value, dict):
        raise JwsError(f"the {what} is not a JSON object")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise ValueError(f"the member {key[:40]!r} appears twice in one object")
        value[key] = item
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
