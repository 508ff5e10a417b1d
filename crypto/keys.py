"""Ed25519 key pairs, Multikey encodings and the did:key method.

Issuers are identified by ``did:key`` Ed25519 DIDs (API contract), and Data
Integrity proofs name their key as ``did:key:z6Mk…#z6Mk…``. Everything a
verifier needs to go from that identifier to raw public-key bytes, and from
raw bytes back to the identifier, lives here; the signing itself is
``cryptography``'s.

Multikey (W3C Controlled Identifiers §2.2.2) writes a key as base58btc
multibase over a multicodec varint prefix and the raw key: ``0xed 0x01`` for an
Ed25519 public key (hence ``z6Mk…``), ``0x80 0x26`` for an Ed25519 secret key
(``z3u2…``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from credledger.crypto.errors import InvalidKeyError, InvalidSignatureError
from credledger.crypto.multibase import MultibaseError, decode_base58btc, encode_base58btc
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = [
    "DID_CONTEXT",
    "ED25519_PUBLIC_KEY_SIZE",
    "ED25519_SEED_SIZE",
    "ED25519_SIGNATURE_SIZE",
    "MULTIKEY_CONTEXT",
    "Ed25519KeyPair",
    "InvalidKeyError",
    "InvalidSignatureError",
    "did_key_document",
    "did_key_from_public_key",
    "public_key_from_did_key",
    "public_key_from_multibase",
    "public_key_multibase",
    "secret_key_from_multibase",
    "secret_key_multibase",
    "verification_method_id",
    "verify_ed25519",
]

ED25519_PUBLIC_KEY_SIZE = 32
ED25519_SEED_SIZE = 32
ED25519_SIGNATURE_SIZE = 64

ED25519_PUB_MULTICODEC = b"\xed\x01"
"""Varint of multicodec 0xed, ``ed25519-pub``."""
ED25519_PRIV_MULTICODEC = b"\x80\x26"
"""Varint of multicodec 0x1300, ``ed25519-priv``."""

DID_KEY_PREFIX = "did:key:"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"

_RAW = serialization.Encoding.Raw
_RAW_PUBLIC = serialization.PublicFormat.Raw
_RAW_PRIVATE = serialization.PrivateFormat.Raw


@dataclass(frozen=True)
class Ed25519KeyPair:
    """An Ed25519 signing key and its public key.

    The private key is kept out of ``repr`` and comparisons so that it never
    ends up in a log line or an assertion message; two pairs are equal when
    their public keys are.
    """

    _private_key: Ed25519PrivateKey = field(repr=False, compare=False)
    public_key: bytes = field(init=False)

    def __post_init__(self) -> None:
        public = self._private_key.public_key().public_bytes(_RAW, _RAW_PUBLIC)
        object.__setattr__(self, "public_key", public)

    @classmethod
    def generate(cls) -> Ed25519KeyPair:
        """A fresh key pair from the operating system's CSPRNG."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519KeyPair:
        """The key pair of a 32-byte RFC 8032 seed (the "private key" of the RFC)."""
        if len(seed) != ED25519_SEED_SIZE:
            raise InvalidKeyError(f"an Ed25519 seed is {ED25519_SEED_SIZE} bytes, got {len(seed)}")
        return cls(Ed25519PrivateKey.from_private_bytes(bytes(seed)))

    @classmethod
    def from_private_bytes(cls, data: bytes) -> Ed25519KeyPair:
        """Load a 32-byte seed, or the 64-byte ``seed || public key`` form (NaCl/libsodium).

        In the 64-byte form the public half must be the one the seed derives,
        so a corrupted or mismatched key file is refused instead of signing
        under a key nobody can verify.
        """
        if len(data) == ED25519_SEED_SIZE:
            return cls.from_seed(data)
        if len(data) == ED25519_SEED_SIZE + ED25519_PUBLIC_KEY_SIZE:
            pair = cls.from_seed(data[:ED25519_SEED_SIZE])
            if pair.public_key != bytes(data[ED25519_SEED_SIZE:]):
                raise InvalidKeyError("the public half does not match the seed")
            return pair
        raise InvalidKeyError(f"Ed25519 private key bytes must be 32 or 64 long, got {len(data)}")

    def private_bytes(self) -> bytes:
        """The 32-byte seed. Secret: for key files and key stores only."""
        return self._private_key.private_bytes(_RAW, _RAW_PRIVATE, serialization.NoEncryption())

    def sign(self, message: bytes) -> bytes:
        """The 64-byte RFC 8032 Ed25519 signature of ``message`` (deterministic)."""
        return self._private_key.sign(message)


