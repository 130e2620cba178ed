"""What `corridor eval` does, kept out of bot/cli.py: load, check, run, report, gate."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from corridor.errors import InputError
from corridor.settings import Settings

from .gate import DEFAULT_THRESHOLDS, check, load_thresholds
from .gold import load_gold
from .report import write_reports
from .runner import build_eval_store, eval_settings, run_eval
from .table import print_run

MODES = ("extractive", "llm")


def split_kinds(kinds: list[str] | None) -> list[str] | None:
    """--kinds a,b --kinds c → [a, b, c]."""
    out = [k.strip() for item in kinds or [] for k in item.split(",") if k.strip()]
    return out or None


def run_command(settings: Settings, *, gold: Path | None = None, mode: str | None = None,
                k: int | None = None, baseline: bool = False, out: Path = Path("eval-report"),
                kinds: list[str] | None = None,
                thresholds: Path | None = None, gate: bool = True, ragas: bool = False,
                console: Console | None = None, err: Console | None = None) -> int:
    """Run the evaluation and write the reports; the exit status is 1 when a threshold is breached."""
    console = console or Console()
    err = err or Console(stderr=True)
    mode = mode or settings.answer_mode
    if mode not in MODES:
        raise InputError(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "llm" and not (settings.llm_base_url or settings.llm_gguf):
        raise InputError("--mode llm needs CORRIDOR_LLM_BASE_URL (an OpenAI-compatible endpoint) or "
                         "CORRIDOR_LLM_GGUF (a local model); without one every answer would be extractive.")
    if k is not None and k < 1:
        raise InputError("--k must be at least 1")
    items = load_gold(gold, split_kinds(kinds))
    limits = load_thresholds(thresholds or DEFAULT_THRESHOLDS) if gate else None
    if ragas:
        from .ragas_option import check_available

        check_available(settings)

    from answering.engine import Engine

    es = eval_settings(settings)
    with err.status(f"preparing the eval store (collection {es.collection!r}, {es.chroma_location}) …"):
        store, ingest_report = build_eval_store(es, progress=False)
    engine = Engine(es, store)
    try:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("asking the gold questions", total=len(items) * (2 if baseline else 1))
            run = run_eval(engine, items, mode=mode, k=k, baseline=baseline,
                           gold_name=str(gold or "data/eval/gold.jsonl"),
                           on_result=lambda _r: progress.advance(task))
    finally:
        engine.close()
    run.ingest = ingest_report
    if ragas:
        from .ragas_option import ragas_scores

        with err.status("RAGAS: asking the judge model …"):
            run.config["ragas"] = ragas_scores(es, run.results["corridor"])
    breaches = check(run.summary["corridor"], limits) if limits is not None else None
    write_reports(run, out, limits, breaches)
    print_run(run, breaches, console, out)
    if run.config.get("ragas"):
        console.print("RAGAS: " + ", ".join(f"{k} {v:.3f}" for k, v in run.config["ragas"].items()))
    return 1 if breaches else 0
