"""The bundled JSON-LD contexts are exactly the documents their index names."""

from __future__ import annotations

import hashlib
import json
from importlib import resources


def test_every_indexed_context_is_bundled_with_its_recorded_digest() -> None:
    folder = resources.files("credledger.crypto.contexts")
    index = json.loads(folder.joinpath("index.json").read_text("utf-8"))
    assert "https://www.w3.org/ns/credentials/v2" in index
    for url, entry in index.items():
        data = folder.joinpath(entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], url
