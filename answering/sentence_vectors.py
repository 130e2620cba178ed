"""Embed, after an ingest, every sentence an answer could rank, and keep the vectors in Chroma
(vectorstore.sentence_vectors): a question then reads them instead of embedding its candidates, which
for the multilingual lane's e5 was most of an answer's time (docs/BENCHMARKS.md)."""

from __future__ import annotations

from collections.abc import Iterator

from tqdm import tqdm

from corridor.records import Passage
from vectorstore.embeddings import embed_giving_way
from vectorstore.sentence_vectors import SentenceVectors
from vectorstore.store import ChunkStore

from .extractive import _candidates

SLICE = 64  # sentences per embedding call and per write


def candidate_texts(store: ChunkStore, page: int = 2000) -> Iterator[str]:
    """Every text the answering core may embed for this store's chunks: their candidate sentences and the
    interviewer question an answer chunk carries (the same splitting as `extractive._candidates`)."""
    for chunk, doc in store.iter_records(page):
        yield from (c.text for c in _candidates([Passage(chunk=chunk, doc=doc, score=0.0)]))
        if chunk.question:
            yield chunk.question


def prepare(store: ChunkStore, progress: bool = False, only_if_changed: bool = False,
            lane: bool = True) -> int:
    """Store the vectors of this store's (and, with `lane`, its multilingual lane's) sentences that are not
    stored yet; returns how many were embedded. Incremental: after a re-ingest only new sentences cost
    anything. `only_if_changed` (nothing was ingested): skip a store whose sentences were prepared before,
    rather than read every chunk again to find none missing."""
    done = 0
    lanes = [store.lane] if lane and store.lane is not None and store.lane.count() else []
    for s in [store, *lanes]:
        vectors = SentenceVectors(s)
        if only_if_changed and vectors.count():
            continue
        # longest first: each slice is one model batch padded to its longest sentence; in store order the
        # sentences of a held-out store came to 2.5x their tokens
        todo = sorted(vectors.missing(candidate_texts(s)), key=len, reverse=True)
        bar = tqdm(total=len(todo), unit="sentence", desc=f"sentence vectors ({s.settings.embedding_model})",
                   disable=not progress or not todo)
        for i in range(0, len(todo), SLICE):
            part = todo[i:i + SLICE]
            vectors.add(part, embed_giving_way(s.embeddings, part))
            bar.update(len(part))
        bar.close()
        done += len(todo)
    return done


def after_ingest(store: ChunkStore, report, progress: bool = False, catch_up: bool = False,
                 lane: bool = True) -> int:
    """What an ingest or a refresh (`report`) calls for: the vectors of the sentences it added or changed;
    with `catch_up` (the CLI), also a whole store's when nothing changed but it was never prepared. Nothing
    when CORRIDOR_SENTENCE_VECTORS is off. `lane=False`: the multilingual lane's are left to answer time."""
    if not store.settings.sentence_vectors:
        return 0
    changed = bool(report.added or report.updated or report.multilingual_chunks_embedded)  # lane caught up
    if not changed and not catch_up:
        return 0
    return prepare(store, progress=progress, only_if_changed=not changed, lane=lane)
