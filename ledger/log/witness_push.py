"""The log pushes its newest checkpoint to its witnesses (c2sp.org/tlog-witness).

For each witness configured with its URL and vkey (``CREDLEDGER_WITNESSES``), the
pusher sends ``POST <url>/add-checkpoint``: ``old <size>`` (the size the witness last
cosigned, as far as the log knows), the consistency proof from that size, and the
newest checkpoint note. A 409 answers the size the witness really knows: the pusher
retries once from there. A 200 answers cosignature lines: they are kept only if they
verify with the configured witness key (:meth:`TransparencyLog.add_cosignatures`,
as ``POST /v1/log/cosignatures`` keeps a pull witness's).

The pusher never runs on an act's request path: the server runs :meth:`push_due` on
a loop of its own (``api/server.py``), in a worker thread. Every request goes through
the guarded fetcher with its deadline and size cap, without redirects. A witness
that cannot be reached, or refuses, is tried again later, less often each time; the
log itself carries on. A witness that knows a *larger* tree than the log's newest
checkpoint is told nothing more: the log was rolled back, or another log signs under
its key (the witness keeps the evidence; the log's operator must look).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from credledger.crypto.errors import CryptoError
from credledger.crypto.signed_note import (
    CosignatureVerifier,
    cosignature_timestamp,
    open_note,
)
from credledger.crypto.tlog_witness_protocol import (
    SIZE_CONTENT_TYPE,
    AddCheckpoint,
    parse_size_answer,
)
from credledger.ledger.log.transparency_log import StoredCheckpoint, TransparencyLog
from credledger.ledger.store.settings import WitnessEndpoint
from credledger.ledger.verify.guarded_fetch import Fetched, FetchError, GuardedFetcher

__all__ = ["PushOutcome", "WitnessPusher"]

log = logging.getLogger("credledger.witness")

RETRY_SECONDS = 5.0
"""The wait after a witness's first failure; it doubles with each further one."""
MAX_RETRY_SECONDS = 300.0
MAX_ANSWER_BYTES = 64 * 1024
ATTEMPTS = 2
"""One push, and one more from the size a 409 names."""


@dataclass(frozen=True)
class PushOutcome:
    """What one push to one witness came to."""

    witness: str
    size: int
    result: str
    """``cosigned``, ``unreachable``, ``refused`` (with the HTTP status), ``ahead`` (the
    witness knows a larger tree than the log's newest checkpoint), or ``invalid`` (its
    answer did not verify)."""
    detail: str
    status: int | None = None


@dataclass
class _Witness:
    endpoint: WitnessEndpoint
    verifier: CosignatureVerifier
    known_size: int | None = None
    failures: int = 0
    next_try: float = 0.0
    last: PushOutcome | None = field(default=None)


