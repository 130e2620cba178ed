"""Sentence vectors kept in Chroma beside a ChunkStore's chunks, so an answer need not embed the sentences
it ranks (multilingual-e5 takes ~25 ms a sentence on 2 cores, MiniLM ~5).

One collection per chunk collection, `<collection>__sentences`, keyed by a hash of the embedding model and
the sentence's text: a sentence that recurs (an overlap, a re-ingested document) is stored once, and a
vector is never read for another model. Filled by `answering.sentence_vectors.prepare` after an ingest;
read by `answering.extractive.SentenceEmbeddings`, which embeds whatever is not stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

SUFFIX = "__sentences"
GET_BATCH = 5000  # ids per Chroma get: well under SQLite's variable limit


def sentence_id(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\0{text}".encode()).hexdigest()


class SentenceVectors:
    """Read and write the sentence vectors of one ChunkStore (embedded or on a Chroma server)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._client: Any = None
        self._collection: Any = None

    @property
    def collection(self) -> Any:
        client = self.store.client  # replaced when the embedded store is reopened (ChunkStore._sync)
        if self._collection is None or client is not self._client:
            self._collection = client.get_or_create_collection(
                self.store.settings.collection + SUFFIX, configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None)
            self._client = client
        return self._collection

    def get(self, texts: Iterable[str]) -> dict[str, list[float]]:
        """The stored vector of each text that has one."""
        by_id = self._ids(texts)
        return {by_id[sid]: vector for got in self._fetch(list(by_id), ["embeddings"])
                for sid, vector in zip(got["ids"], got["embeddings"], strict=True)}

    def missing(self, texts: Iterable[str]) -> list[str]:
        """The texts with no stored vector, in order (their vectors are not read)."""
        by_id = self._ids(texts)
        have = {sid for got in self._fetch(list(by_id), []) for sid in got["ids"]}
        return [t for sid, t in by_id.items() if sid not in have]

    def _ids(self, texts: Iterable[str]) -> dict[str, str]:
        """Each distinct text under its id, in order."""
        model = self.store.settings.embedding_model
        return {sentence_id(model, t): t for t in dict.fromkeys(texts)}

    def _fetch(self, ids: list[str], include: list[str]):
        for i in range(0, len(ids), GET_BATCH):
            yield self.collection.get(ids=ids[i:i + GET_BATCH], include=include)

    def add(self, texts: list[str], vectors: list[list[float]]) -> None:
        model = self.store.settings.embedding_model
        self.collection.upsert(ids=[sentence_id(model, t) for t in texts],
                               embeddings=[list(map(float, v)) for v in vectors])

    def count(self) -> int:
        return self.collection.count()
