"""ChunkStore against the session's ingested bundled corpus (read-only) and small scratch stores."""

from __future__ import annotations

import math
import time

import pytest

from corridor.errors import InputError
from corridor.records import Chunk, DocumentMeta
from ingest.loaders import from_markdown
from tests.conftest import BUNDLED_CORPUS
from vectorstore.store import ChunkStore, date_bounds

pytestmark = pytest.mark.slow


def test_collection_uses_cosine_and_dense_search_returns_similarities(ingested) -> None:
    _, store = ingested
    assert store.collection.configuration["hnsw"]["space"] == "cosine"
    query = store.embeddings.embed_query("Zangezur corridor through southern Armenia to Nakhchivan")
    hits = store.dense_search(query, 5)
    assert len(hits) == 5
    sims = [s for _, s in hits]
    assert sims == sorted(sims, reverse=True)
    found = store.get_passages([cid for cid, _ in hits])
    assert found[hits[0][0]][1].doc_id == "04-wikipedia-zangezur-corridor"
    stored = store.collection.get(ids=[hits[0][0]], include=["embeddings"])["embeddings"][0]
    cosine = sum(a * b for a, b in zip(query, stored, strict=True)) / (
        math.sqrt(sum(a * a for a in query)) * math.sqrt(sum(b * b for b in stored)))
    assert sims[0] == pytest.approx(cosine, abs=1e-4)


def test_where_filters_on_date_num(ingested) -> None:
    _, store = ingested
    query = store.embeddings.embed_query("Kazakhstan")
    hits = store.dense_search(query, 50, where={"date_num": {"$gte": 20240101}})
    docs = {meta.doc_id for _, meta in store.get_passages([c for c, _ in hits]).values()}
    assert docs == {"00-news-az-engin-ozer-interview", "10-crs-kazakhstan-background-and-issues-2024"}
    assert store.dense_search(query, 5, where={"doc_id": "no-such-doc"}) == []


def test_passages_rebuild_records_whose_spans_point_into_the_document(ingested) -> None:
    _, store = ingested
    ids = store.doc_chunks("08-wikipedia-kassym-jomart-tokayev")["ids"]
    found = store.get_passages([*ids, "not-an-id"])
    assert set(found) == set(ids)
    path = BUNDLED_CORPUS / "08-wikipedia-kassym-jomart-tokayev.md"
    doc = from_markdown(path.read_bytes(), doc_id=path.stem, source=str(path))
    for chunk, meta in found.values():
        assert isinstance(chunk, Chunk) and isinstance(meta, DocumentMeta)
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert meta.content_hash == doc.content_hash and meta.title == "Kassym-Jomart Tokayev"
    assert sorted(c.ordinal for c, _ in found.values()) == list(range(len(ids)))


def test_pages_of_texts_and_the_document_list(ingested) -> None:
    _, store = ingested
    pages = list(store.iter_texts(batch=10))
    ids = [i for page_ids, _ in pages for i in page_ids]
    assert len(pages) > 1 and all(len(p[0]) <= 10 for p in pages)
    assert len(ids) == len(set(ids)) == store.count()
    docs = store.documents()
    assert len(docs) == 14 and sum(d.chunks for d in docs) == store.count()
    interview = docs[0]
    assert interview.doc_id == "00-news-az-engin-ozer-interview" and interview.date == "2025-08-04"


def test_langchain_view_shares_the_collection(ingested) -> None:
    _, store = ingested
    docs = store.langchain.similarity_search("Baku–Tbilisi–Kars railway opened in 2017", k=2)
    assert docs[0].metadata["doc_id"] == "06-wikipedia-baku-tbilisi-kars-railway"
    assert store.langchain._collection.name == store.collection.name


def _chunk(doc_id: str, n: int) -> tuple[DocumentMeta, list[Chunk]]:
    meta = DocumentMeta(doc_id=doc_id, title="T", source="mem", date="2024-02-29", content_hash="h")
    return meta, [Chunk(chunk_id=f"{doc_id}-{i}", doc_id=doc_id, ordinal=i, text=f"text {i}", start=0, end=6)
                  for i in range(n)]


