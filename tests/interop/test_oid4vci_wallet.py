"""A wallet written by others claims a credential through OpenID4VCI 1.0: a client built
on the OpenWallet Foundation's ``@openid4vc/openid4vci`` (bench/node/oid4vci_wallet.mjs)
runs the pre-authorized code flow against a ledger served on 127.0.0.1, including a wrong
transaction code, a stale nonce, a proof by the wrong key and a reused code; Digital
Bazaar's verifier then checks the delivered credential and its status, before and after
the award is revoked."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..ledger_server import Live, add_school, live_ledger
from .test_lcw_exchange import assert_verified_until_revoked, award_with_claim, events

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = REPO / "bench" / "node"
NODE = shutil.which("node")
NONCE_LIFETIME = 3
pytestmark = pytest.mark.skipif(
    NODE is None or not (NODE_DIR / "node_modules" / "@openid4vc" / "openid4vci").is_dir(),
    reason="the OpenWallet Foundation's client is not installed (npm ci --prefix bench/node)",
)


def wallet(offer: str, *options: str) -> dict[str, Any]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(NODE_DIR / "oid4vci_wallet.mjs"), "claim", offer, *options],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def steps(claimed: dict[str, Any]) -> list[tuple[str, bool, str | None]]:
    return [(s["step"], s["ok"], s.get("error")) for s in claimed["steps"]]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Live, dict[str, str]]]:
    with live_ledger(tmp_path / "ledger", nonce_lifetime=NONCE_LIFETIME) as served:
        school = add_school(served.ledger)
        yield (
            served,
            {
                "issuer": str(school.issuer),
                "achievement": str(school.achievement),
                "token": school.token,
            },
        )


@pytest.mark.parametrize(
    ("alg", "by"), [("EdDSA", "did"), ("ES256", "jwk")], ids=["EdDSA did:key", "ES256 jwk"]
)
def test_the_wallet_claims_the_credential_bound_to_its_key(
    live: tuple[Live, dict[str, str]], alg: str, by: str
) -> None:
    served, school = live
    awarded = award_with_claim(served, school)
    claimed = wallet(awarded["claim"]["offer"], "--alg", alg, "--by", by, "--reuse")
    assert claimed["configuration"] == "openbadge_credential"
    assert steps(claimed) == [
        ("token", True, None),
        ("credential", True, None),
        ("code again", False, "invalid_grant"),
    ]
    vc = claimed["credential"]
    assert vc["credentialSubject"]["id"] == claimed["holder"]
    assert vc["id"] == awarded["credential"]["id"]
    assert vc["credentialStatus"] == awarded["credential"]["credentialStatus"]


def test_a_wrong_transaction_code_is_refused_and_the_right_one_works(
    live: tuple[Live, dict[str, str]],
) -> None:
    served, school = live
    awarded = award_with_claim(served, school, tx_code=True)
    code = awarded["claim"]["tx_code"]
    wrong = "00000000" if code != "00000000" else "11111111"
    claimed = wallet(awarded["claim"]["offer"], "--wrong-tx-code", wrong, "--tx-code", code)
    assert steps(claimed) == [
        ("wrong tx_code", False, "invalid_grant"),
        ("token", True, None),
        ("credential", True, None),
    ]


def test_a_stale_nonce_and_a_proof_by_another_key_deliver_nothing(
    live: tuple[Live, dict[str, str]],
) -> None:
    served, school = live
    awarded = award_with_claim(served, school)
    before = events(served)
    wait = str((NONCE_LIFETIME + 1) * 1000)
    claimed = wallet(awarded["claim"]["offer"], "--wrong-key", "--stale-nonce-wait", wait)
    assert steps(claimed) == [
        ("token", True, None),
        ("proof by another key", False, "invalid_proof"),
        ("stale nonce", False, "invalid_nonce"),
        ("credential", True, None),
    ]
    assert events(served) == before + 2  # the delivery alone: ClaimUsed, CredentialDelivered
    assert claimed["credential"]["credentialSubject"]["id"] == claimed["holder"]


def test_digital_bazaar_verifies_the_delivered_credential_and_sees_its_revocation(
    live: tuple[Live, dict[str, str]], tmp_path: Path
) -> None:
    served, school = live
    awarded = award_with_claim(served, school)
    vc = wallet(awarded["claim"]["offer"])["credential"]
    assert_verified_until_revoked(served, school, awarded["id"], vc, tmp_path)
