"""OpenID4VCI 1.0 ``jwt`` key proofs (Appendix F.1): what proves a key, and what is refused
with which error code (§8.3.1.2). The proofs are made with ``cryptography`` alone, the way
a wallet makes them (tests/jose_helpers.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from credledger.ledger.domain.errors import (
    KeyProofAlgorithmError,
    KeyProofAudienceError,
    KeyProofClientError,
    KeyProofKeyError,
    KeyProofMalformedError,
    KeyProofNonceError,
    KeyProofNonceMissingError,
    KeyProofNotTypedError,
    KeyProofRefusedError,
    KeyProofSignatureError,
    KeyProofTimeError,
)
from credledger.ledger.verify.key_proofs import (
    KEY_PROOF_ALGORITHMS,
    KeyProofPolicy,
    NonceVerdict,
    ProvenKey,
    expecting_nonce,
    verify_key_proof,
    verify_proofs_parameter,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ...jose_helpers import (
    ISSUER,
    PrivateKey,
    b64url,
    base58btc,
    did_key,
    did_key_url,
    key_proof,
    private_jwk,
    public_jwk,
    segment,
    sign_jws,
)

NOW = datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC)
IAT = NOW.timestamp()
NONCE = "wKI4LT17ac15ES9bw8ac4"
ED25519 = Ed25519PrivateKey.generate()
P256 = ec.generate_private_key(ec.SECP256R1())
OTHER_P256 = ec.generate_private_key(ec.SECP256R1())
OTHER_ED25519 = Ed25519PrivateKey.generate()

ALLOWED_IN_ERROR_DESCRIPTION = {chr(c) for c in range(0x20, 0x7F)} - {'"', "\\"}
"""%x20-21 / %x23-5B / %x5D-7E (OpenID4VCI §8.3.1.2)."""


def accepted(proof: str, **given: Any) -> ProvenKey:
    given.setdefault("nonce", expecting_nonce(NONCE))
    return verify_key_proof(proof, credential_issuer=ISSUER, now=NOW, **given)


def refused(proof: str, **given: Any) -> KeyProofRefusedError:
    with pytest.raises(KeyProofRefusedError) as caught:
        accepted(proof, **given)
    return caught.value


def proof(key: PrivateKey = P256, **made: Any) -> str:
    made.setdefault("nonce", NONCE)
    made.setdefault("iat", IAT)
    return key_proof(key, **made)


# -- what proves a key -----------------------------------------------------------------------


def test_an_eddsa_proof_by_a_did_key_proves_that_did_key() -> None:
    proven = accepted(proof(ED25519, by="kid"))
    assert proven.did == did_key(ED25519)
    assert proven.did.startswith("did:key:z6Mk")
    assert proven.verification_method == did_key_url(ED25519)
    assert proven.algorithm == "EdDSA"
    assert proven.public_jwk == public_jwk(ED25519)


def test_an_es256_proof_by_a_p256_did_key_proves_that_did_key() -> None:
    proven = accepted(proof(P256, by="kid"))
    assert proven.did == did_key(P256)
    assert proven.did.startswith("did:key:zDn")
    assert proven.algorithm == "ES256"
    assert proven.public_jwk == public_jwk(P256)


def test_an_eddsa_proof_by_a_jwk_proves_the_did_key_of_that_jwk() -> None:
    proven = accepted(proof(ED25519, by="jwk"))
    assert proven.did == did_key(ED25519)
    assert proven.public_jwk == public_jwk(ED25519)


def test_an_es256_proof_by_a_jwk_proves_the_p256_did_key_of_that_jwk() -> None:
    proven = accepted(proof(P256, by="jwk"))
    assert proven.did == did_key(P256)
    assert proven.verification_method == did_key_url(P256)


def test_the_proven_key_says_when_and_for_which_nonce_it_was_proven() -> None:
    proven = accepted(proof(P256, iat=IAT - 30))
    assert proven.issued_at == NOW - timedelta(seconds=30)
    assert proven.nonce == NONCE
    assert proven.client_id is None


def test_the_specifications_own_example_proof_is_accepted(test_data: Path) -> None:
    example = json.loads(
        (test_data / "vectors" / "oid4vci" / "jwt-proof-example.json").read_text("utf-8")
    )
    proven = verify_key_proof(
        example["proof"],
        credential_issuer=example["credential_issuer"],
        now=datetime.fromtimestamp(example["iat"], UTC),
        nonce=expecting_nonce(example["c_nonce"]),
    )
    assert proven.public_jwk == example["holder_jwk"]
    assert proven.did.startswith("did:key:zDn")


@pytest.mark.parametrize("age", [timedelta(seconds=300), timedelta(seconds=-60)])
def test_a_proof_made_at_the_edge_of_the_window_is_accepted(age: timedelta) -> None:
    assert accepted(proof(iat=(NOW - age).timestamp())).issued_at == NOW - age


def test_the_window_is_the_callers_to_choose() -> None:
    policy = KeyProofPolicy(max_age=timedelta(hours=1), clock_skew=timedelta(0))
    assert accepted(proof(iat=IAT - 3000), policy=policy)
    assert isinstance(refused(proof(iat=IAT + 1), policy=policy), KeyProofTimeError)


def test_the_typ_may_carry_the_application_prefix() -> None:
    """RFC 7515 §4.1.9: ``application/`` may be left out, so both spellings are one type."""
    assert accepted(proof(header={"typ": "application/openid4vci-proof+jwt"}))


def test_a_proof_naming_the_tokens_client_is_accepted() -> None:
    proven = accepted(proof(claims={"iss": "wallet-app"}), client_id="wallet-app")
    assert proven.client_id == "wallet-app"


def test_a_proof_without_iss_is_accepted_for_a_known_client_too() -> None:
    assert accepted(proof(), client_id="wallet-app").client_id is None


def test_the_algorithms_to_list_in_the_issuer_metadata() -> None:
    assert set(KEY_PROOF_ALGORITHMS) == {"EdDSA", "ES256"}


# -- what is refused, and with which OpenID4VCI error ---------------------------------------


def p384_did_key_url() -> str:
    key = ec.generate_private_key(ec.SECP384R1())
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    did = "did:key:" + base58btc(b"\x81\x24" + point)  # p384-pub, 0x1201
    return f"{did}#{did.removeprefix('did:key:')}"


def hs256_proof() -> str:
    """The classic confusion: a MAC keyed with the public key's bytes."""
    header = {"typ": "openid4vci-proof+jwt", "alg": "HS256", "jwk": public_jwk(ED25519)}
    signing_input = f"{segment(header)}.{segment({'aud': ISSUER, 'iat': IAT, 'nonce': NONCE})}"
    secret = json.dumps(public_jwk(ED25519)).encode()
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def unsecured_proof() -> str:
    header = {"typ": "openid4vci-proof+jwt", "alg": "none", "kid": did_key_url(P256)}
    return f"{segment(header)}.{segment({'aud': ISSUER, 'iat': IAT, 'nonce': NONCE})}."