def test_every_write_bumps_the_generation_for_every_reader(tmp_path, settings_factory, embeddings) -> None:
    settings = settings_factory(tmp_path)
    writer = ChunkStore(settings, embeddings=embeddings)
    reader = ChunkStore(settings, embeddings=embeddings)
    g0 = reader.generation()
    meta, chunks = _chunk("d", 3)
    vectors = [[1.0 if j == i else 0.0 for j in range(384)] for i in range(3)]
    assert writer.upsert(meta, chunks, vectors) == 3
    g1 = reader.generation()
    assert g1 != g0 and reader.count() == 3
    assert ChunkStore(settings, embeddings=embeddings).generation() == g1  # opening is not a write
    stored = reader.collection.get(ids=["d-0"], include=["metadatas"])["metadatas"][0]
    assert stored["date_num"] == 20240229 and stored["n_chunks"] == 3 and "heading" not in stored
    writer.delete(["d-0"])
    g2 = reader.generation()
    assert g2 != g1 and reader.count() == 2
    assert writer.delete_doc("d") == 2 and reader.generation() != g2 and reader.count() == 0
    assert date_bounds("not a date") is None


def test_what_a_reader_keeps_read_follows_every_write(tmp_path, settings_factory, embeddings) -> None:
    """Chunks and vectors read by id are kept for the store's generation: a reader that read them once still
    answers from them, and never serves one another writer deleted or changed since."""
    settings = settings_factory(tmp_path)
    writer = ChunkStore(settings, embeddings=embeddings)
    reader = ChunkStore(settings, embeddings=embeddings)
    meta, chunks = _chunk("d", 3)
    vectors = [[1.0 if j == i else 0.0 for j in range(384)] for i in range(3)]
    writer.upsert(meta, chunks, vectors)
    for _ in range(2):  # read, then read again from what was kept
        found = reader.get_passages(["d-2", "d-0", "nope"])
        assert [c.text for c, _ in found.values()] == ["text 2", "text 0"]
        assert reader.vectors(["d-1"])["d-1"][1] == 1.0 and len(reader.dense_search(vectors[0], 5)) == 3
    writer.delete(["d-0"])
    assert list(reader.get_passages(["d-0", "d-1"])) == ["d-1"]
    assert list(reader.vectors(["d-0", "d-1"])) == ["d-1"] and len(reader.dense_search(vectors[0], 5)) == 2
    changed = [chunks[1].model_copy(update={"text": "text one, rewritten"})]
    writer.delete(["d-1"])
    writer.upsert(meta, changed, [vectors[2]])
    assert reader.get_passages(["d-1"])["d-1"][0].text == "text one, rewritten"
    assert reader.vectors(["d-1"])["d-1"][2] == 1.0


def test_within_one_generation_a_thread_reads_the_store_as_it_was(tmp_path, settings_factory,
                                                                  embeddings) -> None:
    """A question reads one generation of the store: a write meanwhile (by another process: its vectors are
    not even loaded here until then) is followed by the next question, and by other threads at once."""
    from concurrent.futures import ThreadPoolExecutor

    settings = settings_factory(tmp_path)
    writer = ChunkStore(settings, embeddings=embeddings)
    reader = ChunkStore(settings, embeddings=embeddings)
    vectors = [[1.0 if j == i else 0.0 for j in range(384)] for i in range(2)]
    writer.upsert(*_chunk("d", 1), vectors[:1])
    with reader.one_generation():
        before = reader.generation()
        writer.upsert(*_chunk("e", 1), vectors[1:])
        with reader.one_generation():  # nested: the outer one holds
            assert reader.generation() == before
        with ThreadPoolExecutor(1) as pool:  # another thread is not held
            assert pool.submit(reader.generation).result() != before
    assert reader.generation() != before
    assert [cid for cid, _ in reader.dense_search(vectors[1], 5)] == ["e-0", "d-0"]


