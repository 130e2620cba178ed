"""Can the engine's own signals tell an answerable question from an out-of-scope one that names what the
articles mention? A cross-validated study on the tuning sets (dev, fresh-dev); it changes nothing.

    .venv/bin/python scripts/answerability_cv.py [--dump rows.json | --from-dump rows.json]

For every English question of dev and fresh-dev that the engine answers today (the coverage checks and the
ranker's floor let it through), it records question-level signals of the answer the engine would give: the
best and second-best sentence probabilities of the fitted ranker, the best sentence's semantic, dense and
lexical scores, whether the question asks for a typed value (a length, a date, a figure …) and the best
sentence lacks one, and the IDF share of question terms absent from the best sentence or the passages.
Labels: `expect_abstain`. It prints each signal's ROC AUC (out-of-scope vs answerable) and, for an
L2-regularised logistic regression over all of them, the 10-fold cross-validated count of out-of-scope
questions it would refuse and answerable ones it would lose, per threshold. docs/QUALITY.md has the result
of 2026-12-02 and why no such model was landed. Test and fresh are never read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SIGNALS = ("p1", "p2", "sem", "dense", "lex", "typed", "type_miss", "miss_best_frac", "miss_pass_frac")


def collect() -> list[dict]:
    """One row of signals per answered English question of dev and fresh-dev."""
    from tuning_questions import tuning_questions

    from answering import extractive as X
    from answering.question import clean_question
    from answering.ranker import load as load_ranker
    from vectorstore.lexical import terms

    rows = []
    for engine, item, history in tuning_questions():
        ranker, lexical = load_ranker(engine.settings.embedding_model), engine.retriever.lexical
        if engine.ask(item.question, history).abstained:
            continue  # refused already: a model could only add refusals
        clean = clean_question(item.question, engine.settings.max_question_chars)
        standalone, retrieval, parts = engine.prepare(clean.query, history)
        cands, aspects = X.score(standalone, retrieval.query_embedding, retrieval.passages, lexical,
                                 engine.sentence_embeddings, engine.settings.sentence_candidates, parts,
                                 ranker)
        ranked = sorted((c for c in cands if not c.is_question and c.semantic[0] is not None),
                        key=lambda c: -c.score[0])
        best, row = ranked[0], ranked[0].rows[0]
        weights = {t: lexical.weight(t) for t in dict.fromkeys(terms(standalone))}
        total = sum(weights.values()) or 1.0
        in_best = set(terms(best.text))
        in_passages = set(terms(" ".join(p.chunk.text for p in retrieval.passages)))
        rows.append({
            "set": item.split, "id": item.id, "abstain": bool(item.expect_abstain),
            "p1": best.score[0], "p2": ranked[1].score[0] if len(ranked) > 1 else 0.0,
            "sem": row["sem"], "dense": row["dense"], "lex": row["lex"],
            "typed": float(bool(aspects[0].types)), "type_miss": row["type_miss"],
            "miss_best_frac": sum(w for t, w in weights.items() if t not in in_best) / total,
            "miss_pass_frac": sum(w for t, w in weights.items() if t not in in_passages) / total,
        })
        print(f"  {item.id}: p1 {best.score[0]:.3f}", file=sys.stderr)
    return rows


def study(rows: list[dict], folds: int = 10, seeds: int = 5) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    y = np.array([r["abstain"] for r in rows], dtype=int)
    x = np.array([[r[s] for s in SIGNALS] for r in rows], dtype=float)
    print(f"{len(rows)} answered questions, {y.sum()} of them out of scope")
    for i, name in enumerate(SIGNALS):
        auc = roc_auc_score(y, x[:, i])
        print(f"  {name:>15}: AUC {max(auc, 1 - auc):.3f} ({'higher' if auc >= 0.5 else 'lower'} when "
              "out of scope)")
    for c_reg in (0.1, 1.0):
        pred = np.zeros(len(rows))
        for seed in range(seeds):  # averaged over several fold assignments
            order = np.random.RandomState(seed).permutation(len(rows))
            for f in range(folds):
                held = order[f::folds]
                train = np.setdiff1d(order, held)
                mean, scale = x[train].mean(0), x[train].std(0)
                scale[scale == 0] = 1.0
                model = LogisticRegression(C=c_reg, class_weight="balanced", max_iter=2000)
                model.fit((x[train] - mean) / scale, y[train])
                pred[held] += model.predict_proba((x[held] - mean) / scale)[:, 1] / seeds
        for t in np.arange(0.5, 0.96, 0.05):
            refuse = pred >= t
            print(f"C={c_reg:g} threshold {t:.2f}: refuses {int((refuse & (y == 1)).sum())} of {y.sum()} "
                  f"out-of-scope, {int((refuse & (y == 0)).sum())} of {(y == 0).sum()} answerable")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dump", type=Path, help="also write the collected rows here (JSON)")
    ap.add_argument("--from-dump", type=Path, help="study rows collected earlier")
    args = ap.parse_args()
    rows = json.loads(args.from_dump.read_text()) if args.from_dump else collect()
    if args.dump:
        args.dump.write_text(json.dumps(rows))
    study(rows)


if __name__ == "__main__":
    main()
