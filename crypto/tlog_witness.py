"""A witness's memory of one log, and the check before it cosigns (c2sp.org/tlog-witness).

A witness keeps the newest checkpoint it verified for a log. It cosigns a newer one
only if the log's key signed it and a consistency proof shows that it extends the
remembered one; anything else (a smaller tree, the same size with another root, a
proof that does not verify) is a fork, proof that the log showed two histories.

Witness keys are kept in Go's signer-key form with the cosignature type byte,
``PRIVATE+KEY+<name>+<hex key ID>+base64(0x04 || seed)``, and published as the
matching type-0x04 vkey. Pure: no I/O, no clock (timestamps are passed in).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credledger.crypto.checkpoint import Checkpoint
from credledger.crypto.errors import CryptoError, InvalidKeyError
from credledger.crypto.keys import ED25519_SEED_SIZE, Ed25519KeyPair
from credledger.crypto.merkle_verify import MerkleProofError, verify_consistency
from credledger.crypto.signed_note import (
    COSIGNATURE_V1,
    ED25519,
    CosignatureSigner,
    CosignatureVerifier,
    add_signatures,
    key_id,
)
from credledger.crypto.strict_base64 import Base64Error, decode_base64

__all__ = [
    "ForkError",
    "WitnessKey",
    "WitnessState",
    "WitnessStateError",
    "check_extends",
    "cosign",
]

_HEX_ID = re.compile(r"[0-9a-f]{8}")


class ForkError(CryptoError):
    """The log's new checkpoint does not extend the one the witness remembers."""


class WitnessStateError(CryptoError, ValueError):
    """The remembered state is malformed, or belongs to another log or key."""


@dataclass(frozen=True)
class WitnessState:
    """The newest checkpoint a witness verified for one log."""

    origin: str
    log_key: str
    size: int
    root_hash: bytes
    note: str

    def as_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "log_key": self.log_key,
            "size": self.size,
            "root_hash": base64.b64encode(self.root_hash).decode("ascii"),
            "note": self.note,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> WitnessState:
        try:
            state = cls(
                origin=str(value["origin"]),
                log_key=str(value["log_key"]),
                size=int(value["size"]),
                root_hash=decode_base64(str(value["root_hash"]), "root_hash"),
                note=str(value["note"]),
            )
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise WitnessStateError(f"the witness state is malformed: {exc}") from None
        if state.size < 0 or len(state.root_hash) != 32:
            raise WitnessStateError("the witness state holds no valid tree head")
        return state

    @classmethod
    def of(cls, checkpoint: Checkpoint, log_key: str, note: str) -> WitnessState:
        return cls(checkpoint.origin, log_key, checkpoint.size, checkpoint.root_hash, note)


def check_extends(state: WitnessState, checkpoint: Checkpoint, proof: Sequence[bytes]) -> None:
    """Raise ForkError unless ``checkpoint`` (already verified) extends ``state``.

    ``proof`` is the RFC 9162 consistency proof from ``state.size`` to the new size
    (ignored when the sizes are equal or the remembered tree is empty).
    """
    if checkpoint.origin != state.origin:
        raise WitnessStateError(
            f"the state is for the log {state.origin!r}, not {checkpoint.origin!r}"
        )
    if checkpoint.size < state.size:
        raise ForkError(
            f"the log now shows {checkpoint.size} leaves where it showed {state.size}: "
            "it rolled back"
        )
    if checkpoint.size == state.size:
        if checkpoint.root_hash != state.root_hash:
            raise ForkError(f"the log shows two different trees of size {state.size}")
        return
    if state.size == 0:
        return
    try:
        verify_consistency(
            state.size, checkpoint.size, proof, state.root_hash, checkpoint.root_hash
        )
    except MerkleProofError as exc:
        raise ForkError(
            f"the tree of size {checkpoint.size} does not extend the one of size {state.size} "
            f"the witness saw: {exc}"
        ) from None


@dataclass(frozen=True)
class WitnessKey:
    """A witness's name and Ed25519 key; signs tlog-cosignature/v1 cosignatures."""

    name: str
    key_pair: Ed25519KeyPair

    def __post_init__(self) -> None:
        CosignatureVerifier(self.name, self.key_pair.public_key)  # checks the name

    @classmethod
    def generate(cls, name: str) -> WitnessKey:
        return cls(name, Ed25519KeyPair.generate())

    @classmethod
    def from_skey(cls, skey: str) -> WitnessKey:
        """Parse ``PRIVATE+KEY+name+keyid+base64(type || seed)`` (type 0x04, or 0x01)."""
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not _HEX_ID.fullmatch(parts[3]):
            raise InvalidKeyError("a witness key is PRIVATE+KEY+<name>+<8 hex digits>+<base64>")
        name, hex_id, encoded = parts[2], parts[3], parts[4]
        try:
            material = decode_base64(encoded, "the witness key material")
        except Base64Error as exc:
            raise InvalidKeyError(str(exc)) from None
        if len(material) != 1 + ED25519_SEED_SIZE or material[0] not in (COSIGNATURE_V1, ED25519):
            raise InvalidKeyError("the witness key is a type byte (0x04) and a 32-byte seed")
        pair = Ed25519KeyPair.from_seed(material[1:])
        if int(hex_id, 16) != key_id(name, material[0], pair.public_key):
            raise InvalidKeyError("the witness key's ID does not match its name and key")
        return cls(name, pair)

    def skey(self) -> str:
        """The secret key file line. Never print it."""
        identifier = key_id(self.name, COSIGNATURE_V1, self.key_pair.public_key)
        material = bytes([COSIGNATURE_V1]) + self.key_pair.private_bytes()
        return (
            f"PRIVATE+KEY+{self.name}+{identifier:08x}+{base64.b64encode(material).decode('ascii')}"
        )

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, self.key_pair.public_key)

    def vkey(self) -> str:
        """The type-0x04 vkey a log operator configures to accept this witness."""
        return self.verifier().vkey()

    def signer(self, timestamp: int) -> CosignatureSigner:
        return CosignatureSigner(self.name, self.key_pair, timestamp)


def cosign(note: str, key: WitnessKey, timestamp: int) -> str:
    """The checkpoint note with this witness's cosignature/v1 line appended.

    Check the note (:func:`~credledger.crypto.checkpoint.open_checkpoint`) and that it
    extends the remembered state (:func:`check_extends`) first.
    """
    return add_signatures(note, [key.signer(timestamp)])
