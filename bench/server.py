"""A real `chroma run` server on loopback for the scale-path figures (via vectorstore.chroma_server)."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vectorstore.chroma_server import ChromaServer, free_port

PREFERRED_PORT = 18765  # the same port each run: the bot's BM25 cache is keyed by the server's address


def preferred_port() -> int:
    """PREFERRED_PORT when it is free, else any free loopback port."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", PREFERRED_PORT))
        except OSError:
            return free_port()
    return PREFERRED_PORT


@contextmanager
def chroma_server(path: Path, log: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    """`chroma run --host 127.0.0.1 --port <port> --path <path>`, up (heartbeat) for the block."""
    with ChromaServer(path, log, port=preferred_port()) as server:
        assert server.proc is not None
        yield server.proc, server.port
