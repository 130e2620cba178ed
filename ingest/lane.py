"""Keep the multilingual lane a copy of its main store, chunk for chunk.

The lane (settings.multilingual_lane) holds the main store's chunks (same ids, texts and metadata) embedded
by multilingual-e5. Whatever changed in the main store while the lane was off (documents added, updated,
removed, marked stale) is carried over by the next ingest that has it on, whether or not that ingest reads
those documents again: both stores' chunk ids and metadata digests are compared, the missing chunks embedded
(a lane vector of the same text is reused), the changed metadata rewritten, and the extra chunks deleted,
in that order, so an interrupted catch-up leaves the lane whole and the next one completes it.

Comparing every chunk costs 0.2–0.5 ms a chunk (10–23 s at 50k, docs/BENCHMARKS.md), so it runs only when
the lane may have fallen behind: the main store records that the lane was left a copy (a mark naming both
collections' generations, vectorstore/store.py), and while that mark holds, an ingest compares only the
documents it wrote or removed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from tqdm import tqdm

from vectorstore.embeddings import embed_giving_way
from vectorstore.store import ChunkStore

EMBED_SLICE = 128  # texts per embedding call (as the pipeline's)
WRITE_SLICE = 2048  # chunks embedded before they are written, so a long catch-up keeps what it did


def sync_lane(store: ChunkStore, lane: ChunkStore, bar: Callable[..., tqdm],
              doc_ids: Collection[str] | None = None) -> int:
    """Make `lane` hold exactly `store`'s chunks (only these documents' when `doc_ids` is given: the lane
    was a copy before this run, ChunkStore.lane_mirrored); returns how many chunks were embedded for it.
    `bar(total=...)` makes the progress bar of the embedding."""
    main = store.metadata_digests(doc_ids)
    mirrored = lane.metadata_digests(doc_ids)
    missing = [cid for cid in main if cid not in mirrored]
    changed = [cid for cid in main if cid in mirrored and mirrored[cid] != main[cid]]
    extra = [cid for cid in mirrored if cid not in main]
    updated = {main[cid][0] for cid in missing}  # only these documents' old chunks can lend a vector
    reusable = _vectors_by_text(lane, [cid for cid in extra if mirrored[cid][0] in updated])
    embedded = 0
    with bar(total=len(missing)) as progress:
        for s in range(0, len(missing), WRITE_SLICE):
            ids, texts, metas = [], [], []
            for got in store.raw_chunks(missing[s : s + WRITE_SLICE], ["documents", "metadatas"]):
                ids += got["ids"]
                texts += got["documents"]
                metas += got["metadatas"]
            vectors = [reusable.get(t) for t in texts]
            # longest first: each model batch is padded to its longest text
            todo = sorted((i for i, v in enumerate(vectors) if v is None), key=lambda i: -len(texts[i]))
            for t in range(0, len(todo), EMBED_SLICE):
                part = todo[t : t + EMBED_SLICE]
                got = embed_giving_way(lane.embeddings, [texts[i] for i in part])
                for i, v in zip(part, got, strict=True):
                    vectors[i] = list(v)
                progress.update(len(part))
            progress.update(len(ids) - len(todo))
            embedded += len(todo)
            lane.copy_in(ids, texts, metas, vectors)
    if changed:
        lane.restamp({cid: meta for got in store.raw_chunks(changed, ["metadatas"])
                      for cid, meta in zip(got["ids"], got["metadatas"], strict=True)})
    lane.delete(extra)
    return embedded


def _vectors_by_text(lane: ChunkStore, ids: list[str]) -> dict[str, list[float]]:
    """Text → lane vector of these (about to be deleted) chunks: an edited document's unchanged paragraphs
    get new ids (the id hashes the ordinal) but keep their text, so they need no new embedding."""
    out: dict[str, list[float]] = {}
    for got in lane.raw_chunks(ids, ["documents", "embeddings"]):
        for text, vector in zip(got["documents"], got["embeddings"], strict=True):
            out[text] = list(map(float, vector))
    return out
