"""Run `credledger serve` as a real process on 127.0.0.1, for crash and end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ADMIN_TOKEN = "crash-test-admin-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    def __init__(
        self,
        data: Path,
        port: int | None = None,
        env: dict[str, str] | None = None,
        base_url: str | None = None,
        output: Path | None = None,
    ) -> None:
        """``output``: a file for the server's standard output (its access log)."""
        self.output = output
        self.base_url = base_url
        self.data = data
        self.port = port or free_port()
        self.env = {**os.environ, "CREDLEDGER_ADMIN_TOKEN": ADMIN_TOKEN, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        stdout: Any = self.output.open("ab") if self.output else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "credledger.cli.main",
                "serve",
                "--data",
                str(self.data),
                "--port",
                str(self.port),
                *(["--base-url", self.base_url] if self.base_url else []),
            ],
            env=self.env,
            stdout=stdout,
            stderr=subprocess.PIPE,
        )
        if self.output is not None:
            stdout.close()  # the child has its own copy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server exited early: {err[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.kill()  # a server still starting must not outlive the test that gave up on it
        raise TimeoutError("server did not start")

    def kill(self) -> None:
        """kill -9: no shutdown code runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None