def with_header_bytes(header: bytes, key: PrivateKey = P256) -> str:
    return sign_jws(header, {"aud": ISSUER, "iat": IAT, "nonce": NONCE}, key)


def with_claims_bytes(claims: bytes, key: PrivateKey = P256) -> str:
    header = {"typ": "openid4vci-proof+jwt", "alg": "ES256", "kid": did_key_url(key)}
    return sign_jws(header, claims, key)


def respelt_signature(token: str) -> str:
    """The same signature bytes, one unused bit of the last character set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return token[:-1] + alphabet[alphabet.index(token[-1]) | 1]


KID = did_key_url(P256)
MANGLED_VALUE = KID.split("#")[1][:-3] + "0OI"
MANGLED_KID = f"did:key:{MANGLED_VALUE}#{MANGLED_VALUE}"
REFUSALS: list[tuple[str, Callable[[], str], type[KeyProofRefusedError], str]] = [
    # form
    ("typ is JWT", lambda: proof(header={"typ": "JWT"}), KeyProofNotTypedError,
     "not openid4vci-proof+jwt"),
    ("typ is missing", lambda: proof(header={"typ": None}), KeyProofNotTypedError, "absent"),
    ("alg is none", unsecured_proof, KeyProofAlgorithmError, "alg none"),
    ("alg is HS256", hs256_proof, KeyProofAlgorithmError, "shared-secret MAC"),
    ("alg is ES384", lambda: proof(header={"alg": "ES384"}), KeyProofAlgorithmError,
     "'ES384' is not accepted"),
    ("alg is not the key's", lambda: proof(P256, header={"alg": "EdDSA"}),
     KeyProofAlgorithmError, "a P-256 key signs ES256"),
    ("a crit extension is not understood",
     lambda: proof(header={"crit": ["key_attestation"], "key_attestation": "x"}),
     KeyProofMalformedError, "not understood"),
    ("a segment is padded", lambda: proof().replace(".", "=.", 1), KeyProofMalformedError,
     "no padding"),
    ("the signature is spelt with stray bits", lambda: respelt_signature(proof()),
     KeyProofMalformedError, "not canonical base64url"),
    ("it is not a compact JWS", lambda: "eyJhbGciOiJFUzI1NiJ9", KeyProofMalformedError,
     "three dot-separated parts"),
    ("the header repeats a member",
     lambda: with_header_bytes(
         b'{"typ":"openid4vci-proof+jwt","alg":"ES256","kid":"%s","kid":"%s"}'
         % (KID.encode(), did_key_url(OTHER_P256).encode())),
     KeyProofMalformedError, "'kid' appears twice"),
    ("the claims repeat a member",
     lambda: with_claims_bytes(
         b'{"aud":"%s","iat":%d,"nonce":"stolen","nonce":"%s"}'
         % (ISSUER.encode(), int(IAT), NONCE.encode())),
     KeyProofMalformedError, "'nonce' appears twice"),
    ("the claims are not an object", lambda: with_claims_bytes(b"[1]"), KeyProofMalformedError,
     "not a JSON object"),
    # the key
    ("kid and jwk both", lambda: proof(header={"jwk": public_jwk(P256)}), KeyProofKeyError,
     "kid and jwk"),
    ("neither kid nor jwk", lambda: proof(header={"kid": None}), KeyProofKeyError,
     "names no key"),
    ("the jwk is private", lambda: proof(by="jwk", header={"jwk": private_jwk(P256)}),
     KeyProofKeyError, "private key material (d)"),
    ("the jwk is an Ed25519 private key", lambda: proof(ED25519, by="jwk",
     header={"jwk": private_jwk(ED25519)}), KeyProofKeyError, "private key material (d)"),
    ("x5c is given", lambda: proof(by="jwk", header={"jwk": None, "x5c": ["MIIB"]}),
     KeyProofKeyError, "x5c certificate chains are not accepted"),
    ("a trust chain is given", lambda: proof(header={"trust_chain": ["e30"]}),
     KeyProofKeyError, "trust chains are not accepted"),
    ("kid is a did:key of a P-384 key", lambda: proof(header={"kid": p384_did_key_url()}),
     KeyProofKeyError, "a did:key of a P-384 key is not accepted"),
    ("kid is no did:key", lambda: proof(header={"kid": "did:web:wallet.example#key-1"}),
     KeyProofKeyError, "not a did:key DID URL"),
    ("kid is a did:key without its fragment", lambda: proof(header={"kid": did_key(P256)}),
     KeyProofKeyError, "not a did:key DID URL"),
    ("kid names its key twice",
     lambda: proof(header={"kid": f"{did_key(P256)}#{did_key(OTHER_P256)[8:]}"}),
     KeyProofKeyError, "fragment must repeat the key value"),
    ("kid is not base58btc", lambda: proof(header={"kid": MANGLED_KID}), KeyProofKeyError,
     "not base58btc"),
    # the signature
    ("another key signed than kid names", lambda: proof(P256, signer=OTHER_P256),
     KeyProofSignatureError, "does not verify under the key its header names (kid)"),
    ("another key signed than jwk names", lambda: proof(ED25519, by="jwk",
     signer=OTHER_ED25519), KeyProofSignatureError, "(jwk)"),
    # the claims
    ("aud is another issuer", lambda: proof(aud="https://other.example"),
     KeyProofAudienceError, "not for this credential issuer"),
    ("aud is a list", lambda: proof(claims={"aud": [ISSUER]}), KeyProofAudienceError,
     "as a string"),
    ("aud is missing", lambda: proof(claims={"aud": None}), KeyProofAudienceError,
     "as a string"),
    ("iat is stale", lambda: proof(iat=IAT - 301), KeyProofTimeError, "more than 300 s ago"),
    ("iat is in the future", lambda: proof(iat=IAT + 61), KeyProofTimeError, "in the future"),
    ("iat is missing", lambda: proof(claims={"iat": None}), KeyProofTimeError, "no iat"),
    ("iat is text", lambda: proof(claims={"iat": "1764763200"}), KeyProofTimeError,
     "number of seconds"),
    ("iat is true", lambda: proof(claims={"iat": True}), KeyProofTimeError, "number of seconds"),
    ("iat is out of range", lambda: proof(claims={"iat": 1e300}), KeyProofTimeError,
     "out of range"),
    ("exp has passed", lambda: proof(claims={"exp": IAT - 120}), KeyProofTimeError, "expired"),
    ("nbf is ahead", lambda: proof(claims={"nbf": IAT + 120}), KeyProofTimeError,
     "not valid yet"),
    ("iss names a client, but the token has none",
     lambda: proof(claims={"iss": "wallet-app"}), KeyProofClientError, "must be left out"),
    # the nonce
    ("nonce is missing", lambda: proof(nonce=None), KeyProofNonceMissingError,
     "carries no nonce"),
    ("nonce is not a string", lambda: proof(nonce=None, claims={"nonce": 7}),
     KeyProofMalformedError, "nonce must be a string"),
    ("nonce is not the issuer's", lambda: proof(nonce="guessed"), KeyProofNonceError,
     "not a c_nonce this issuer gave"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "error", "says"),
    [pytest.param(make, error, says, id=name) for name, make, error, says in REFUSALS],
)
def test_a_proof_is_refused_when(
    make: Callable[[], str], error: type[KeyProofRefusedError], says: str
) -> None:
    refusal = refused(make())
    assert type(refusal) is error
    assert says in str(refusal)
    answered = "invalid_nonce" if error is KeyProofNonceError else "invalid_proof"
    assert refusal.oid4vci_error == answered
    assert set(refusal.error_description) <= ALLOWED_IN_ERROR_DESCRIPTION


def test_a_wrong_nonce_is_answered_invalid_nonce() -> None:
    refusal = refused(proof(nonce="guessed"))
    assert refusal.oid4vci_error == "invalid_nonce"
    assert "fetch one from the Nonce Endpoint" in refusal.error_description


def test_a_nonce_no_longer_fresh_is_answered_invalid_nonce() -> None:
    refusal = refused(proof(), nonce=expecting_nonce(NONCE, fresh=False))
    assert isinstance(refusal, KeyProofNonceError)
    assert refusal.oid4vci_error == "invalid_nonce"
    assert "no longer fresh" in str(refusal)


def test_no_nonce_given_out_makes_every_nonce_invalid() -> None:
    refusal = refused(proof(), nonce=expecting_nonce(None))
    assert refusal.oid4vci_error == "invalid_nonce"


def test_the_nonce_is_judged_only_for_a_proof_that_verifies() -> None:
    """A forged proof never reaches the caller's nonce store."""
    asked: list[str] = []

    def judge(nonce: str) -> NonceVerdict:
        asked.append(nonce)
        return NonceVerdict.FRESH

    refused(proof(P256, signer=OTHER_P256), nonce=judge)
    assert asked == []
    accepted(proof(P256), nonce=judge)
    assert asked == [NONCE]


