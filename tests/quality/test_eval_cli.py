"""`corridor eval` end to end on the real gold set: the reports, the side-by-side table, the exit status."""

from __future__ import annotations

import importlib.util
import json
import re
import tomllib

import pytest
from markupsafe import escape

from bot.evaluate.gate import DEFAULT_THRESHOLDS
from bot.evaluate.gold import load_gold
from bot.evaluate.metrics import METRIC_KEYS
from corridor.errors import InputError

from .conftest import invoke

pytestmark = pytest.mark.slow


def abstention_from_outcomes(report: dict, system: str) -> dict[str, float]:
    """Abstention accuracy per kind and overall, recomputed from each answer's raw outcome (abstained or not)
    and the gold set's expectation, without the evaluator's metric code."""
    gold = {g.id: g for g in load_gold()}
    rows = report["questions"][system]
    out = {}
    for scope in {"overall"} | {r["kind"] for r in rows}:
        scoped = [r for r in rows if scope == "overall" or r["kind"] == scope]
        out[scope] = sum(r["abstained"] == bool(gold[r["id"]].expect_abstain) for r in scoped) / len(scoped)
    return out


def test_eval_baseline_writes_reports_and_gates(eval_cli_run) -> None:
    result, report, html = eval_cli_run.result, eval_cli_run.report, eval_cli_run.html
    gate = report["gate"]
    # the exit status is the gate's verdict, and the gate agrees with the thresholds file
    assert result.exit_code == (0 if gate["passed"] else 1), result.output
    raw = tomllib.loads(DEFAULT_THRESHOLDS.read_text())
    limits = {"overall": raw["overall"], **raw.get("kinds", {})}
    summary = report["summary"]["corridor"]
    met = all(summary[scope][k] is not None and summary[scope][k] >= v
              for scope, table in limits.items() for k, v in table.items())
    assert gate["passed"] == met
    # the summary is what the answers did: abstention recomputed from raw outcomes, for both systems
    for system in ("corridor", "baseline"):
        for scope, value in abstention_from_outcomes(report, system).items():
            written = report["summary"][system][scope]["abstention_accuracy"]
            assert written == pytest.approx(value, abs=1e-4), scope  # the report rounds to 4 decimals
    # side by side in the terminal, per kind and overall
    assert "baseline" in result.output and "delta" in result.output
    for kind in ("overall", "single_doc", "out_of_scope", "follow_up"):
        assert kind in result.output
    # every gold question, for both systems, with its answer, citations and verdicts
    n = len(load_gold())
    assert report["config"]["questions"] == n >= 60
    for system in ("corridor", "baseline"):
        rows = report["questions"][system]
        assert len(rows) == n
        assert set(METRIC_KEYS) <= set(rows[0]["metrics"])
        assert set(report["summary"][system]) >= {"overall", "single_doc", "out_of_scope", "cross_doc"}
    baseline = report["questions"]["baseline"]
    assert not any(r["abstained"] for r in baseline)  # the naive pipeline never refuses
    assert report["summary"]["baseline"]["out_of_scope"]["abstention_accuracy"] == 0.0
    assert all(len(r["citations"]) == 1 and r["answer"] == r["citations"][0]["quote"] + " [1]"
               for r in baseline)  # the top passage, cited
    # the HTML: one self-contained file, a chart per metric, the failing questions with what went wrong
    assert html.count("<svg") >= len(METRIC_KEYS) - 1
    assert not re.search(r"<(?:script|img|link)[^>]+(?:src|href)=", html)
    failing = [r for r in report["questions"]["corridor"] if r["failed"]]
    assert f"Failing questions ({len(failing)} of {n})" in html
    for r in failing:
        assert f"{r['id']} · {r['kind']}" in html
        assert all(str(escape(q)) in html for q in r["evidence"])


def test_gate_fails_with_exit_1_and_names_the_metric(eval_store, tmp_path) -> None:
    strict = tmp_path / "strict.toml"
    strict.write_text("[overall]\nabstention_accuracy = 1.0\nhit_at_1 = 1.0\n")
    out = tmp_path / "r"
    result = invoke(eval_store, ["--kinds", "multilingual", "--thresholds", str(strict),
                                 "--out", str(out)])
    report = json.loads((out / "report.json").read_text())
    assert report["config"]["questions"] == len(load_gold(kinds=["multilingual"]))
    breached = {b["metric"] for b in report["gate"]["breaches"]}
    assert breached, "expected a breach: MiniLM misses most Turkish/Russian questions (hit@1, abstention)"
    assert result.exit_code == 1
    assert "quality gate FAILED" in result.output
    for metric in breached:
        assert metric in result.output


def test_bad_options_are_one_line_errors(eval_store, tmp_path) -> None:
    for args, message in ((["--mode", "poetry"], "--mode must be one of"),
                          (["--kinds", "nonsense"], "no gold questions of kind nonsense"),
                          (["--gold", str(tmp_path / "none.jsonl")], "gold file not found"),
                          (["--k", "0"], "--k must be at least 1")):
        result = invoke(eval_store, ["--out", str(tmp_path / "x"), *args])
        assert isinstance(result.exception, InputError), result.output
        assert message in str(result.exception)
    assert not (tmp_path / "x").exists()  # nothing ran, nothing written


@pytest.mark.skipif(importlib.util.find_spec("ragas") is not None, reason="ragas is installed here")
def test_ragas_option_explains_what_is_missing(eval_store, tmp_path) -> None:
    result = invoke(eval_store, ["--ragas", "--out", str(tmp_path / "x")])
    assert isinstance(result.exception, InputError)
    assert "pip install ragas" in str(result.exception)
    assert not (tmp_path / "x").exists()
