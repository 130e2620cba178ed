"""The per-question comparison that `corridor eval --against` and scripts/rule_ablation.py share."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from bot.evaluate.against import per_metric


def _rows(**metrics: dict) -> dict:
    return {qid: {"metrics": m} for qid, m in metrics.items()}


BEFORE = _rows(a={"evidence_cited": 1.0, "must_include_recall": 0.5}, b={"evidence_cited": 0.0},
               c={"evidence_cited": 1.0, "must_include_recall": None}, gone={"evidence_cited": 0.0})
AFTER = _rows(a={"evidence_cited": 0.0, "must_include_recall": 1.0}, b={"evidence_cited": 1.0},
              c={"evidence_cited": 1.0, "must_include_recall": 1.0}, new={"evidence_cited": 1.0})


def test_only_questions_both_runs_scored_count() -> None:
    found = per_metric(BEFORE, AFTER)
    assert found["evidence_cited"] == (0.0, ["b"], ["a"])  # a lost, b gained, c kept; gone and new left out
    assert found["must_include_recall"] == (0.5, ["a"], [])  # c had no value before: not compared
    assert found["hit_at_5"] == (0.0, [], [])


def test_the_rule_ablation_counts_the_same_way() -> None:
    spec = importlib.util.spec_from_file_location(
        "rule_ablation", Path(__file__).resolve().parent.parent / "scripts" / "rule_ablation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.compare(BEFORE, AFTER)["evidence_cited"] == (0.0, 1, 1)