def verify_ed25519(public_key: bytes, signature: bytes, message: bytes) -> None:
    """Check an Ed25519 signature; raise :class:`InvalidSignatureError` unless it verifies.

    A public key that is not 32 bytes raises :class:`InvalidKeyError` instead:
    that is a configuration fault, not a forged signature.
    """
    key = _load_public_key(public_key)
    if len(signature) != ED25519_SIGNATURE_SIZE:
        raise InvalidSignatureError(
            f"an Ed25519 signature is {ED25519_SIGNATURE_SIZE} bytes, got {len(signature)}"
        )
    try:
        key.verify(bytes(signature), bytes(message))
    except InvalidSignature:
        raise InvalidSignatureError("Ed25519 signature does not verify") from None


def _load_public_key(public_key: bytes) -> Ed25519PublicKey:
    if len(public_key) != ED25519_PUBLIC_KEY_SIZE:
        raise InvalidKeyError(
            f"an Ed25519 public key is {ED25519_PUBLIC_KEY_SIZE} bytes, got {len(public_key)}"
        )
    return Ed25519PublicKey.from_public_bytes(bytes(public_key))


# --- Multikey -------------------------------------------------------------------


def public_key_multibase(public_key: bytes) -> str:
    """Multikey ``publicKeyMultibase`` of a raw Ed25519 public key (``z6Mk…``)."""
    _check_length(public_key, ED25519_PUBLIC_KEY_SIZE, "public key")
    return encode_base58btc(ED25519_PUB_MULTICODEC + bytes(public_key))


def public_key_from_multibase(text: str) -> bytes:
    """Raw 32-byte Ed25519 public key of a Multikey ``publicKeyMultibase`` value."""
    return _unwrap_multikey(text, ED25519_PUB_MULTICODEC, ED25519_PUBLIC_KEY_SIZE, "public key")


def secret_key_multibase(private_bytes: bytes) -> str:
    """Multikey ``secretKeyMultibase`` of a 32-byte Ed25519 seed (``z3u2…``). Secret."""
    _check_length(private_bytes, ED25519_SEED_SIZE, "seed")
    return encode_base58btc(ED25519_PRIV_MULTICODEC + bytes(private_bytes))


def secret_key_from_multibase(text: str) -> bytes:
    """The 32-byte Ed25519 seed of a Multikey ``secretKeyMultibase`` value."""
    return _unwrap_multikey(text, ED25519_PRIV_MULTICODEC, ED25519_SEED_SIZE, "seed")


def _unwrap_multikey(text: str, multicodec: bytes, size: int, what: str) -> bytes:
    try:
        data = decode_base58btc(text)
    except MultibaseError as exc:
        raise InvalidKeyError(f"Multikey value is not base58btc multibase: {exc}") from exc
    if not data.startswith(multicodec):
        raise InvalidKeyError(
            f"Multikey value does not start with the Ed25519 {what} multicodec {multicodec.hex()}"
        )
    key = data[len(multicodec) :]
    _check_length(key, size, what)
    return key


def _check_length(data: bytes, size: int, what: str) -> None:
    if len(data) != size:
        raise InvalidKeyError(f"an Ed25519 {what} is {size} bytes, got {len(data)}")


# --- did:key ----------------------------------------------------------------------


def did_key_from_public_key(public_key: bytes) -> str:
    """The ``did:key`` DID of a raw Ed25519 public key."""
    return DID_KEY_PREFIX + public_key_multibase(public_key)


def verification_method_id(did: str) -> str:
    """The id of a did:key's single verification method: ``did:key:z…#z…``."""
    public_key_from_did_key(did)
    return f"{did}#{did[len(DID_KEY_PREFIX) :]}"


def public_key_from_did_key(did_or_vm_id: str) -> bytes:
    """Raw Ed25519 public key named by a did:key DID or its verification method id.

    A fragment is accepted only if it is the key's own multibase value (the one
    verification method a did:key document has); anything else is refused
    rather than silently ignored.
    """
    did, _, fragment = did_or_vm_id.partition("#")
    if not did.startswith(DID_KEY_PREFIX):
        raise InvalidKeyError(f"not a did:key DID: {did_or_vm_id[:60]!r}")
    multibase_value = did[len(DID_KEY_PREFIX) :]
    if "#" in did_or_vm_id and fragment != multibase_value:
        raise InvalidKeyError("a did:key verification method fragment must repeat the key value")
    return public_key_from_multibase(multibase_value)


def did_key_document(did: str) -> dict[str, Any]:
    """Resolve an Ed25519 did:key to its DID document (did:key spec, Multikey form).

    One ``Multikey`` verification method, referenced from authentication,
    assertionMethod, capabilityInvocation and capabilityDelegation. No
    X25519 ``keyAgreement`` key is derived (the spec's
    ``enableEncryptionKeyDerivation`` option, off here): credledger only signs.
    """
    if "#" in did:
        raise InvalidKeyError("a DID document is resolved from the DID, not a DID URL")
    public_key = public_key_from_did_key(did)
    vm_id = verification_method_id(did)
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": public_key_multibase(public_key),
            }
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }
