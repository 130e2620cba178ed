"""A real `chroma run` server on loopback for the scale-path figures."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

CHROMA = Path(sys.executable).parent / "chroma"


PREFERRED_PORT = 18765  # the same port each run: the bot's BM25 cache is keyed by the server's address


def free_port() -> int:
    """PREFERRED_PORT when it is free, else any free loopback port."""
    for port in (PREFERRED_PORT, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port")


@contextmanager
def chroma_server(path: Path, log: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    """`chroma run --host 127.0.0.1 --port <free> --path <path>`, up (heartbeat) for the block."""
    port = free_port()
    path.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chroma run did not start; see {log}")
                time.sleep(0.3)
            yield proc, port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
