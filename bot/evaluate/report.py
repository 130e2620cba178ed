"""report.json (every metric and every question's result) and report.html (one self-contained file:
charts as inline SVG, the failing questions with the answer given and the evidence expected)."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from .evidence import normalise, normalise_with_map
from .gate import Breach
from .metrics import LATENCY_KEYS, METRICS
from .runner import EvalRun
from .table import LABELS, LOWER_IS_BETTER, fmt

COLOURS = {"corridor": "#1f6feb", "baseline": "#b0b7c3"}


def report_data(run: EvalRun, thresholds: dict | None, breaches: list[Breach] | None) -> dict:
    """The report.json document."""
    return {
        "started": run.started, "seconds": run.seconds, "gold": run.gold, "mode": run.mode, "k": run.k,
        "config": run.config, "systems": list(run.results),
        "metrics": [{"key": m.key, "label": m.label, "pass_min": m.pass_min, "help": m.help}
                    for m in METRICS],
        "summary": run.summary,
        "gate": None if breaches is None else {
            "thresholds": thresholds, "passed": not breaches,
            "breaches": [{"scope": b.scope, "metric": b.metric, "value": b.value, "minimum": b.minimum}
                         for b in breaches]},
        "warnings": run.warnings,
        "ingest": run.ingest.model_dump() if run.ingest else None,
        "questions": {system: [r.model_dump() for r in rows] for system, rows in run.results.items()},
    }


def chart_svg(key: str, summary: dict[str, dict[str, dict]]) -> str:
    """Grouped bars per scope (overall, then each kind), one bar per system, as an inline <svg>."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"  # text stays text: smaller and selectable
    scopes = list(summary["corridor"])
    systems = list(summary)
    fig, ax = plt.subplots(figsize=(10, 3.1), dpi=100)
    width = 0.8 / len(systems)
    for i, system in enumerate(systems):
        values = [summary[system][s].get(key) for s in scopes]
        xs = [x + (i - (len(systems) - 1) / 2) * width for x in range(len(scopes))]
        heights = [v or 0 for v in values]
        bars = ax.bar(xs, heights, width * 0.95, label=system, color=COLOURS.get(system, "#888"))
        for bar, v in zip(bars, values, strict=True):
            text = "n/a" if v is None else (f"{v:.0f}" if key in LOWER_IS_BETTER else f"{v:.2f}")
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                        va="bottom", fontsize=7, xytext=(0, 1), textcoords="offset points")
    ax.set_xticks(range(len(scopes)), [textwrap.fill(s.replace("_", " "), 12) for s in scopes], fontsize=8)
    if key not in LOWER_IS_BETTER:
        ax.set_ylim(0, 1.15)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_ylabel("ms" if key in LOWER_IS_BETTER else "score", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="upper right", ncols=len(systems), bbox_to_anchor=(1, 1.14))
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


def render_html(data: dict, run: EvalRun) -> str:
    env = Environment(loader=PackageLoader("bot.evaluate", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["highlight"] = highlight
    env.filters["fmt"] = lambda v, key: fmt(v, key)
    summary = data["summary"]
    keys = [m.key for m in METRICS] + LATENCY_KEYS
    charts = [(LABELS[k], next((m.help for m in METRICS if m.key == k), "lower is better"),
               Markup(chart_svg(k, summary))) for k in keys
              if any(summary[s]["overall"].get(k) is not None for s in summary)]
    baseline_by_id = {r["id"]: r for r in data["questions"].get("baseline", [])}
    failing = [r for r in data["questions"]["corridor"] if r["failed"]]
    return env.get_template("report.html.j2").render(
        d=data, keys=keys, labels=LABELS, lower=LOWER_IS_BETTER, charts=charts, failing=failing,
        baseline_by_id=baseline_by_id, metric_help={m.key: m.help for m in METRICS},
        kind_keys=[k for k in keys if k != "latency_p95_ms"])


def write_reports(run: EvalRun, out_dir: Path, thresholds: dict | None = None,
                  breaches: list[Breach] | None = None) -> tuple[Path, Path]:
    """Write report.json and report.html into out_dir (created if needed); return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = report_data(run, thresholds, breaches)
    json_path, html_path = out_dir / "report.json", out_dir / "report.html"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    html_path.write_text(render_html(data, run), encoding="utf-8")
    return json_path, html_path
