"""Compact JWS read strictly and verified with EdDSA (RFC 8037) and ES256 (RFC 7518 §3.4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.errors import CryptoError, InvalidSignatureError
from credledger.crypto.jwk import PublicJwk, parse_public_jwk
from credledger.crypto.jws import (
    MAX_COMPACT_JWS_CHARS,
    JwsAlgorithmError,
    JwsError,
    parse_compact_jws,
    strict_json_object,
    verify_jws_signature,
)
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from ..jose_helpers import PrivateKey, algorithm, b64url, public_jwk, segment, sign_jws


def rfc(test_data: Path, name: str) -> dict[str, Any]:
    return json.loads((test_data / "vectors" / "jose-rfc" / name).read_text("utf-8"))


def verified(token: str, key: PrivateKey) -> bytes:
    jws = parse_compact_jws(token)
    verify_jws_signature(jws, parse_public_jwk(public_jwk(key)))
    return jws.payload


ED25519 = Ed25519PrivateKey.generate()
P256 = ec.generate_private_key(ec.SECP256R1())
KEYS = {"EdDSA": ED25519, "ES256": P256}


# -- the RFCs' examples ----------------------------------------------------------------------


def test_rfc_8037_a4_ed25519_jws_verifies(test_data: Path) -> None:
    vectors = rfc(test_data, "rfc8037-appendix-a.json")
    example = vectors["A.4"]
    jws = parse_compact_jws(example["compact"])
    verify_jws_signature(jws, parse_public_jwk(vectors["A.2"]["public_jwk"]))
    assert jws.header == json.loads(example["protected_header"])
    assert jws.payload == example["payload"].encode()
    assert jws.signing_input == example["signing_input"].encode()
    assert jws.signature.hex() == example["signature_hex"]


def test_rfc_8037_a4_signature_is_what_the_a1_key_makes(test_data: Path) -> None:
    """Ed25519 is deterministic: the RFC's key signs the signing input to the same bytes."""
    vectors = rfc(test_data, "rfc8037-appendix-a.json")
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vectors["A.1"]["secret_key_hex"]))
    assert (
        sign_jws(vectors["A.4"]["protected_header"], vectors["A.4"]["payload"], key)
        == (vectors["A.4"]["compact"])
    )


def test_rfc_7515_a3_es256_jws_verifies(test_data: Path) -> None:
    """The example's signature is randomized: it is verified, never re-made."""
    example = rfc(test_data, "rfc7515-appendix-a3.json")["A.3.1"]
    public = {name: value for name, value in example["jwk"].items() if name != "d"}
    jws = parse_compact_jws(example["compact"])
    verify_jws_signature(jws, parse_public_jwk(public))
    assert jws.algorithm == "ES256"
    assert jws.payload == example["payload"].encode()
    assert jws.payload_object() == {
        "iss": "joe",
        "exp": 1300819380,
        "http://example.com/is_root": True,
    }


def test_rfc_7515_a3_signature_fails_under_another_p256_key(test_data: Path) -> None:
    example = rfc(test_data, "rfc7515-appendix-a3.json")["A.3.1"]
    with pytest.raises(InvalidSignatureError, match="ES256 signature does not verify"):
        verify_jws_signature(
            parse_compact_jws(example["compact"]), parse_public_jwk(public_jwk(P256))
        )


def test_rfc_8037_a4_refused_when_only_es256_is_allowed(test_data: Path) -> None:
    example = rfc(test_data, "rfc8037-appendix-a.json")["A.4"]
    with pytest.raises(JwsAlgorithmError, match="alg 'EdDSA' is not accepted"):
        parse_compact_jws(example["compact"], algorithms=["ES256"])


# -- round trips, and every changed byte fails ----------------------------------------------


@given(st.sampled_from(sorted(KEYS)), st.binary(max_size=300))
def test_a_signed_payload_verifies_and_reads_back(alg: str, payload: bytes) -> None:
    key = KEYS[alg]
    token = sign_jws({"alg": alg}, payload, key)
    assert verified(token, key) == payload


