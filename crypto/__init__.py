"""Pure cryptographic building blocks: no I/O, no clock, no internal imports.

Deterministic CBOR, RFC 9162 Merkle hashing and proofs, C2SP signed notes and
checkpoints, Ed25519 keys and did:key, JSON-LD canonicalisation with bundled
contexts, and the Data Integrity EdDSA cryptosuites.
"""
