"""What `corridor eval` does, kept out of bot/cli.py: pick the sets, build their stores, run, report, gate."""

from __future__ import annotations

import re
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from corridor.errors import InputError
from corridor.settings import PROJECT_ROOT, Settings

from .against import changes, load_previous
from .against import lines as against_lines
from .gate import DEFAULT_THRESHOLDS, Breach, check, limits_for, load_thresholds
from .gold import GoldItem
from .report import write_reports
from .runner import MultiRun, run_eval
from .sets import (
    SETS,
    EvalSet,
    EvalStore,
    article_part,
    build_set_store,
    custom_set,
    goes_to_lane,
    parse_splits,
    set_settings,
)
from .sets import sample as sample_of
from .table import print_run

MODES = ("extractive", "llm")


def split_kinds(kinds: list[str] | None) -> list[str] | None:
    """--kinds a,b --kinds c → [a, b, c]."""
    out = [k.strip() for item in kinds or [] for k in item.split(",") if k.strip()]
    return out or None


def split_ids(ids: list[str] | None) -> set[str] | None:
    """--ids fd1364-fd1403,d02 --ids ft5 → the question ids, each range of one prefix expanded (a developer
    re-asks one batch or a few failing questions in seconds instead of whole sets)."""
    out: set[str] = set()
    for part in (p.strip() for item in ids or [] for p in item.split(",")):
        if not part:
            continue
        lo, dash, hi = part.partition("-")
        if not dash:
            out.add(lo)
            continue
        a, b = re.fullmatch(r"([A-Za-z]*)(\d+)", lo), re.fullmatch(r"([A-Za-z]*)(\d+)", hi)
        if not a or not b or a.group(1) != b.group(1) or int(a.group(2)) > int(b.group(2)):
            raise InputError(f"--ids: {part!r} is not a range like fd1364-fd1403 (one prefix, low to high)")
        width = len(a.group(2)) if a.group(2).startswith("0") else 1  # d01-d08 keeps its zero
        out.update(f"{a.group(1)}{n:0{width}d}" for n in range(int(a.group(2)), int(b.group(2)) + 1))
    return out or None


