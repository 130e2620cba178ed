"""`corridor chat --mode llm` in a real pseudo-terminal with the real local model: the draft is drawn while
the model writes, then erased, and the screen keeps only the verified answer and its citations. A terminal
emulator (pyte) replays the bytes the program wrote to tell what is left on screen."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pyte
import pytest

from tests.conftest import pty_readable

pytestmark = pytest.mark.slow

COLS, ROWS = 120, 60
DRAFT = "draft, not yet checked"


def read_until(fd: int, buffer: bytearray, needle: bytes, count: int, timeout: float) -> None:
    """Read the pty into `buffer` until `needle` has appeared `count` times (or fail after `timeout`)."""
    deadline = time.monotonic() + timeout
    while buffer.count(needle) < count:
        left = deadline - time.monotonic()
        assert left > 0, f"no {needle!r} #{count} within {timeout}s; got:\n{buffer.decode(errors='replace')}"
        if pty_readable(fd, min(left, 1.0)):
            try:
                buffer.extend(os.read(fd, 65536))
            except OSError:  # the child closed the terminal
                break


def test_chat_streams_the_draft_and_leaves_only_the_verified_answer(ingested, local_gguf) -> None:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    env = {**os.environ, "CORRIDOR_LLM_GGUF": str(local_gguf),
           "CORRIDOR_STORE_DIR": str(ingested.settings.store_dir),
           "CORRIDOR_DATA_DIR": str(ingested.settings.data_dir), "CORRIDOR_K": "2",
           "CORRIDOR_LLM_MAX_TOKENS": "60", "CORRIDOR_LLM_TIMEOUT_S": "240", "HF_HUB_OFFLINE": "1",
           "TERM": "xterm-256color", "COLUMNS": str(COLS), "LINES": str(ROWS)}
    for key in ("CORRIDOR_LLM_BASE_URL", "NO_COLOR", "TERM_PROGRAM"):
        env.pop(key, None)
    corridor = Path(sys.executable).parent / "corridor"
    proc = subprocess.Popen([str(corridor), "chat", "--mode", "llm"], stdin=slave, stdout=slave, stderr=slave,
                            env=env, close_fds=True, start_new_session=True)
    os.close(slave)
    out = bytearray()
    try:
        read_until(master, out, b"you>", 1, 300)
        os.write(master, "How long is the Baku–Tbilisi–Kars railway?\r".encode())
        read_until(master, out, b"you>", 2, 600)
        os.write(master, b"/quit\r")
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    raw = out.decode(errors="replace")
    assert DRAFT in raw, "the draft was never shown while the model wrote"
    screen = pyte.Screen(COLS, ROWS)
    pyte.ByteStream(screen).feed(bytes(out))
    shown = "\n".join(line.rstrip() for line in screen.display)
    assert DRAFT not in shown and "▌" not in shown, shown  # the draft was erased
    assert "corridor" in shown and "[1]" in shown and "chars " in shown, shown  # the verified answer
