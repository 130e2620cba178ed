"""`python -m bench`: measure ingest, answering, scaling and the Chroma-server path; write docs/BENCHMARKS.md
and docs/bench.png.

Every measurement runs in a fresh subprocess (bench/worker.py). Generated corpora, built stores and the
figures of each section are cached under bench/.cache/ (gitignored), so a re-run of one section neither
re-embeds 10k chunks nor loses the other sections' figures; `--fresh` rebuilds the stores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from .measure import machine, proc_peak_rss_mb
from .report import write_report
from .server import chroma_server
from .synth import write_corpus

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
BUNDLED = ROOT / "data" / "corpus"
GOLD = ROOT / "data" / "eval" / "gold.jsonl"
LONG = ROOT / "bench" / "questions_long.json"  # multi-part and long questions on the bundled corpus
SECTIONS = ("ingest", "answer", "scale", "server")
COLD_QUESTION = "What was the main focus of President Tokayev's visit to Türkiye?"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
for _var in ("CHROMA_HOST", "CHROMA_PORT", "CORRIDOR_CHROMA_HOST", "CORRIDOR_CHROMA_PORT"):
    ENV.pop(_var, None)


def log(msg: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def run_task(task: str, args: dict[str, Any], cache: Path) -> dict[str, Any]:
    """Run one bench.worker task in a fresh process and return its JSON figures."""
    log(f"{task} {json.dumps(args)}")
    with open(cache / "worker.log", "ab") as err:
        got = subprocess.run(
            [sys.executable, "-m", "bench.worker", task, "--args", json.dumps(args)],
            cwd=ROOT,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=err,
            check=False,
        )
    if got.returncode:
        raise RuntimeError(f"bench.worker {task} failed (exit {got.returncode}); see {cache / 'worker.log'}")
    return json.loads(got.stdout.decode().strip().splitlines()[-1])


def wall(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Wall-clock seconds of a command, several times (it must succeed)."""
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(
            cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        out.append(time.perf_counter() - t)
    return out


def _tagged(how: str, task: str, args: dict[str, Any], cache: Path) -> dict[str, Any]:
    return {"how": how, **run_task(task, args, cache)}


def cached(path: Path, build, fresh: bool = False) -> dict[str, Any]:
    """A result JSON kept under the cache, computed by build() when absent (or when fresh)."""
    if path.exists() and not fresh:
        return {**json.loads(path.read_text()), "from_cache": True}
    result = {
        **build(),
        "measured_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "load_avg": os.getloadavg(),
    }
    path.write_text(json.dumps(result))
    return result


def gold_questions(cache: Path) -> Path:
    path = cache / "gold-questions.json"
    path.write_text(json.dumps([json.loads(line)["question"] for line in GOLD.read_text().splitlines()]))
    return path


def mix_questions(cache: Path) -> Path:
    """The realistic mix: the gold questions (short, follow-ups, refusals) and the long, several-part ones."""
    path = cache / "mix-questions.json"
    gold = json.loads(gold_questions(cache).read_text())
    path.write_text(json.dumps(gold + json.loads(LONG.read_text())))
    return path


def limit(path: Path, n: int) -> Path:
    """The question file cut to its first n questions (n = 0: unchanged)."""
    if n:
        path.write_text(json.dumps(json.loads(path.read_text())[:n]))
    return path


def corpus_docs(cache: Path, size: int) -> Path:
    """The folder of Markdown documents of a synthetic corpus (generated once)."""
    write_corpus(cache / f"corpus-{size}", size)
    return cache / f"corpus-{size}" / "docs"


def synth_questions(
    cache: Path, size: int, o_questions: int = 0, embed_max: int = 10000
) -> tuple[Path, Path]:
    """The corpus folder of a synthetic size and its question file (above embed_max, whose stores carry real
    vectors only for the embed_max prefix, the questions of that prefix serve)."""
    corpus = cache / f"corpus-{size}"
    questions = write_corpus(corpus, size)
    if size > embed_max:
        questions = write_corpus(cache / f"corpus-{embed_max}", embed_max)
    path = cache / f"questions-{size}.json"
    path.write_text(json.dumps([q.question for q in questions][: o_questions or None]))
    return corpus / "docs", path


# -- sections ----------------------------------------------------------------------------------------------
def section_ingest(o: argparse.Namespace, cache: Path) -> dict[str, Any]:
    """Cold full ingest vs raw encode (bundled corpus and 1k synthetic), and the no-op re-ingest."""
    tmp = cache / "tmp"
    tmp.mkdir(exist_ok=True)
    out: dict[str, Any] = {}
    cold = {"store": str(tmp / "unused"), "collection": "bench_cold", "temp": True, "tmp": str(tmp),
            "runs": o.runs, "raw": True}  # fresh temporary stores, each run followed by raw encode
    out["bundled"] = run_task(
        "ingest",
        {**cold, "corpus": str(BUNDLED), "noop": True, "noop_runs": 5,
         "noop_store": str(cache / "stores" / "embedded-bundled")},
        cache,
    )
    # The default ingest also writes the multilingual lane (e5): its cost on the bundled corpus.
    out["bundled, with the multilingual lane"] = run_task(
        "ingest", {**cold, "corpus": str(BUNDLED), "raw": False, "lane": True}, cache)
    docs = corpus_docs(cache, o.ingest_synth)
    out["synthetic 1k"] = run_task("ingest", {**cold, "corpus": str(docs)}, cache)
    # The CLI: `corridor ingest` on an unchanged store, minus the bare import of the CLI.
    env = {
        **ENV,
        "CORRIDOR_STORE_DIR": str(cache / "stores" / "embedded-bundled"),
        "CORRIDOR_COLLECTION": "bench_cold",
    }
    corridor = str(Path(sys.executable).parent / "corridor")
    out["cli_noop_s"] = wall([corridor, "ingest", str(BUNDLED)], env, 5)
    out["cli_import_s"] = wall([sys.executable, "-c", "import bot.cli"], env, 5)
    return out


def section_answer(o: argparse.Namespace, cache: Path) -> dict[str, Any]:
    """Warm-process latencies on the bundled corpus, concurrency, the baseline, and cold start."""
    store = cache / "stores" / "embedded-bundled"
    if not (store / "chroma").exists():
        run_task(
            "ingest",
            {
                "corpus": str(BUNDLED),
                "store": str(store),
                "collection": "bench_cold",
                "runs": 0,
                "noop": True,
                "noop_runs": 1,
                "noop_store": str(store),
            },
            cache,
        )
    out = {
        "answer": run_task(
            "answer",
            {
                "store": str(store),
                "collection": "bench_cold",
                "lane": True,  # the default: Turkish and Russian questions answered through multilingual-e5
                "corpus": str(BUNDLED),
                "questions": str(limit(gold_questions(cache), o.questions)),
                "reps": o.reps,
                "concurrency": 32,
            },
            cache,
        )
    }
    out["mix"] = run_task(
        "answer",
        {"store": str(store), "collection": "bench_cold", "questions": str(mix_questions(cache)),
         "reps": o.reps, "lane": True, "corpus": str(BUNDLED)},
        cache,
    )
    # The same mix with every sentence embedded at answer time (no vectors prepared at ingest: as before).
    out["mix_unprepared"] = run_task(
        "answer",
        {"store": str(store), "collection": "bench_cold", "questions": str(mix_questions(cache)),
         "reps": o.reps, "lane": True, "corpus": str(BUNDLED), "sentence_vectors": False},
        cache,
    )
    env = {**ENV, "CORRIDOR_STORE_DIR": str(store), "CORRIDOR_COLLECTION": "bench_cold"}
    corridor = str(Path(sys.executable).parent / "corridor")
    out["cold_start_s"] = wall([corridor, "ask", COLD_QUESTION], env, o.runs)
    return out


def ensure_embedded(size: int, o: argparse.Namespace, cache: Path) -> dict[str, Any]:
    """The cached embedded store of a synthetic size: a real pipeline ingest up to o.embed_max chunks, above
    an extension of that store (real texts, stand-in vectors for the rest)."""
    store = cache / "stores" / f"embedded-{size}"
    docs = corpus_docs(cache, size)
    result = cache / "results" / f"ingest-embedded-{size}.json"
    if o.fresh and store.exists():
        shutil.rmtree(store)
        result.unlink(missing_ok=True)
    if size <= o.embed_max:
        return cached(
            result,
            lambda: {
                "how": "pipeline",
                **run_task(
                    "ingest",
                    {"corpus": str(docs), "store": str(store), "collection": f"bench_{size}", "runs": 1},
                    cache,
                ),
            },
        )
    seed = ensure_embedded(o.embed_max, o, cache)
    return cached(
        result,
        lambda: {
            "how": "extend",
            "seed_size": o.embed_max,
            "seed_ingest": seed,
            **run_task(
                "extend",
                {
                    "corpus": str(docs),
                    "store": str(store),
                    "collection": f"bench_{size}",
                    "seed_store": str(cache / "stores" / f"embedded-{o.embed_max}"),
                    "seed_collection": f"bench_{o.embed_max}",
                },
                cache,
            ),
        },
    )


def section_scale(o: argparse.Namespace, cache: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for size in o.sizes:
        ingest = ensure_embedded(size, o, cache)
        _, questions = synth_questions(cache, size, o.questions, o.embed_max)
        answer = run_task(
            "answer",
            {
                "store": str(cache / "stores" / f"embedded-{size}"),
                "collection": f"bench_{size}",
                "questions": str(questions),
                "reps": o.reps,
                "concurrency": 32 if size == max(o.sizes) else 0,
            },
            cache,
        )
        out[str(size)] = {"ingest": ingest, "answer": answer, **_when()}
    return out


def _when() -> dict[str, Any]:
    return {"measured_at": f"{datetime.now(UTC):%H:%M} UTC", "load_avg": os.getloadavg()}


def section_server(o: argparse.Namespace, cache: Path) -> dict[str, Any]:
    """The same ingest and answer code against `chroma run` on loopback."""
    out: dict[str, Any] = {}
    data = cache / "server-data"
    if o.fresh:
        shutil.rmtree(data, ignore_errors=True)
        for old in (cache / "results").glob("ingest-server-*.json"):
            old.unlink()
    with chroma_server(data, cache / "chroma-server.log") as (proc, port):
        server = f"127.0.0.1:{port}"
        for size in o.sizes:
            docs, questions = synth_questions(cache, size, o.questions, o.embed_max)
            local = cache / "stores" / f"server-{size}"  # the BM25 cache stays on the bot's disk
            base = {"store": str(local), "collection": f"server_{size}", "server": server}
            if size <= o.server_pipeline_max:
                task, args = "ingest", {**base, "corpus": str(docs), "runs": 1}
                how = "pipeline"
            else:
                ensure_embedded(size, o, cache)
                embedded = str(cache / "stores" / f"embedded-{size}")
                task, args = (
                    "copy",
                    {
                        **base,
                        "store": embedded,
                        "collection": f"bench_{size}",
                        "target_collection": f"server_{size}",
                    },
                )
                how = "copy"
            result = cache / "results" / f"ingest-server-{size}.json"
            ingest = cached(result, partial(_tagged, how, task, args, cache))
            answer = run_task(
                "answer",
                {
                    **base,
                    "questions": str(questions),
                    "reps": o.reps,
                    "concurrency": 32 if size == max(o.sizes) else 0,
                },
                cache,
            )
            out[str(size)] = {
                "ingest": ingest,
                "answer": answer,
                "server_peak_rss_mb": proc_peak_rss_mb(proc.pid),
                **_when(),
            }
        out["server_data_mb"] = sum(f.stat().st_blocks * 512 for f in data.rglob("*") if f.is_file()) / 1e6
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000,100000", help="synthetic corpus sizes in chunks")
    p.add_argument("--only", default=",".join(SECTIONS), help=f"sections to run now: {','.join(SECTIONS)}")
    p.add_argument("--quick", action="store_true", help="one run each, sizes 1000 only unless --sizes")
    p.add_argument("--runs", type=int, default=3, help="repeats of the ingest and cold-start timings")
    p.add_argument("--reps", type=int, default=3, help="repeats of each latency pass")
    p.add_argument(
        "--server-pipeline-max",
        type=int,
        default=10000,
        help="largest size ingested into the server through the pipeline (above: copied)",
    )
    p.add_argument("--ingest-synth", type=int, default=1000, help="synthetic size of the ingest-vs-raw test")
    p.add_argument("--questions", type=int, default=0, help="use only the first N questions (0: all)")
    p.add_argument(
        "--embed-max",
        type=int,
        default=10000,
        help="largest size embedded by the pipeline; larger stores extend it with stand-in vectors",
    )
    p.add_argument("--fresh", action="store_true", help="rebuild cached stores")
    p.add_argument("--cache", type=Path, default=CACHE)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "BENCHMARKS.md")
    o = p.parse_args(argv)
    if o.quick:
        o.runs, o.reps = 1, 1
        if "--sizes" not in (argv or sys.argv):
            o.sizes = "1000"
    o.sizes = [int(x) for x in o.sizes.split(",")]
    cache: Path = o.cache
    for sub in ("results", "stores"):
        (cache / sub).mkdir(parents=True, exist_ok=True)
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    for name in [s for s in o.only.split(",") if s]:
        if name not in SECTIONS:
            p.error(f"unknown section {name!r}")
        log(f"section {name}")
        start, load0 = datetime.now(UTC), os.getloadavg()
        figures = globals()[f"section_{name}"](o, cache)
        path = cache / "results" / f"section-{name}.json"
        if name in ("scale", "server") and path.exists() and not o.fresh:  # keep sizes measured by other runs
            figures = {**json.loads(path.read_text())["figures"], **figures}
        path.write_text(
            json.dumps(
                {
                    "figures": figures,
                    "started": f"{start:%Y-%m-%d %H:%M} UTC",
                    "minutes": round((datetime.now(UTC) - start).total_seconds() / 60, 1),
                    "load_avg_start": load0,
                    "load_avg_end": os.getloadavg(),
                    "command": command,
                }
            )
        )
    sections = {}
    for name in SECTIONS:
        path = cache / "results" / f"section-{name}.json"
        if path.exists():
            sections[name] = json.loads(path.read_text())
    write_report(sections, machine(), o.out, o.out.parent / "bench.png")
    log(f"wrote {o.out} and {o.out.parent / 'bench.png'}")


if __name__ == "__main__":
    main()
