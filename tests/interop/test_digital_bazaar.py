"""Cross-check with Digital Bazaar's VC stack, the reference eddsa-rdfc-2022 implementation.

A credential credledger signs must verify there, the same credential with one byte
changed must not, and a credential Digital Bazaar signs must verify here. For the same
credential, key and ``created`` both sides must produce the very same proofValue,
including for the values where canonical forms are easiest to get wrong (escapes,
astral characters, numbers). Runs only where ``npm ci --prefix bench/node`` was done.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from credledger.crypto.data_integrity import add_proof, verify_proof
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.keys import (
    Ed25519KeyPair,
    did_key_from_public_key,
    public_key_from_did_key,
    verification_method_id,
)

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = REPO / "bench" / "node"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None or not (NODE_DIR / "node_modules").is_dir(),
    reason="Digital Bazaar's stack is not installed (npm ci --prefix bench/node)",
)

SEED = bytes(range(100, 132))
KEY = Ed25519KeyPair.from_seed(SEED)
DID = did_key_from_public_key(KEY.public_key)
VM = verification_method_id(DID)
CREATED = "2025-03-01T12:00:00Z"
LOADER = DocumentLoader()


def _credential() -> dict[str, Any]:
    path = REPO / "bench" / "data" / "ob3_microcredential.json"
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    document["issuer"]["id"] = DID
    return document


def _awkward_credential() -> dict[str, Any]:
    """Values whose canonical N-Quads forms are easy to get wrong."""
    document = _credential()
    document["name"] = 'Tab\there, newline\nhere, "quoted", back\\slash, bell\x07, DEL\x7f, é'
    achievement = document["credentialSubject"]["achievement"]
    achievement["tag"] = ["\ufffd replacement", "\U0001f600 astral", "plain"]
    achievement["creditsAvailable"] = 1e-7
    document["credentialSubject"]["creditsEarned"] = 42.0
    achievement["resultDescription"][0]["valueMax"] = "10"
    return document


def _node(*args: str, stdin: str | None = None) -> Any:
    assert NODE is not None
    completed = subprocess.run(
        [NODE, str(NODE_DIR / "di.mjs"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(completed.stdout)


def _sign_here(document: dict[str, Any]) -> dict[str, Any]:
    return add_proof(document, KEY, VM, created=CREATED, loader=LOADER)


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Digital Bazaar's verdict on each credledger-signed document (one node run)."""
    folder = tmp_path_factory.mktemp("interop")
    signed = _sign_here(_credential())
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["result"][0]["value"] = "8.1"
    documents = {
        "signed": signed,
        "tampered": tampered,
        "awkward": _sign_here(_awkward_credential()),
    }
    files = []
    for name, document in documents.items():
        file = folder / f"{name}.json"
        file.write_text(json.dumps(document), "utf-8")
        files.append(str(file))
    results = _node("verify", *files)
    return dict(zip(documents, results, strict=True))


def test_a_credential_signed_here_verifies_at_digital_bazaar(
    verdicts: dict[str, dict[str, Any]],
) -> None:
    assert verdicts["signed"] == {"verified": True, "errors": []}


def test_one_changed_byte_fails_at_digital_bazaar(verdicts: dict[str, dict[str, Any]]) -> None:
    assert verdicts["tampered"]["verified"] is False


def test_awkward_values_verify_at_digital_bazaar(verdicts: dict[str, dict[str, Any]]) -> None:
    assert verdicts["awkward"] == {"verified": True, "errors": []}


@pytest.fixture(scope="module")
def signed_there() -> dict[str, Any]:
    document: dict[str, Any] = _node(
        "sign", "-", SEED.hex(), CREATED, stdin=json.dumps(_awkward_credential())
    )
    return document


def test_a_credential_signed_at_digital_bazaar_verifies_here(signed_there: dict[str, Any]) -> None:
    result = verify_proof(signed_there, loader=LOADER, resolve_key=public_key_from_did_key)
    assert result.verification_method == VM
    assert result.cryptosuite == "eddsa-rdfc-2022"


def test_both_sides_make_the_same_proof_for_the_same_input(signed_there: dict[str, Any]) -> None:
    assert _sign_here(_awkward_credential())["proof"] == signed_there["proof"]


def test_a_credential_signed_at_digital_bazaar_and_changed_fails_here(
    signed_there: dict[str, Any],
) -> None:
    from credledger.crypto.proof_errors import ProofVerificationError

    changed = json.loads(json.dumps(signed_there))
    changed["name"] = changed["name"] + "!"
    with pytest.raises(ProofVerificationError):
        verify_proof(changed, loader=LOADER, resolve_key=public_key_from_did_key)
