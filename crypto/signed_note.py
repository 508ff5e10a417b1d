"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 and cosignature/v1 keys.

The transparency log publishes its checkpoints as signed notes, and witnesses
add timestamped cosignatures (c2sp.org/tlog-cosignature) to the same note. A
note is UTF-8 text ending in a newline, a blank line, then one or more lines
``— <key name> base64(key ID || signature)``.

Opening a note follows the spec's trust rules: signatures from keys the caller
does not know are ignored; a known key's signature that fails rejects the whole
note; at least one known key must have signed. The text of a note that did not
open must not be used, so :func:`open_note` returns it only on success.

Key encodings are Go's ``golang.org/x/mod/sumdb/note`` ones: the verifier key
(vkey) ``<name>+<hex key ID>+base64(type || public key)`` and the signer key
``PRIVATE+KEY+<name>+<hex key ID>+base64(type || seed)``, which is secret and
belongs in key files only.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from credledger.crypto.errors import CryptoError, InvalidKeyError, InvalidSignatureError
from credledger.crypto.keys import (
    ED25519_PUBLIC_KEY_SIZE,
    ED25519_SEED_SIZE,
    ED25519_SIGNATURE_SIZE,
    Ed25519KeyPair,
    verify_ed25519,
)
from credledger.crypto.strict_base64 import Base64Error, decode_base64

__all__ = [
    "COSIGNATURE_V1",
    "ED25519",
    "MAX_NOTE_SIZE",
    "MAX_SIGNATURES",
    "CosignatureSigner",
    "CosignatureVerifier",
    "InvalidKeyError",
    "InvalidSignatureError",
    "MalformedNoteError",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "OpenedNote",
    "ParsedNote",
    "Signer",
    "UnverifiedNoteError",
    "Verifier",
    "add_signatures",
    "cosignature_message",
    "cosignature_timestamp",
    "key_id",
    "open_note",
    "parse_note",
    "parse_vkey",
    "sign_note",
]

ED25519 = 0x01
"""Signature type of plain Ed25519 note signatures."""
COSIGNATURE_V1 = 0x04
"""Signature type of timestamped Ed25519 checkpoint cosignatures (tlog-cosignature)."""

MAX_SIGNATURES = 100
"""Most signature lines a note may carry (the spec requires at least 16; Go allows 100)."""
MAX_NOTE_SIZE = 1 << 20
"""Most bytes a note may have; bounds the work an untrusted note can cause."""

MAX_TIMESTAMP = 2**63 - 1

_SIGNATURE_PREFIX = "\u2014 "  # em dash, space
_HEX_KEY_ID = re.compile(r"[0-9a-f]{8}")
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")  # below a space, the newline aside
_KEY_ID_SIZE = 4
_TIMESTAMP_SIZE = 8


class MalformedNoteError(CryptoError, ValueError):
    """The note (or one of its signature lines) breaks the signed-note format."""


class UnverifiedNoteError(CryptoError):
    """No signature on the note is from a known key: its text must not be trusted."""


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, 32-bit key ID and the signature bytes after it."""

    name: str
    key_id: int
    signature: bytes = field(repr=False)

    def line(self) -> str:
        """The signature line, newline included."""
        blob = self.key_id.to_bytes(_KEY_ID_SIZE, "big") + self.signature
        return f"{_SIGNATURE_PREFIX}{self.name} {base64.b64encode(blob).decode('ascii')}\n"


class Verifier(Protocol):
    """A key that checks note signatures made under one (name, key ID)."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, text: bytes, signature: bytes) -> None:
        """Raise :class:`InvalidSignatureError` unless ``signature`` signs ``text``."""
        ...


class Signer(Protocol):
    """A key that signs note text under one (name, key ID)."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, text: bytes) -> bytes:
        """The signature bytes (without the key ID) over the note text."""
        ...


class ParsedNote(NamedTuple):
    """A well-formed note split into text and signatures; none of them checked."""

    text: str
    signatures: tuple[NoteSignature, ...]


class OpenedNote(NamedTuple):
    """A note that opened: its text and the signatures that verified under known keys."""

    text: str
    signatures: tuple[NoteSignature, ...]


def key_id(name: str, signature_type: int, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || type || public key)[:4] as a big-endian uint32."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([signature_type]) + public_key)
    return int.from_bytes(digest.digest()[:_KEY_ID_SIZE], "big")


# --- Ed25519 (type 0x01) ---------------------------------------------------------


@dataclass(frozen=True)
class NoteVerifier:
    """Verifies plain Ed25519 note signatures (signature type 0x01)."""

    name: str
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        _check_name(self.name, InvalidKeyError)
        _check_public_key(self.public_key)
        object.__setattr__(self, "key_id", key_id(self.name, ED25519, self.public_key))

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteVerifier:
        """Parse a type-0x01 vkey, checking that its key ID is the key's own."""
        name, algorithm, public_key = _parse_vkey(vkey)
        if algorithm != ED25519:
            raise InvalidKeyError(f"vkey has signature type {algorithm:#04x}, expected 0x01")
        return cls(name, public_key)

    def vkey(self) -> str:
        """``name+hex(key ID)+base64(0x01 || public key)``."""
        return _format_vkey(self.name, self.key_id, ED25519, self.public_key)

    def verify(self, text: bytes, signature: bytes) -> None:
        verify_ed25519(self.public_key, signature, text)