@given(st.sampled_from(sorted(KEYS)), st.binary(min_size=1, max_size=64), st.data())
def test_any_single_byte_changed_fails(alg: str, payload: bytes, data: st.DataObject) -> None:
    """A change anywhere (header, payload or signature bytes) is refused: as a malformed
    token, a refused header, or a signature that does not verify."""
    key = KEYS[alg]
    header = json.dumps({"alg": alg, "typ": "JWT"}).encode()
    header_text, payload_text, signature_text = sign_jws(header, payload, key).split(".")
    parts = [header, payload, _unsegment(signature_text)]
    which = data.draw(st.integers(0, 2), label="part")
    at = data.draw(st.integers(0, len(parts[which]) - 1), label="byte")
    flip = data.draw(st.integers(1, 255), label="xor")
    changed = bytearray(parts[which])
    changed[at] ^= flip
    parts[which] = bytes(changed)
    token = ".".join(b64url(part) for part in parts)
    assert token != f"{header_text}.{payload_text}.{signature_text}"
    with pytest.raises(CryptoError):
        verified(token, key)


def _unsegment(text: str) -> bytes:
    from credledger.crypto.strict_base64 import decode_base64url

    return decode_base64url(text)


@pytest.mark.parametrize("alg", sorted(KEYS))
def test_a_key_of_the_other_algorithm_never_checks_a_signature(alg: str) -> None:
    other = KEYS["ES256" if alg == "EdDSA" else "EdDSA"]
    jws = parse_compact_jws(sign_jws({"alg": alg}, b"x", KEYS[alg]))
    with pytest.raises(JwsAlgorithmError, match=f"but the JWS says {alg}"):
        verify_jws_signature(jws, parse_public_jwk(public_jwk(other)))


def test_an_es256_signature_in_der_is_refused() -> None:
    """RFC 7518 §3.4: R || S, 64 bytes; the DER cryptography makes is ~70."""
    from cryptography.hazmat.primitives import hashes

    signing_input = f"{segment({'alg': 'ES256'})}.{segment(b'x')}"
    der = P256.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    with pytest.raises(JwsError, match="ES256 signature is 64 bytes"):
        parse_compact_jws(f"{signing_input}.{b64url(der)}")


@pytest.mark.parametrize(("r", "s"), [(0, 1), (1, 0), (2**256 - 1, 1)])
def test_an_es256_signature_out_of_range_does_not_verify(r: int, s: int) -> None:
    signing_input = f"{segment({'alg': 'ES256'})}.{segment(b'x')}"
    token = f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    with pytest.raises(InvalidSignatureError, match="out of range"):
        verify_jws_signature(parse_compact_jws(token), PublicJwk.p256(_point(P256)))


def _point(key: ec.EllipticCurvePrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


# -- what the reader refuses ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ({"alg": "none"}, "alg none"),
        ({"alg": "None"}, "alg none"),
        ({"alg": "HS256"}, "HS256 is a shared-secret MAC"),
        ({"alg": "RS256"}, "alg 'RS256' is not accepted"),
        ({"alg": "ES256K"}, "alg 'ES256K' is not accepted"),
        ({"alg": "Ed25519"}, "alg 'Ed25519' is not accepted"),
        ({"typ": "JWT"}, "names no algorithm"),
        ({"alg": ["ES256"]}, "names no algorithm"),
    ],
)
def test_an_algorithm_outside_the_allow_list_is_refused(
    header: dict[str, Any], reason: str
) -> None:
    token = f"{segment(header)}.{segment(b'x')}.{b64url(bytes(64))}"
    with pytest.raises(JwsAlgorithmError, match=reason):
        parse_compact_jws(token)


def test_an_unsecured_jws_with_an_empty_signature_is_refused() -> None:
    with pytest.raises(JwsError):
        parse_compact_jws(f"{segment({'alg': 'none'})}.{segment(b'x')}.")


@pytest.mark.parametrize(
    ("header", "understood", "reason"),
    [
        ({"crit": ["exp"], "exp": 1}, (), "'exp' is not understood"),
        ({"crit": ["exp"], "exp": 1}, ("iat",), "'exp' is not understood"),
        ({"crit": ["exp"]}, ("exp",), "which the header does not hold"),
        ({"crit": ["alg"]}, ("alg",), "may not name alg"),
        ({"crit": []}, (), "non-empty list"),
        ({"crit": "exp", "exp": 1}, ("exp",), "non-empty list"),
        ({"crit": ["exp", "exp"], "exp": 1}, ("exp",), "twice"),
        ({"b64": False}, (), "unencoded payloads"),
    ],
)
def test_a_critical_header_is_refused_unless_understood(
    header: dict[str, Any], understood: tuple[str, ...], reason: str
) -> None:
    token = sign_jws({"alg": "EdDSA", **header}, b"x", ED25519)
    with pytest.raises(JwsError, match=reason):
        parse_compact_jws(token, understood_critical=understood)


