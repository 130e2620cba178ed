"""Fit the passage fusion (vectorstore/fusion.py) on the tuning sets; writes vectorstore/fusion_weights.json.

    .venv/bin/python scripts/fit_fusion.py [--sets dev,fresh-dev] [--c 0.1]
    CORRIDOR_PRESET=multilingual .venv/bin/python scripts/fit_fusion.py   # the e5 fit (lane and preset)

For every answerable English question of the tuning sets, the retriever's pool (the best `fetch_k` chunks by
reciprocal rank fusion of dense and BM25 search, on the set's eval store) is described by
vectorstore/fusion.py's features; a chunk is labelled 1 when it holds an evidence quote. An L2-regularised
logistic regression (scikit-learn, balanced classes) is fitted; 10-fold cross-validation grouped by question
(3 shuffles) prints hit@1 and MRR of the fitted order against the RRF order on the same pools. Only the
tuning sets are read: test and fresh are refused. The sentence ranker reads passage ranks, so refit it
(scripts/fit_ranker.py) after this.

The features include each chunk's best sentence (its cosine with the question, relative to the pool's best,
and its rank), read through the engine as an answer reads it, and its document's best chunk cosine in the
pool. The bundled MiniLM weights were fitted with `--hold-out fd3717-fd5196` (dev, fd01–fd3716 and
fd5197–fd5996: 3,208 questions) and judged end to end on those 1,480 fresh-dev questions, which neither
they nor the fit before them read (docs/QUALITY.md, forty-eighth and fifty-seventh sessions).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from fit_ranker import HOLD_OUT, answerable_standalone, held_out_ids, tuning_sets  # noqa: E402  (scripts/ on the path)

from bot.evaluate.evidence import normalise  # noqa: E402
from corridor.settings import Settings  # noqa: E402
from vectorstore.fusion import FEATURES, weights_path  # noqa: E402


def collect(engine, items) -> list[dict]:
    """Per answerable question: the pool's feature rows, labels and RRF scores."""
    out = []
    for it, standalone in answerable_standalone(engine, items):
        pool = engine.retriever.pool(standalone, engine.settings.k)
        quotes = [normalise(q) for q in it.evidence]
        out.append({
            "id": it.id,
            "rows": engine.retriever.pool_features(standalone, pool.passages, pool, sentences=True),
            "labels": [int(any(q in normalise(p.chunk.text) for q in quotes)) for p in pool.passages],
            "rrf": [p.score for p in pool.passages],
        })
    return out


def _x(groups: list[dict]) -> np.ndarray:
    return np.asarray([[r[n] for n in FEATURES] for g in groups for r in g["rows"]], dtype=np.float64)


def fit(groups: list[dict], c_reg: float) -> dict:
    from sklearn.linear_model import LogisticRegression

    x, y = _x(groups), np.concatenate([g["labels"] for g in groups])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c_reg, class_weight="balanced", max_iter=3000).fit((x - mean) / scale, y)
    return {"features": list(FEATURES), "mean": mean.tolist(), "scale": scale.tolist(),
            "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0])}


def scores(w: dict, g: dict) -> np.ndarray:
    return (_x([g]) - np.asarray(w["mean"])) / np.asarray(w["scale"]) @ np.asarray(w["coef"])


def hit1_mrr(groups: list[dict], score_lists: list) -> tuple[float, float]:
    """hit@1 and MRR of the first evidence chunk, over the questions whose pool holds one."""
    hits, rr = [], []
    for g, sc in zip(groups, score_lists, strict=True):
        labels = [g["labels"][i] for i in np.argsort(-np.asarray(sc), kind="stable")]
        first = labels.index(1)
        hits.append(first == 0)
        rr.append(1.0 / (first + 1))
    return float(np.mean(hits)), float(np.mean(rr))


def cross_validate(groups: list[dict], c_reg: float, folds: int = 10,
                   shuffles: int = 3) -> tuple[float, float]:
    results = []
    for seed in range(shuffles):
        order = groups[:]
        random.Random(seed).shuffle(order)
        held: list = [None] * len(order)
        for f in range(folds):
            w = fit([g for i, g in enumerate(order) if i % folds != f], c_reg)
            for i in range(f, len(order), folds):
                held[i] = scores(w, order[i])
        results.append(hit1_mrr(order, held))
    return tuple(np.mean(results, axis=0))  # type: ignore[return-value]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="dev,fresh-dev", help="tuning sets (dev, fresh-dev)")
    ap.add_argument("--c", type=float, default=0.1, help="inverse L2 strength")
    ap.add_argument("--hold-out", default=HOLD_OUT, help=f"question ids not fitted on (default {HOLD_OUT})")
    args = ap.parse_args()
    settings = Settings()
    groups: list[dict] = []
    # the e5 fit also reads the Turkish, Russian and Kazakh questions, which the multilingual lane answers
    for engine, items in tuning_sets(args.sets, "fit_fusion"):
        groups.extend(collect(engine, items))
    hold = held_out_ids(args.hold_out)
    kept_out = [g for g in groups if g["id"] in hold and any(g["labels"])]
    groups = [g for g in groups if g["id"] not in hold]
    reachable = [g for g in groups if any(g["labels"])]
    n = sum(len(g["rows"]) for g in groups)
    print(f"{len(groups)} questions ({len(reachable)} with evidence in the pool), {n} pool chunks",
          file=sys.stderr)
    rrf = hit1_mrr(reachable, [g["rrf"] for g in reachable])
    cv = cross_validate(reachable, args.c)
    print(f"RRF order: hit@1 {rrf[0]:.3f}, MRR {rrf[1]:.3f}; fitted, 10-fold grouped by question: "
          f"hit@1 {cv[0]:.3f}, MRR {cv[1]:.3f}", file=sys.stderr)
    out = fit(reachable, args.c)
    if kept_out:
        rrf_out = hit1_mrr(kept_out, [g["rrf"] for g in kept_out])
        fit_out = hit1_mrr(kept_out, [scores(out, g) for g in kept_out])
        print(f"held out ({len(kept_out)} questions, not fitted on): RRF hit@1 {rrf_out[0]:.3f}, MRR "
              f"{rrf_out[1]:.3f}; fitted hit@1 {fit_out[0]:.3f}, MRR {fit_out[1]:.3f}", file=sys.stderr)
    for f, w in sorted(zip(FEATURES, out["coef"], strict=True), key=lambda t: -abs(t[1])):
        print(f"  {f:>12} {w:+.3f}", file=sys.stderr)
    out["meta"] = {"questions": len(reachable), "chunks": sum(len(g["rows"]) for g in reachable), "C": args.c,
                   "sets": args.sets, "held_out": args.hold_out, "embedding_model": settings.embedding_model,
                   "cv_hit1": round(cv[0], 3), "cv_mrr": round(cv[1], 3),
                   "rrf_hit1": round(rrf[0], 3), "rrf_mrr": round(rrf[1], 3)}
    target = weights_path(settings.embedding_model)
    if target is None:
        sys.exit("fit_fusion: a local model folder has no bundled weights file; use a bundled model")
    target.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
