"""Fit the late-interaction head (answering/interaction.py) and the opening model that reads it.

    .venv/bin/python scripts/fit_ranker.py --opening --dump rows.json      # the rows (any --opening run)
    git checkout answering/ranker_weights.json                             # (that run refits the opening)
    .venv/bin/python scripts/fit_interaction.py --from-dump rows.json --hold-out fd3717-fd5356   # landed

From a dump of `scripts/fit_ranker.py` (every tuning question's candidate sentences, their features, labels,
texts and the stand-alone question): the sentences that the weights file's selection chooses for each question
(as the opening model sees them), the question's and those sentences' MiniLM token vectors
(`MiniLMEmbeddings.token_vectors`), and a linear projection of them (`--dim` × 384) fitted with torch so that
MaxSim ranks the evidence sentences first: a softmax over each question's chosen sentences, over the questions
whose chosen sentences hold evidence and something else. The opening model (a logistic regression, as
`fit_ranker.fit_opening`) is then refitted over the stage features and the two late-interaction ones; the
scores it is fitted on are cross-fitted (five folds by blind batch of 40 questions: each question's scores
come from a head that never saw its batch's articles), so it learns how far to trust the head on unseen
questions. Writes `answering/interaction_head.npy` (the head fitted on all the questions) and the opening
model in `answering/ranker_weights.json` (stages and thresholds kept). Test and fresh are never read: the dump
holds the tuning sets only. `--dim` and `--epochs` were chosen on the fitted questions' own cross-validation
(docs/QUALITY.md, fifty-first session). About 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fit_ranker import HOLD_OUT, fit, held_out_ids  # noqa: E402  (scripts/ on the path)
from fit_ranker import chosen_sets as ranker_chosen_sets  # noqa: E402
from fit_ranker import top1 as ranker_top1  # noqa: E402

from answering.features import FEATURES  # noqa: E402
from answering.interaction import HEAD, LATE, Interaction, features, load  # noqa: E402
from answering.question import asked_part  # noqa: E402
from answering.ranker import WEIGHTS  # noqa: E402

TEMPERATURE = 20.0  # MaxSim scores lie in [-1, 1]; the softmax reads them at this scale
FOLDS = 5


def chosen_sets(weights: dict, groups: list[dict]) -> list[dict]:
    """Per question with evidence among them: fit_ranker's chosen sentences (rows, labels, texts), and the
    question as the engine's `extract` reads it (`asked_part` of the stand-alone question)."""
    return [{**s, "query": asked_part(s["query"])} for s in ranker_chosen_sets(weights, groups)
            if any(s["labels"])]


def token_vectors(sets: list[dict]) -> None:
    """Each set's question and sentence token vectors (float32 arrays), from the bundled MiniLM."""
    from corridor.settings import Settings
    from vectorstore.embeddings import get_embeddings

    model = get_embeddings(Settings())
    texts = list(dict.fromkeys([s["query"] for s in sets] + [t for s in sets for t in s["texts"]]))
    vectors: dict[str, np.ndarray] = {}
    for i in range(0, len(texts), 64):
        part = texts[i:i + 64]
        for t, v in zip(part, model.token_vectors(part), strict=True):
            vectors[t] = v.numpy().astype(np.float32)
    for s in sets:
        s["q_tokens"], s["s_tokens"] = vectors[s["query"]], [vectors[t] for t in s["texts"]]


def train_head(sets: list[dict], dim: int, epochs: int, seed: int = 0) -> np.ndarray:
    """The projection (dim × 384) fitted on these questions (those whose chosen sentences are not all
    evidence: the others teach nothing about which opens)."""
    import torch

    torch.manual_seed(seed)
    proj = torch.nn.Linear(384, dim, bias=False)
    with torch.no_grad():  # a random orthonormal start: MaxSim in a random subspace
        proj.weight.copy_(torch.linalg.qr(torch.randn(384, dim))[0].T)
    opt = torch.optim.Adam(proj.parameters(), lr=1e-3)
    mixed = [s for s in sets if 0 < sum(s["labels"]) < len(s["labels"])]
    tensors = [(torch.from_numpy(s["q_tokens"]), [torch.from_numpy(t) for t in s["s_tokens"]],
                torch.tensor(s["labels"], dtype=torch.bool)) for s in mixed]

    def maxsim(q: torch.Tensor, ss: list[torch.Tensor]) -> torch.Tensor:
        qp = torch.nn.functional.normalize(proj(q), dim=-1)
        return torch.stack([(qp @ torch.nn.functional.normalize(proj(s), dim=-1).T).max(dim=1).values.mean()
                            for s in ss])

    for epoch in range(epochs):
        order = np.random.RandomState(seed + epoch).permutation(len(tensors))
        for b in range(0, len(order), 32):
            loss = torch.zeros(())
            for i in order[b:b + 32]:
                q, ss, lab = tensors[i]
                sc = maxsim(q, ss) * TEMPERATURE
                loss = loss + torch.logsumexp(sc, 0) - torch.logsumexp(sc[lab], 0)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return proj.weight.detach().numpy().astype(np.float32)