def test_the_error_description_keeps_only_what_openid4vci_allows() -> None:
    """The description may quote what the wallet sent: quotes, backslashes, control and
    non-ASCII characters are replaced, so the JSON answer needs no escapes."""
    refusal = refused(proof(aud='https://evil.example/"\\\u00fc\n'))
    assert isinstance(refusal, KeyProofAudienceError)
    assert set(refusal.error_description) <= ALLOWED_IN_ERROR_DESCRIPTION
    assert "https://evil.example/" in refusal.error_description


def test_a_proof_naming_another_client_is_refused() -> None:
    refusal = refused(proof(claims={"iss": "other-app"}), client_id="wallet-app")
    assert isinstance(refusal, KeyProofClientError)


def test_a_proof_that_is_no_string_is_refused() -> None:
    refusal = refused({"jwt": "x"})  # type: ignore[arg-type]
    assert isinstance(refusal, KeyProofMalformedError)


def test_the_refusal_names_the_proofs_field() -> None:
    refusal = refused(proof(aud="https://other.example"))
    assert [error.loc for error in refusal.errors] == [("proofs",)]


def test_now_must_say_its_time_zone() -> None:
    with pytest.raises(ValueError, match="aware"):
        verify_key_proof(
            proof(),
            credential_issuer=ISSUER,
            now=datetime(2026, 12, 3),
            nonce=expecting_nonce(NONCE),
        )