def test_an_understood_critical_header_is_accepted() -> None:
    token = sign_jws({"alg": "EdDSA", "crit": ["exp"], "exp": 1}, b"x", ED25519)
    assert parse_compact_jws(token, understood_critical=["exp"]).header["exp"] == 1


def test_a_repeated_header_member_is_refused() -> None:
    """The signer may have read the first alg, a lax parser the last."""
    header = b'{"alg":"EdDSA","alg":"none"}'
    with pytest.raises(JwsError, match="'alg' appears twice"):
        parse_compact_jws(sign_jws(header, b"x", ED25519))


def test_a_repeated_claim_is_refused_at_any_depth() -> None:
    payload = b'{"aud":"a","cnf":{"jwk":1,"jwk":2}}'
    jws = parse_compact_jws(sign_jws({"alg": "EdDSA"}, payload, ED25519))
    with pytest.raises(JwsError, match="'jwk' appears twice"):
        jws.payload_object()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b'{"iat": NaN}', "NaN is not a JSON number"),
        (b'{"iat": Infinity}', "Infinity is not a JSON number"),
        (b'{"a": "\\ud800"}', "lone surrogate"),
        (b"\xff{}", "not UTF-8"),
        (b"[]", "not a JSON object"),
        (b"", "not valid JSON"),
        (b"\xef\xbb\xbf{}", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
    ],
)
def test_json_that_a_parser_would_have_to_guess_at_is_refused(text: bytes, reason: str) -> None:
    with pytest.raises(JwsError, match=reason):
        strict_json_object(text, "JWT claims")


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda t: t + "=", "no padding"),
        (lambda t: t.replace(".", "=.", 1), "no padding"),
        (lambda t: t.replace("-", "+").replace("_", "/") + "+/", "no padding"),
        (lambda t: t + ".x", "three dot-separated parts, this has 4"),
        (lambda t: t.rsplit(".", 1)[0], "three dot-separated parts, this has 2"),
        (lambda t: "." + t.split(".", 1)[1], "header is empty"),
        (lambda t: t.rsplit(".", 1)[0] + ".", "signature is empty"),
        (lambda t: t.replace(".", " .", 1), "no padding"),
        (lambda t: t + "A" * MAX_COMPACT_JWS_CHARS, "longer than"),
    ],
)
def test_a_malformed_compact_jws_is_refused(mangle: Any, reason: str) -> None:
    token = sign_jws({"alg": "EdDSA"}, {"aud": "x"}, ED25519)
    with pytest.raises(JwsError, match=reason):
        parse_compact_jws(mangle(token))


def test_a_segment_with_stray_bits_is_refused() -> None:
    """The same bytes in a second spelling: the payload ``x`` is ``eA``, 4 bits of its
    last character unused; ``eB`` sets one of them."""
    header, payload, signature = sign_jws({"alg": "EdDSA"}, b"x", ED25519).split(".")
    assert payload == "eA"
    with pytest.raises(JwsError, match="not canonical base64url"):
        parse_compact_jws(f"{header}.eB.{signature}")


def test_a_token_must_be_a_string() -> None:
    with pytest.raises(JwsError, match="is a string"):
        parse_compact_jws(b"a.b.c")  # type: ignore[arg-type]


def test_the_allow_list_names_only_what_can_be_verified() -> None:
    with pytest.raises(ValueError, match="cannot verify"):
        parse_compact_jws("a.b.c", algorithms=["ES256", "HS256"])


@pytest.mark.parametrize("alg", sorted(KEYS))
def test_the_algorithm_helper_agrees_with_the_key(alg: str) -> None:
    assert algorithm(KEYS[alg]) == alg == parse_public_jwk(public_jwk(KEYS[alg])).algorithm