def test_a_collection_built_with_another_model_is_refused(tmp_path, settings_factory, embeddings) -> None:
    ChunkStore(settings_factory(tmp_path), embeddings=embeddings)
    other = settings_factory(tmp_path, embedding_model="e5-multilingual")
    with pytest.raises(InputError, match="built with embedding model 'minilm'"):
        ChunkStore(other)


def test_a_long_running_reader_sees_what_another_process_ingested(tmp_path, settings_factory, embeddings,
                                                                  small_corpus) -> None:
    import os
    import subprocess
    import sys

    from ingest.pipeline import ingest

    settings = settings_factory(tmp_path)
    reader = ChunkStore(settings, embeddings=embeddings)
    other = ChunkStore(settings, embeddings=embeddings)
    first = small_corpus / "13-usda-fas-kazakhstan-grain-and-feed-update-2014.md"
    ingest([str(first)], settings, store=reader, progress=False)
    note = tmp_path / "ferry-note.md"
    note.write_text("# Ferry note\n\nThe zelvorite ferry links Kuryk and Alat twice a week for wagons.\n")
    env = {**os.environ, "CORRIDOR_DATA_DIR": str(tmp_path), "CORRIDOR_STORE_DIR": str(settings.store_dir)}
    env.pop("CHROMA_HOST", None)
    child = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", str(note)], env=env,
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stderr[-2000:]

    query = embeddings.embed_query("zelvorite ferry between Kuryk and Alat")
    for store in (reader, other):  # both objects opened before the other process wrote
        best = store.dense_search(query, 1)[0][0]
        chunk, meta = store.get_passages([best])[best]
        assert meta.doc_id == "ferry-note" and "zelvorite" in chunk.text
        assert len(store.doc_chunks("ferry-note", with_embeddings=True)["embeddings"]) == 1


def _files_open_under(path) -> list[str]:
    """This process's open descriptors that point into path (Linux: /proc/self/fd)."""
    import os

    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed while listing
            continue
        if target.startswith(str(path)):
            found.append(target)
    return found