@dataclass(frozen=True)
class NoteSigner:
    """Signs notes with Ed25519 (signature type 0x01)."""

    name: str
    key_pair: Ed25519KeyPair
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        _check_name(self.name, InvalidKeyError)
        object.__setattr__(self, "key_id", key_id(self.name, ED25519, self.key_pair.public_key))

    @classmethod
    def from_skey(cls, skey: str) -> NoteSigner:
        """Parse a Go-format signer key, checking its key ID against the derived public key."""
        name, algorithm, seed = _parse_skey(skey)
        if algorithm != ED25519:
            raise InvalidKeyError(f"signer key has type {algorithm:#04x}, expected 0x01")
        return cls(name, Ed25519KeyPair.from_seed(seed))

    def skey(self) -> str:
        """``PRIVATE+KEY+name+hex(key ID)+base64(0x01 || seed)``. Secret: key files only."""
        payload = bytes([ED25519]) + self.key_pair.private_bytes()
        encoded = base64.b64encode(payload).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{encoded}"

    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, self.key_pair.public_key)

    def sign(self, text: bytes) -> bytes:
        return self.key_pair.sign(text)


# --- cosignature/v1 (type 0x04) --------------------------------------------------


def cosignature_message(text: str | bytes, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: ``cosignature/v1\\ntime <T>\\n`` + checkpoint body."""
    body = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    _check_timestamp(timestamp)
    if body.count(b"\n") < 3 or not body.endswith(b"\n"):
        raise MalformedNoteError("a cosigned body is a checkpoint: at least three lines")
    return b"cosignature/v1\ntime %d\n" % timestamp + body


def cosignature_timestamp(signature: bytes) -> int:
    """The POSIX timestamp inside a cosignature/v1 signature (the bytes after the key ID)."""
    if len(signature) != _TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE:
        raise MalformedNoteError(
            f"a cosignature/v1 signature is 72 bytes (timestamp, Ed25519), got {len(signature)}"
        )
    timestamp = int.from_bytes(signature[:_TIMESTAMP_SIZE], "big")
    if timestamp > MAX_TIMESTAMP:
        raise MalformedNoteError("cosignature timestamp exceeds 2**63 - 1")
    return timestamp


@dataclass(frozen=True)
class CosignatureVerifier:
    """Verifies timestamped Ed25519 checkpoint cosignatures (signature type 0x04).

    The timestamp is returned by :func:`cosignature_timestamp`; whether a
    timestamp in the future is acceptable is the caller's policy (this module
    has no clock).
    """

    name: str
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        _check_name(self.name, InvalidKeyError)
        _check_public_key(self.public_key)
        object.__setattr__(self, "key_id", key_id(self.name, COSIGNATURE_V1, self.public_key))

    @classmethod
    def from_vkey(cls, vkey: str) -> CosignatureVerifier:
        """Parse a type-0x04 vkey, or a type-0x01 one whose key is reused as a cosigner.

        A 0x01 vkey is accepted as transparency-dev/formats does: its key ID
        must match as a 0x01 key, and the cosigner's key ID is then computed
        with type 0x04.
        """
        name, _, public_key = _parse_vkey(vkey)  # only types 0x01 and 0x04 get through
        return cls(name, public_key)

    def vkey(self) -> str:
        """``name+hex(key ID)+base64(0x04 || public key)``."""
        return _format_vkey(self.name, self.key_id, COSIGNATURE_V1, self.public_key)

    def verify(self, text: bytes, signature: bytes) -> None:
        try:
            timestamp = cosignature_timestamp(signature)
            message = cosignature_message(text, timestamp)
        except MalformedNoteError as exc:
            raise InvalidSignatureError(f"not a cosignature/v1 signature: {exc}") from exc
        verify_ed25519(self.public_key, signature[_TIMESTAMP_SIZE:], message)


@dataclass(frozen=True)
class CosignatureSigner:
    """Cosigns checkpoints at a given POSIX ``timestamp`` (the caller reads the clock)."""

    name: str
    key_pair: Ed25519KeyPair
    timestamp: int
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        _check_name(self.name, InvalidKeyError)
        _check_timestamp(self.timestamp)
        public_key = self.key_pair.public_key
        object.__setattr__(self, "key_id", key_id(self.name, COSIGNATURE_V1, public_key))

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, self.key_pair.public_key)

    def sign(self, text: bytes) -> bytes:
        message = cosignature_message(text, self.timestamp)
        return self.timestamp.to_bytes(_TIMESTAMP_SIZE, "big") + self.key_pair.sign(message)


def parse_vkey(vkey: str) -> NoteVerifier | CosignatureVerifier:
    """The verifier a vkey describes, chosen by its signature type byte (0x01 or 0x04)."""
    _, algorithm, _ = _parse_vkey(vkey)  # refuses every type but 0x01 and 0x04
    if algorithm == ED25519:
        return NoteVerifier.from_vkey(vkey)
    return CosignatureVerifier.from_vkey(vkey)


# --- notes ----------------------------------------------------------------------


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """Sign ``text`` (which must end in a newline) with every signer, in order."""
    if not 1 <= len(signers) <= MAX_SIGNATURES:
        raise ValueError(f"a signed note needs 1 to {MAX_SIGNATURES} signers")
    _check_text(text)
    return text + "\n" + _signature_lines(text, signers)


def add_signatures(note: str, signers: Sequence[Signer]) -> str:
    """Append signatures over an existing note's text (how a witness cosigns).

    The existing signatures are kept as they are and are not checked here: open
    the note with the log's key first.
    """
    parsed = parse_note(note)
    if len(parsed.signatures) + len(signers) > MAX_SIGNATURES:
        raise MalformedNoteError(f"a note carries at most {MAX_SIGNATURES} signatures")
    lines = "".join(signature.line() for signature in parsed.signatures)
    return parsed.text + "\n" + lines + _signature_lines(parsed.text, signers)


def parse_note(note: str | bytes) -> ParsedNote:
    """Split a note into text and signature lines, checking the format only.

    Nothing is verified: use :func:`open_note` before trusting the text.
    """
    raw = note.encode("utf-8", "surrogatepass") if isinstance(note, str) else bytes(note)
    if len(raw) > MAX_NOTE_SIZE:
        raise MalformedNoteError(f"note exceeds {MAX_NOTE_SIZE} bytes")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedNoteError(f"note is not valid UTF-8: {exc.reason}") from None
    _check_characters(decoded)
    split = decoded.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("no blank line before the signatures")
    text, block = decoded[: split + 1], decoded[split + 2 :]
    if not block.endswith("\n"):
        raise MalformedNoteError("signature block missing or not ending in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"more than {MAX_SIGNATURES} signatures")
    return ParsedNote(text, tuple(_parse_signature_line(line) for line in lines))


def open_note(note: str | bytes, verifiers: Iterable[Verifier]) -> OpenedNote:
    """Verify a note against known keys and return its text and verified signatures.

    Raises :class:`MalformedNoteError` for a badly formed note,
    :class:`InvalidSignatureError` if a signature by a known key (same name and
    key ID) fails, and :class:`UnverifiedNoteError` if no known key signed it.
    Signatures by unknown keys are ignored, as the spec requires.
    """
    known: dict[tuple[str, int], Verifier] = {}
    for verifier in verifiers:
        identity = (verifier.name, verifier.key_id)
        if identity in known:
            raise InvalidKeyError(f"two verifiers share name {verifier.name!r} and key ID")
        known[identity] = verifier
    parsed = parse_note(note)
    text = parsed.text.encode("utf-8")
    verified: list[NoteSignature] = []
    for signature in parsed.signatures:
        match = known.get((signature.name, signature.key_id))
        if match is None:
            continue
        try:
            match.verify(text, signature.signature)
        except InvalidSignatureError as exc:
            raise InvalidSignatureError(
                f"signature by {signature.name}+{signature.key_id:08x} does not verify: {exc}"
            ) from exc
        if signature not in verified:
            verified.append(signature)
    if not verified:
        raise UnverifiedNoteError("no signature on the note is from a known key")
    return OpenedNote(parsed.text, tuple(verified))


# --- helpers --------------------------------------------------------------------


def _signature_lines(text: str, signers: Sequence[Signer]) -> str:
    message = text.encode("utf-8")
    seen: set[tuple[str, int]] = set()
    lines: list[str] = []
    for signer in signers:
        _check_name(signer.name, InvalidKeyError)
        identity = (signer.name, signer.key_id)
        if identity in seen:
            raise InvalidKeyError(f"two signers share name {signer.name!r} and key ID")
        seen.add(identity)
        lines.append(NoteSignature(signer.name, signer.key_id, signer.sign(message)).line())
    return "".join(lines)


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(_SIGNATURE_PREFIX):
        raise MalformedNoteError("a signature line must start with an em dash and a space")
    name, space, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
    if not space:
        raise MalformedNoteError("a signature line is '— <name> <base64>'")
    _check_name(name, MalformedNoteError)
    blob = _strict_b64decode(encoded, MalformedNoteError, "signature")
    if len(blob) <= _KEY_ID_SIZE:
        raise MalformedNoteError("a signature holds a 4-byte key ID and at least one more byte")
    return NoteSignature(name, int.from_bytes(blob[:_KEY_ID_SIZE], "big"), blob[_KEY_ID_SIZE:])


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end in a newline")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise MalformedNoteError("note text is not valid Unicode") from None
    _check_characters(text)
    if size > MAX_NOTE_SIZE:
        raise MalformedNoteError(f"note text exceeds {MAX_NOTE_SIZE} bytes")


def _check_characters(text: str) -> None:
    """No control character but the newline (one search, not a loop over characters:
    an audit opens a note for every checkpoint)."""
    found = _CONTROL.search(text)
    if found is not None:
        raise MalformedNoteError(f"control character {ord(found.group()):#04x} at {found.start()}")


def _check_name(name: str, error: type[CryptoError]) -> None:
    """Key names: non-empty, no Unicode spaces, no '+', no control characters."""
    if not name:
        raise error("key name is empty")
    for char in name:
        if char.isspace() or char == "+" or char < " ":
            raise error(f"key name {name!r} contains {char!r}")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise error("key name is not valid Unicode") from None


def _check_public_key(public_key: bytes) -> None:
    if len(public_key) != ED25519_PUBLIC_KEY_SIZE:
        raise InvalidKeyError(f"an Ed25519 public key is 32 bytes, got {len(public_key)}")


def _check_timestamp(timestamp: int) -> None:
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise ValueError(f"cosignature timestamp {timestamp} is outside 0..2**63-1")


def _strict_b64decode(text: str, error: type[CryptoError], what: str) -> bytes:
    """Standard padded base64, refusing every spelling but the canonical one."""
    try:
        return decode_base64(text, what)
    except Base64Error as exc:
        raise error(str(exc)) from None


def _parse_vkey(vkey: str) -> tuple[str, int, bytes]:
    """Split ``name+hash+key`` (the key's base64 may itself hold '+') and check it."""
    name, _, rest = vkey.partition("+")
    hex_id, plus, encoded = rest.partition("+")
    if not plus or not _HEX_KEY_ID.fullmatch(hex_id):
        raise InvalidKeyError("a vkey is <name>+<8 lowercase hex digits>+<base64 key>")
    _check_name(name, InvalidKeyError)
    material = _strict_b64decode(encoded, InvalidKeyError, "vkey key material")
    algorithm, public_key = (material[0], material[1:]) if material else (None, b"")
    if algorithm not in (ED25519, COSIGNATURE_V1):
        raise InvalidKeyError(f"unsupported vkey signature type {material[:1].hex() or 'none'}")
    if len(public_key) != ED25519_PUBLIC_KEY_SIZE:
        raise InvalidKeyError("vkey key material is a type byte and a 32-byte Ed25519 key")
    if int(hex_id, 16) != key_id(name, algorithm, public_key):
        raise InvalidKeyError("vkey key ID does not match its name and key")
    return name, algorithm, public_key


def _format_vkey(name: str, identifier: int, algorithm: int, public_key: bytes) -> str:
    encoded = base64.b64encode(bytes([algorithm]) + public_key).decode("ascii")
    return f"{name}+{identifier:08x}+{encoded}"


def _parse_skey(skey: str) -> tuple[str, int, bytes]:
    """Split ``PRIVATE+KEY+name+hash+key`` and check the key ID against the derived key."""
    parts = skey.split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not _HEX_KEY_ID.fullmatch(parts[3]):
        raise InvalidKeyError("a signer key is PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>")
    name, hex_id, encoded = parts[2], parts[3], parts[4]
    _check_name(name, InvalidKeyError)
    material = _strict_b64decode(encoded, InvalidKeyError, "signer key material")
    algorithm, seed = (material[0], material[1:]) if material else (None, b"")
    if algorithm not in (ED25519, COSIGNATURE_V1):
        raise InvalidKeyError(f"unsupported signer key type {material[:1].hex() or 'none'}")
    if len(seed) != ED25519_SEED_SIZE:
        raise InvalidKeyError("signer key material is a type byte and a 32-byte Ed25519 seed")
    public_key = Ed25519KeyPair.from_seed(seed).public_key
    if int(hex_id, 16) != key_id(name, algorithm, public_key):
        raise InvalidKeyError("signer key ID does not match its name and key")
    return name, algorithm, seed
