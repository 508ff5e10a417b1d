"""Public JSON Web Keys (RFC 7517) for the two signature keys a holder may prove, and
JWK thumbprints (RFC 7638).

Two key types are read: ``OKP`` with ``crv`` ``Ed25519`` (RFC 8037 §2) and ``EC`` with
``crv`` ``P-256`` (RFC 7518 §6.2). A JWK is read the way an attacker could write it:

- a private member (``d``, and RSA's or a symmetric key's secrets) is refused, not
  dropped: a wallet that sends its private key has leaked it, and the proof it signed
  proves nothing;
- coordinates are strict, canonical base64url of exactly the curve's size (RFC 7518
  §6.2.1.2: 32 octets for P-256, leading zeros kept), so one key has one spelling;
- an EC point must lie on the curve (``cryptography`` checks when the key is loaded),
  which stops invalid-curve keys;
- ``use`` other than ``sig``, ``key_ops`` without ``verify``, or an ``alg`` other than
  the key's own algorithm is refused: the key says it is not for this.

Other members (``kid``, ``x5t``, extensions) are ignored, as RFC 7517 §4 asks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from credledger.crypto.errors import InvalidKeyError
from credledger.crypto.strict_base64 import Base64Error, decode_base64url, encode_base64url
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = [
    "P256_COORDINATE_SIZE",
    "JwkError",
    "PublicJwk",
    "jwk_thumbprint",
    "parse_public_jwk",
]

P256_COORDINATE_SIZE = 32
ED25519_KEY_SIZE = 32
P256_FIELD_PRIME = 2**256 - 2**224 + 2**192 + 2**96 - 1

PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
"""Members that hold secrets: EC and OKP ``d`` (RFC 7518 §6.2.2.1, RFC 8037 §2), RSA's
private members (RFC 7518 §6.3.2) and a symmetric key's ``k`` (§6.4.1)."""

THUMBPRINT_MEMBERS = {
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
    "RSA": ("e", "kty", "n"),
    "oct": ("k", "kty"),
}
"""The required members of each key type, the only ones a thumbprint hashes (RFC 7638
§3.2, RFC 8037 §2), in lexicographic order."""

Curve = Literal["Ed25519", "P-256"]


class JwkError(InvalidKeyError):
    """A JWK that is not a public Ed25519 or P-256 key this reader accepts."""


@dataclass(frozen=True)
class PublicJwk:
    """A public Ed25519 or P-256 key, as its JWK members decoded.

    ``x`` is the Ed25519 public key (32 bytes) or the P-256 x coordinate; ``y`` is the
    P-256 y coordinate, ``None`` for Ed25519. Every instance is checked when made: the
    sizes, and that a P-256 point lies on the curve.
    """

    crv: Curve
    x: bytes
    y: bytes | None = None

    def __post_init__(self) -> None:
        if self.crv == "Ed25519":
            if len(self.x) != ED25519_KEY_SIZE or self.y is not None:
                raise JwkError("an Ed25519 public key is 32 bytes, with no y coordinate")
        elif self.crv == "P-256":
            if self.y is None or {len(self.x), len(self.y)} != {P256_COORDINATE_SIZE}:
                raise JwkError("a P-256 public key is two 32-byte coordinates")
            _load_p256(self.x, self.y)
        else:
            raise JwkError(f"curve {_shown(self.crv)} is not accepted (Ed25519, P-256)")

    @classmethod
    def ed25519(cls, public_key: bytes) -> PublicJwk:
        """The JWK of a raw 32-byte Ed25519 public key."""
        return cls("Ed25519", bytes(public_key))

    @classmethod
    def p256(cls, encoded_point: bytes) -> PublicJwk:
        """The JWK of a P-256 point in SEC 1 form (33-byte compressed or 65-byte
        uncompressed); a point off the curve is refused."""
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), encoded_point)
        except ValueError:
            raise JwkError("not a point on the P-256 curve") from None
        numbers = key.public_numbers()
        return cls(
            "P-256",
            numbers.x.to_bytes(P256_COORDINATE_SIZE, "big"),
            numbers.y.to_bytes(P256_COORDINATE_SIZE, "big"),
        )

    @property
    def kty(self) -> str:
        return "OKP" if self.crv == "Ed25519" else "EC"

    @property
    def algorithm(self) -> str:
        """The JWS algorithm this key signs with: ``EdDSA`` (RFC 8037) or ``ES256``."""
        return "EdDSA" if self.crv == "Ed25519" else "ES256"

    def members(self) -> dict[str, str]:
        """The key's required JWK members (``kty``, ``crv``, ``x`` and, for P-256, ``y``):
        the public key and nothing else."""
        found = {"kty": self.kty, "crv": self.crv, "x": encode_base64url(self.x)}
        if self.y is not None:
            found["y"] = encode_base64url(self.y)
        return found

    def thumbprint(self) -> str:
        """The RFC 7638 SHA-256 thumbprint, base64url."""
        return jwk_thumbprint(self.members())

    def compressed_point(self) -> bytes:
        """P-256 only: the 33-byte SEC 1 compressed point (did:key's form)."""
        return self._p256_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )

    def public_key(self) -> Ed25519PublicKey | ec.EllipticCurvePublicKey:
        """The key as ``cryptography`` holds it, for verifying."""
        if self.crv == "Ed25519":
            return Ed25519PublicKey.from_public_bytes(self.x)
        return self._p256_key()

    def _p256_key(self) -> ec.EllipticCurvePublicKey:
        if self.y is None:
            raise JwkError("an Ed25519 key has no P-256 point")
        return _load_p256(self.x, self.y)


