"""report.json (every metric and every question's result) and report.html (one self-contained file:
charts as inline SVG, the failing questions with the answer given and the evidence expected)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from .evidence import normalise, normalise_with_map
from .gate import Breach
from .metrics import LATENCY_KEYS, METRICS
from .runner import EvalRun, MultiRun
from .table import LABELS, LOWER_IS_BETTER, compare, fmt, worse_than_baseline

COLOURS = {"corridor": "#1f6feb", "baseline": "#b0b7c3"}


def set_data(run: EvalRun, limits: dict | None, breaches: list[Breach] | None) -> dict:
    """One set's part of report.json: its summary, gate and every question's result."""
    return {
        "name": run.name, "gold": run.gold, "seconds": run.seconds, "config": run.config,
        "summary": run.summary,
        "gate": None if breaches is None else {
            "thresholds": limits, "passed": not breaches,
            "breaches": [{"scope": b.scope, "metric": b.metric, "value": b.value, "minimum": b.minimum}
                         for b in breaches]},
        "warnings": run.warnings,
        "ingest": run.ingest.model_dump() if run.ingest else None,
        "questions": {system: [r.model_dump() for r in rows] for system, rows in run.results.items()},
    }


def report_data(multi: MultiRun, limits: dict[str, dict | None] | None,
                breaches: dict[str, list[Breach] | None] | None) -> dict:
    """The report.json document: every set side by side, the gate, and what is worse than the baseline.
    `limits`/`breaches`: per set name (None for a set that is not gated); both None when no gate ran."""
    all_breaches = [b for found in (breaches or {}).values() for b in found or []]
    return {
        "started": multi.started, "seconds": multi.seconds, "mode": multi.mode, "k": multi.k,
        "systems": multi.systems, "set_names": list(multi.runs), "notes": multi.notes,
        "metrics": [{"key": m.key, "label": m.label, "pass_min": m.pass_min, "help": m.help}
                    for m in METRICS],
        "gate": None if breaches is None else {
            "passed": not all_breaches, "gated_sets": [n for n, b in breaches.items() if b is not None],
            "breaches": [{"set": b.set_name, "scope": b.scope, "metric": b.metric, "value": b.value,
                          "minimum": b.minimum} for b in all_breaches]},
        "against": multi.against,
        "worse_than_baseline": [{"set": w.set_name, "scope": w.scope, "metric": w.metric,
                                 "corridor": w.corridor, "baseline": w.baseline}
                                for w in worse_than_baseline(multi)],
        "sets": {name: set_data(run, (limits or {}).get(name), (breaches or {}).get(name))
                 for name, run in multi.runs.items()},
    }


def chart_svg(key: str, sets: dict[str, dict]) -> str:
    """Grouped bars per set (overall value), one bar per system, as an inline <svg>."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"  # text stays text: smaller and selectable
    names = list(sets)
    systems = list(next(iter(sets.values()))["summary"]) if sets else []
    fig, ax = plt.subplots(figsize=(7, 2.6), dpi=100)
    width = 0.8 / max(len(systems), 1)
    for i, system in enumerate(systems):
        values = [sets[n]["summary"][system]["overall"].get(key) for n in names]
        xs = [x + (i - (len(systems) - 1) / 2) * width for x in range(len(names))]
        bars = ax.bar(xs, [v or 0 for v in values], width * 0.95, label=system,
                      color=COLOURS.get(system, "#888"))
        for bar, v in zip(bars, values, strict=True):
            text = "n/a" if v is None else (f"{v:.0f}" if key in LOWER_IS_BETTER else f"{v:.2f}")
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                        va="bottom", fontsize=7, xytext=(0, 1), textcoords="offset points")
    ax.set_xticks(range(len(names)), names, fontsize=8)
    if key not in LOWER_IS_BETTER:
        ax.set_ylim(0, 1.15)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_ylabel("ms" if key in LOWER_IS_BETTER else "score", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="upper right", ncols=len(systems), bbox_to_anchor=(1, 1.16))
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


def highlight(text: str, quotes: list[str]) -> Markup:
    """Escape text and <mark> every place an evidence quote occurs in it (whitespace/case-insensitive)."""
    hay, where = normalise_with_map(text)
    marks: list[tuple[int, int]] = []
    for q in quotes:
        needle = normalise(q)
        pos = hay.find(needle) if needle else -1
        while pos >= 0:
            marks.append((where[pos], where[pos + len(needle) - 1] + 1))
            pos = hay.find(needle, pos + 1)
    out, last = [], 0
    for start, end in sorted(marks):
        if start < last:
            continue
        out += [escape(text[last:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def render_html(data: dict) -> str:
    env = Environment(loader=PackageLoader("bot.evaluate", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["highlight"] = highlight
    env.filters["fmt"] = lambda v, key: fmt(v, key)
    env.filters["side"] = lambda pair, key: compare(pair[0], pair[1], key)
    sets = data["sets"]
    keys = [m.key for m in METRICS] + LATENCY_KEYS
    charts = [(LABELS[k], next((m.help for m in METRICS if m.key == k), "lower is better"),
               Markup(chart_svg(k, sets))) for k in keys
              if any(s["summary"]["corridor"]["overall"].get(k) is not None for s in sets.values())]
    failing = {name: [r for r in s["questions"]["corridor"] if r["failed"]] for name, s in sets.items()}
    baseline_by_id = {name: {r["id"]: r for r in s["questions"].get("baseline", [])}
                      for name, s in sets.items()}
    return env.get_template("report.html.j2").render(
        d=data, keys=keys, labels=LABELS, lower=LOWER_IS_BETTER, charts=charts, failing=failing,
        baseline_by_id=baseline_by_id, metric_help={m.key: m.help for m in METRICS},
        kind_keys=[k for k in keys if k != "latency_p95_ms"])


def write_reports(multi: MultiRun, out_dir: Path, limits: dict[str, dict | None] | None = None,
                  breaches: dict[str, list[Breach] | None] | None = None) -> tuple[Path, Path]:
    """Write report.json and report.html into out_dir (created if needed); return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = report_data(multi, limits, breaches)
    json_path, html_path = out_dir / "report.json", out_dir / "report.html"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    html_path.write_text(render_html(data), encoding="utf-8")
    return json_path, html_path
