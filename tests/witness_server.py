"""A `credledger witness serve` witness on 127.0.0.1 (uvicorn in a thread), for the
witness's own tests and the log's pushing tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from credledger.cli.witness_serve import ServedWitness, parse_logs, witness_app
from credledger.cli.witness_state import StateDirectory, origin_hash
from credledger.crypto.keys import Ed25519KeyPair
from credledger.crypto.tlog_witness import WitnessKey, WitnessState
from credledger.crypto.tlog_witness_protocol import AddCheckpoint

WITNESS_KEY = WitnessKey("witness.test/w1", Ed25519KeyPair.from_seed(bytes([77]) * 32))


def bound_socket(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


@dataclass
class RunningWitness:
    url: str
    port: int
    served: ServedWitness
    state_dir: Path

    def add_checkpoint(self, old: int, proof: Sequence[bytes], note: str) -> httpx.Response:
        body = AddCheckpoint(old, tuple(proof), note).body()
        return httpx.post(f"{self.url}/add-checkpoint", content=body, timeout=10)

    def state(self, origin: str) -> WitnessState | None:
        return self.served.state.load(origin)

    def checkpoint(self, origin: str) -> httpx.Response:
        return httpx.get(f"{self.url}/{origin_hash(origin)}/checkpoint", timeout=10)

    def evidence(self) -> list[Path]:
        return sorted((self.state_dir / "evidence").iterdir())


@contextmanager
def running_witness(
    state_dir: Path,
    logs: Sequence[str],
    *,
    key: WitnessKey = WITNESS_KEY,
    port: int = 0,
) -> Iterator[RunningWitness]:
    """A witness for ``logs`` (``ORIGIN=VKEY`` or vkeys) keeping its state in ``state_dir``;
    ``port`` 0 picks a free one (give the same port again to restart it in place)."""
    sock = bound_socket(port)
    directory = StateDirectory(state_dir)
    served = ServedWitness(key, parse_logs(logs), directory)
    server = uvicorn.Server(uvicorn.Config(witness_app(served), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the test witness did not start"
        time.sleep(0.01)
    bound = int(sock.getsockname()[1])
    try:
        yield RunningWitness(f"http://127.0.0.1:{bound}", bound, served, state_dir)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        directory.close()
