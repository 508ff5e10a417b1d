"""VC-JWTs are verified by credledger: EdDSA, the issuer's own key, the same checks as DI."""

from __future__ import annotations

import base64
import json

import pytest
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.keys import Ed25519KeyPair
from credledger.ledger.verify.vc_jwt import VcJwtError, decode_vc_jwt
from credledger.ledger.verify.verifier import CredentialVerifier, Outcome

from ...foreign_issuer import did_key, jwt_payload, vc_jwt

KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
OTHER = Ed25519KeyPair.from_seed(bytes(range(1, 33)))


def _no_lists(url: str) -> dict[str, object]:
    raise LookupError(f"no list {url}")


VERIFIER = CredentialVerifier(loader=DocumentLoader(), fetch_status_list=_no_lists)


def test_a_jwt_signed_by_its_issuer_is_valid() -> None:
    did, vm = did_key(KEY)
    assert VERIFIER.verify_jwt(vc_jwt(KEY, vm, jwt_payload(did))).outcome is Outcome.VALID


def test_a_changed_payload_is_invalid() -> None:
    did, vm = did_key(KEY)
    header, _, signature = vc_jwt(KEY, vm, jwt_payload(did)).split(".")
    other = vc_jwt(KEY, vm, jwt_payload(did, name="changed")).split(".")[1]
    report = VERIFIER.verify_jwt(f"{header}.{other}.{signature}")
    assert report.outcome is Outcome.INVALID


def test_a_jwt_signed_by_someone_else_for_the_issuer_is_invalid() -> None:
    did, _ = did_key(KEY)
    _, other_vm = did_key(OTHER)
    report = VERIFIER.verify_jwt(vc_jwt(OTHER, other_vm, jwt_payload(did)))
    assert report.outcome is Outcome.INVALID
    assert "issuer" in report.errors[0]["message"]


def test_an_expired_jwt_is_invalid() -> None:
    did, vm = did_key(KEY)
    payload = {**jwt_payload(did), "exp": 1704153600}
    assert VERIFIER.verify_jwt(vc_jwt(KEY, vm, payload)).outcome is Outcome.INVALID


def test_a_status_entry_that_cannot_be_read_leaves_a_jwt_undecided() -> None:
    did, vm = did_key(KEY)
    status = {
        "id": "https://lists.example/1#3",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "3",
        "statusListCredential": "https://lists.example/1",
    }
    report = VERIFIER.verify_jwt(vc_jwt(KEY, vm, jwt_payload(did, credentialStatus=status)))
    assert report.outcome is Outcome.UNDECIDED
    assert report.status == {"revocation": "unknown"}


def _unsigned(header: dict[str, object], payload: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}.AAAA"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (_unsigned({"alg": "none"}, jwt_payload("did:example:1")), "algorithm"),
        (_unsigned({"alg": "HS256", "kid": "x"}, jwt_payload("did:example:1")), "algorithm"),
        (_unsigned({"alg": "EdDSA", "crit": ["b64"]}, jwt_payload("did:example:1")), "critical"),
        (_unsigned({"alg": "EdDSA"}, {"iss": "did:example:1"}), "no credential"),
        (
            _unsigned({"alg": "EdDSA"}, {**jwt_payload("did:example:1"), "iss": "did:example:2"}),
            "iss",
        ),
        ("a.b", "three"),
        ("not a jwt at all", "three"),
    ],
)
def test_malformed_or_unaccepted_tokens_are_refused(token: str, reason: str) -> None:
    with pytest.raises(VcJwtError, match=reason):
        decode_vc_jwt(token)
