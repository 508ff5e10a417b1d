"""did:key for Ed25519 and P-256 keys, to and from public JWKs (W3C CCG did:key method)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.did_keys import (
    UnsupportedDidKeyError,
    did_key_from_jwk,
    did_key_url,
    jwk_from_did_key,
)
from credledger.crypto.errors import InvalidKeyError
from credledger.crypto.jwk import PublicJwk, parse_public_jwk
from credledger.crypto.keys import did_key_from_public_key
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from ..jose_helpers import b64url, base58btc, did_key, public_jwk


def did_key_vectors(test_data: Path, name: str) -> dict[str, Any]:
    return json.loads((test_data / "vectors" / "did-key" / name).read_text("utf-8"))


def nist(test_data: Path, curve: str) -> list[tuple[str, dict[str, Any]]]:
    vectors = did_key_vectors(test_data, "nist-curves.json")
    return [
        (did, entry)
        for did, entry in vectors.items()
        if entry["verificationMethod"].get("publicKeyJwk", {}).get("crv") == curve
    ]


# -- the did:key method's own vectors --------------------------------------------------------


def test_the_p256_vectors_resolve_to_their_jwks(test_data: Path) -> None:
    found = nist(test_data, "P-256")
    assert len(found) == 2
    for did, entry in found:
        jwk = jwk_from_did_key(did)
        assert jwk.members() == entry["verificationMethod"]["publicKeyJwk"]
        assert did_key_from_jwk(jwk) == did
        assert did.startswith("did:key:zDn")


def test_the_p256_vectors_keys_are_their_private_keys_public_halves(test_data: Path) -> None:
    for did, entry in nist(test_data, "P-256"):
        private_jwk = entry["verificationMethod"]["privateKeyJwk"]
        scalar = int.from_bytes(_b64(private_jwk["d"]), "big")
        private = ec.derive_private_key(scalar, ec.SECP256R1())
        assert public_jwk(private) == jwk_from_did_key(did).members()
        assert did_key(private) == did


def test_the_p256_vector_given_in_base58_has_the_same_compressed_point(test_data: Path) -> None:
    vectors = did_key_vectors(test_data, "nist-curves.json")
    did = "did:key:zDnaeTiq1PdzvZXUaMdezchcMJQpBdH2VN4pgrrEhMCCbmwSb"
    method = vectors[did]["verificationMethod"]
    from credledger.crypto.multibase import decode_base58btc

    point = decode_base58btc("z" + method["publicKeyBase58"])
    assert jwk_from_did_key(did).compressed_point() == point
    scalar = int.from_bytes(decode_base58btc("z" + method["privateKeyBase58"]), "big")
    assert did_key(ec.derive_private_key(scalar, ec.SECP256R1())) == did


@pytest.mark.parametrize("curve", ["P-384", "P-521"])
def test_the_other_nist_curves_are_refused_by_name(test_data: Path, curve: str) -> None:
    vectors = did_key_vectors(test_data, "nist-curves.json")
    prefix = {"P-384": "did:key:z82", "P-521": "did:key:z2J9"}[curve]
    dids = [did for did in vectors if did.startswith(prefix)]
    assert len(dids) == 2
    for did in dids:
        with pytest.raises(UnsupportedDidKeyError, match=f"a did:key of a {curve} key"):
            jwk_from_did_key(did)


def test_the_ed25519_vectors_resolve_to_their_keys(test_data: Path) -> None:
    vectors = did_key_vectors(test_data, "ed25519-x25519.json")
    assert len(vectors) == 5
    from credledger.crypto.multibase import decode_base58btc

    for did, entry in vectors.items():
        method = entry["verificationKeyPair"]
        jwk = jwk_from_did_key(did)
        if "publicKeyJwk" in method:  # one vector gives its key as a JWK
            assert jwk.members() == method["publicKeyJwk"]
        else:
            assert jwk == PublicJwk.ed25519(decode_base58btc("z" + method["publicKeyBase58"]))
        seed = bytes.fromhex(entry["seed"])
        assert did_key(Ed25519PrivateKey.from_private_bytes(seed)) == did
        assert did_key_from_jwk(jwk) == did == did_key_from_public_key(jwk.x)


# -- round trips -----------------------------------------------------------------------------


@settings(max_examples=50)
@given(st.binary(min_size=32, max_size=32), st.booleans())
def test_every_key_round_trips_through_its_did_key(secret: bytes, p256: bool) -> None:
    if p256:
        scalar = int.from_bytes(secret, "big") % (2**255) + 1
        private: Any = ec.derive_private_key(scalar, ec.SECP256R1())
    else:
        private = Ed25519PrivateKey.from_private_bytes(secret)
    jwk = parse_public_jwk(public_jwk(private))
    did = did_key_from_jwk(jwk)
    assert did == did_key(private)
    assert jwk_from_did_key(did) == jwk
    assert jwk_from_did_key(did_key_url(jwk)) == jwk
    assert did_key_url(jwk) == f"{did}#{did.removeprefix('did:key:')}"


# -- what is refused -------------------------------------------------------------------------


P256_KEY = ec.generate_private_key(ec.SECP256R1())
P256_DID = did_key(P256_KEY)


def test_a_fragment_other_than_the_key_value_is_refused() -> None:
    with pytest.raises(InvalidKeyError, match="fragment must repeat the key value"):
        jwk_from_did_key(f"{P256_DID}#key-1")


@pytest.mark.parametrize(
    ("did", "reason"),
    [
        ("did:web:example.com", "not a did:key DID"),
        ("did:key:", "not base58btc"),
        ("did:key:uAAAA", "not base58btc"),
        ("did:key:z0OIl", "not base58btc"),
        ("did:key:z", "no multicodec key type"),
        ("did:key:z1", "multicodec 0x0 is not a public key"),
        ("did:key:" + base58btc(b"\xed"), "no multicodec key type"),
        ("did:key:" + base58btc(b"\xe7\x01" + bytes(33)), "a secp256k1 key"),
        ("did:key:" + base58btc(b"\xec\x01" + bytes(32)), "a X25519 key"),
        ("did:key:" + base58btc(b"\x85\x24" + bytes(32)), "a RSA key"),
        ("did:key:" + base58btc(b"\x12" + bytes(32)), "multicodec 0x12 is not a public key"),
        ("did:key:" + base58btc(b"\xed\x01" + bytes(31)), "Ed25519 key is 32 bytes, got 31"),
        ("did:key:" + base58btc(b"\x80\x24" + bytes(34)), "compressed point is 33 bytes"),
        ("did:key:" + base58btc(b"\x80\x24\x02" + bytes(31) + b"\x01"), "not a point on the P-256"),
    ],
)
def test_a_did_that_is_no_ed25519_or_p256_did_key_is_refused(did: str, reason: str) -> None:
    with pytest.raises(InvalidKeyError, match=reason):
        jwk_from_did_key(did)


def test_an_uncompressed_p256_point_is_not_did_keys_form() -> None:
    point = P256_KEY.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    with pytest.raises(InvalidKeyError, match="uncompressed form is not did:key's"):
        jwk_from_did_key("did:key:" + base58btc(b"\x80\x24" + point))


def test_a_multicodec_varint_that_is_not_minimal_is_refused() -> None:
    raw = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    # 0xed as a three-byte varint (ed 81 00): the same number, not its one encoding.
    with pytest.raises(InvalidKeyError, match="not minimal"):
        jwk_from_did_key("did:key:" + base58btc(b"\xed\x81\x00" + raw))


def _b64(text: str) -> bytes:
    from credledger.crypto.strict_base64 import decode_base64url

    return decode_base64url(text)


def test_the_helpers_encoding_agrees_with_the_crypto_module() -> None:
    jwk = parse_public_jwk(public_jwk(P256_KEY))
    assert did_key_from_jwk(jwk) == P256_DID
    assert b64url(jwk.x) == public_jwk(P256_KEY)["x"]
