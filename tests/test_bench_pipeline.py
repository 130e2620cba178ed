"""The ingest pipeline embeds and writes in groups (bench finding: holding every vector of a 100k-chunk run as
Python lists would take ~1.2 GB), and a grouped run stores exactly what one big step would."""

from __future__ import annotations

from ingest import pipeline
from vectorstore.store import ChunkStore


class EventLog:
    """Wraps the real model, recording the order of embeds (and, from the test, of the store's writes)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.events: list[tuple[str, int]] = []

    def embed_documents(self, texts):
        self.events.append(("embed", len(texts)))
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_ingest_writes_each_group_before_embedding_the_next(tmp_path, settings_factory, embeddings,
                                                           small_corpus, monkeypatch) -> None:
    settings = settings_factory(tmp_path)
    log = EventLog(embeddings)
    store = ChunkStore(settings, embeddings=log)
    real_upsert = store.upsert_many

    def upsert_many(docs):
        assert all(isinstance(v, list) and len(v) == 384 for _, _, vectors in docs for v in vectors)
        log.events.append(("write", sum(len(chunks) for _, chunks, _ in docs)))
        return real_upsert(docs)

    monkeypatch.setattr(store, "upsert_many", upsert_many)
    monkeypatch.setattr(pipeline, "WRITE_GROUP", 1)  # every document its own group
    report = pipeline.ingest([str(small_corpus)], settings, store=store, progress=False)

    kinds = [k for k, _ in log.events]
    assert kinds.count("write") == 3 and len(report.added) == 3
    last_embed = len(kinds) - 1 - kinds[::-1].index("embed")
    assert kinds.index("write") < last_embed  # the first document was written before the last was embedded
    assert report.chunks_written == report.chunks_embedded == store.count()
    assert sum(n for k, n in log.events if k == "embed") == sum(n for k, n in log.events if k == "write")
    again = pipeline.ingest([str(small_corpus)], settings, store=store, progress=False)
    assert again.chunks_written == 0 and len(again.unchanged) == 3