def parse_public_jwk(value: Any) -> PublicJwk:
    """Read a public JWK (a JSON object already parsed); refuse what the module says."""
    if not isinstance(value, Mapping):
        raise JwkError("a JWK is a JSON object")
    private = sorted(PRIVATE_MEMBERS & set(value))
    if private:
        raise JwkError(
            f"the JWK holds private key material ({', '.join(private)}): send the public key only"
        )
    kty = value.get("kty")
    if kty == "OKP":
        jwk = _okp(value)
    elif kty == "EC":
        jwk = _ec(value)
    else:
        raise JwkError(f"JWK key type {_shown(kty)} is not accepted (OKP Ed25519, EC P-256)")
    _check_intended_use(value, jwk)
    return jwk


def _okp(value: Mapping[str, Any]) -> PublicJwk:
    if value.get("crv") != "Ed25519":
        raise JwkError(f"OKP curve {_shown(value.get('crv'))} is not accepted (Ed25519)")
    if "y" in value:
        raise JwkError("an OKP key has no y member")
    return PublicJwk.ed25519(_member(value, "x", ED25519_KEY_SIZE))


def _ec(value: Mapping[str, Any]) -> PublicJwk:
    if value.get("crv") != "P-256":
        raise JwkError(f"EC curve {_shown(value.get('crv'))} is not accepted (P-256)")
    return PublicJwk(
        "P-256",
        _member(value, "x", P256_COORDINATE_SIZE),
        _member(value, "y", P256_COORDINATE_SIZE),
    )


def _load_p256(x: bytes, y: bytes) -> ec.EllipticCurvePublicKey:
    if max(int.from_bytes(x, "big"), int.from_bytes(y, "big")) >= P256_FIELD_PRIME:
        raise JwkError("a P-256 coordinate is not below the field prime (a second spelling)")
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
    )
    try:
        return numbers.public_key()
    except ValueError:
        raise JwkError("the JWK's x and y are not a point on the P-256 curve") from None


def _member(value: Mapping[str, Any], name: str, size: int) -> bytes:
    text = value.get(name)
    if not isinstance(text, str):
        raise JwkError(f"the JWK member {name} is missing or not a string")
    try:
        data = decode_base64url(text, f"the JWK member {name}")
    except Base64Error as exc:
        raise JwkError(str(exc)) from None
    if len(data) != size:
        raise JwkError(f"the JWK member {name} must be {size} bytes, got {len(data)}")
    return data


def _check_intended_use(value: Mapping[str, Any], jwk: PublicJwk) -> None:
    if "use" in value and value["use"] != "sig":
        raise JwkError(f"the JWK is for use {_shown(value['use'])}, not for signatures (sig)")
    if "key_ops" in value:
        ops = value["key_ops"]
        if not isinstance(ops, list) or "verify" not in ops:
            raise JwkError("the JWK's key_ops do not include verify")
    if "alg" in value and value["alg"] != jwk.algorithm:
        raise JwkError(
            f"the JWK is for algorithm {_shown(value['alg'])}, but a {jwk.crv} key signs "
            f"{jwk.algorithm}"
        )


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 thumbprint (SHA-256, base64url) of any JWK whose key type RFC 7638
    or RFC 8037 defines (``EC``, ``OKP``, ``RSA``, ``oct``).

    Only the required members are hashed, as a JSON object with sorted keys and no
    whitespace; each must be present and a string. The key itself is not loaded: this
    names a key, it does not vouch for it.
    """
    kty = jwk.get("kty")
    names = THUMBPRINT_MEMBERS.get(kty) if isinstance(kty, str) else None
    if names is None:
        raise JwkError(f"no thumbprint is defined for JWK key type {_shown(kty)}")
    members: dict[str, str] = {}
    for name in names:
        member = jwk.get(name)
        if not isinstance(member, str):
            raise JwkError(f"the JWK member {name} is missing or not a string")
        members[name] = member
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return encode_base64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def _shown(value: Any) -> str:
    """A value from untrusted input, quoted and cut short for an error message."""
    return repr(value)[:40] if isinstance(value, str) else type(value).__name__
