"""A tlog-tiles client written from the C2SP specs and RFC 9162 alone: no credledger code.

What it reads (tests/data/c2sp/): ``signed-note.md`` (vkeys, Ed25519 key IDs, signature
lines), ``tlog-checkpoint.md`` (origin, size, base64 root), ``tlog-tiles.md`` (tile and
entry bundle paths, partial tiles, level-L hashes as roots of full tiles below), and
RFC 9162 §2.1 for the hashing, PATH and PROOF and their verification. It fetches over
HTTP only, and trusts nothing it fetched before checking it against a signed checkpoint.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EM_DASH = "\u2014"


class InvalidError(Exception):
    """Something the log served does not verify."""


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(entry: bytes) -> bytes:
    return sha256(b"\x00" + entry)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def perfect_root(hashes: list[bytes]) -> bytes:
    """The root over 2**h hashes of one height (a subtree within a tile)."""
    while len(hashes) > 1:
        hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


# -- signed notes and checkpoints ----------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    note: str


def verify_note(note: str, vkey: str) -> str:
    """The note's text, once the vkey's Ed25519 signature on it verifies (signed-note)."""
    name, key_id_hex, key_b64 = vkey.strip().split("+", 2)  # base64 may hold a +
    key = base64.b64decode(key_b64, validate=True)
    if key[0] != 0x01 or len(key) != 33:
        raise InvalidError("not an Ed25519 vkey")
    key_id = bytes.fromhex(key_id_hex)
    if sha256(name.encode() + b"\n" + key)[:4] != key_id:
        raise InvalidError("the vkey's key ID is not its key's")
    cut = note.rindex("\n\n")
    text, signatures = note[: cut + 1], note[cut + 2 :].splitlines()
    verified = False
    for line in signatures:
        dash, signer, blob = line.split(" ")
        signature = base64.b64decode(blob, validate=True)
        if dash != EM_DASH or signer != name or signature[:4] != key_id:
            continue  # another key's signature (a witness): not ours to check
        try:
            Ed25519PublicKey.from_public_bytes(key[1:]).verify(signature[4:], text.encode())
        except InvalidSignature:
            raise InvalidError("the signature does not verify") from None
        verified = True
    if not verified:
        raise InvalidError("the note carries no signature of that key")
    return text


def open_checkpoint(note: str, vkey: str) -> Checkpoint:
    """Verify the log's signature and read the body (tlog-checkpoint)."""
    text = verify_note(note, vkey)
    origin, size, root = text.split("\n")[:3]
    if size != str(int(size)) or int(size) < 0:
        raise InvalidError("the tree size is not a canonical decimal")
    return Checkpoint(origin, int(size), base64.b64decode(root, validate=True), note)


# -- tiles --------------------------------------------------------------------------------


