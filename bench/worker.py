"""Benchmark tasks that each run in a fresh process, so peak RSS and cold starts are honest.

`python -m bench.worker TASK --args JSON` prints one JSON object (the task's figures) as its last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from corridor.settings import Settings

from .measure import du_mb, pct, peak_rss_mb


def make_settings(a: dict[str, Any]) -> Settings:
    """Settings for a bench store: embedded under a["store"], or on the server a["server"] = "host:port"."""
    store_dir = Path(a["store"])
    kw: dict[str, Any] = dict(
        data_dir=store_dir.parent,
        store_dir=store_dir,
        collection=a["collection"],
        chroma_host=None,
        reranker_model=None,
        answer_mode="extractive",
        # The multilingual lane only where a task asks for it: the ingest rates compare the English
        # index with raw MiniLM encode, and the synthetic corpora are English.
        multilingual_lane=bool(a.get("lane")),
        sentence_vectors=bool(a.get("sentence_vectors", True)),
    )
    if a.get("server"):
        host, port = a["server"].split(":")
        kw.update(chroma_host=host, chroma_port=int(port))
    if a.get("corpus"):
        kw["corpus_dir"] = Path(a["corpus"])
    return Settings(**kw)


def _load_model(settings: Settings) -> tuple[Any, float]:
    from vectorstore.embeddings import get_embeddings

    t = time.perf_counter()
    emb = get_embeddings(settings)
    emb.embed_query("warm up")
    return emb, time.perf_counter() - t


# -- ingest ------------------------------------------------------------------------------------------------
def task_ingest(a: dict[str, Any]) -> dict[str, Any]:
    """Cold full ingest of a["corpus"] into an empty store (runs a["runs"] times into fresh temporary stores
    when a["temp"]), each followed by the raw SentenceTransformer.encode ceiling over the same chunk texts."""
    from ingest.pipeline import ingest
    from vectorstore.embeddings import get_sentence_transformer
    from vectorstore.store import ChunkStore

    runs: list[dict[str, Any]] = []
    base = make_settings(a)
    emb, load_s = _load_model(base)
    st = get_sentence_transformer(base)
    for _ in range(int(a.get("runs", 1))):
        tmp = tempfile.TemporaryDirectory(dir=a.get("tmp")) if a.get("temp") else None
        settings = make_settings({**a, "store": tmp.name} if tmp else a)
        store = ChunkStore(settings, embeddings=emb)
        if store.count():
            raise SystemExit(f"store {settings.store_dir} / {settings.collection} is not empty")
        report = ingest([a["corpus"]], settings, store=store, progress=False)
        if report.failed:
            raise SystemExit(f"ingest failed: {report.failed}")
        run: dict[str, Any] = {
            "chunks": report.chunks_written,
            "seconds": report.seconds,
            "rate": report.chunks_written / report.seconds,
        }
        if a.get("raw"):
            texts = [t for _ids, page in store.iter_texts() for t in page]
            t = time.perf_counter()
            st.encode(texts, batch_size=settings.embed_batch_size, normalize_embeddings=True)
            raw_s = time.perf_counter() - t
            run.update(raw_seconds=raw_s, raw_rate=len(texts) / raw_s, ratio=raw_s / report.seconds)
        if not tmp:
            run["store_mb"] = du_mb(settings.store_dir) if not settings.uses_server else None
        runs.append(run)
        if tmp:
            tmp.cleanup()
    if a.get("noop"):  # the corpus again into a store that already holds it: nothing changes
        settings = make_settings({**a, "store": a["noop_store"]})
        store = ChunkStore(settings, embeddings=emb)
        if not store.count():
            ingest([a["corpus"]], settings, store=store, progress=False)
        noop = []
        for _ in range(int(a.get("noop_runs", 5))):
            report = ingest([a["corpus"]], settings, store=store, progress=False)
            assert not report.chunks_written, "the no-op re-ingest wrote chunks"
            noop.append(report.seconds)
    return {
        "runs": runs,
        "noop_seconds": noop if a.get("noop") else None,
        "model_load_s": load_s,
        "peak_rss_mb": peak_rss_mb(),
    }


def task_copy(a: dict[str, Any]) -> dict[str, Any]:
    """Copy every chunk with its stored embedding from an embedded store into a server collection,
    one document at a time through ChunkStore.upsert (the pipeline's own write call)."""
    from vectorstore.store import ChunkStore, records_from

    src = ChunkStore(make_settings({**a, "server": None}))
    dst = ChunkStore(make_settings({**a, "collection": a["target_collection"]}))
    if dst.count():
        raise SystemExit(f"server collection {a['target_collection']} is not empty")
    t = time.perf_counter()
    by_doc: dict[str, list[tuple[Any, Any, list[float]]]] = {}
    for got in src._pages(["documents", "metadatas", "embeddings"], 2000):
        for cid, text, meta, e in zip(
            got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
        ):
            chunk, doc = records_from(cid, text, meta)
            by_doc.setdefault(doc.doc_id, []).append((chunk, doc, [float(x) for x in e]))
    read_s = time.perf_counter() - t
    written = 0
    t = time.perf_counter()
    for rows in by_doc.values():
        rows.sort(key=lambda r: r[0].ordinal)
        written += dst.upsert(rows[0][1], [r[0] for r in rows], [r[2] for r in rows])
    return {
        "chunks": written,
        "read_s": read_s,
        "write_s": time.perf_counter() - t,
        "peak_rss_mb": peak_rss_mb(),
    }


def task_extend(a: dict[str, Any]) -> dict[str, Any]:
    """Build a big store without embedding it: every document of a["corpus"] is read and chunked by the
    pipeline's own loader and chunker and written with ChunkStore.upsert; chunks already embedded in the
    a["seed_store"] (a real pipeline ingest of a prefix of the same corpus) keep their real vectors, the
    others get a stand-in: the normalised mean of two random real vectors plus Gaussian noise.
    For latency, memory and size at a scale this machine cannot embed in the time (see BENCHMARKS.md)."""
    import numpy as np

    from ingest.chunking import chunk_document
    from ingest.loaders import load_file
    from ingest.pipeline import folder_doc_id
    from vectorstore.store import ChunkStore

    settings = make_settings(a)
    seed = ChunkStore(make_settings({**a, "store": a["seed_store"], "collection": a["seed_collection"]}))
    real: dict[str, np.ndarray] = {}
    for got in seed._pages(["embeddings"], 2000):
        for cid, e in zip(got["ids"], got["embeddings"], strict=True):
            real[cid] = np.asarray(e, dtype=np.float32)
    pool = np.stack(list(real.values()))
    rng = np.random.default_rng(6)
    store = ChunkStore(settings)
    if store.count():
        raise SystemExit(f"store {settings.store_dir} / {settings.collection} is not empty")
    root = Path(a["corpus"]).resolve()
    n_real = n_fake = 0
    t = time.perf_counter()
    for path in sorted(root.glob("*.md")):
        doc = load_file(path, doc_id=folder_doc_id(path, root), settings=settings)
        chunks = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
        vectors = []
        for c in chunks:
            v = real.get(c.chunk_id)
            if v is None:
                i, j = rng.integers(len(pool), size=2)
                v = pool[i] + pool[j] + rng.normal(0, 0.02, pool.shape[1]).astype(np.float32)
                v /= np.linalg.norm(v)
                n_fake += 1
            else:
                n_real += 1
            vectors.append([float(x) for x in v])
        store.upsert(doc, chunks, vectors)
    seconds = time.perf_counter() - t
    return {
        "chunks": n_real + n_fake,
        "real_vectors": n_real,
        "stand_in_vectors": n_fake,
        "seconds": seconds,
        "write_rate": (n_real + n_fake) / seconds,
        "store_mb": du_mb(settings.store_dir),
        "peak_rss_mb": peak_rss_mb(),
    }


# -- answering ---------------------------------------------------------------------------------------------
def _times(fn, items) -> list[float]:
    out = []
    for x in items:
        t = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t) * 1e3)
    return out