class WitnessPusher:
    """Pushes the log's newest checkpoint to every configured witness that has not
    cosigned it yet."""

    def __init__(
        self,
        tlog: TransparencyLog,
        endpoints: Sequence[WitnessEndpoint],
        fetcher: GuardedFetcher,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tlog = tlog
        self.fetcher = fetcher
        self.monotonic = monotonic
        self.witnesses = [_Witness(e, CosignatureVerifier.from_vkey(e.vkey)) for e in endpoints]
        self._lock = threading.Lock()

    def push_due(self) -> list[PushOutcome]:
        """Push the newest checkpoint to each witness that lacks it and is due; returns
        what each push came to (nothing when a push is already running)."""
        if not self.witnesses or not self._lock.acquire(blocking=False):
            return []
        try:
            latest = self.tlog.latest_checkpoint()
            if latest is None:
                return []
            outcomes = []
            for witness in self.witnesses:
                if self._cosigned(witness, latest) or self.monotonic() < witness.next_try:
                    continue
                outcomes.append(self._record(witness, self._push(witness, latest)))
            return outcomes
        finally:
            self._lock.release()

    def status(self) -> list[PushOutcome | None]:
        """The last outcome per witness, in the configured order."""
        return [w.last for w in self.witnesses]

    # -- one witness ------------------------------------------------------------------------
    def _cosigned(self, witness: _Witness, checkpoint: StoredCheckpoint) -> bool:
        prefix = f"\u2014 {witness.verifier.name} "
        return any(
            line.startswith(prefix) for line in self.tlog.records.cosignature_lines(checkpoint.size)
        )

    def _push(self, witness: _Witness, checkpoint: StoredCheckpoint) -> PushOutcome:
        name = witness.verifier.name
        old = witness.known_size
        if old is None:
            old = self.tlog.records.newest_cosigned_size(name) or 0
        for _attempt in range(ATTEMPTS):
            if old > checkpoint.size:
                return PushOutcome(
                    name,
                    checkpoint.size,
                    "ahead",
                    f"the witness cosigned a tree of size {old}, larger than this log's "
                    f"newest checkpoint ({checkpoint.size}): the log was rolled back or "
                    "forked; the witness will not cosign it",
                )
            proof = self._proof(old, checkpoint.size)
            request = AddCheckpoint(old, tuple(proof), checkpoint.note)
            try:
                answer = self.fetcher.request(
                    "POST",
                    witness.endpoint.url + "/add-checkpoint",
                    {"Content-Type": "text/plain; charset=utf-8"},
                    payload=request.body(),
                    follow_redirects=False,
                )
            except FetchError as exc:
                return PushOutcome(name, checkpoint.size, "unreachable", str(exc))
            if answer.status == 409 and _media_type(answer) == SIZE_CONTENT_TYPE:
                try:
                    old = witness.known_size = parse_size_answer(answer.body)
                except CryptoError as exc:
                    return PushOutcome(name, checkpoint.size, "invalid", str(exc), 409)
                continue
            if answer.status != 200:
                return _refused(name, checkpoint.size, answer)
            return self._keep(witness, checkpoint, answer.body)
        return PushOutcome(
            name, checkpoint.size, "refused", f"the witness still knows another size ({old})", 409
        )

    def _proof(self, old: int, size: int) -> list[bytes]:
        """The consistency proof from ``old`` (none from the empty tree, or to itself)."""
        return self.tlog.consistency_proof(old, size) if 0 < old < size else []

    def _keep(self, witness: _Witness, checkpoint: StoredCheckpoint, body: bytes) -> PushOutcome:
        """Keep the witness's cosignature on ``checkpoint`` once it verifies."""
        name = witness.verifier.name
        try:
            cosigned = checkpoint.note + body.decode("utf-8")
            mine = [
                s
                for s in open_note(cosigned, [witness.verifier]).signatures
                if (s.name, s.key_id) == (name, witness.verifier.key_id)
            ]
            if any(cosignature_timestamp(s.signature) == 0 for s in mine):
                raise ValueError("a cosignature without a timestamp (0)")
            self.tlog.add_cosignatures(cosigned)
        except (CryptoError, UnicodeDecodeError, ValueError) as exc:
            return PushOutcome(name, checkpoint.size, "invalid", f"its answer: {exc}", 200)
        witness.known_size = checkpoint.size
        return PushOutcome(name, checkpoint.size, "cosigned", "kept its cosignature", 200)

    def _record(self, witness: _Witness, outcome: PushOutcome) -> PushOutcome:
        """Remember the outcome; schedule the next try after a failure, and say so."""
        witness.last = outcome
        where = witness.endpoint.url
        if outcome.result == "cosigned":
            witness.failures, witness.next_try = 0, 0.0
            log.info("witness %s (%s) cosigned size %d", outcome.witness, where, outcome.size)
            return outcome
        witness.failures += 1
        wait = min(MAX_RETRY_SECONDS, RETRY_SECONDS * 2 ** (witness.failures - 1))
        witness.next_try = self.monotonic() + wait
        if outcome.result != "unreachable":
            witness.known_size = None  # ask the store (and the witness) afresh next time
        level = logging.WARNING if outcome.result == "unreachable" else logging.ERROR
        log.log(
            level,
            "witness %s (%s) did not cosign size %d: %s: %s (next try in %.0f s)",
            outcome.witness,
            where,
            outcome.size,
            outcome.result,
            outcome.detail,
            wait,
        )
        return outcome


def _media_type(answer: Fetched) -> str:
    return answer.headers.get("content-type", "").split(";", 1)[0].strip().lower()


_REFUSALS = {
    400: "it found the request malformed",
    403: "the checkpoint's signature is not one it trusts for this log",
    404: "it does not know this log (configure the log's origin and vkey there)",
    409: "it has cosigned another tree of that size",
    422: "the checkpoint does not extend the one it cosigned before (a fork?)",
}


def _refused(name: str, size: int, answer: Fetched) -> PushOutcome:
    reason = _REFUSALS.get(answer.status, f"HTTP {answer.status} {answer.reason}".strip())
    return PushOutcome(name, size, "refused", reason, answer.status)
