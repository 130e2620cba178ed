"""Sentence vectors prepared after an ingest and kept in Chroma (answering/sentence_vectors.py,
vectorstore/sentence_vectors.py): every candidate sentence is stored once, incrementally, and answers read
them instead of embedding. Real Chroma, real MiniLM, real ingest; the CLI through typer's runner."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from answering.engine import Engine
from answering.sentence_vectors import candidate_texts, prepare
from bot import cli
from corridor.settings import get_settings
from ingest.pipeline import ingest
from tests.conftest import BUNDLED_CORPUS
from vectorstore.sentence_vectors import SUFFIX, SentenceVectors
from vectorstore.store import ChunkStore

pytestmark = pytest.mark.slow
QUESTION = "Why are Russian ports no longer considered safe?"


class Counting:
    """The real model, counting the texts it is asked to embed as documents."""

    def __init__(self, inner) -> None:
        self.inner, self.documents = inner, 0

    def embed_documents(self, texts):
        self.documents += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture
def built(tmp_path, settings_factory, small_corpus, embeddings):
    settings = settings_factory(tmp_path, corpus_dir=small_corpus)
    store = ChunkStore(settings, embeddings=embeddings)
    ingest(None, settings, store=store, progress=False)
    return settings, store


def test_prepare_stores_each_candidate_once_and_is_incremental(built, small_corpus) -> None:
    settings, store = built
    texts = set(candidate_texts(store))
    assert len(texts) > 50
    assert prepare(store) == len(texts) == SentenceVectors(store).count()
    assert prepare(store) == 0  # nothing new
    shutil.copy(BUNDLED_CORPUS / "06-wikipedia-baku-tbilisi-kars-railway.md", small_corpus)
    ingest(None, settings, store=store, progress=False)
    added = set(candidate_texts(store)) - texts
    assert added and prepare(store) == len(added)
    assert store.client.get_collection(settings.collection + SUFFIX).count() == len(texts | added)


def test_answers_read_stored_vectors_and_do_not_change(built, embeddings) -> None:
    settings, store = built
    prepare(store)
    plain = Engine(settings.model_copy(update={"sentence_vectors": False}), store).ask(QUESTION)
    counting = Counting(embeddings)
    engine = Engine(settings, ChunkStore(settings, embeddings=counting))
    answer = engine.ask(QUESTION)
    assert counting.documents == 0  # every sentence it ranked was read from Chroma
    assert [s.text for s in answer.statements] == [s.text for s in plain.statements]
    assert [c.chunk_id for c in answer.citations] == [c.chunk_id for c in plain.citations]


def test_without_prepared_vectors_answers_embed_as_before(built, embeddings) -> None:
    settings, _ = built
    counting = Counting(embeddings)
    answer = Engine(settings, ChunkStore(settings, embeddings=counting)).ask(QUESTION)
    assert not answer.abstained and counting.documents > 0


def test_cli_ingest_prepares_the_vectors_and_keeps_json_clean(tmp_path, small_corpus, monkeypatch) -> None:
    for key, value in {"DATA_DIR": tmp_path, "CORPUS_DIR": small_corpus, "SENTENCE_VECTORS": "true"}.items():
        monkeypatch.setenv(f"CORRIDOR_{key}", str(value))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli.app, ["ingest", "--json"])
        assert result.exit_code == 0, result.output
        assert result.stdout.lstrip().startswith("{") and '"added"' in result.stdout
        store = cli.open_store()
        assert SentenceVectors(store).count() == len(set(candidate_texts(store))) > 0
        monkeypatch.setenv("CORRIDOR_SENTENCE_VECTORS", "false")
        get_settings.cache_clear()
        shutil.copy(BUNDLED_CORPUS / "06-wikipedia-baku-tbilisi-kars-railway.md", small_corpus)
        before = SentenceVectors(store).count()
        assert CliRunner().invoke(cli.app, ["ingest", "--json"]).exit_code == 0
        assert SentenceVectors(cli.open_store()).count() == before  # turned off: nothing embedded
    finally:
        get_settings.cache_clear()


def test_an_engine_ingest_prepares_what_it_added(built, small_corpus) -> None:
    settings, store = built
    prepare(store)
    before = SentenceVectors(store).count()
    extra = small_corpus.parent / "extra"
    extra.mkdir()
    shutil.copy(BUNDLED_CORPUS / "06-wikipedia-baku-tbilisi-kars-railway.md", extra)
    report = Engine(settings, store).ingest([str(extra)])
    assert report.added and SentenceVectors(store).count() > before
    assert prepare(store) == 0


def test_unreadable_stored_vectors_fall_back_to_the_model(built, embeddings) -> None:
    settings, store = built
    prepare(store)
    counting = Counting(embeddings)
    engine = Engine(settings, ChunkStore(settings, embeddings=counting))
    store.client.delete_collection(settings.collection + SUFFIX)  # gone under the running engine
    answer = engine.ask(QUESTION)
    assert not answer.abstained and counting.documents > 0