def _forget_questions(embeddings) -> None:
    """Before a timed pass: MiniLM keeps the questions it embedded lately and the passes ask the same ones,
    so each pass embeds its questions afresh (other models keep none)."""
    forget = getattr(embeddings, "forget_queries", None)
    if forget is not None:
        forget()


def _summary(ms: list[float]) -> dict[str, float]:
    return {"p50": pct(ms, 50), "p95": pct(ms, 95), "mean": sum(ms) / len(ms), "n": len(ms)}


def task_answer(a: dict[str, Any]) -> dict[str, Any]:
    """Warm-process latencies over a question set: retrieval (hybrid and dense-only), full answers with the
    sentence-embedding cache cold and warm, the naive LangChain baseline, and optionally concurrency."""
    from answering.engine import Engine
    from answering.language import language
    from vectorstore.store import ChunkStore

    questions: list[str] = json.loads(Path(a["questions"]).read_text())
    settings = make_settings(a)
    t0 = time.perf_counter()
    emb, load_s = _load_model(settings)
    store = ChunkStore(settings, embeddings=emb)
    if store.lane is not None and store.lane.count() < store.count():  # a store made before the lane
        from ingest.pipeline import ingest

        ingest([a["corpus"]], settings, store=store, progress=False)
    prepared, prepare_s = 0, 0.0
    if settings.sentence_vectors:  # as `corridor ingest` leaves a store: its sentences' vectors in Chroma
        from answering.sentence_vectors import prepare

        t = time.perf_counter()
        prepared = prepare(store)
        prepare_s = time.perf_counter() - t
    engine = Engine(settings, store)
    t = time.perf_counter()
    engine.retriever.lexical.current()  # loads the cached BM25 index, or builds it once for this store
    lexical_s = time.perf_counter() - t
    first = engine.ask(questions[0])
    first_s = time.perf_counter() - t0 - prepare_s
    out: dict[str, Any] = {
        "chunks": store.count(),
        "model_load_s": load_s,
        "lexical_load_s": lexical_s,
        "open_to_first_answer_s": first_s,
        "prepared": prepared,
        "prepare_s": prepare_s,
        "first_latency_ms": first.latency_ms,
    }
    for q in questions:  # warm-up pass: code paths, Chroma pages, query embeddings' allocator
        engine.retrieve(q)
    reps = int(a.get("reps", 3))
    other = [language(q) != "en" for q in questions]
    rows: dict[str, list[dict[str, float]]] = {}
    stages: list[dict[str, float]] = []  # the retriever's own split: embed, dense, lexical, fuse (ms)
    abstained = 0

    def add(name: str, ms: list[float]) -> None:
        rows.setdefault(name, []).append(_summary(ms))

    def timed(fn) -> list[float]:
        _forget_questions(store.embeddings)
        return _times(fn, questions)

    for _ in range(reps):
        add("retrieval (dense only)", timed(lambda q: engine.retrieve(q, dense_only=True)))
        add("retrieval (hybrid)", timed(lambda q: stages.append(engine.retrieve(q).timings_ms)))
        add(
            "baseline: LangChain similarity_search k=4",
            timed(lambda q: store.langchain.similarity_search(q, k=4)[0].page_content),
        )
        with engine.sentence_embeddings._lock:
            engine.sentence_embeddings._cache.clear()
        if engine._lane is not None:
            with engine._lane.sentence_embeddings._lock:
                engine._lane.sentence_embeddings._cache.clear()
        if engine.late is not None:  # the opening model's token vectors are as cold as the sentence vectors
            engine.late.clear()
        answers: list[Any] = []
        cold = timed(lambda q, got=answers: got.append(engine.ask(q)))
        warm = timed(engine.ask)
        add("full answer, sentence cache cold", cold)
        add("full answer, sentence cache warm", warm)
        if any(other):  # the same times, by language: the lane's e5 is ~6x slower than MiniLM
            for label, keep in (("English questions", False), ("Turkish/Russian (multilingual lane)", True)):
                for cache, ms in (("cold", cold), ("warm", warm)):
                    add(f"full answer, {label}, sentence cache {cache}",
                        [m for m, o in zip(ms, other, strict=True) if o == keep])
        abstained = sum(x.abstained for x in answers)
    out["latency"] = rows
    out["retrieval_stages_p50_ms"] = {k: pct([st[k] for st in stages], 50) for k in stages[0]}
    out["abstained"] = abstained
    out["questions"] = len(questions)
    if a.get("concurrency"):
        out["concurrency"] = _concurrency(engine, questions, int(a["concurrency"]), reps)
    out["peak_rss_mb"] = peak_rss_mb()
    if not settings.uses_server:
        out["store_mb"] = du_mb(settings.store_dir / "chroma")
    lexical_dir = engine.retriever.lexical.cache_dir  # this collection's cached index only
    out["lexical_mb"] = du_mb(lexical_dir) if lexical_dir is not None else 0.0
    engine.close()
    return out


