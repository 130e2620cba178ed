"""BM25 during writes: in background mode a question keeps the index it had while the new one is built off
its path and swapped in; prepare() builds it explicitly (what the bot's refresh task calls)."""

from __future__ import annotations

import time

import pytest

from ingest.pipeline import ingest
from vectorstore.lexical import LexicalIndex
from vectorstore.store import ChunkStore

pytestmark = pytest.mark.slow


def test_background_mode_answers_from_the_old_index_until_the_new_one_is_swapped_in(
        tmp_path, settings_factory, small_corpus, embeddings) -> None:
    settings = settings_factory(tmp_path)
    store = ChunkStore(settings, embeddings=embeddings)
    ingest([str(small_corpus)], settings, store=store, progress=False)
    lexical = LexicalIndex(store, tmp_path / "bm25")
    assert lexical.search("Zangezur", 3) and not lexical.search("zorvanite", 3)
    old = lexical.current()

    (small_corpus / "new.md").write_text("# Zorvanite\n\nZorvanite ore leaves Aktau by ferry every week.\n")
    ingest([str(small_corpus)], settings, store=store, progress=False)
    lexical.background = True
    assert lexical.search("zorvanite", 3) == []  # the old index answered at once; a rebuild has started
    deadline = time.monotonic() + 120
    while lexical.current() is old:  # event-based wait for the swap (no timing bound on the build itself)
        assert time.monotonic() < deadline, "the background rebuild never finished"
        time.sleep(0.05)
    assert lexical.current().generation == store.generation()
    assert lexical.search("zorvanite", 3)

    (small_corpus / "new.md").write_text("# Quellite\n\nQuellite is shipped from Kuryk instead.\n")
    ingest([str(small_corpus)], settings, store=store, progress=False)
    lexical.prepare()  # built here, before any question
    swapped = lexical.current()
    assert swapped.generation == store.generation() and lexical.search("quellite", 3)
    lexical.background = False
    assert lexical.current() is swapped  # nothing left to rebuild inline
