"""The terminal view of a run: metric rows, and per set a corridor | baseline column pair (rich).

Overall every metric; per kind the answer-level metrics (KIND_KEYS). A corridor value under the baseline's is
red (green when above); the list of what got worse than the baseline follows the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.table import Table

from .gate import Breach
from .metrics import LATENCY_KEYS, METRICS
from .runner import MultiRun

LABELS = {m.key: m.label for m in METRICS} | {"latency_p50_ms": "latency p50 (ms)",
                                              "latency_p95_ms": "latency p95 (ms)"}
LOWER_IS_BETTER = set(LATENCY_KEYS)
OVERALL_KEYS = [m.key for m in METRICS] + LATENCY_KEYS
KIND_KEYS = ["hit_at_5", "evidence_cited", "citation_precision", "must_include_recall", "abstention_accuracy"]
TOLERANCE = {"latency": 0.5, "score": 0.0005}
SHORT = {"hit_at_1": "hit@1", "hit_at_5": "hit@5", "mrr": "MRR", "citation_precision": "cit. precision",
         "citation_recall": "cit. recall", "evidence_cited": "evidence cited",
         "opens_with_evidence": "opens w/ evid.", "on_point": "on point",
         "must_include_recall": "must_include", "must_not_include_ok": "no forbidden",
         "abstention_accuracy": "abstention", "faithfulness": "faithfulness", "latency_p50_ms": "p50 ms",
         "latency_p95_ms": "p95 ms"}


def fmt(value: float | None, key: str) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if key in LOWER_IS_BETTER else f"{value:.3f}"


def compare(a: float | None, b: float | None, key: str) -> int:
    """+1 when corridor (a) is better than the baseline (b), -1 when worse, 0 when equal or not comparable."""
    if a is None or b is None:
        return 0
    d = a - b
    if abs(d) < TOLERANCE["latency" if key in LOWER_IS_BETTER else "score"]:
        return 0
    better = d < 0 if key in LOWER_IS_BETTER else d > 0
    return 1 if better else -1


def delta(a: float | None, b: float | None, key: str) -> str:
    """corridor − baseline as text, green when corridor is better, red when worse."""
    if a is None or b is None:
        return ""
    side = compare(a, b, key)
    if side == 0:
        return "±0"
    d = a - b
    text = f"{d:+.0f}" if key in LOWER_IS_BETTER else f"{d:+.3f}"
    return f"[{'green' if side > 0 else 'red'}]{text}[/]"


@dataclass(frozen=True)
class Worse:
    """A metric on which corridor scored under the baseline."""

    set_name: str
    scope: str
    metric: str
    corridor: float
    baseline: float

    def __str__(self) -> str:
        return (f"{self.set_name} {self.scope} {LABELS[self.metric]} {fmt(self.corridor, self.metric)} "
                f"< {fmt(self.baseline, self.metric)}")


def worse_than_baseline(multi: MultiRun) -> list[Worse]:
    """Every (set, scope, quality metric) where corridor is under the baseline; latency is left out (the
    baseline does less work by design)."""
    out = []
    for name, run in multi.runs.items():
        summary = run.summary
        if "baseline" not in summary:
            continue
        for scope, values in summary["corridor"].items():
            for m in METRICS:
                c, b = values.get(m.key), summary["baseline"][scope].get(m.key)
                if compare(c, b, m.key) < 0:
                    out.append(Worse(name, scope, m.key, c, b))
    return out


def scopes_of(multi: MultiRun) -> list[str]:
    """overall, then every kind in first-seen order over the sets."""
    seen: dict[str, None] = {"overall": None}
    for run in multi.runs.values():
        seen.update(dict.fromkeys(run.summary["corridor"]))
    return list(seen)


def summary_table(multi: MultiRun) -> Table:
    """Rows: per scope (overall, then each kind) its metrics; columns: one per set, each cell
    "corridor | baseline" with corridor green when better than the baseline, red when worse."""
    has_baseline = "baseline" in multi.systems
    n = sum(r.config.get("questions", 0) for r in multi.runs.values())
    cell = "corridor|baseline" if has_baseline else "corridor"
    table = Table(title=f"corridor eval · {n} questions · {multi.mode}, k={multi.k}", title_justify="left",
                  caption=f"each cell: {cell}; corridor green when better than the baseline, red when worse",
                  caption_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("metric", no_wrap=True)
    for name in multi.runs:
        table.add_column(name, justify="right", no_wrap=True)
    summaries = [run.summary for run in multi.runs.values()]
    for scope in scopes_of(multi):
        counts = [str(s["corridor"][scope]["n"]) if scope in s["corridor"] else "—" for s in summaries]
        table.add_row(f"[bold]{scope}[/]", *[f"[bold]n={c}[/]" if c != "—" else c for c in counts])
        for key in OVERALL_KEYS if scope == "overall" else KIND_KEYS:
            cells = []
            for summary in summaries:
                c = summary["corridor"].get(scope, {}).get(key)
                b = summary["baseline"].get(scope, {}).get(key) if has_baseline else None
                colour = {1: "green", -1: "bold red"}.get(compare(c, b, key))
                text = f"[{colour}]{fmt(c, key)}[/]" if colour else fmt(c, key)
                cells.append(f"{text}|{fmt(b, key)}" if has_baseline else text)
            if any(fmt(summary["corridor"].get(scope, {}).get(key), key) != "—" for summary in summaries):
                table.add_row("  " + SHORT[key], *cells)
        table.add_section()
    return table


def print_run(multi: MultiRun, breaches: list[Breach] | None, console: Console, out_dir=None,
              gated: list[str] | None = None) -> None:
    """The table, the notes, what is worse than the baseline, each set's failing questions and the gate's
    verdict (`gated`: the sets that had thresholds)."""
    console.print(summary_table(multi))
    for note in multi.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    if "baseline" in multi.systems:
        worse = worse_than_baseline(multi)
        if worse:
            console.print(f"[bold red]worse than the baseline ({len(worse)}):[/]")
            for name in multi.runs:
                mine = [w for w in worse if w.set_name == name]
                if mine:
                    console.print(f"  [red]{name}[/]: " + "; ".join(str(w).removeprefix(f"{name} ")
                                                                   for w in mine), highlight=False)
        else:
            console.print("[green]worse than the baseline: nothing[/] (no quality metric in any set or kind)")
    for name, run in multi.runs.items():
        failing = [r.id for r in run.results["corridor"] if r.failed]
        console.print(f"{name}: {len(failing)} of {len(run.results['corridor'])} questions fail at least one "
                      "metric" + (f": {', '.join(failing[:30])}{' …' if len(failing) > 30 else ''}"
                                  if failing else "."), highlight=False)
        for w in run.warnings:
            console.print(f"[yellow]warning:[/] {name}: {w}", highlight=False)
    if out_dir is not None:
        console.print(f"report: {out_dir / 'report.html'} and {out_dir / 'report.json'}", highlight=False)
    if breaches is None:
        return
    if breaches:
        console.print("[red bold]quality gate FAILED[/]: " + "; ".join(str(b) for b in breaches),
                      highlight=False)
    else:
        gated = gated if gated is not None else [n for n in multi.runs if n not in ("dev", "fresh-dev")]
        console.print("[green bold]quality gate passed[/] "
                      f"(every threshold met on {', '.join(gated) or 'no set'})")
