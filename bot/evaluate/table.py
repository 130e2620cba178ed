"""The terminal view of a run: corridor against the baseline, overall and per kind (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .gate import Breach
from .metrics import LATENCY_KEYS, METRICS
from .runner import EvalRun

LABELS = {m.key: m.label for m in METRICS} | {"latency_p50_ms": "latency p50 (ms)",
                                              "latency_p95_ms": "latency p95 (ms)"}
LOWER_IS_BETTER = set(LATENCY_KEYS)


def fmt(value: float | None, key: str) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if key in LOWER_IS_BETTER else f"{value:.3f}"


def delta(a: float | None, b: float | None, key: str) -> str:
    """corridor − baseline, green when corridor is better, red when worse."""
    if a is None or b is None:
        return ""
    d = a - b
    if abs(d) < (0.5 if key in LOWER_IS_BETTER else 0.0005):
        return "±0"
    better = d < 0 if key in LOWER_IS_BETTER else d > 0
    text = f"{d:+.0f}" if key in LOWER_IS_BETTER else f"{d:+.3f}"
    return f"[{'green' if better else 'red'}]{text}[/]"


def summary_table(run: EvalRun) -> Table:
    """One section per scope (overall first, then each kind): metric | corridor | baseline | delta."""
    summary = run.summary
    has_baseline = "baseline" in summary
    title = f"corridor eval — {run.config.get('questions', '?')} questions, mode {run.mode}, k={run.k}"
    table = Table(title=title, title_justify="left")
    table.add_column("scope")
    table.add_column("metric")
    table.add_column("corridor", justify="right")
    if has_baseline:
        table.add_column("baseline", justify="right")
        table.add_column("delta", justify="right")
    corridor = summary["corridor"]
    for scope, values in corridor.items():
        first = True
        for key in [m.key for m in METRICS] + LATENCY_KEYS:
            c = values.get(key)
            b = summary["baseline"][scope].get(key) if has_baseline else None
            if c is None and b is None:
                continue
            label = f"[bold]{scope}[/] (n={values['n']})" if first else ""
            row = [label, LABELS[key], fmt(c, key)]
            if has_baseline:
                row += [fmt(b, key), delta(c, b, key)]
            table.add_row(*row)
            first = False
        table.add_section()
    return table


def print_run(run: EvalRun, breaches: list[Breach] | None, console: Console, out_dir=None) -> None:
    console.print(summary_table(run))
    failing = [r.id for r in run.results["corridor"] if r.failed]
    console.print(f"{len(failing)} of {len(run.results['corridor'])} questions fail at least one metric"
                  + (f": {', '.join(failing[:30])}{' …' if len(failing) > 30 else ''}" if failing else "."),
                  highlight=False)
    for w in run.warnings:
        console.print(f"[yellow]warning:[/] {w}", highlight=False)
    if out_dir is not None:
        console.print(f"report: {out_dir / 'report.html'} and {out_dir / 'report.json'}", highlight=False)
    if breaches is None:
        return
    if breaches:
        console.print("[red bold]quality gate FAILED[/]: " + "; ".join(str(b) for b in breaches),
                      highlight=False)
    else:
        console.print("[green bold]quality gate passed[/] (every threshold met)")
