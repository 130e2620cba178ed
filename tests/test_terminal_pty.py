"""`corridor ask` and `corridor chat` in a real pseudo-terminal (stdlib pty) at 80 and 160 columns: the
rich panel shows every statement of the answer, not just its first line."""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
import time

import pytest

from answering.engine import Engine
from tests.conftest import pty_readable

pytestmark = pytest.mark.slow

CANDIDATES = ("What is the Middle Corridor?",
              "How long is the Baku–Tbilisi–Kars railway, and when did it become operational?",
              "What was the main focus of President Tokayev's visit to Türkiye?")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
BOX = "│╭╮╰╯─"


def run_in_pty(args: list[str], ingested, columns: int, stdin: str = "", timeout: float = 300) -> str:
    """Run `python -m bot.cli *args` on a pty of `columns` x 50; the terminal output without colour codes."""
    settings = ingested.settings
    env = {**os.environ, "CORRIDOR_DATA_DIR": str(settings.data_dir),
           "CORRIDOR_STORE_DIR": str(settings.store_dir), "CORRIDOR_CORPUS_DIR": str(settings.corpus_dir),
           "HF_HUB_OFFLINE": "1", "TERM": "xterm-256color"}
    for name in ("COLUMNS", "LINES", "DISCORD_TOKEN", "CHROMA_HOST", "NO_COLOR", "TTY_COMPATIBLE"):
        env.pop(name, None)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], stdin=slave, stdout=slave,
                            stderr=slave, env=env, start_new_session=True, close_fds=True)
    os.close(slave)
    if stdin:
        os.write(master, stdin.encode())  # held by the line discipline until the program reads it
    out = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not pty_readable(master, 1.0):
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its side
                break
            if not data:
                break
            out += data
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == 0, out.decode(errors="replace")[-2000:]
    return ANSI.sub("", out.decode(errors="replace")).replace("\r", "")


def squash(text: str) -> str:
    """Text without whitespace or panel borders: wrapping inside the panel no longer matters."""
    return re.sub(r"\s+", "", "".join(ch for ch in text if ch not in BOX))


@pytest.fixture(scope="module")
def asked(ingested) -> tuple[str, list[str]]:
    """A question whose answer has several statements and is longer than one panel line at 160 columns,
    and those statements (the same engine and store the command uses)."""
    engine = Engine(ingested.settings, ingested.store)
    try:
        for question in CANDIDATES:
            answer = engine.ask(question)
            if not answer.abstained and len(answer.statements) >= 2 and len(answer.text) > 320:
                return question, [s.text for s in answer.statements]
    finally:
        engine.close()
    raise AssertionError("no candidate question has a multi-statement answer")


def assert_panel_shows(screen: str, statements: list[str], columns: int) -> None:
    panel = [line for line in screen.splitlines() if line.startswith(("│", "╭", "╰"))]
    assert len(panel) >= 3, screen
    assert all(len(line) <= columns for line in panel), max(panel, key=len)
    body = squash("\n".join(panel))
    missing = [s for s in statements if squash(s) not in body]
    assert not missing, f"not shown in the panel: {missing}\n{screen}"


@pytest.mark.parametrize("columns", [80, 160])
def test_ask_in_a_terminal_shows_every_statement(ingested, asked, columns) -> None:
    question, statements = asked
    screen = run_in_pty(["ask", question], ingested, columns)
    assert_panel_shows(screen, statements, columns)
    assert "[1]" in screen


@pytest.mark.parametrize("columns", [80, 160])
def test_chat_in_a_terminal_shows_every_statement(ingested, asked, columns) -> None:
    question, statements = asked
    screen = run_in_pty(["chat"], ingested, columns, stdin=f"{question}\n/quit\n")
    assert "you>" in screen
    assert_panel_shows(screen, statements, columns)
