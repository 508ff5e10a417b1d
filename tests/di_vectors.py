"""The W3C Data Integrity EdDSA test vectors, vendored in ``tests/data/vectors/di-eddsa``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.keys import Ed25519KeyPair, secret_key_from_multibase

DATA = Path(__file__).resolve().parent / "data"
CITIZENSHIP_V4RC1 = "https://w3id.org/citizenship/v4rc1"
VECTOR_KEY_VM = (
    "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
)
VECTOR_CREATED = "2023-02-24T23:36:38Z"


@cache
def loader() -> DocumentLoader:
    """Bundled contexts plus the citizenship context the ``employ`` vectors use."""
    citizenship = json.loads((DATA / "contexts" / "citizenship-v4rc1.jsonld").read_text("utf-8"))
    return DocumentLoader({CITIZENSHIP_V4RC1: citizenship})


def vectors(test_data: Path) -> Path:
    return test_data / "vectors" / "di-eddsa"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def read_text(path: Path) -> str:
    """A vector text file; hash and signature files carry no trailing newline to strip."""
    return path.read_text("utf-8")


def key_pair(multikey: dict[str, str]) -> Ed25519KeyPair:
    return Ed25519KeyPair.from_private_bytes(
        secret_key_from_multibase(multikey["privateKeyMultibase"])
    )


def vector_key(test_data: Path) -> Ed25519KeyPair:
    return key_pair(read_json(vectors(test_data) / "keyPair.json"))
