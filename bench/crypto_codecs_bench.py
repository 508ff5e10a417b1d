"""Deterministic CBOR, signed notes and multibase timings, each beside a baseline.

Per-call medians over ``--iterations`` calls of:

* encoding and strictly decoding a ledger leaf (the API contract's issuance map)
  with ``credledger.crypto.cbor``, against ``cbor2.dumps(canonical=True)`` /
  ``cbor2.loads`` (cbor2's canonical mode uses RFC 7049 key order, so it is a
  speed reference only, not an equivalent);
* signing and opening a checkpoint note, against one bare Ed25519 sign / verify
  (the floor: the note adds parsing, key ID lookup and base64);
* base58btc encoding and decoding of a 64-byte signature, against base64.

    .venv/bin/python bench/crypto_codecs_bench.py [--iterations N]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import statistics
import time
from collections.abc import Callable

import cbor2
from credledger.crypto import cbor
from credledger.crypto.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from credledger.crypto.keys import Ed25519KeyPair, verify_ed25519
from credledger.crypto.multibase import decode_base58btc, encode_base58btc
from credledger.crypto.signed_note import NoteSigner

LEAF = {
    "seq": 123_456,
    "event": "CredentialIssued",
    "aggregate": "6f1c2a0e-8d1b-4e57-9a43-0c6f2d1e9b7a",
    "version": 1,
    "time": "2025-06-01T12:00:00Z",
    "commitment": hashlib.sha256(b"salt and payload").digest(),
    "credential": "urn:uuid:6f1c2a0e-8d1b-4e57-9a43-0c6f2d1e9b7a",
    "digest": hashlib.sha256(b"signed credential").digest(),
}


def median_us(fn: Callable[[], object], iterations: int, warmup: int = 50) -> float:
    """Median microseconds per call of ``fn``."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1e3)
    return statistics.median(samples)


def row(label: str, ours: float, baseline: float, baseline_label: str) -> None:
    print(
        f"{label:<34} {ours:9.2f} us   {baseline_label:<32} {baseline:9.2f} us"
        f"   ratio {ours / baseline:5.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5000)
    iterations = parser.parse_args().iterations

    encoded = cbor.encode(LEAF)
    canonical_cbor2 = cbor2.dumps(LEAF, canonical=True)
    print(f"leaf: {len(encoded)} bytes; {iterations} iterations per figure (median)\n")
    row(
        "cbor.encode(leaf)",
        median_us(lambda: cbor.encode(LEAF), iterations),
        median_us(lambda: cbor2.dumps(LEAF, canonical=True), iterations),
        "cbor2.dumps(canonical=True)",
    )
    row(
        "cbor.decode(leaf) (strict)",
        median_us(lambda: cbor.decode(encoded), iterations),
        median_us(lambda: cbor2.loads(canonical_cbor2), iterations),
        "cbor2.loads",
    )

    pair = Ed25519KeyPair.from_seed(bytes(range(32)))
    signer = NoteSigner("credledger.example/log", pair)
    checkpoint = Checkpoint("credledger.example/log", 1_000_000, hashlib.sha256(b"r").digest())
    body = checkpoint.body().encode()
    note = sign_checkpoint(checkpoint, signer)
    signature = pair.sign(body)
    verifier = signer.verifier()
    row(
        "sign_checkpoint",
        median_us(lambda: sign_checkpoint(checkpoint, signer), iterations),
        median_us(lambda: pair.sign(body), iterations),
        "Ed25519 sign (body)",
    )
    row(
        "open_checkpoint",
        median_us(lambda: open_checkpoint(note, verifier), iterations),
        median_us(lambda: verify_ed25519(pair.public_key, signature, body), iterations),
        "Ed25519 verify (body)",
    )

    raw = pair.sign(b"proof")
    text = encode_base58btc(raw)
    b64 = base64.b64encode(raw)
    row(
        "encode_base58btc (64 bytes)",
        median_us(lambda: encode_base58btc(raw), iterations),
        median_us(lambda: base64.b64encode(raw), iterations),
        "base64.b64encode",
    )
    row(
        "decode_base58btc (64 bytes)",
        median_us(lambda: decode_base58btc(text), iterations),
        median_us(lambda: base64.b64decode(b64), iterations),
        "base64.b64decode",
    )


if __name__ == "__main__":
    main()