def late_rows(s: dict, head: Interaction) -> list[dict]:
    q = head.project(s["q_tokens"])
    scores = [head.score(q, head.project(t)) for t in s["s_tokens"]]
    return [{**r, **f} for r, f in zip(s["rows"], features(scores), strict=True)]


def batch_of(qid: str) -> int:
    """The blind batch (40 questions, one set of articles) a fresh-dev question belongs to; -1 for dev."""
    m = re.fullmatch(r"fd(\d+)", qid)
    return (int(m.group(1)) - 1) // 40 if m else -1


def top1(stage: dict, sets: list[dict], key: str) -> float:
    """fit_ranker's top-1 among the chosen, on the rows under `key` (with or without the late features)."""
    return ranker_top1(stage, [{**s, "rows": s[key]} for s in sets])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from-dump", type=Path, required=True, help="rows written by fit_ranker.py --dump")
    ap.add_argument("--hold-out", default=HOLD_OUT, help=f"question ids not fitted on (default {HOLD_OUT})")
    ap.add_argument("--dim", type=int, default=128, help="the projection's dimensions")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--c", type=float, default=0.1, help="the opening model's inverse L2 strength")
    args = ap.parse_args()
    groups = json.loads(args.from_dump.read_text())
    if not all("texts" in g and "query" in g for g in groups):
        sys.exit("fit_interaction: the dump has no sentence texts; write it again with fit_ranker.py --dump")
    weights = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    hold = held_out_ids(args.hold_out)
    sets = chosen_sets(weights, groups)
    token_vectors(sets)
    landed = load()  # the weights file's opening model may read the landed head's late features
    for s in sets:
        s["landed_rows"] = late_rows(s, landed) if landed is not None else s["rows"]
    fitted = [s for s in sets if s["id"] not in hold]
    held = [s for s in sets if s["id"] in hold]
    batches = sorted({batch_of(s["id"]) for s in fitted})
    fold = {b: i % FOLDS for i, b in enumerate(batches)}
    for f in range(FOLDS):  # cross-fitted scores: what the head says of questions it was not fitted on
        rest = [s for s in fitted if fold[batch_of(s["id"])] != f]
        head = Interaction(train_head(rest, args.dim, args.epochs))
        for s in fitted:
            if fold[batch_of(s["id"])] == f:
                s["late_rows"] = late_rows(s, head)
    head = Interaction(train_head(fitted, args.dim, args.epochs))
    for s in held:
        s["late_rows"] = late_rows(s, head)
    names = FEATURES + LATE
    opening = fit([{"rows": s["late_rows"], "labels": s["labels"]} for s in fitted], names, args.c)
    print(f"{len(fitted)} questions fitted on, {len(held)} held out; top-1 among the chosen: "
          f"opening model of the weights file {top1(weights['opening'], fitted, 'landed_rows'):.3f} "
          "(fitted on), "
          f"with late interaction {top1(opening, fitted, 'late_rows'):.3f} (its scores cross-fitted)"
          + (f"; held out {top1(weights['opening'], held, 'landed_rows'):.3f} → "
             f"{top1(opening, held, 'late_rows'):.3f}" if held else ""), file=sys.stderr)
    for f, w in sorted(zip(names, opening["coef"], strict=True), key=lambda t: -abs(t[1]))[:8]:
        print(f"  {f:>20} {w:+.3f}", file=sys.stderr)
    np.save(HEAD, head.projection)
    weights["opening"] = opening
    weights["meta"]["opening"] = {"questions": len(fitted), "C": args.c, "sets": "dev,fresh-dev",
                                  "held_out": args.hold_out,
                                  "late": {"dim": args.dim, "epochs": args.epochs, "folds": FOLDS}}
    WEIGHTS.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {HEAD.relative_to(ROOT)} and {WEIGHTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
