"""The secrets of claims: the URL's secret, the claim's id, transaction codes, challenges.

- A claim URL carries a 128-bit secret. It is derived from the act that offered the
  claim under the ledger's secret id key (so a retried act, same Idempotency-Key, gives
  the same URL, and nobody without the key can compute one), and it is never recorded:
  the claim's aggregate id is a keyed hash of it, so a stolen event store opens no claim.
- A transaction code (8 digits) is derived the same way and recorded only as a salted
  scrypt hash (RFC 7914), checked in constant time.
- Challenges for the holder's proof are stateless: the claim, a purpose, whether the
  transaction code was given, an expiry and a nonce, under a MAC. Minting one writes
  nothing (a GET can hand one out); a challenge is good for one claim until it expires,
  and is spent with the claim, which delivers once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from credledger.crypto.strict_base64 import decode_base64url, encode_base64url

SECRET_BYTES = 16
TX_CODE_LENGTH = 8
_SECRET_TEXT = re.compile(r"[A-Za-z0-9_-]{22}")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
"""scrypt's interactive-login parameters (RFC 7914 §2): ~16 MiB and tens of ms a check."""

VPR, LINK, PASS, ACCESS, NONCE = 1, 2, 3, 4, 5
"""What a challenge token is for: the challenge of a VC-API presentation request (the
holder signs it with the domain), of a wallet deep link (no domain), a pass that the
transaction code was given (carried in the exchange URL), an OpenID4VCI access token, or
an OpenID4VCI ``c_nonce``."""
_TOKEN_VERSION = 1
_TOKEN = re.compile(r"[A-Za-z0-9_-]{52}")


def _mac(key: bytes, label: bytes, data: bytes) -> bytes:
    return hmac.new(key, label + b"\x00" + data, hashlib.sha256).digest()


def derived_secret(id_key: bytes, act_key: bytes) -> bytes:
    """The claim URL's secret for the claim an act offers."""
    return _mac(id_key, b"claim-secret", act_key)[:SECRET_BYTES]


def derived_tx_code(id_key: bytes, act_key: bytes) -> str:
    """The transaction code of the claim an act offers (decimal digits)."""
    number = int.from_bytes(_mac(id_key, b"claim-tx-code", act_key)[:8], "big")
    return f"{number % 10**TX_CODE_LENGTH:0{TX_CODE_LENGTH}d}"


def claim_id_of(id_key: bytes, secret: bytes) -> UUID:
    """The claim's aggregate id: a keyed hash of its secret."""
    return UUID(bytes=_mac(id_key, b"claim-id", secret)[:16], version=4)


def secret_text(secret: bytes) -> str:
    """The secret as it appears in the claim URL (base64url, 22 characters)."""
    return encode_base64url(secret)


def secret_from_text(text: str) -> bytes | None:
    """The secret of a claim URL's last segment, or None when it cannot be one."""
    if not _SECRET_TEXT.fullmatch(text):
        return None
    try:
        return decode_base64url(text, "claim secret")
    except ValueError:
        return None


# -- transaction codes ----------------------------------------------------------------------


def hash_tx_code(code: str) -> dict[str, Any]:
    """What a claim records of its transaction code: a salted scrypt hash and how it
    was made (and the code's length and input mode, which wallets are told)."""
    salt = secrets.token_bytes(16)
    return {
        "kdf": "scrypt",
        **_SCRYPT,
        "salt": salt,
        "hash": _scrypt(code, salt, _SCRYPT),
        "length": len(code),
        "input_mode": "numeric",
    }


def _scrypt(code: str, salt: bytes, params: dict[str, Any]) -> bytes:
    return hashlib.scrypt(
        code.encode("utf-8"),
        salt=salt,
        n=int(params["n"]),
        r=int(params["r"]),
        p=int(params["p"]),
        maxmem=64 * 1024 * 1024,
        dklen=32,
    )


def tx_code_matches(recorded: dict[str, Any], code: str) -> bool:
    """Whether ``code`` is the recorded one (the hashes compared in constant time)."""
    if recorded.get("kdf") != "scrypt" or len(code) > 64:
        return False
    computed = _scrypt(code, bytes(recorded["salt"]), recorded)
    return hmac.compare_digest(computed, bytes(recorded["hash"]))


class Attempts:
    """Wrong transaction codes per claim in a sliding window (this process's count):
    after ``limit`` within ``window`` seconds, the claim takes no code until the oldest
    ages out, so a code cannot be guessed faster than that."""

    def __init__(self, limit: int = 5, window: float = 600.0, max_claims: int = 10_000) -> None:
        self.limit, self.window, self.max_claims = limit, window, max_claims
        self._failures: dict[UUID, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, claim_id: UUID) -> int:
        """Seconds until a code may be tried again (0: now)."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(claim_id, now)
            if len(times) < self.limit:
                return 0
            return max(1, int(self.window - (now - times[0])) + 1)

    def failed(self, claim_id: UUID) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(claim_id, now).append(now)
            if len(self._failures) > self.max_claims:
                for key in list(self._failures)[: len(self._failures) // 2]:
                    del self._failures[key]

    def _recent(self, claim_id: UUID, now: float) -> deque[float]:
        times = self._failures.setdefault(claim_id, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times


# -- challenges -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    """What a valid challenge token says."""

    purpose: int
    tx_code_given: bool
    expires_at: datetime


class ChallengeTokens:
    """Mints and reads MAC'd challenge tokens bound to one claim."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    @classmethod
    def under(cls, id_key: bytes) -> ChallengeTokens:
        """Tokens under a key of their own, derived from the ledger's id key."""
        return cls(_mac(id_key, b"claim-challenge-key", b""))

    def mint(
        self,
        claim_id: UUID,
        purpose: int,
        expires_at: datetime,
        *,
        tx_code_given: bool,
        context: bytes = b"",
    ) -> str:
        """A token for ``claim_id``; ``context`` (not in the token) must be given again to
        read it (an access token's client)."""
        body = (
            bytes([_TOKEN_VERSION, purpose, int(tx_code_given)])
            + int(expires_at.timestamp()).to_bytes(8, "big")
            + secrets.token_bytes(12)
        )
        mac = _mac(self.key, b"challenge", claim_id.bytes + context + body)[:16]
        return encode_base64url(body + mac)

    def read(
        self, token: Any, claim_id: UUID, now: datetime, *, context: bytes = b""
    ) -> Challenge | None:
        """The token's content if it is one of ours, for this claim, and not expired."""
        found = self.read_expired_too(token, claim_id, context=context)
        return found if found is not None and now < found.expires_at else None

    def read_expired_too(
        self, token: Any, claim_id: UUID, *, context: bytes = b""
    ) -> Challenge | None:
        """The token's content if it is one of ours for this claim, expired or not (to
        tell a stale token from a made-up one)."""
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            return None
        try:
            raw = decode_base64url(token, "challenge")
        except ValueError:
            return None
        body, mac = raw[:23], raw[23:]
        expected = _mac(self.key, b"challenge", claim_id.bytes + context + body)[:16]
        if not hmac.compare_digest(mac, expected) or body[0] != _TOKEN_VERSION:
            return None
        expires_at = datetime.fromtimestamp(int.from_bytes(body[3:11], "big"), UTC)
        return Challenge(purpose=body[1], tx_code_given=bool(body[2]), expires_at=expires_at)
