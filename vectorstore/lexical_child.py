"""`python -m vectorstore.lexical_child JOB`: build a store's BM25 index in a process of its own.

LexicalIndex (vectorstore/lexical.py) starts this in background mode so the rebuild's pure-Python work
(tokenising and stemming every chunk) does not share the answering process's GIL. JOB is the JSON of
lexical.child_job(): the collection, the store (an embedded path or a server's host/port/ssl), the cache
folder. The child reads the generation and then every chunk, saves the index under that generation exactly as
the answering process would (lexical.save_index: a .tmp folder and one rename), prints one JSON line
{"generation", "chunks", "seconds", "pid"} and exits; any failure exits non-zero with the traceback on stderr
and the caller builds the index itself.

It imports chromadb, bm25s, PyStemmer, numpy and scikit-learn's stop-word list only: no torch, no
sentence-transformers, no settings (it starts in about a second and stays small).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import chromadb

from vectorstore.lexical import build_index, index_key, save_index

HTTP_TIMEOUT_S = 30.0  # per request to a Chroma server, as vectorstore.store bounds the answering process's


def open_collection(job: dict):
    settings = chromadb.config.Settings(anonymized_telemetry=False)
    if job.get("host"):
        client = chromadb.HttpClient(host=job["host"], port=job["port"], ssl=job.get("ssl", False),
                                     settings=settings)
        import httpx

        session = getattr(getattr(client, "_server", None), "_session", None)
        if isinstance(session, httpx.Client):  # chromadb's own client waits forever
            session.timeout = httpx.Timeout(HTTP_TIMEOUT_S, connect=5.0)
    else:
        if not Path(job["path"]).is_dir():  # PersistentClient would create an empty store there
            raise FileNotFoundError(f"no embedded store at {job['path']}")
        client = chromadb.PersistentClient(path=job["path"], settings=settings)
    return client.get_collection(job["collection"], embedding_function=None)  # read only: never creates


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    job = json.loads(args[0])
    t0 = time.perf_counter()
    collection = open_collection(job)
    generation = str((collection.metadata or {}).get("generation", ""))  # before the first page is read
    loaded = build_index(collection, generation)
    if loaded.ids:
        cache_dir = Path(job["cache_dir"])
        cache_dir.mkdir(parents=True, exist_ok=True)
        save_index(loaded, cache_dir, index_key(job["location"], job["collection"], generation))
    print(json.dumps({"generation": generation, "chunks": len(loaded.ids),
                      "seconds": round(time.perf_counter() - t0, 1), "pid": os.getpid()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
