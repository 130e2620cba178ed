"""The `corridor` CLI in-process (typer's runner and main()), on the session's store and scratch stores."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import cli
from corridor.settings import get_settings
from ingest.pipeline import write_lock
from tests.conftest import BUNDLED_CORPUS

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture
def env(monkeypatch):
    """Point the CLI's settings at explicit values (environment variables), fresh for each test."""
    for name in ("CHROMA_HOST", "DISCORD_TOKEN", "CORRIDOR_DISCORD_TOKEN", "CORRIDOR_PRESET"):
        monkeypatch.delenv(name, raising=False)

    def use(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"CORRIDOR_{key.upper()}", str(value))
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


def test_sources_json_lists_the_14_documents(ingested, env) -> None:
    env(store_dir=ingested.settings.store_dir)
    result = runner.invoke(cli.app, ["sources", "--json"])
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    assert len(docs) == 14
    assert {d["doc_id"] for d in docs} == {p.stem for p in BUNDLED_CORPUS.glob("*.md")}
    assert all(d["title"] and d["chunks"] > 0 for d in docs)
    human = runner.invoke(cli.app, ["sources"])
    assert "14 documents" in human.stdout and "2025-08-04" in human.stdout


def test_ingest_json_on_an_unchanged_corpus_embeds_nothing(ingested, env) -> None:
    env(store_dir=ingested.settings.store_dir)
    result = runner.invoke(cli.app, ["ingest", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["unchanged"]) == 14 and report["chunks_embedded"] == 0 and report["failed"] == {}


def test_ingest_summary_names_failures_and_exits_1_when_nothing_worked(tmp_path, env, small_corpus,
                                                                      caplog) -> None:
    env(data_dir=tmp_path)
    (small_corpus / "broken.pdf").write_bytes(b"%PDF-1.7 garbage")
    with caplog.at_level(logging.WARNING):
        result = runner.invoke(cli.app, ["ingest", str(small_corpus)])
    # pypdf's own complaint ("EOF marker not found") would reach the terminal through Python's last-resort
    # handler beside the report's one line: it is not logged at all
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    assert result.exit_code == 0, result.output
    assert "added 3" in result.stdout and "failed 1" in result.stdout
    assert "broken.pdf: not a readable PDF" in result.stdout and "chunks written" in result.stdout
    only_bad = runner.invoke(cli.app, ["ingest", str(small_corpus / "broken.pdf"), "ftp://example.org/x"])
    assert only_bad.exit_code == 1 and "failed 2" in only_bad.stdout


def test_run_ingests_an_empty_store_then_starts_the_terminal(tmp_path, env, small_corpus) -> None:
    env(data_dir=tmp_path, corpus_dir=small_corpus)
    result = runner.invoke(cli.app, ["run"], input="")
    assert result.exit_code == 0, result.output
    assert "added 3" in result.stdout
    assert cli.open_store().count() > 3
    again = runner.invoke(cli.app, ["run"], input="")  # not empty: no second ingest
    assert again.exit_code == 0 and "added" not in again.stdout


def _main(monkeypatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["corridor", *args])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    return stop.value.code


def test_user_errors_are_one_red_line_without_traceback(tmp_path, env, monkeypatch, capsys) -> None:
    env(data_dir=tmp_path)
    with write_lock(get_settings()):
        assert _main(monkeypatch, "ingest", str(BUNDLED_CORPUS)) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "error: an ingest is already running on this store; try again when it ends"]

    doc = tmp_path / "note.md"
    doc.write_text("# Note\n\nSomething to embed.\n")
    env(data_dir=tmp_path / "other", embedding_model=str(tmp_path / "no-such-model"))
    assert _main(monkeypatch, "ingest", str(doc)) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "no-such-model" in err and "Traceback" not in err

    env(chunk_size="lots")
    assert _main(monkeypatch, "sources") == 1
    assert capsys.readouterr().err.startswith("error: invalid setting chunk_size")


def test_the_console_script_runs_main(tmp_path) -> None:
    """The installed `corridor` script runs: --help lists the commands, and a user error goes through main()
    (one red line on stderr, exit status 1, no traceback)."""
    import os
    import subprocess

    script = Path(sys.executable).parent / "corridor"
    env = {**os.environ, "CORRIDOR_DATA_DIR": str(tmp_path), "COLUMNS": "120"}
    env.pop("DISCORD_TOKEN", None)
    shown = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=env, timeout=120)
    assert shown.returncode == 0, shown.stderr
    for command in ("ingest", "sources", "ask", "chat", "bot", "eval", "run"):
        assert command in shown.stdout
    refused = subprocess.run([str(script), "ask", "--since", "yesterday", "anything"], capture_output=True,
                             text=True, env=env, timeout=120)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip().splitlines() == ["error: not a date (use YYYY-MM-DD): 'yesterday'"]
