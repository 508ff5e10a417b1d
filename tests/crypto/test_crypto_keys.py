"""Ed25519 key pairs, Multikey and did:key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from credledger.crypto.errors import CryptoError, InvalidKeyError, InvalidSignatureError
from credledger.crypto.keys import (
    Ed25519KeyPair,
    did_key_document,
    did_key_from_public_key,
    public_key_from_did_key,
    public_key_from_multibase,
    public_key_multibase,
    secret_key_from_multibase,
    secret_key_multibase,
    verification_method_id,
    verify_ed25519,
)
from credledger.crypto.multibase import decode_base58btc, encode_base58btc
from hypothesis import given
from hypothesis import strategies as st

# RFC 8032 §7.1, TEST 1 and TEST 2.
RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
]

# w3c-ccg/did-method-key test-vectors/ed25519-x25519.json: seed -> DID.
DID_KEY_SEEDS = [
    ("00" * 32, "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"),
    ("00" * 31 + "01", "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG"),
    ("00" * 31 + "02", "did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf"),
    ("00" * 31 + "03", "did:key:z6MkvqoYXQfDDJRv8L4wKzxYeuKyVZBfi9Qo6Ro8MiLH3kDQ"),
    ("00" * 31 + "04", "did:key:z6MkwW6aqMnjgrhJXFUko3NnZPGzVpkNzhYK7yEhnsibmLwL"),
]

SPEC_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
SPEC_VM = SPEC_DID + "#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


@pytest.fixture(scope="module")
def vector_key_pair(test_data: Path) -> dict[str, str]:
    data: dict[str, str] = json.loads((test_data / "vectors/di-eddsa/keyPair.json").read_text())
    return data


# --- key pairs ------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "public", "message", "signature"), RFC8032)
def test_rfc8032_seed_gives_the_listed_public_key_and_signature(
    seed: str, public: str, message: str, signature: str
) -> None:
    pair = Ed25519KeyPair.from_seed(bytes.fromhex(seed))
    assert pair.public_key.hex() == public
    assert pair.sign(bytes.fromhex(message)).hex() == signature


@pytest.mark.parametrize(("_seed", "public", "message", "signature"), RFC8032)
def test_rfc8032_signature_verifies(_seed: str, public: str, message: str, signature: str) -> None:
    verify_ed25519(bytes.fromhex(public), bytes.fromhex(signature), bytes.fromhex(message))


def test_private_bytes_are_the_seed() -> None:
    seed = bytes(range(32))
    assert Ed25519KeyPair.from_seed(seed).private_bytes() == seed


def test_from_private_bytes_accepts_a_seed_or_seed_and_public_key() -> None:
    pair = Ed25519KeyPair.from_seed(bytes(range(32)))
    assert Ed25519KeyPair.from_private_bytes(pair.private_bytes()) == pair
    assert Ed25519KeyPair.from_private_bytes(pair.private_bytes() + pair.public_key) == pair


def test_from_private_bytes_refuses_a_mismatched_public_half() -> None:
    pair = Ed25519KeyPair.from_seed(bytes(range(32)))
    other = Ed25519KeyPair.from_seed(bytes(32))
    with pytest.raises(InvalidKeyError, match="does not match"):
        Ed25519KeyPair.from_private_bytes(pair.private_bytes() + other.public_key)


@pytest.mark.parametrize("length", [0, 31, 33, 63, 65])
def test_private_key_bytes_of_the_wrong_length_are_refused(length: int) -> None:
    with pytest.raises(InvalidKeyError):
        Ed25519KeyPair.from_private_bytes(bytes(length))


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_seeds_of_the_wrong_length_are_refused(length: int) -> None:
    with pytest.raises(InvalidKeyError):
        Ed25519KeyPair.from_seed(bytes(length))


def test_generated_pairs_differ_and_sign_verifiably() -> None:
    first, second = Ed25519KeyPair.generate(), Ed25519KeyPair.generate()
    assert first.public_key != second.public_key
    verify_ed25519(first.public_key, first.sign(b"msg"), b"msg")


def test_key_pair_repr_does_not_reveal_the_seed() -> None:
    seed = bytes(range(32))
    text = repr(Ed25519KeyPair.from_seed(seed))
    assert seed.hex() not in text
    assert repr(seed) not in text
    assert "private" not in text


def test_key_pair_is_frozen() -> None:
    pair = Ed25519KeyPair.from_seed(bytes(32))
    with pytest.raises(AttributeError):
        pair.public_key = b"\x00" * 32  # type: ignore[misc]


def test_verify_raises_on_a_changed_message() -> None:
    pair = Ed25519KeyPair.from_seed(bytes(32))
    with pytest.raises(InvalidSignatureError):
        verify_ed25519(pair.public_key, pair.sign(b"issued"), b"revoked")


def test_verify_raises_on_another_key() -> None:
    signer, other = Ed25519KeyPair.from_seed(bytes(32)), Ed25519KeyPair.from_seed(b"\x01" * 32)
    with pytest.raises(InvalidSignatureError):
        verify_ed25519(other.public_key, signer.sign(b"m"), b"m")


@pytest.mark.parametrize("length", [0, 63, 65])
def test_verify_raises_on_a_signature_of_the_wrong_length(length: int) -> None:
    pair = Ed25519KeyPair.from_seed(bytes(32))
    with pytest.raises(InvalidSignatureError, match="64 bytes"):
        verify_ed25519(pair.public_key, bytes(length), b"m")


def test_verify_reports_a_malformed_public_key_as_a_key_error() -> None:
    with pytest.raises(InvalidKeyError):
        verify_ed25519(bytes(31), bytes(64), b"m")


def test_invalid_signature_is_a_crypto_error_but_not_a_value_error() -> None:
    assert issubclass(InvalidSignatureError, CryptoError)
    assert not issubclass(InvalidSignatureError, ValueError)


@given(st.binary(min_size=32, max_size=32), st.binary(max_size=200), st.integers(0, 511))
def test_any_flipped_signature_bit_is_rejected(seed: bytes, message: bytes, bit: int) -> None:
    pair = Ed25519KeyPair.from_seed(seed)
    signature = bytearray(pair.sign(message))
    verify_ed25519(pair.public_key, bytes(signature), message)
    signature[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(InvalidSignatureError):
        verify_ed25519(pair.public_key, bytes(signature), message)


# --- Multikey -------------------------------------------------------------------


def test_vector_secret_key_derives_the_vector_public_key(vector_key_pair: dict[str, str]) -> None:
    seed = secret_key_from_multibase(vector_key_pair["privateKeyMultibase"])
    pair = Ed25519KeyPair.from_seed(seed)
    assert public_key_multibase(pair.public_key) == vector_key_pair["publicKeyMultibase"]
    assert secret_key_multibase(pair.private_bytes()) == vector_key_pair["privateKeyMultibase"]


def test_vector_public_key_multibase_round_trips(vector_key_pair: dict[str, str]) -> None:
    text = vector_key_pair["publicKeyMultibase"]
    assert public_key_multibase(public_key_from_multibase(text)) == text


def test_public_multikey_carries_the_ed25519_pub_multicodec() -> None:
    text = public_key_multibase(bytes(32))
    assert text.startswith("z6Mk")
    assert decode_base58btc(text) == b"\xed\x01" + bytes(32)


def test_secret_multikey_carries_the_ed25519_priv_multicodec() -> None:
    text = secret_key_multibase(bytes(32))
    assert text.startswith("z3u2")
    assert decode_base58btc(text) == b"\x80\x26" + bytes(32)


@pytest.mark.parametrize(
    "text",
    [
        encode_base58btc(b"\xec\x01" + bytes(32)),  # X25519 public key multicodec
        encode_base58btc(b"\x80\x26" + bytes(32)),  # a secret key where a public one belongs
        encode_base58btc(b"\xed\x01" + bytes(31)),  # short key
        encode_base58btc(b"\xed\x01" + bytes(33)),  # long key
        "u7QEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  # base64url, not base58btc
        "z6Mk0OIl",  # characters outside the alphabet
    ],
)
def test_public_key_from_multibase_refuses_other_keys_and_encodings(text: str) -> None:
    with pytest.raises(InvalidKeyError):
        public_key_from_multibase(text)


def test_secret_key_from_multibase_refuses_a_public_key() -> None:
    with pytest.raises(InvalidKeyError):
        secret_key_from_multibase(public_key_multibase(bytes(32)))


@pytest.mark.parametrize("length", [31, 33])
def test_multikey_encoders_refuse_keys_of_the_wrong_length(length: int) -> None:
    with pytest.raises(InvalidKeyError):
        public_key_multibase(bytes(length))
    with pytest.raises(InvalidKeyError):
        secret_key_multibase(bytes(length))


@given(st.binary(min_size=32, max_size=32))
def test_multikey_round_trips(key: bytes) -> None:
    assert public_key_from_multibase(public_key_multibase(key)) == key
    assert secret_key_from_multibase(secret_key_multibase(key)) == key


# --- did:key ----------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "did"), DID_KEY_SEEDS)
def test_did_key_spec_vectors_seed_to_did(seed: str, did: str) -> None:
    public_key = Ed25519KeyPair.from_seed(bytes.fromhex(seed)).public_key
    assert did_key_from_public_key(public_key) == did
    assert public_key_from_did_key(did) == public_key


def test_verification_method_id_repeats_the_key_as_fragment() -> None:
    assert verification_method_id(SPEC_DID) == SPEC_VM


def test_did_key_document_has_the_spec_shape() -> None:
    assert did_key_document(SPEC_DID) == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": SPEC_DID,
        "verificationMethod": [
            {
                "id": SPEC_VM,
                "type": "Multikey",
                "controller": SPEC_DID,
                "publicKeyMultibase": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            }
        ],
        "authentication": [SPEC_VM],
        "assertionMethod": [SPEC_VM],
        "capabilityInvocation": [SPEC_VM],
        "capabilityDelegation": [SPEC_VM],
    }


def test_document_verification_method_resolves_to_the_did_public_key() -> None:
    document = did_key_document(SPEC_DID)
    method = document["verificationMethod"][0]
    assert public_key_from_multibase(method["publicKeyMultibase"]) == public_key_from_did_key(
        SPEC_DID
    )


def test_public_key_from_did_key_accepts_the_verification_method_id() -> None:
    assert public_key_from_did_key(SPEC_VM) == public_key_from_did_key(SPEC_DID)


@pytest.mark.parametrize(
    "value",
    [
        "did:web:example.com",
        "did:key:" + "z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW",  # X25519
        SPEC_DID + "#key-1",
        SPEC_DID + "#",
        "did:key:",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do",  # truncated
        "DID:KEY:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    ],
)
def test_public_key_from_did_key_refuses_other_identifiers(value: str) -> None:
    with pytest.raises(InvalidKeyError):
        public_key_from_did_key(value)


def test_did_key_document_refuses_a_did_url() -> None:
    with pytest.raises(InvalidKeyError):
        did_key_document(SPEC_VM)


def test_verification_method_id_refuses_a_non_did_key() -> None:
    with pytest.raises(InvalidKeyError):
        verification_method_id("did:web:example.com")


@given(st.binary(min_size=32, max_size=32))
def test_did_key_round_trips_through_did_and_document(public_key: bytes) -> None:
    did = did_key_from_public_key(public_key)
    assert public_key_from_did_key(did) == public_key
    assert public_key_from_did_key(verification_method_id(did)) == public_key
    method = did_key_document(did)["verificationMethod"][0]
    assert method["id"] == verification_method_id(did)
    assert public_key_from_multibase(method["publicKeyMultibase"]) == public_key