def _concurrency(engine, questions: list[str], n: int, reps: int) -> dict[str, Any]:
    """n questions one at a time vs all n in flight through Engine.aask (sentence cache warm)."""
    qs = (questions * (n // len(questions) + 1))[:n]

    async def one(q: str) -> float:
        t = time.perf_counter()
        await engine.aask(q)
        return (time.perf_counter() - t) * 1e3

    async def serial() -> list[float]:
        return [await one(q) for q in qs]

    async def together() -> list[float]:
        return list(await asyncio.gather(*(one(q) for q in qs)))

    res: dict[str, list[dict[str, float]]] = {"one at a time": [], f"{n} in flight": []}
    for _ in range(reps):
        for name, fn in (("one at a time", serial), (f"{n} in flight", together)):
            _forget_questions(engine.store.embeddings)
            t = time.perf_counter()
            ms = asyncio.run(fn())
            wall = time.perf_counter() - t
            res[name].append({**_summary(ms), "qps": n / wall, "wall_s": wall})
    return res


TASKS = {"ingest": task_ingest, "copy": task_copy, "extend": task_extend, "answer": task_answer}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.worker")
    p.add_argument("task", choices=sorted(TASKS))
    p.add_argument("--args", required=True, help="the task's arguments as JSON")
    ns = p.parse_args(argv)
    result = TASKS[ns.task](json.loads(ns.args))
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
