"""A serving witness's state directory: what it cosigned per log, and evidence of forks.

Layout (``--state DIR``)::

    DIR/.lock                         held (flock) by the one witness serving from DIR
    DIR/logs/<sha256(origin)>.json    the newest checkpoint cosigned for that log
    DIR/evidence/<sha256(origin)>-<UTC time>.json
                                      a checkpoint the log signed that contradicts the
                                      one cosigned before, kept with it (a fork)

Every file is written to a temporary file in the same directory, flushed and fsynced,
renamed over the old one, and the directory fsynced: a crash leaves the old state or
the new, never half of one. The witness answers only after that (c2sp.org/tlog-witness:
"The witness MUST persist the new checkpoint before responding").
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from credledger.crypto.tlog_witness import WitnessState, WitnessStateError

__all__ = ["StateDirectory", "StateInUseError", "origin_hash", "write_atomically"]


class StateInUseError(WitnessStateError):
    """Another witness process serves from the same state directory."""


def origin_hash(origin: str) -> str:
    """SHA-256 of the log's origin, lower-case hex (the spec's monitoring path)."""
    return hashlib.sha256(origin.encode("utf-8")).hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: temporary file, fsync, rename, fsync the directory."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class StateDirectory:
    """The state of one serving witness; :meth:`close` releases the directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.logs = root / "logs"
        self.evidence = root / "evidence"
        for directory in (root, self.logs, self.evidence):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            raise StateInUseError(f"another witness serves from {root}") from None

    def close(self) -> None:
        os.close(self._lock)  # releases the flock

    def path(self, origin: str) -> Path:
        return self.logs / f"{origin_hash(origin)}.json"

    def load(self, origin: str) -> WitnessState | None:
        """The newest checkpoint cosigned for ``origin`` (None: never one)."""
        path = self.path(origin)
        try:
            value = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise WitnessStateError(f"cannot read the witness state {path}: {exc}") from None
        if not isinstance(value, dict):
            raise WitnessStateError(f"{path} is not a witness state")
        state = WitnessState.from_json(value)
        if state.origin != origin:
            raise WitnessStateError(f"{path} holds the state of {state.origin!r}, not {origin!r}")
        return state

    def load_by_hash(self, hashed: str) -> WitnessState | None:
        """The state whose origin hashes to ``hashed`` (the monitoring read)."""
        if len(hashed) != 64 or any(c not in "0123456789abcdef" for c in hashed):
            return None
        path = self.logs / f"{hashed}.json"
        if not path.exists():
            return None
        value = json.loads(path.read_bytes())
        return WitnessState.from_json(value) if isinstance(value, dict) else None

    def save(self, state: WitnessState) -> None:
        data = json.dumps(state.as_json(), indent=2) + "\n"
        write_atomically(self.path(state.origin), data.encode("utf-8"))

    def keep_evidence(
        self, origin: str, remembered: WitnessState | None, offered: bytes, reason: str
    ) -> Path:
        """Keep a refused request beside the state it contradicts; returns the file."""
        now = datetime.now(UTC)
        record: dict[str, Any] = {
            "origin": origin,
            "received_at": now.isoformat(),
            "reason": reason,
            "cosigned_before": remembered.as_json() if remembered else None,
            "offered_request": offered.decode("utf-8", errors="replace"),
        }
        path = self.evidence / f"{origin_hash(origin)}-{now.strftime('%Y%m%dT%H%M%S%fZ')}.json"
        write_atomically(path, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
        return path
