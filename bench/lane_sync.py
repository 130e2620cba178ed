"""What keeping the multilingual lane a copy costs an ingest: `python -m bench.lane_sync [--chunks 50000]`.

A temporary embedded store and its lane get the same N chunks (random vectors: only reading and comparing is
timed, never embedding; 20 chunks a document, metadata shaped like an ingested article's). Then, with nothing
to carry over, it times `ingest.lane.sync_lane` comparing every chunk (what an ingest runs when the lane may
have fallen behind), comparing two documents (what an ingest that wrote two documents runs while the lane is
a copy), the mirror mark's check and write, and one `doc_chunks` read (what the earlier per-document lane plan
cost for every document an ingest read). Medians of several runs; wall time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _fill(collection, n: int, seed: int) -> None:
    rng = random.Random(seed)
    base = {"title": "A synthetic article about the Middle Corridor", "date": "2025-03-04",
            "url": "https://example.org/x", "source": "/data/x.md", "content_hash": "ab" * 16, "n_chunks": 20,
            "start": 0, "end": 400, "date_num": 20250304, "author": "Someone", "publisher": "Somewhere"}
    for i in range(0, n, 5000):
        rows = range(i, min(n, i + 5000))
        collection.upsert(ids=[f"c{j:08d}" for j in rows], documents=[f"text {j}" for j in rows],
                          metadatas=[{**base, "doc_id": f"d{j // 20}", "ordinal": j % 20,
                                      "chunk_id": f"c{j:08d}", "text_hash": f"{j:x}"} for j in rows],
                          embeddings=[[rng.random() for _ in range(384)] for _ in rows])


def _median_ms(fn, runs: int) -> tuple[float, float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 1), round(min(times), 1), round(max(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=50000)
    args = parser.parse_args()
    from tqdm import tqdm

    from corridor.settings import Settings
    from ingest.lane import sync_lane
    from vectorstore.store import ChunkStore

    tmp = Path(tempfile.mkdtemp(prefix="corridor-lane-bench-"))
    store = ChunkStore(Settings(store_dir=tmp, data_dir=tmp, multilingual_lane=True))
    _fill(store.collection, args.chunks, 1)
    _fill(store.lane.collection, args.chunks, 2)

    def bar(total: int) -> tqdm:
        return tqdm(total=total, disable=True)

    print(f"{args.chunks} chunks in the store and in its lane; ms, median (min–max)")
    print("compare every chunk", _median_ms(lambda: sync_lane(store, store.lane, bar), 3))
    print("compare two documents", _median_ms(lambda: sync_lane(store, store.lane, bar, {"d7", "d123"}), 5))
    print("mark check", _median_ms(store.lane_mirrored, 5))
    print("mark write", _median_ms(store.mark_lane_mirrored, 5))
    print("one doc_chunks read", _median_ms(lambda: store.lane.doc_chunks("d42"), 20))


if __name__ == "__main__":
    main()
