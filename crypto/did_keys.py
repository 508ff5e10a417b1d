"""did:key for the keys a holder may prove possession of: Ed25519 and P-256, each to and
from its public JWK.

A did:key is ``did:key:`` and a Multikey value: base58btc multibase (``z``) over an
unsigned-varint multicodec and the raw public key (W3C CCG did:key method §2, W3C
Controlled Identifiers §2.2.2):

- ``ed25519-pub`` (0xed, varint ``ed 01``) and the 32-byte key: ``did:key:z6Mk…``;
- ``p256-pub`` (0x1200, varint ``80 24``) and the 33-byte SEC 1 *compressed* point:
  ``did:key:zDn…``. The uncompressed form is refused: the method names one encoding,
  so one key has one DID.

Every DID read here is encoded again from the key it names and must come out the same
(a minimal varint, a point on the curve, no second spelling). Other key types are
refused by name (P-384, secp256k1, X25519, ...), never half-read.
``credledger.crypto.keys`` keeps the Ed25519-only functions the issuer side uses; for
an Ed25519 key both give the same DID.
"""

from __future__ import annotations

from credledger.crypto.errors import InvalidKeyError
from credledger.crypto.jwk import PublicJwk
from credledger.crypto.multibase import MultibaseError, decode_base58btc, encode_base58btc

__all__ = [
    "ED25519_PUB",
    "P256_PUB",
    "UnsupportedDidKeyError",
    "did_key_from_jwk",
    "did_key_url",
    "jwk_from_did_key",
]

DID_KEY_PREFIX = "did:key:"
ED25519_PUB = 0xED
P256_PUB = 0x1200
OTHER_KEY_TYPES = {
    0xE7: "secp256k1",
    0xEA: "BLS12-381 G1",
    0xEB: "BLS12-381 G2",
    0xEC: "X25519",
    0x1201: "P-384",
    0x1202: "P-521",
    0x1203: "Ed448",
    0x1204: "X448",
    0x1205: "RSA",
    0x1206: "SM2",
}
"""Public-key multicodecs of the multicodec table that are known, and not accepted."""
KEY_SIZES = {ED25519_PUB: 32, P256_PUB: 33}
MAX_VARINT_BYTES = 3


class UnsupportedDidKeyError(InvalidKeyError):
    """A well-formed did:key of a key type this reader does not accept."""


def did_key_from_jwk(jwk: PublicJwk) -> str:
    """The did:key DID of a public Ed25519 or P-256 key."""
    if jwk.crv == "Ed25519":
        return DID_KEY_PREFIX + encode_base58btc(_varint(ED25519_PUB) + jwk.x)
    return DID_KEY_PREFIX + encode_base58btc(_varint(P256_PUB) + jwk.compressed_point())


def did_key_url(jwk: PublicJwk) -> str:
    """The DID URL of the key's one verification method: ``did:key:z…#z…``."""
    did = did_key_from_jwk(jwk)
    return f"{did}#{did[len(DID_KEY_PREFIX) :]}"


def jwk_from_did_key(did_or_url: str) -> PublicJwk:
    """The public JWK a did:key DID, or its verification method's DID URL, names.

    A fragment is accepted only if it repeats the key's own multibase value (the one
    verification method a did:key document has); any other DID URL is refused.
    """
    if not isinstance(did_or_url, str) or not did_or_url.startswith(DID_KEY_PREFIX):
        raise InvalidKeyError(f"not a did:key DID: {str(did_or_url)[:60]!r}")
    did, hashmark, fragment = did_or_url.partition("#")
    value = did[len(DID_KEY_PREFIX) :]
    if hashmark and fragment != value:
        raise InvalidKeyError("a did:key verification method's fragment must repeat the key value")
    try:
        data = decode_base58btc(value)
    except MultibaseError as exc:
        raise InvalidKeyError(f"the did:key value is not base58btc multibase: {exc}") from None
    code, key = _read_varint(data)
    if code in OTHER_KEY_TYPES:
        raise UnsupportedDidKeyError(
            f"a did:key of a {OTHER_KEY_TYPES[code]} key is not accepted (Ed25519, P-256)"
        )
    if code not in KEY_SIZES:
        raise UnsupportedDidKeyError(f"multicodec 0x{code:x} is not a public key accepted here")
    if len(key) != KEY_SIZES[code]:
        form = "Ed25519 key" if code == ED25519_PUB else "P-256 compressed point"
        raise InvalidKeyError(
            f"a did:key {form} is {KEY_SIZES[code]} bytes, got {len(key)}"
            + (" (the uncompressed form is not did:key's)" if len(key) == 65 else "")
        )
    jwk = PublicJwk.ed25519(key) if code == ED25519_PUB else PublicJwk.p256(key)
    if did_key_from_jwk(jwk) != did:
        raise InvalidKeyError("the did:key is not the one encoding of its key")
    return jwk


def _varint(code: int) -> bytes:
    out = bytearray()
    while True:
        byte = code & 0x7F
        code >>= 7
        if code:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes) -> tuple[int, bytes]:
    """The multicodec and the rest, refusing an over-long or unterminated varint."""
    code = 0
    for i, byte in enumerate(data[:MAX_VARINT_BYTES]):
        code |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            if i and byte == 0:
                raise InvalidKeyError("the did:key multicodec varint is not minimal")
            return code, data[i + 1 :]
    raise InvalidKeyError("the did:key value holds no multicodec key type")