def test_closing_the_last_store_on_a_path_closes_its_files(tmp_path, settings_factory, embeddings) -> None:
    """Two stores on one path share Chroma's system: closing one leaves the other working; closing the last
    closes the database and index files; a store opened afterwards reads what was written."""
    settings = settings_factory(tmp_path)
    first, second = ChunkStore(settings, embeddings=embeddings), ChunkStore(settings, embeddings=embeddings)
    meta, chunks = _chunk("d", 3)
    first.upsert(meta, chunks, [[1.0 if j == i else 0.0 for j in range(384)] for i in range(3)])
    assert second.dense_search([1.0] + [0.0] * 383, 1)[0][0] == "d-0"
    assert _files_open_under(tmp_path)
    first.close()
    first.close()  # closing twice counts once
    assert second.count() == 3 and second.dense_search([0.0, 1.0] + [0.0] * 382, 1)[0][0] == "d-1"
    second.close()
    # the index files close at once; Chroma's database pool closes its connection on a thread of its own,
    # so that one is waited for (a generous bound: this checks that it closes, not how fast)
    assert [f for f in _files_open_under(tmp_path) if not f.endswith("chroma.sqlite3")] == []
    deadline = time.monotonic() + 60
    while _files_open_under(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _files_open_under(tmp_path) == []
    again = ChunkStore(settings, embeddings=embeddings)
    assert again.count() == 3 and again.dense_search([0.0, 0.0, 1.0] + [0.0] * 381, 1)[0][0] == "d-2"
    again.close()


def test_dense_search_is_exact_on_an_embedded_store(tmp_path, settings_factory, embeddings) -> None:
    """An embedded store is searched against every vector (ChunkStore._exact_search): the ranking and the
    similarities are numpy's cosine over the stored vectors, after deletes and re-adds too, a `where`
    filter keeps only its chunks, and another store opened on the path ranks the same."""
    import numpy as np

    rng = np.random.default_rng(7)
    store = ChunkStore(settings_factory(tmp_path), embeddings=embeddings)
    vectors = {}
    for doc in ("a", "b", "c"):
        meta, chunks = _chunk(doc, 40)
        rows = rng.normal(size=(40, 384)).tolist()
        store.upsert(meta, chunks, rows)
        vectors.update({c.chunk_id: v for c, v in zip(chunks, rows, strict=True)})
    store.delete_doc("b")
    meta, chunks = _chunk("b", 10)  # b again, shorter and with other vectors
    rows = rng.normal(size=(10, 384)).tolist()
    store.upsert(meta, chunks, rows)
    vectors = {cid: v for cid, v in vectors.items() if not cid.startswith("b-")}
    vectors.update({c.chunk_id: v for c, v in zip(chunks, rows, strict=True)})
    query = rng.normal(size=384)

    def cosine(v) -> float:
        return float(np.dot(v, query) / (np.linalg.norm(v) * np.linalg.norm(query)))

    want = sorted(vectors, key=lambda cid: cosine(vectors[cid]), reverse=True)
    hits = store.dense_search(query.tolist(), 15)
    assert [cid for cid, _ in hits] == want[:15]
    assert [s for _, s in hits] == pytest.approx([cosine(vectors[c]) for c in want[:15]], abs=1e-5)
    only_b = store.dense_search(query.tolist(), 100, where={"doc_id": "b"})
    assert [cid for cid, _ in only_b] == [cid for cid in want if cid.startswith("b-")]
    assert len(store.dense_search(query.tolist(), 500)) == len(vectors) == 90
    other = ChunkStore(settings_factory(tmp_path), embeddings=embeddings)
    assert other.dense_search(query.tolist(), 15) == hits
    meta, chunks = _chunk("d", 1)  # a write: the vectors read for the search are read again
    other.upsert(meta, chunks, [query.tolist()])
    for reader in (store, other):
        assert reader.dense_search(query.tolist(), 1)[0] == ("d-0", pytest.approx(1.0, abs=1e-5))
    store.close()
    other.close()


def test_several_documents_are_written_in_one_chroma_call(tmp_path, settings_factory, embeddings,
                                                          monkeypatch) -> None:
    """`upsert_many` writes every new chunk of several documents in one Chroma call (each call costs tens of
    milliseconds whatever its size) and moves a stored chunk's metadata only, never re-sending its vector."""
    from chromadb.api.models.Collection import Collection

    settings = settings_factory(tmp_path)
    store = ChunkStore(settings, embeddings=embeddings)
    (a, a_chunks), (b, b_chunks) = _chunk("a", 2), _chunk("b", 3)
    calls: list[list[str]] = []
    upsert = Collection.upsert
    monkeypatch.setattr(Collection, "upsert",
                        lambda self, ids, **kw: calls.append(list(ids)) or upsert(self, ids=ids, **kw))
    unit = [[1.0 if j == i else 0.0 for j in range(384)] for i in range(3)]
    assert store.upsert_many([(a, a_chunks, unit[:2]), (b, b_chunks, unit)]) == 5
    assert calls == [["a-0", "a-1", "b-0", "b-1", "b-2"]] and store.count() == 5
    calls.clear()
    moved = a.model_copy(update={"title": "T2"})
    assert store.upsert_many([(moved, a_chunks, unit[:2])]) == 2
    assert calls == []  # stored ids: metadata only
    stored = store.collection.get(ids=["a-0", "a-1"], include=["metadatas"])["metadatas"]
    assert {m["title"] for m in stored} == {"T2"}
    with pytest.raises(ValueError, match="one embedding per chunk"):
        store.upsert_many([(a, a_chunks, unit[:1])])
