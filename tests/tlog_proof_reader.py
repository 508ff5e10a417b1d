"""An independent reader of C2SP tlog-proofs, written from the specs for the tests.

It uses none of credledger's code: only the text of c2sp.org/tlog-proof@v1,
signed-note, tlog-checkpoint, tlog-cosignature and RFC 6962 §2.1.1, with hashlib,
base64, ``cryptography`` for Ed25519 and ``cbor2`` to read the leaf. A proof that passes
here is one any implementation of those specs would accept.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EM_DASH = "\u2014"


class RefusedError(Exception):
    """The proof does not verify (the message says which step)."""


@dataclass(frozen=True)
class Verified:
    index: int
    leaf: dict[str, Any]
    origin: str
    size: int
    root: bytes
    witnesses: list[str]
    cosigned_at: dict[str, int]


def _vkey(vkey: str) -> tuple[str, bytes, int, bytes]:
    """name+hex(keyid)+base64(type||key) -> (name, key id, type, public key)."""
    name, key_hash, blob = vkey.split("+", 2)
    raw = base64.b64decode(blob, validate=True)
    return name, bytes.fromhex(key_hash), raw[0], raw[1:]


def _key_id(name: str, sig_type: int, key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + key).digest()[:4]


def _ed25519(key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _inclusion_root(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2, step by step."""
    if index >= size:
        raise RefusedError("index beyond the tree")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise RefusedError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise RefusedError("the inclusion proof is too short")
    return r


def read_tlog_proof(text: str, log_vkey: str, witness_vkeys: list[str]) -> Verified:
    """Verify a tlog-proof with the log's vkey and the witnesses' vkeys (the spec's
    steps 2 to 4; step 1, the leaf, is the caller's: the leaf map is returned)."""
    head, _, note = text.partition("\n\n")
    lines = head.split("\n")
    if lines.pop(0) != "c2sp.org/tlog-proof@v1":
        raise RefusedError("not a tlog-proof")
    extra = base64.b64decode(lines.pop(0)[len("extra ") :], validate=True)
    index_line = lines.pop(0)
    if not index_line.startswith("index "):
        raise RefusedError("no index line")
    index = int(index_line[len("index ") :])
    path = [base64.b64decode(line, validate=True) for line in lines]
    # signed-note: the text, then after the last blank line one signature per line
    split = note.rindex("\n\n")
    body, signatures = note[: split + 1], note[split + 2 :].rstrip("\n").split("\n")
    origin, size_line, root_line = body.rstrip("\n").split("\n")[:3]
    log_name, log_id, log_type, log_key = _vkey(log_vkey)
    if log_type != 1 or log_name != origin or _key_id(log_name, 1, log_key) != log_id:
        raise RefusedError("the log vkey is not this origin's Ed25519 key")
    witnesses = {_vkey(v)[0]: _vkey(v) for v in witness_vkeys}
    log_signed = False
    cosigned_at: dict[str, int] = {}
    for line in signatures:
        dash, name, blob = line.split(" ")
        if dash != EM_DASH:
            raise RefusedError("a signature line must start with an em dash")
        raw = base64.b64decode(blob, validate=True)
        key_id, signature = raw[:4], raw[4:]
        if name == log_name and key_id == log_id:
            if not _ed25519(log_key, signature, body.encode()):
                raise RefusedError("the log's signature does not verify")
            log_signed = True
        elif name in witnesses and key_id == _key_id(name, 4, witnesses[name][3]):
            timestamp = int.from_bytes(signature[:8], "big")
            message = b"cosignature/v1\ntime %d\n" % timestamp + body.encode()
            if not _ed25519(witnesses[name][3], signature[8:], message):
                raise RefusedError(f"the cosignature of {name} does not verify")
            cosigned_at[name] = timestamp
    if not log_signed:
        raise RefusedError("the checkpoint is not signed by the log")
    size, root = int(size_line), base64.b64decode(root_line, validate=True)
    leaf_hash = hashlib.sha256(b"\x00" + extra).digest()
    if _inclusion_root(index, size, leaf_hash, path) != root:
        raise RefusedError("the inclusion proof does not lead to the checkpoint's root")
    leaf = cbor2.loads(extra)
    return Verified(index, leaf, origin, size, root, sorted(cosigned_at), cosigned_at)
