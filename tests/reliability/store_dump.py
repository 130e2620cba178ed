"""Print a store's chunks as JSON from a fresh process: `python -m tests.reliability.store_dump DIR NAME`.

The SIGKILL test reads the store this way so that no client in the test process caches a view of it. Each
chunk's own embedding is also searched for, which proves the vector index agrees with the metadata.
"""

from __future__ import annotations

import json
import sys


def main(store_dir: str, collection: str) -> None:
    import chromadb

    client = chromadb.PersistentClient(path=f"{store_dir}/chroma",
                                       settings=chromadb.config.Settings(anonymized_telemetry=False))
    try:
        col = client.get_collection(collection)
    except Exception:  # no collection yet: the run was killed before creating it
        print(json.dumps({"chunks": [], "unfindable": []}))
        return
    got = col.get(include=["documents", "metadatas", "embeddings"])
    unfindable = []
    if got["ids"]:
        # Several chunks may share one vector (an unchanged about block in the old and new version of a
        # document that an interrupted run left side by side), so a chunk counts as found among its
        # nearest few, not only as the single nearest.
        found = col.query(query_embeddings=[list(map(float, e)) for e in got["embeddings"]],
                          n_results=min(5, len(got["ids"])), include=["distances"])
        results = zip(got["ids"], found["ids"], found["distances"], strict=True)
        unfindable = [cid for cid, hits, dists in results
                      if cid not in [h for h, d in zip(hits, dists, strict=True) if d <= dists[0] + 1e-6]]
    rows = zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    chunks = [{"id": i, "text": t, "meta": m} for i, t, m in rows]
    print(json.dumps({"chunks": chunks, "unfindable": unfindable}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
