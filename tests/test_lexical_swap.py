"""BM25 during writes: in background mode a question keeps the index it had while the new one is built off
its path (in a child process: python -m vectorstore.lexical_child) and swapped in; prepare() builds it
explicitly (what the bot's refresh task calls, with child=True). A child that fails costs a build in this
process, never an answer."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from vectorstore.lexical import LexicalIndex, child_job
from vectorstore.store import ChunkStore

pytestmark = pytest.mark.slow


def _wait_for_swap(lexical: LexicalIndex, old) -> None:
    deadline = time.monotonic() + 300  # a generous ceiling on a loaded machine, not a timing bound
    while lexical.current() is old:
        assert time.monotonic() < deadline, "the background rebuild never finished"
        time.sleep(0.05)


def _cache_entries(lexical: LexicalIndex) -> list[str]:
    return sorted(p.name for p in lexical.cache_dir.iterdir())


def _indexed(tmp_path, settings_factory, small_corpus, embeddings):
    """(settings, store, lexical index with its cache under tmp_path) over the small corpus, ingested."""
    settings = settings_factory(tmp_path)
    store = ChunkStore(settings, embeddings=embeddings)
    ingest([str(small_corpus)], settings, store=store, progress=False)
    return settings, store, LexicalIndex(store, tmp_path / "bm25")


def test_background_mode_answers_from_the_old_index_until_the_new_one_is_swapped_in(
        tmp_path, settings_factory, small_corpus, embeddings) -> None:
    settings, store, lexical = _indexed(tmp_path, settings_factory, small_corpus, embeddings)
    assert lexical.search("Zangezur", 3) and not lexical.search("zorvanite", 3)
    old = lexical.current()

    (small_corpus / "new.md").write_text("# Zorvanite\n\nZorvanite ore leaves Aktau by ferry every week.\n")
    ingest([str(small_corpus)], settings, store=store, progress=False)
    lexical.background = True
    assert lexical.search("zorvanite", 3) == []  # the old index answered at once; a rebuild has started
    _wait_for_swap(lexical, old)  # event-based wait for the swap (no timing bound on the build itself)
    assert lexical.current().generation == store.generation()
    assert lexical.search("zorvanite", 3)

    (small_corpus / "new.md").write_text("# Quellite\n\nQuellite is shipped from Kuryk instead.\n")
    ingest([str(small_corpus)], settings, store=store, progress=False)
    lexical.prepare()  # built here, before any question
    swapped = lexical.current()
    assert swapped.generation == store.generation() and lexical.search("quellite", 3)
    lexical.background = False
    assert lexical.current() is swapped  # nothing left to rebuild inline


def test_a_background_rebuild_runs_in_a_child_process_while_questions_use_the_old_index(
        tmp_path, settings_factory, small_corpus, embeddings) -> None:
    settings, store, lexical = _indexed(tmp_path, settings_factory, small_corpus, embeddings)
    old = lexical.current()
    assert lexical.last_build["where"] == "here"  # the first index of a process is built inline

    (small_corpus / "new.md").write_text("# Zorvanite\n\nZorvanite ore leaves Aktau by ferry every week.\n")
    ingest([str(small_corpus)], settings, store=store, progress=False)
    lexical.background = True
    answered_meanwhile = 0
    deadline = time.monotonic() + 300
    while lexical.current() is old:  # questions keep answering from the old index while the child builds
        assert lexical.search("zorvanite", 3) == [] and lexical.search("Zangezur", 3)
        answered_meanwhile += 1
        assert time.monotonic() < deadline, "the background rebuild never finished"
        time.sleep(0.01)
    assert answered_meanwhile >= 1
    build = lexical.last_build
    assert build["where"] == "child" and build["pid"] != os.getpid()
    assert build["generation"] == store.generation() == lexical.current().generation
    assert lexical.search("zorvanite", 3)
    assert _cache_entries(lexical) == [lexical._key(store.generation())]  # saved once, no .tmp left
    lexical._builder.join(60)
    assert not lexical._builder.is_alive()


def test_the_index_built_in_a_child_is_the_one_built_inline(tmp_path, ingested) -> None:
    _settings, store = ingested
    in_child = LexicalIndex(store, tmp_path / "child")
    in_child.prepare(child=True)
    inline = LexicalIndex(store, tmp_path / "inline")
    inline.prepare()
    assert in_child.last_build["where"] == "child" and inline.last_build["where"] == "here"
    a, b = in_child.current(), inline.current()
    assert a.generation == b.generation and a.ids == b.ids and a.vocab == b.vocab
    for query in ("Zangezur corridor", "grain exports from Kazakhstan", "Baku-Tbilisi-Kars railway",
                  "Tokayev"):
        assert in_child.search(query, 10) == inline.search(query, 10)
        assert in_child.search(query, 5, date_range=(20100101, 20301231)) == inline.search(
            query, 5, date_range=(20100101, 20301231))
    key = inline._key(b.generation)
    child_dir, inline_dir = in_child.cache_dir / key, inline.cache_dir / key
    names = sorted(p.name for p in inline_dir.iterdir())
    assert names == sorted(p.name for p in child_dir.iterdir()) and "corridor.json" in names
    for name in names:  # byte for byte what the thread would have saved
        assert (child_dir / name).read_bytes() == (inline_dir / name).read_bytes(), name


def test_the_child_imports_no_model_and_refuses_a_wrong_store_path(tmp_path, ingested) -> None:
    settings, _store = ingested
    job = child_job(settings, tmp_path / "cache")
    code = ("import sys, vectorstore.lexical_child as child; child.main([sys.argv[1]]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('torch', 'sentence_transformers', 'transformers', 'langchain_core', 'corridor')))")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    done = subprocess.run([sys.executable, "-c", code, json.dumps(job)], capture_output=True, text=True,
                          env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    *_, result, heavy = done.stdout.strip().splitlines()
    assert heavy == "[]"
    assert json.loads(result)["chunks"] == ingested.store.count()

    wrong = dict(job, path=str(tmp_path / "nowhere" / "chroma"))
    done = subprocess.run([sys.executable, "-m", "vectorstore.lexical_child", json.dumps(wrong)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode != 0 and "no embedded store" in done.stderr
    assert not (tmp_path / "nowhere").exists()  # it did not create an empty store there


def test_a_failed_child_leaves_the_old_index_answering_and_the_next_build_works(
        tmp_path, settings_factory, small_corpus, embeddings, caplog) -> None:
    settings, store, lexical = _indexed(tmp_path, settings_factory, small_corpus, embeddings)
    old = lexical.current()
    lexical.background = True

    # A child that dies (here: an interpreter that exits 3 at once) is logged; the old index answers
    # until this process has built the new one itself.
    broken = tmp_path / "broken-python"
    broken.write_text("#!/bin/sh\necho 'killed: out of memory' >&2\nexit 3\n")
    broken.chmod(0o755)
    lexical.child_python = str(broken)
    (small_corpus / "new.md").write_text("# Zorvanite\n\nZorvanite ore leaves Aktau by ferry every week.\n")
    ingest([str(small_corpus)], settings, store=store, progress=False)
    with caplog.at_level(logging.WARNING, logger="vectorstore.lexical"):
        assert lexical.search("zorvanite", 3) == []
        _wait_for_swap(lexical, old)
    assert lexical.search("zorvanite", 3) and lexical.last_build["where"] == "here"
    assert any("exit code 3" in r.getMessage() and "out of memory" in r.getMessage() for r in caplog.records)

    # A crashed child's half-written folders (this generation's .tmp and an older one) break nothing.
    lexical.child_python = sys.executable
    (small_corpus / "new.md").write_text("# Quellite\n\nQuellite is shipped from Kuryk instead.\n")
    ingest([str(small_corpus)], settings, store=store, progress=False)
    key = lexical._key(store.generation())
    for junk in (lexical.cache_dir / f"{key}.tmp", lexical.cache_dir / "0123456789abcdef0123.tmp"):
        junk.mkdir(parents=True, exist_ok=True)
        (junk / "params.index.json").write_text("{half")
    previous = lexical.current()
    assert not lexical.search("quellite", 3)
    _wait_for_swap(lexical, previous)
    assert lexical.search("quellite", 3) and lexical.last_build["where"] == "child"
    assert _cache_entries(lexical) == [key]


def test_without_a_cache_folder_the_background_rebuild_is_a_thread(
        tmp_path, settings_factory, small_corpus, embeddings) -> None:
    settings = settings_factory(tmp_path)
    store = ChunkStore(settings, embeddings=embeddings)
    ingest([str(small_corpus)], settings, store=store, progress=False)
    lexical = LexicalIndex(store, None)
    old = lexical.current()
    (small_corpus / "new.md").write_text("# Zorvanite\n\nZorvanite ore leaves Aktau by ferry every week.\n")
    ingest([str(small_corpus)], settings, store=store, progress=False)
    lexical.background = True
    assert lexical.search("zorvanite", 3) == []
    _wait_for_swap(lexical, old)
    assert lexical.search("zorvanite", 3)
    assert lexical.last_build["where"] == "here" and lexical.last_build["pid"] == os.getpid()