def index_path(n: int) -> str:
    """tlog-tiles: 1234067 -> x001/x234/067."""
    parts = [f"{n % 1000:03d}"]
    n //= 1000
    while n > 0:
        parts.insert(0, f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(parts)


class TileClient:
    """Reads a tiled log at ``prefix`` (ending in /), checking every tile's length."""

    def __init__(self, http: httpx.Client, prefix: str, vkey: str) -> None:
        self.http = http
        self.prefix = prefix
        self.vkey = vkey
        self._tiles: dict[tuple[int, int, int], bytes] = {}

    def checkpoint(self) -> Checkpoint:
        r = self.http.get(self.prefix + "checkpoint")
        r.raise_for_status()
        return open_checkpoint(r.text, self.vkey)

    def _get(self, path: str, width: int) -> bytes:
        suffix = "" if width == 256 else f".p/{width}"
        r = self.http.get(self.prefix + path + suffix)
        r.raise_for_status()
        if r.headers["content-type"] != "application/octet-stream":
            raise InvalidError(f"{path} is served as {r.headers['content-type']}")
        return r.content

    def tile(self, level: int, index: int, size: int) -> bytes:
        """Tile ``level/index`` as the tree of ``size`` has it (partial at its edge)."""
        width = min(256, (size // 256**level) - index * 256)
        if width <= 0:
            raise InvalidError(f"the tree of {size} has no tile {level}/{index}")
        key = (level, index, width)
        if key not in self._tiles:
            data = self._get(f"tile/{level}/{index_path(index)}", width)
            if len(data) != 32 * width:
                raise InvalidError(f"tile {level}/{index} is {len(data)} bytes, not {32 * width}")
            self._tiles[key] = data
        return self._tiles[key]

    def entries(self, index: int, size: int) -> list[bytes]:
        width = min(256, size - index * 256)
        bundle = self._get(f"tile/entries/{index_path(index)}", width)
        out, at = [], 0
        while at < len(bundle):
            length = int.from_bytes(bundle[at : at + 2], "big")
            out.append(bundle[at + 2 : at + 2 + length])
            at += 2 + length
        if at != len(bundle) or len(out) != width:
            raise InvalidError(f"entry bundle {index} does not hold {width} entries")
        return out

    def subtree(self, height: int, index: int, size: int) -> bytes:
        """MTH of the perfect subtree over leaves [index·2**height, (index+1)·2**height)."""
        level, within = divmod(height, 8)
        first = index << within  # position of its first hash among level-`level` hashes
        data = self.tile(level, first // 256, size)
        start = first % 256
        hashes = [data[32 * i : 32 * i + 32] for i in range(start, start + (1 << within))]
        return perfect_root(hashes)

    def mth(self, lo: int, hi: int, size: int) -> bytes:
        """MTH(D[lo:hi]) (RFC 9162 §2.1.1) from tiles of the tree of ``size``."""
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            return self.subtree(n.bit_length() - 1, lo // n, size)
        k = largest_power_of_two_below(n)
        return node_hash(self.mth(lo, lo + k, size), self.mth(lo + k, hi, size))

    def root(self, size: int) -> bytes:
        return sha256(b"") if size == 0 else self.mth(0, size, size)

    def inclusion_proof(self, m: int, size: int) -> list[bytes]:
        """PATH(m, D[0:size]) (RFC 9162 §2.1.3.1), hashes from tiles."""

        def path(lo: int, hi: int) -> list[bytes]:
            if hi - lo == 1:
                return []
            k = largest_power_of_two_below(hi - lo)
            if m < lo + k:
                return [*path(lo, lo + k), self.mth(lo + k, hi, size)]
            return [*path(lo + k, hi), self.mth(lo, lo + k, size)]

        return path(0, size)

    def consistency_proof(self, m: int, size: int) -> list[bytes]:
        """PROOF(m, D[0:size]) = SUBPROOF(m, D[0:size], true) (RFC 9162 §2.1.4.1)."""

        def subproof(m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
            if m == hi - lo:
                return [] if whole else [self.mth(lo, hi, size)]
            k = largest_power_of_two_below(hi - lo)
            if m <= k:
                return [*subproof(m, lo, lo + k, whole), self.mth(lo + k, hi, size)]
            return [*subproof(m - k, lo + k, hi, False), self.mth(lo, lo + k, size)]

        return subproof(m, 0, size, True)

    def check_everything(self, checkpoint: Checkpoint) -> list[bytes]:
        """A monitor's pass: every entry hashes to its level-0 tile, every hash of a
        tile above is the root of the full tile below, and the tiles give the signed
        root. Returns the entries."""
        size = checkpoint.size
        entries: list[bytes] = []
        for index in range(-(-size // 256)):
            bundle = self.entries(index, size)
            if b"".join(map(leaf_hash, bundle)) != self.tile(0, index, size):
                raise InvalidError(f"entry bundle {index} does not hash to tile 0/{index}")
            entries += bundle
        level = 0
        while size // 256 ** (level + 1):
            above = b"".join(
                perfect_root([self.tile(level, i, size)[j : j + 32] for j in range(0, 8192, 32)])
                for i in range(size // 256 ** (level + 1))
            )
            got = b"".join(
                self.tile(level + 1, i, size)
                for i in range(-(-(size // 256 ** (level + 1)) // 256))
            )
            if got != above:
                raise InvalidError(
                    f"the level-{level + 1} tiles are not the roots of the ones below"
                )
            level += 1
        if self.root(size) != checkpoint.root:
            raise InvalidError("the tiles do not give the signed root")
        return entries


# -- RFC 9162 verification -------------------------------------------------------------------


def verify_inclusion(
    index: int, size: int, entry_hash: bytes, path: list[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        raise InvalidError("index beyond the tree")
    fn, sn, r = index, size - 1, entry_hash
    for p in path:
        if sn == 0:
            raise InvalidError("inclusion proof too long")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0 or r != root:
        raise InvalidError("inclusion proof does not verify")


def verify_consistency(
    first: int, second: int, proof: list[bytes], first_root: bytes, second_root: bytes
) -> None:
    """RFC 9162 §2.1.4.2."""
    if first == second:
        if proof or first_root != second_root:
            raise InvalidError("a tree is consistent only with itself")
        return
    if not proof:
        raise InvalidError("empty consistency proof")
    if first & (first - 1) == 0:
        proof = [first_root, *proof]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise InvalidError("consistency proof too long")
        if fn % 2 == 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != first_root or sr != second_root:
        raise InvalidError("consistency proof does not verify")
