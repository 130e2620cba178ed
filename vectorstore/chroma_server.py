"""A `chroma run` server process on loopback: what the tests and benchmarks use to exercise the same code
against a real Chroma server, and what a deployment runs itself (see README, "Performance and scaling")."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

CHROMA = Path(sys.executable).parent / "chroma"  # the CLI that ships with chromadb, beside this Python


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """`chroma run --host 127.0.0.1 --port <port> --path <path>`, which can be stopped and started again on
    the same port and data (to test outages). Use as a context manager or call start()/stop()."""

    def __init__(self, path: Path, log: Path, port: int | None = None) -> None:
        self.path, self.log, self.port = path, log, port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> None:
        """Start the server and wait for its heartbeat (RuntimeError with the log's tail if none comes)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            command = [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(self.port),
                       "--path", str(self.path)]
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"chroma run did not start: {self.log.read_text(errors='replace')[-500:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> ChromaServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
