"""`corridor ask`, `ask --batch` and `chat` over an ingested store: as real processes where the process is
the point (plain text in a pipe, the exit status and stderr of a bad call), in-process through Typer's
CliRunner otherwise (the same command code; each subprocess spent ~10 s importing the model stack)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _run(args: list[str], ingested, stdin: str | None = None) -> subprocess.CompletedProcess:
    settings = ingested.settings
    env = {**os.environ, "CORRIDOR_DATA_DIR": str(settings.data_dir),
           "CORRIDOR_STORE_DIR": str(settings.store_dir), "CORRIDOR_CORPUS_DIR": str(settings.corpus_dir),
           "HF_HUB_OFFLINE": "1", "COLUMNS": "120"}
    env.pop("DISCORD_TOKEN", None)
    env.pop("CHROMA_HOST", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=240)


def _invoke(args: list[str], ingested, stdin: str | None = None):
    """The CLI in this process, on the ingested store (settings re-read from the environment)."""
    from typer.testing import CliRunner

    from bot.cli import app
    from corridor.settings import get_settings

    settings = ingested.settings
    with pytest.MonkeyPatch.context() as mp:
        env = {"CORRIDOR_DATA_DIR": settings.data_dir, "CORRIDOR_STORE_DIR": settings.store_dir,
               "CORRIDOR_CORPUS_DIR": settings.corpus_dir, "COLUMNS": "120"}
        for name, value in env.items():
            mp.setenv(name, str(value))
        for name in ("DISCORD_TOKEN", "CHROMA_HOST", "CORRIDOR_PRESET"):
            mp.delenv(name, raising=False)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(app, args, input=stdin)
        finally:
            get_settings.cache_clear()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def test_ask_json_gives_answer_and_citations(ingested) -> None:
    proc = _invoke(["ask", "--json", "How long is the Baku–Tbilisi–Kars railway?"], ingested)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert "826" in out["answer"] and not out["abstained"]
    c = out["citations"][0]
    assert {"number", "doc_id", "title", "url", "date", "chunk_id", "start", "end", "quote"} <= set(c)


def test_ask_plain_text_when_piped(ingested) -> None:
    proc = _run(["ask", "What is the population of Brazil?"], ingested)
    assert proc.returncode == 0, proc.stderr
    assert "do not cover" in proc.stdout and "Closest sources" in proc.stdout
    assert "\x1b[" not in proc.stdout  # no colour codes in a pipe


def test_batch_answers_every_line_in_order_and_reports_bad_lines(ingested, tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    earlier = [{"role": "user", "content": "How long is the Baku–Tbilisi–Kars railway?"}]
    batch.write_text("\n".join([
        json.dumps({"id": "a", "question": "Which states observe the Organization of Turkic States?"}),
        json.dumps({"id": "b", "question": "When did it open for freight?", "conversation": earlier}),
        "not json",
        json.dumps({"id": "c", "question": ""}),
    ]) + "\n")
    proc = _invoke(["ask", "--batch", str(batch), "--json"], ingested)
    assert proc.returncode == 1  # two lines failed
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r.get("id") for r in rows] == ["a", "b", None, "c"]
    assert "Hungary" in rows[0]["answer"] and rows[0]["latency_ms"] > 0
    assert "2017" in rows[1]["answer"]
    assert "error" in rows[2] and "error" in rows[3]
    assert {"id", "question", "answer", "abstained", "citations", "latency_ms"} <= set(rows[0])


def test_chat_keeps_the_conversation(ingested) -> None:
    script = ("What does Engin Ozer say about Turkish investments in the Caspian region?\n"
              "And when does he expect momentum to pick up?\n/quit\n")
    proc = _invoke(["chat"], ingested, stdin=script)
    assert proc.returncode == 0, proc.stderr
    assert "2027" in proc.stdout


def test_chat_commands_are_not_asked(ingested) -> None:
    """/help shows the help and a mistyped command says so; neither goes to the engine as a question (an
    answer would cite passages: "[1]")."""
    proc = _invoke(["chat"], ingested, stdin="/help\n/sourcse\n/quit\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("/new forgets") == 3  # the greeting, /help, and the unknown command's reply
    assert "Unknown command /sourcse." in proc.stdout and "[1]" not in proc.stdout


def test_ask_without_a_question_is_one_clear_line(ingested) -> None:
    proc = _run(["ask"], ingested)
    assert proc.returncode == 1
    assert "error" in proc.stderr and "Traceback" not in proc.stderr


def test_ask_filters_by_document_and_date(ingested) -> None:
    proc = _invoke(["ask", "--json", "--doc", "06-wikipedia-baku-tbilisi-kars-railway",
                 "What does the Middle Corridor connect?"], ingested)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {c["doc_id"] for c in out["citations"]} <= {"06-wikipedia-baku-tbilisi-kars-railway"}
    bad = _run(["ask", "--since", "last week", "anything"], ingested)  # the real process: one clear line
    assert bad.returncode == 1 and "YYYY-MM-DD" in bad.stderr
