"""scripts/fit_ranker.py's selection helpers on hand-made rows: an interviewer's question is never chosen,
never opens and never counts as the best sentence (the fit reads what the engine would quote)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

SPEC = importlib.util.spec_from_file_location(
    "fit_ranker", Path(__file__).resolve().parents[1] / "scripts" / "fit_ranker.py")
fit_ranker = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(fit_ranker)

# one feature, a steep slope: the probabilities follow "sem"
STAGE = {"features": ["sem"], "mean": [0.0], "scale": [1.0], "coef": [10.0], "intercept": 0.0}
WEIGHTS = {"stage2": STAGE, "keep_ratio": 0.3, "keep_floor": 0.25, "other_source": 0.7}


def group(sems: list[float], questions: list[bool], labels: list[int]) -> dict:
    return {"id": "q1", "rows": [{"sem": s} for s in sems], "questions": questions, "labels": labels,
            "docs": ["a"] * len(sems)}


def test_masked_copies_and_puts_questions_at_minus_one() -> None:
    p = np.array([0.9, 0.4])
    out = fit_ranker.masked(p, group([1.0, 0.0], [True, False], [0, 1]))
    assert out.tolist() == [-1.0, 0.4] and p.tolist() == [0.9, 0.4]


def test_the_best_sentence_and_the_chosen_ones_are_never_a_question() -> None:
    g = group([1.0, 0.5, 0.4, -1.0], [True, False, False, False], [0, 1, 0, 0])
    assert fit_ranker.top1(STAGE, [g]) == 1.0  # the question rates highest, the evidence sentence counts
    [chosen] = fit_ranker.chosen_sets(WEIGHTS, [g])
    assert [r["sem"] for r in chosen["rows"]] == [0.5, 0.4] and chosen["labels"] == [1, 0]
    only_question = group([1.0], [True], [0])
    assert fit_ranker.chosen_sets(WEIGHTS, [only_question]) == []
