"""Answer latency while a refresh runs: `python -m bench.refresh_latency [--articles 15] [--out FILE]
[--store DIR --collection NAME --questions FILE [--server]]`.

A temporary store holds the bundled corpus (or, with --store, an existing store such as the bench's 100k
one: the feed's articles are removed from it again at the end, and the questions come from --questions, a
JSON list, else the gold set); a local web site serves a feed of synthetic articles
(bench/synth.py, ~20 chunks each). One thread runs a refresh the way the bot's task does (BM25 in background
mode, rebuilt in a child process; the new index prepared at the end, in a child too, then swapped in) while
the main thread asks gold-set questions in a loop. The same questions are timed before (idle) and after,
each phase with the sentence cache warm (the "during" phase cycles the same 30 questions). Every question
runs the full engine; figures are wall times. Last, one more write and one question in inline mode (what
`corridor ask` does): what the first question after a write waits when it rebuilds BM25 itself. With
--server the same store is served by `chroma run` on loopback and everything goes through it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def figures(ms: list[float]) -> dict[str, float]:
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(pct(ms, 0.95), 1),
            "max_ms": round(max(ms), 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=15)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--store", type=Path, default=None, help="an existing embedded store folder")
    parser.add_argument("--collection", default="corridor")
    parser.add_argument("--questions", type=Path, default=None, help="a JSON list of questions")
    parser.add_argument("--server", action="store_true",
                        help="serve the store with `chroma run` on loopback and go through it (writes then "
                             "happen in the server's process, not the answering one)")
    args = parser.parse_args()
    if args.server and args.store is None:
        parser.error("--server needs --store")
    if args.server:
        from bench.server import chroma_server

        with chroma_server(args.store / "chroma", args.store.parent / "chroma-server.log") as (_proc, port):
            run(args, {"chroma_host": "127.0.0.1", "chroma_port": port})
    else:
        run(args, {})


def run(args: argparse.Namespace, server: dict) -> None:

    from answering.engine import Engine
    from bench.synth import write_corpus
    from ingest.feeds import Feeds
    from ingest.fetch import url_doc_id
    from ingest.pipeline import ingest
    from ingest.refresh import refresh
    from ingest.state import StateStore
    from tests.conftest import make_settings
    from tests.feedsite import Page, Site, rss, serve

    tmp = Path(tempfile.mkdtemp(prefix="corridor-refresh-bench-"))
    try:
        where = {"store_dir": args.store, "collection": args.collection} if args.store else {}
        settings = make_settings(tmp, allow_private_urls=True, fetch_delay_s=0.0, multilingual_lane=False,
                                 feed_max_items_per_poll=args.articles, **where, **server)
        engine = Engine(settings)
        if args.store is None:
            ingest(None, settings, store=engine.store, progress=False)
        t0 = time.perf_counter()
        engine.retriever.lexical.current()
        lexical_load_s = time.perf_counter() - t0
        chunks_before = engine.store.count()
        if args.questions:
            gold = json.loads(args.questions.read_text())[:30]
        else:
            gold = [json.loads(line)["question"] for line in (ROOT / "data/eval/gold.jsonl").open()][:30]
        for q in gold:
            engine.ask(q)  # warm: model, sentence-embedding cache, BM25 (every phase below asks warm)

        folder = tmp / "articles"
        write_corpus(folder, n_chunks=args.articles * 20)
        site = Site()
        httpd = serve(site)
        items = []
        for i, path in enumerate(sorted((folder / "docs").glob("*.md"))[: args.articles]):
            site.routes[f"/a/{i}.md"] = Page(path.read_bytes())
            items.append((path.stem, site.url(f"/a/{i}.md")))
        site.routes["/feed.xml"] = Page(rss(items), "application/rss+xml")
        feeds = Feeds(StateStore(engine.store), settings)
        feeds.add(site.url("/feed.xml"))

        def timed(questions: list[str]) -> list[float]:
            out = []
            for q in questions:
                t0 = time.perf_counter()
                engine.ask(q)
                out.append((time.perf_counter() - t0) * 1000)
            return out

        idle = timed(gold + gold)
        lexical = engine.retriever.lexical
        done = threading.Event()
        result: dict = {}

        def run_refresh() -> None:
            t0 = time.perf_counter()
            lexical.background = True
            try:
                report = refresh(settings, store=engine.store)
                lexical.prepare(child=True)
            finally:
                lexical.background = False
            result.update(seconds=round(time.perf_counter() - t0, 1), added=len(report.added),
                          chunks_embedded=report.chunks_embedded, last_bm25_build=lexical.last_build)
            done.set()

        worker = threading.Thread(target=run_refresh)
        worker.start()
        during: list[float] = []
        i = 0
        while not done.is_set():
            during.extend(timed([gold[i % len(gold)]]))
            i += 1
        worker.join()
        timed(gold)  # the new articles bring new passages: warm their sentences first, as before idle
        after = timed(gold + gold)

        # Inline mode for comparison: one more write, then the first question rebuilds BM25 itself.
        engine.store.delete_doc(url_doc_id(items[0][1]))
        inline_first = timed(gold[:1])[0]
        httpd.shutdown()
        chunks = engine.store.count()
        if args.store is not None:  # leave the borrowed store as it was
            for _title, url in items[1:]:
                engine.store.delete_doc(url_doc_id(url))
            feeds.remove(site.url("/feed.xml"))
        out = {"articles": args.articles, "store_chunks_before": chunks_before, "store_chunks_after": chunks,
               "lexical_load_s": round(lexical_load_s, 1), "refresh": result,
               "idle": figures(idle), "during_refresh": figures(during), "after": figures(after),
               "inline_first_question_after_a_write_ms": round(inline_first, 1),
               "store": settings.chroma_location,
               "load_avg": [round(x, 2) for x in os.getloadavg()]}
        text = json.dumps(out, indent=2)
        print(text)
        if args.out:
            args.out.write_text(text + "\n")
        engine.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