def _shown(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def plan_sets(gold: Path | None, splits: list[str] | None, kinds: list[str] | None,
              ids: set[str] | None = None, sample: int | None = None,
              articles: int | None = None) -> tuple[list[tuple[EvalSet, list[GoldItem]]], list[str]]:
    """The sets to run with their questions, and a note for each set skipped (an optional set whose file
    is absent, or a set with none of the asked kinds or ids), limited to a part of its articles (`--articles
    N`, sets.article_part) or sampled (`--sample N`, sets.sample)."""
    if gold is not None and splits:
        raise InputError("use --gold FILE or --split, not both (--gold runs one file as it is)")
    sets = [custom_set(gold)] if gold is not None else [SETS[n] for n in parse_splits(splits)]
    plan: list[tuple[EvalSet, list[GoldItem]]] = []
    notes: list[str] = []
    seen_kinds: set[str] = set()
    seen_ids: set[str] = set()
    for s in sets:
        if s.optional and not s.gold.is_file():
            notes.append(f"set {s.name} skipped: {_shown(s.gold)} is not there (yet)")
            continue
        all_items = s.load()
        seen_kinds |= {i.kind for i in all_items}
        seen_ids |= {i.id for i in all_items}
        whole = [i for i in all_items if (not kinds or i.kind in kinds) and (not ids or i.id in ids)]
        items = whole
        if articles is not None and s.fixtures is not None:
            s, on_part = article_part(s, all_items, articles)
            if s.only is not None:
                notes.append(f"set {s.name}: {len(s.only):,} of its articles and the {len(on_part):,} "
                             "questions on them (--articles)")
                items = [i for i in whole if i.id in on_part]
        if not items:
            asked = [f"of kind {', '.join(kinds)}"] if kinds else []
            asked += ["with the ids asked for"] if ids else []
            notes.append(f"set {s.name} skipped: no questions {' and '.join(asked)}")
            continue
        if sample is not None and len(items) > sample:
            notes.append(f"set {s.name}: a fixed sample of {sample:,} of its {len(items):,} questions "
                         "(--sample, stratified by kind)")
            items = sample_of(items, sample, shares=whole)  # on a part of the articles: the set's shares
        plan.append((s, items))
    files = ", ".join(_shown(s.gold) for s in sets if s.gold.is_file())
    unknown = sorted(set(kinds or []) - seen_kinds)
    if unknown:
        raise InputError(f"no gold questions of kind {', '.join(unknown)} in {files}")
    missing = sorted(set(ids or []) - seen_ids)
    listed = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
    if missing and len(missing) == len(ids or []):
        raise InputError(f"no gold question has the id {listed} in {files}")
    if missing:  # a range that runs past a set's end is fine; say which ids were not found
        notes.append(f"{len(missing)} of the ids asked for are in no set run: {listed}")
    if not plan:
        raise InputError("no gold questions to run: " + "; ".join(notes))
    return plan, notes


def run_command(settings: Settings, *, gold: Path | None = None, splits: list[str] | None = None,
                mode: str | None = None, k: int | None = None, baseline: bool = True,
                out: Path = Path("eval-report"), kinds: list[str] | None = None,
                thresholds: Path | None = None, gate: bool = True, ragas: bool = False,
                console: Console | None = None, err: Console | None = None,
                ids: list[str] | None = None, against: Path | None = None, jobs: int = 1,
                sample: int | None = None, articles: int | None = None) -> int:
    """Run every chosen set and write the reports; the exit status is 1 when a threshold is breached."""
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
    if jobs < 1:
        raise InputError("--jobs must be at least 1")
    if sample is not None and sample < 1:
        raise InputError("--sample must be at least 1")
    if articles is not None and articles < 1:
        raise InputError("--articles must be at least 1")
    plan, notes = plan_sets(gold, splits, split_kinds(kinds), split_ids(ids), sample, articles)
    previous = load_previous(against) if against is not None else None  # before the run: a typo costs nothing
    thresholds_all = load_thresholds(thresholds or DEFAULT_THRESHOLDS) if gate else None
    if ragas:
        from .ragas_option import check_available

        check_available(settings)

    from answering.engine import Engine

    t0 = time.perf_counter()
    stores: dict[str, EvalStore] = {}  # by collection: dev and test share the eval collection
    lane = _lane_needed(settings, plan)
    multi = MultiRun(runs={}, mode=mode, k=k or settings.k, notes=notes)
    total = sum(len(items) for _, items in plan) * (2 if baseline else 1)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("asking the gold questions", total=total)
        for eval_set, items in plan:
            es = set_settings(settings, eval_set, lane=lane[eval_set.collection_suffix])
            if es.collection not in stores:
                progress.update(task, description=f"preparing {es.collection!r} ({eval_set.name})")
                stores[es.collection] = build_set_store(es, eval_set)
            built = stores[es.collection]
            progress.update(task, description=f"asking the {eval_set.name} questions")
            engine = Engine(built.settings, built.store)
            try:
                run = run_eval(engine, items, mode=mode, k=k, baseline=baseline, name=eval_set.name,
                               gold_name=_shown(eval_set.gold), doc_aliases=built.doc_aliases,
                               on_result=lambda _r: progress.advance(task), jobs=jobs)
            finally:
                engine.close()
            run.ingest = built.report
            run.config["splits"] = list(eval_set.splits) if eval_set.splits else None
            run.config["multilingual_lane"] = built.settings.lane_settings() is not None
            if settings.lane_settings() is not None and not run.config["multilingual_lane"]:
                multi.notes.append(f"set {eval_set.name}: no question goes to the multilingual lane, so its "
                                   "lane was not built")
            multi.runs[eval_set.name] = run
    multi.seconds = round(time.perf_counter() - t0, 1)
    if ragas:
        from .ragas_option import ragas_scores

        for name, run in multi.runs.items():
            with err.status(f"RAGAS on {name}: asking the judge model …"):
                run.config["ragas"] = ragas_scores(stores_settings(stores, run), run.results["corridor"])
    limits: dict[str, dict | None] | None = None
    breaches: dict[str, list[Breach] | None] | None = None
    if thresholds_all is not None:
        limits = {name: limits_for(thresholds_all, name) for name in multi.runs}
        breaches = {name: (check(run.summary["corridor"], limits[name], name) if limits[name] is not None
                           else None) for name, run in multi.runs.items()}
        for name, lim in limits.items():
            if lim is None and name not in ("dev", "fresh-dev"):
                multi.notes.append(f"set {name}: no thresholds for it in the thresholds file, not gated")
    since = changes(previous, multi) if previous is not None else None
    if since is not None:
        multi.against = {"report": str(against), "started": previous.get("started"),
                         "sets": [s.as_dict() for s in since]}
    write_reports(multi, out, limits, breaches)
    all_breaches = None if breaches is None else [b for found in breaches.values() for b in found or []]
    gated = [n for n, found in (breaches or {}).items() if found is not None]
    if since is not None:
        console.print(f"since {against} ({previous.get('started') or 'undated'}):", highlight=False)
        for line in against_lines(since) or ["no question of this run is in that report"]:
            console.print(line, highlight=False)
    print_run(multi, all_breaches, console, out, gated)
    for name, run in multi.runs.items():
        if run.config.get("ragas"):
            scores = run.config["ragas"].items()
            console.print(f"RAGAS {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in scores))
    return 1 if all_breaches else 0


def _lane_needed(settings: Settings, plan: list[tuple[EvalSet, list[GoldItem]]]) -> dict[str, bool]:
    """Per collection (dev and test share one): whether a question of this run goes to the multilingual
    lane. A collection none of whose questions does is built without its lane (the fresh set's questions
    are all English: its lane took a third of the quality eval's set-up)."""
    need: dict[str, bool] = {}
    for eval_set, items in plan:
        suffix = eval_set.collection_suffix
        need[suffix] = need.get(suffix, False) or goes_to_lane(items, settings.max_question_chars)
    return need


def stores_settings(stores: dict[str, EvalStore], run) -> Settings:
    """The settings of the store a run was asked against."""
    return stores[run.config["collection"]].settings
