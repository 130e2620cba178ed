"""Fit the recency prior for questions about the latest state (`Settings.newer_per_year`, read by
vectorstore.retrieval.prefer_newer) on the tuning sets' questions.

    .venv/bin/python scripts/fit_recency.py [--sets dev,fresh-dev] [--grid 0,0.025,…]

For every answerable English question of the tuning sets that asks for the latest state (`recency.read`:
"the latest figure", "who is … now", "according to the most recent text"), the retriever's pool is scored
by the fitted fusion as an answer's search scores it; each grid value scales the probabilities by
exp(value × years older than the pool's newest document), and the k passages chosen (`diversify`) are
checked for an evidence quote. The value with the most questions holding evidence in the k wins (ties: the
most with evidence first, then the smaller value); each half of the questions (even and odd ids) is shown
apart, so a value that only one half likes can be seen. Only the tuning sets are read: test and fresh are
refused. One value is fitted, by grid search: there is nothing for a regression to weigh but the one prior.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from fit_ranker import answerable_standalone, tuning_sets  # noqa: E402  (scripts/ on the path)

from answering import recency  # noqa: E402
from bot.evaluate.evidence import normalise  # noqa: E402
from vectorstore.retrieval import diversify, prefer_newer  # noqa: E402

GRID = "0,0.025,0.05,0.075,0.1,0.125,0.15,0.2,0.3,0.5,1"


def collect(engine, items) -> list[dict]:
    """Per answerable latest question: its pool (passages, most probable first) and their fused
    probabilities, and which passages hold an evidence quote."""
    out = []
    for it, standalone in answerable_standalone(engine, items):
        if not recency.read(standalone, engine.today()).latest:
            continue
        pool = engine.retriever.pool(standalone, engine.settings.k)
        passages = engine.retriever.scored(standalone, pool)
        quotes = [normalise(q) for q in it.evidence]
        out.append({"id": it.id, "k": engine.settings.k, "passages": passages,
                    "probs": [p.score for p in passages],
                    "evidence": {p.chunk.chunk_id for p in passages
                                 if any(q in normalise(p.chunk.text) for q in quotes)}})
    return out


def chosen(group: dict, per_year: float) -> list[str]:
    """The chunk ids of the k passages the prior at this value chooses, in order."""
    passages = group["passages"]
    for p, prob in zip(passages, group["probs"], strict=True):
        p.score = prob
    if per_year:
        prefer_newer(passages, per_year)
    ranked = sorted(passages, key=lambda p: p.score, reverse=True)
    return [p.chunk.chunk_id for p in diversify(ranked, group["k"])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="dev,fresh-dev", help="tuning sets (dev, fresh-dev)")
    ap.add_argument("--grid", default=GRID, help="values of newer_per_year to try")
    args = ap.parse_args()
    groups: list[dict] = []
    for engine, items in tuning_sets(args.sets, "fit_recency"):
        groups.extend(collect(engine, items))
    in_pool = sum(bool(g["evidence"]) for g in groups)
    print(f"{len(groups)} answerable latest questions, {in_pool} with evidence in the pool", file=sys.stderr)
    rows = []
    for value in [float(v) for v in args.grid.split(",")]:
        hits = [(g["id"], [c in g["evidence"] for c in chosen(g, value)]) for g in groups]
        in_k = sum(any(h) for _, h in hits)
        first = sum(bool(h) and h[0] for _, h in hits)
        even = sum(any(h) for i, h in hits if int("".join(filter(str.isdigit, i)) or 0) % 2 == 0)
        rows.append((in_k, first, -value))
        print(f"  newer_per_year {value:<6} evidence in the k: {in_k} (even ids {even}, odd {in_k - even}), "
              f"first: {first}", file=sys.stderr)
    best = max(rows)
    print(f"best: newer_per_year = {-best[2]} ({best[0]} of {len(groups)} with evidence in the k); set it in "
          "corridor/settings.py", file=sys.stderr)


if __name__ == "__main__":
    main()
