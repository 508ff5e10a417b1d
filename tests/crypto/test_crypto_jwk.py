"""Public JWKs for Ed25519 and P-256 (RFC 7517, 7518, 8037) and RFC 7638 thumbprints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.errors import InvalidKeyError
from credledger.crypto.jwk import JwkError, PublicJwk, jwk_thumbprint, parse_public_jwk
from credledger.crypto.strict_base64 import decode_base64url
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..jose_helpers import b64url, public_jwk

P256_PRIME = 2**256 - 2**224 + 2**192 + 2**96 - 1


def rfc(test_data: Path, name: str) -> dict[str, Any]:
    return json.loads((test_data / "vectors" / "jose-rfc" / name).read_text("utf-8"))


# -- the RFCs' own examples ------------------------------------------------------------------


def test_rfc_7638_thumbprint_of_the_rsa_example(test_data: Path) -> None:
    example = rfc(test_data, "rfc7638-section-3.1.json")["3.1"]
    assert jwk_thumbprint(example["jwk"]) == example["thumbprint"]


def test_rfc_7638_thumbprint_ignores_the_optional_members(test_data: Path) -> None:
    example = rfc(test_data, "rfc7638-section-3.1.json")["3.1"]
    required = {name: example["jwk"][name] for name in ("kty", "n", "e")}
    assert jwk_thumbprint(required) == jwk_thumbprint(example["jwk"]) == example["thumbprint"]


def test_rfc_8037_a3_thumbprint_of_the_ed25519_key(test_data: Path) -> None:
    vectors = rfc(test_data, "rfc8037-appendix-a.json")
    key = parse_public_jwk(vectors["A.2"]["public_jwk"])
    assert key.thumbprint() == vectors["A.3"]["thumbprint"]
    assert (
        json.dumps(key.members(), sort_keys=True, separators=(",", ":"))
        == (vectors["A.3"]["thumbprint_input"])
    )


def test_rfc_8037_a1_private_key_is_refused_as_a_public_jwk(test_data: Path) -> None:
    private = rfc(test_data, "rfc8037-appendix-a.json")["A.1"]["private_jwk"]
    with pytest.raises(JwkError, match="private key material"):
        parse_public_jwk(private)


def test_rfc_8037_a2_public_key_is_the_a1_key_bytes(test_data: Path) -> None:
    vectors = rfc(test_data, "rfc8037-appendix-a.json")
    key = parse_public_jwk(vectors["A.2"]["public_jwk"])
    assert key.x.hex() == vectors["A.1"]["public_key_hex"]
    assert (key.kty, key.crv, key.algorithm) == ("OKP", "Ed25519", "EdDSA")


def test_rfc_7515_a3_p256_key_reads_once_its_private_member_is_gone(test_data: Path) -> None:
    jwk = rfc(test_data, "rfc7515-appendix-a3.json")["A.3.1"]["jwk"]
    with pytest.raises(JwkError, match=r"private key material \(d\)"):
        parse_public_jwk(jwk)
    public = {name: value for name, value in jwk.items() if name != "d"}
    key = parse_public_jwk(public)
    assert key.members() == public
    assert (key.kty, key.crv, key.algorithm) == ("EC", "P-256", "ES256")


# -- what a reader must refuse --------------------------------------------------------------


def p256_members() -> dict[str, str]:
    return public_jwk(ec.generate_private_key(ec.SECP256R1()))


def ed25519_members() -> dict[str, str]:
    return public_jwk(Ed25519PrivateKey.generate())


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"d": "AAAA"}, "private key material"),
        ({"kty": "RSA"}, "key type 'RSA' is not accepted"),
        ({"kty": "oct"}, "key type 'oct' is not accepted"),
        ({"crv": "P-384"}, "curve 'P-384' is not accepted"),
        ({"crv": "secp256k1"}, "curve 'secp256k1' is not accepted"),
        ({"use": "enc"}, "not for signatures"),
        ({"key_ops": ["encrypt"]}, "key_ops do not include verify"),
        ({"alg": "ES384"}, "signs ES256"),
        ({"x": None}, "member x is missing"),
        ({"y": 7}, "member y is missing or not a string"),
    ],
)
def test_a_p256_jwk_is_refused_when(change: dict[str, Any], reason: str) -> None:
    jwk = {**p256_members(), **change}
    jwk = {name: value for name, value in jwk.items() if value is not None}
    with pytest.raises(JwkError, match=reason):
        parse_public_jwk(jwk)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"crv": "X25519"}, "OKP curve 'X25519' is not accepted"),
        ({"crv": "Ed448"}, "OKP curve 'Ed448' is not accepted"),
        ({"y": "AAAA"}, "an OKP key has no y"),
        ({"x": b64url(bytes(31))}, "must be 32 bytes, got 31"),
        ({"alg": "ES256"}, "signs EdDSA"),
    ],
)
def test_an_ed25519_jwk_is_refused_when(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(JwkError, match=reason):
        parse_public_jwk({**ed25519_members(), **change})


def test_a_point_off_the_curve_is_refused() -> None:
    jwk = p256_members()
    y = int.from_bytes(_coordinate(jwk, "y"), "big")
    jwk["y"] = b64url(((y + 1) % P256_PRIME).to_bytes(32, "big"))
    with pytest.raises(JwkError, match="not a point on the P-256 curve"):
        parse_public_jwk(jwk)


def test_a_coordinate_above_the_field_prime_is_refused() -> None:
    """x + p names the same field element as x: a second spelling of one key."""
    x, y = small_x_point()
    point = {"kty": "EC", "crv": "P-256", "y": b64url(y.to_bytes(32, "big"))}
    assert parse_public_jwk({**point, "x": b64url(x.to_bytes(32, "big"))}).crv == "P-256"
    with pytest.raises(JwkError, match="not below the field prime"):
        parse_public_jwk({**point, "x": b64url((x + P256_PRIME).to_bytes(32, "big"))})


def small_x_point() -> tuple[int, int]:
    """The P-256 point with the smallest x (y = sqrt(x^3 - 3x + b), p = 3 mod 4)."""
    b = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
    for x in range(1, 100):
        rhs = (x**3 - 3 * x + b) % P256_PRIME
        y = pow(rhs, (P256_PRIME + 1) // 4, P256_PRIME)
        if y * y % P256_PRIME == rhs:
            return x, y
    raise AssertionError("no point with a small x")


def test_a_coordinate_without_its_leading_zeros_is_refused() -> None:
    """RFC 7518 §6.2.1.2: the full 32 octets, so one key has one spelling."""
    jwk = p256_members()
    jwk["x"] = b64url(bytes(1) + _coordinate(jwk, "x"))
    with pytest.raises(JwkError, match="must be 32 bytes, got 33"):
        parse_public_jwk(jwk)


def test_a_coordinate_spelt_with_padding_or_stray_bits_is_refused() -> None:
    jwk = ed25519_members()
    with pytest.raises(JwkError, match="no padding"):
        parse_public_jwk({**jwk, "x": jwk["x"] + "="})
    last = jwk["x"][-1]
    stray = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    other = stray[stray.index(last) ^ 1]  # same 4 significant bits, another unused bit
    with pytest.raises(JwkError, match="not canonical"):
        parse_public_jwk({**jwk, "x": jwk["x"][:-1] + other})


def test_a_jwk_is_a_json_object() -> None:
    with pytest.raises(JwkError, match="a JWK is a JSON object"):
        parse_public_jwk('{"kty":"OKP"}')


def test_unknown_members_are_ignored_and_dropped() -> None:
    """RFC 7517 §4: members not understood are ignored; members() holds the key only."""
    jwk = ed25519_members()
    key = parse_public_jwk({**jwk, "kid": "wallet-1", "ext": True, "use": "sig"})
    assert key.members() == jwk


def test_every_jwk_error_is_an_invalid_key_error() -> None:
    assert issubclass(JwkError, InvalidKeyError)


def test_a_compressed_p256_point_gives_the_same_key() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    numbers = private.public_key().public_numbers()
    prefix = b"\x03" if numbers.y & 1 else b"\x02"
    key = PublicJwk.p256(prefix + numbers.x.to_bytes(32, "big"))
    assert key.members() == public_jwk(private)
    assert key.compressed_point() == prefix + numbers.x.to_bytes(32, "big")


@pytest.mark.parametrize("kty", ["EC", "OKP", "RSA", "oct"])
def test_a_thumbprint_needs_every_required_member(kty: str) -> None:
    with pytest.raises(JwkError, match="missing or not a string"):
        jwk_thumbprint({"kty": kty})


@pytest.mark.parametrize("kty", ["EC2", None, 1])
def test_a_thumbprint_is_defined_only_for_the_registered_key_types(kty: Any) -> None:
    with pytest.raises(JwkError, match="no thumbprint is defined"):
        jwk_thumbprint({"kty": kty, "x": "AA"})


def _coordinate(jwk: dict[str, str], name: str) -> bytes:
    return decode_base64url(jwk[name])