# -- the proofs parameter of a Credential Request -------------------------------------------


def proofs_checked(proofs: Any, **given: Any) -> list[ProvenKey]:
    return verify_proofs_parameter(
        proofs, credential_issuer=ISSUER, now=NOW, nonce=expecting_nonce(NONCE), **given
    )


def test_a_proofs_parameter_with_one_jwt_proves_its_key() -> None:
    [proven] = proofs_checked({"jwt": [proof(ED25519)]})
    assert proven.did == did_key(ED25519)


def test_a_batch_proves_each_key_in_order() -> None:
    proven = proofs_checked({"jwt": [proof(ED25519), proof(P256)]}, batch_size=2)
    assert [key.did for key in proven] == [did_key(ED25519), did_key(P256)]


@pytest.mark.parametrize(
    ("proofs", "says"),
    [
        pytest.param(None, "carries no proofs", id="missing"),
        pytest.param({}, "one proof type", id="no proof type"),
        pytest.param({"jwt": [], "di_vp": []}, "one proof type", id="two proof types"),
        pytest.param({"di_vp": [{}]}, "proof type 'di_vp' is not accepted", id="di_vp"),
        pytest.param({"attestation": ["e30"]}, "'attestation' is not accepted", id="attestation"),
        pytest.param({"jwt": []}, "non-empty array", id="empty"),
        pytest.param({"jwt": "eyJ"}, "non-empty array", id="not an array"),
        pytest.param([proof()], "one proof type", id="an array"),
    ],
)
def test_a_proofs_parameter_is_refused_when(proofs: Any, says: str) -> None:
    with pytest.raises(KeyProofMalformedError, match=says) as caught:
        proofs_checked(proofs)
    assert caught.value.oid4vci_error == "invalid_proof"


def test_more_proofs_than_the_batch_size_are_refused() -> None:
    with pytest.raises(KeyProofMalformedError, match="at most 1"):
        proofs_checked({"jwt": [proof(ED25519), proof(P256)]})


def test_two_proofs_of_one_key_are_refused() -> None:
    with pytest.raises(KeyProofMalformedError, match="same key"):
        proofs_checked({"jwt": [proof(P256, by="kid"), proof(P256, by="jwk")]}, batch_size=2)


def test_one_bad_proof_refuses_the_whole_batch() -> None:
    with pytest.raises(KeyProofSignatureError):
        proofs_checked({"jwt": [proof(ED25519), proof(P256, signer=OTHER_P256)]}, batch_size=2)
