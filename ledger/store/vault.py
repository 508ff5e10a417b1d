"""Secrets that must never enter the event stream: private keys, subject keys, token hashes.

Personal data in events is sealed with a per-subject key kept here; erasing a subject
deletes its key, which makes the sealed bytes unreadable without changing any stored
event or Merkle leaf.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from credledger.ledger.store.schema import SECRETS, SIGNING_KEYS, SUBJECT_KEYS, VAULT_SCHEMA
from credledger.ledger.store.sqldb import Database, blob
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_batch_keys: ContextVar[dict[str, bytes] | None] = ContextVar("credledger_batch_keys", default=None)


class SubjectErasedError(LookupError):
    """The subject's key was erased: its sealed personal data is gone for good."""


class Vault:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._pepper: bytes | None = None
        self._signing_keys: dict[str, bytes] = {}
        with db.transaction() as cur:
            for statement in VAULT_SCHEMA:
                cur.execute(statement)

    # -- named secrets -------------------------------------------------------------
    def secret(self, name: str, *, create: int | None = None) -> bytes | None:
        """Return a named secret; with ``create=n``, make an n-byte random one if absent."""
        with self.db.transaction() as cur:
            if create is not None:
                cur.execute(
                    f"INSERT INTO {SECRETS} (name, value) VALUES (?, ?) "
                    "ON CONFLICT (name) DO NOTHING",
                    (name, secrets.token_bytes(create)),
                )
            cur.execute(f"SELECT value FROM {SECRETS} WHERE name = ?", (name,))
            row = cur.fetchone()
        return None if row is None else blob(row[0])

    def set_secret(self, name: str, value: bytes) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                f"INSERT INTO {SECRETS} (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    # -- signing keys ----------------------------------------------------------------
    def store_signing_key(self, key_id: str, owner: str, private_key: bytes, now: datetime) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                f"INSERT INTO {SIGNING_KEYS} (key_id, owner, private_key, created_at) "
                "VALUES (?, ?, ?, ?)",
                (key_id, owner, private_key, now.isoformat()),
            )

    def signing_key(self, key_id: str) -> bytes:
        cached = self._signing_keys.get(key_id)
        if cached is not None:
            return cached
        with self.db.transaction() as cur:
            cur.execute(f"SELECT private_key FROM {SIGNING_KEYS} WHERE key_id = ?", (key_id,))
            row = cur.fetchone()
        if row is None:
            raise LookupError(f"no private key for {key_id}")
        self._signing_keys[key_id] = blob(row[0])
        return self._signing_keys[key_id]

    # -- personal data -----------------------------------------------------------------
    def subject_key_id(self, kind: str, identity: str, issuer: str | None = None) -> str:
        """A stable, non-reversible id for a data subject (keyed by a server-side pepper).

        With ``issuer``, the subject as one institution's learner: each institution seals
        its own learners' data under its own keys, so one institution's erasure can never
        reach another's credentials. Without, the ledger-wide id of earlier versions (and
        of credential copies, ``kind="credential"``).
        """
        if self._pepper is None:
            self._pepper = self.secret("subject-pepper", create=32)
        assert self._pepper is not None
        subject = f"{kind}:{identity}" if issuer is None else f"{issuer}/{kind}:{identity}"
        return hmac.new(self._pepper, subject.encode(), hashlib.sha256).hexdigest()

    def _subject_key(self, subject_key_id: str) -> bytes:
        """The subject's key, made (durably, before any event uses it) if it has none.

        Read from the store every time (or from the keys of the batch being sealed), never
        from a cache that outlives a request: an erasure in any process is seen at once.
        """
        batch = _batch_keys.get()
        if batch is not None and subject_key_id in batch:
            return batch[subject_key_id]
        return self._fetch_or_make([subject_key_id])[subject_key_id]

    def _fetch_or_make(self, subject_key_ids: list[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(subject_key_ids))
        keys: dict[str, bytes] = {}
        with self.db.transaction() as cur:
            cur.executemany(
                f"INSERT INTO {SUBJECT_KEYS} (subject_key_id, key) VALUES (?, ?) "
                "ON CONFLICT (subject_key_id) DO NOTHING",
                [(s, secrets.token_bytes(32)) for s in wanted],
            )
            for subject in wanted:
                cur.execute(f"SELECT key FROM {SUBJECT_KEYS} WHERE subject_key_id = ?", (subject,))
                keys[subject] = blob(cur.fetchone()[0])
        return keys

    @contextmanager
    def subject_keys(self, subject_key_ids: list[str]) -> Iterator[None]:
        """Make the missing keys of many subjects in one transaction and seal with them
        for the ``with`` block (a bulk award). An erasure committed meanwhile erases
        what is sealed here too: it is the same learner's data."""
        token = _batch_keys.set(self._fetch_or_make(subject_key_ids) if subject_key_ids else {})
        try:
            yield
        finally:
            _batch_keys.reset(token)

    def seal(self, subject_key_id: str, plaintext: bytes, context: bytes) -> bytes:
        key = self._subject_key(subject_key_id)
        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(key).encrypt(nonce, plaintext, context)

    def has_subject_key(self, subject_key_id: str) -> bool:
        row = self.db.read_one(
            f"SELECT 1 FROM {SUBJECT_KEYS} WHERE subject_key_id = ?", (subject_key_id,)
        )
        return row is not None

    def unseal(self, subject_key_id: str, sealed: bytes, context: bytes) -> bytes:
        """Open sealed personal data; SubjectErasedError once its key is erased (by any
        process: the key is read from the store, not from a cache)."""
        row = self.db.read_one(
            f"SELECT key FROM {SUBJECT_KEYS} WHERE subject_key_id = ?", (subject_key_id,)
        )
        if row is None:
            raise SubjectErasedError(subject_key_id)
        return AESGCM(blob(row[0])).decrypt(sealed[:12], sealed[12:], context)

    def erase_subject(self, subject_key_id: str) -> bool:
        """Delete the subject's key (crypto-shredding); True if there was one."""
        return self.erase_subjects([subject_key_id]) == 1

    def erase_subjects(self, subject_key_ids: list[str]) -> int:
        """Delete these subjects' keys in one transaction; returns how many existed."""
        erased = 0
        with self.db.transaction() as cur:
            for subject in dict.fromkeys(subject_key_ids):
                cur.execute(f"SELECT 1 FROM {SUBJECT_KEYS} WHERE subject_key_id = ?", (subject,))
                if cur.fetchone() is not None:
                    erased += 1
                    cur.execute(f"DELETE FROM {SUBJECT_KEYS} WHERE subject_key_id = ?", (subject,))
        return erased
