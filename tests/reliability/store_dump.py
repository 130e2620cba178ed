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
        found = col.query(query_embeddings=[list(map(float, e)) for e in got["embeddings"]], n_results=1,
                          include=[])
        unfindable = [cid for cid, hit in zip(got["ids"], found["ids"], strict=True) if hit != [cid]]
    rows = zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    chunks = [{"id": i, "text": t, "meta": m} for i, t, m in rows]
    print(json.dumps({"chunks": chunks, "unfindable": unfindable}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
