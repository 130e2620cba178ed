"""Fit the sentence ranker (answering/ranker.py) on the tuning sets and write answering/ranker_weights.json.

    .venv/bin/python scripts/fit_ranker.py [--sets dev,fresh-dev]
    .venv/bin/python scripts/fit_ranker.py --opening --dump rows.json   # rows for scripts/fit_interaction.py
    CORRIDOR_PRESET=multilingual .venv/bin/python scripts/fit_ranker.py   # the e5 fit (its own weights file)

For every question of the tuning sets (dev: the gold set's dev split; fresh-dev: data/eval/fresh_dev.jsonl
on the bundled corpus plus its articles) the engine's own retrieval runs on the set's eval store; every
candidate sentence of the passages is embedded, described by answering/features.py and labelled 1 when it
holds (part of) an evidence quote. Two L2-regularised logistic regressions (scikit-learn) are fitted: stage 1
without the embedding features, stage 2 with all. Then, on the same questions, the selection thresholds (which
further sentences join the answer) and the abstention thresholds are chosen by a small grid, on out-of-fold
probabilities (each question scored by the model fitted without its fold, as an unseen one). Only the tuning
sets are read: test and fresh are refused. Cross-validated (grouped by question) top-1 accuracy is printed
beside the training figure. The questions `--hold-out` names (default fd144–fd267, the batches written after
the fit) are left out of the fit, and its top-1 on them is printed as on unseen questions. Refit after the
passage order changes (scripts/fit_fusion.py). The bundled e5 weights are an earlier fit's (08ee3bd): a refit
on the e5 fusion's order was measured and was not better (docs/QUALITY.md).

The opening model (`--opening`) is a third logistic model over the same features, fitted on the sentences
the selection of the weights file chooses (every question's chosen set) to say which of them holds the
evidence: the answer opens with it. `--opening` refits it alone and keeps the rest of the file; a full fit
refits it after the stages. Landed: stage 2 and its thresholds from 4fbb202 (183 questions); the opening
model is `scripts/fit_interaction.py`'s, which adds the late-interaction features and reads this script's
`--dump` (each candidate's text and the stand-alone question are in it for that); a refit of stage 2 itself on
thousands of questions opened better too but cited fewer evidence passages and refused fewer out-of-scope
questions (docs/QUALITY.md).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from answering import extractive as X  # noqa: E402
from answering.coverage import MULTILINGUAL_MODELS, missing_years, unknown_names  # noqa: E402
from answering.features import FEATURES, STAGE1, as_array  # noqa: E402
from answering.question import clean_question, rewrite_follow_up  # noqa: E402
from answering.ranker import WEIGHTS  # noqa: E402
from bot.evaluate.evidence import holds_quote, normalise  # noqa: E402
from corridor.records import Turn  # noqa: E402
from corridor.settings import Settings  # noqa: E402

TUNING_SETS = ("dev", "fresh-dev")
# Kept out of the fits (this script's and scripts/fit_fusion.py's): the fifth and sixth blind batches and the
# Kazakh questions, written after the fit of 08ee3bd; the fits print how they do on them, as unseen questions.
HOLD_OUT = "fd144-fd267"


def held_out_ids(spec: str) -> set[str]:
    """Question ids from "fd144-fd187,d02" (ranges of one prefix, or single ids); "" for none. Read as
    `corridor eval --ids` reads them."""
    from bot.evaluate.command import split_ids

    return split_ids([spec]) or set()


def label(sentence: str, quotes: list[str]) -> int:
    """1 when the sentence holds (part of) an evidence quote, as "opens with evidence" counts it."""
    return int(holds_quote(sentence, quotes))


def collect(engine, items) -> list[dict]:
    """Per question: feature rows of every candidate (all embedded), labels, and question facts."""
    out = []
    for it in items:
        history = earlier_turns(it)
        clean = clean_question(it.question, engine.settings.max_question_chars)
        if not clean.query:
            continue
        standalone, retrieval, _parts = engine.prepare(clean.query, history)
        cands = X._candidates(retrieval.passages)
        if not cands:
            continue
        aspects = [X._aspect(standalone, retrieval.query_embedding, engine.retriever.lexical)]
        X._lexical(cands, aspects)
        for c, v in zip(cands, engine.sentence_embeddings([c.text for c in cands]), strict=True):
            c.semantic = [float(aspects[0].embedding @ v / (np.linalg.norm(v) or 1.0))]
        X._rows(cands, aspects, retrieval.passages,
                X._asked_similarity(retrieval.passages, aspects, engine.sentence_embeddings))
        lexical = engine.retriever.lexical
        out.append({
            "id": it.id, "kind": it.kind, "abstain": bool(it.expect_abstain),
            "query": standalone, "texts": [c.text for c in cands],  # for scripts/fit_interaction.py
            "unknown_names": bool(unknown_names(standalone, lexical, retrieval.passages)),
            "missing_years": bool(missing_years(standalone, retrieval.passages)),
            "rows": [c.rows[0] for c in cands],
            "labels": [label(c.text, it.evidence) for c in cands],
            "docs": [c.passage.doc.doc_id for c in cands],
            # which evidence quotes each sentence's passage holds (the eval's citation recall is per passage)
            "quotes": [[k for k, q in enumerate(it.evidence)
                        if normalise(q) in normalise(c.passage.chunk.text)] for c in cands],
            "n_quotes": len(it.evidence),
            "questions": [c.is_question for c in cands],
        })
        print(f"  {it.id}: {len(cands)} sentences, {sum(out[-1]['labels'])} evidence", file=sys.stderr)
    return out


def fit(groups: list[dict], names: tuple[str, ...], c_reg: float):
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([as_array(g["rows"], names) for g in groups])
    y = np.concatenate([g["labels"] for g in groups])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c_reg, class_weight="balanced", max_iter=2000)
    model.fit((x - mean) / scale, y)
    return {"features": list(names), "mean": mean.tolist(), "scale": scale.tolist(),
            "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0])}


def probs(stage: dict, rows: list[dict]) -> np.ndarray:
    x = (as_array(rows, tuple(stage["features"])) - np.asarray(stage["mean"])) / np.asarray(stage["scale"])
    return 1 / (1 + np.exp(-(x @ np.asarray(stage["coef"]) + stage["intercept"])))


def masked(p: np.ndarray, g: dict) -> np.ndarray:
    """A copy of a question's sentence probabilities with its interviewer questions' at -1: a question is
    never quoted as an answer, so it is never chosen, never opens and never sets a floor."""
    p = np.array(p, dtype=float)
    p[np.asarray(g["questions"], dtype=bool)] = -1
    return p


def held_out_probs(stage: dict, g: dict) -> np.ndarray:
    """The question's sentence probabilities from the model fitted without its fold (main stores them as
    "oof"), else from `stage`: thresholds chosen on these hold for questions the ranker was not fitted on."""
    return np.array(g["oof"], dtype=float) if "oof" in g else probs(stage, g["rows"])


def fold_probs(groups: list[dict], names: tuple[str, ...], c_reg: float, folds: int = 10) -> list[np.ndarray]:
    """Each question's sentence probabilities under the model fitted on the other folds (grouped by
    question: fold f holds every folds-th question)."""
    out: list[np.ndarray] = [np.empty(0)] * len(groups)
    for f in range(folds):
        stage = fit([g for i, g in enumerate(groups) if i % folds != f], names, c_reg)
        for i in range(f, len(groups), folds):
            out[i] = probs(stage, groups[i]["rows"])
    return out


def top1(stage: dict, groups: list[dict], p_all: list[np.ndarray] | None = None) -> float:
    """Share of answerable questions whose best-scored statement (not a question) holds evidence, under
    `stage` or, given, the probabilities `p_all` (one array a question)."""
    hits = []
    for i, g in enumerate(groups):
        if not any(g["labels"]):
            continue
        p = masked(probs(stage, g["rows"]) if p_all is None else p_all[i], g)
        hits.append(g["labels"][int(np.argmax(p))])
    return float(np.mean(hits)) if hits else 0.0


def _choose(p: np.ndarray, docs: list[str], ratio: float, floor: float, other: float) -> list[int]:
    """The selection rule of answering.extractive._select, on dev rows: the best sentences down to
    max(ratio × best, floor), at most 4; when all come from one document, the best sentence of another
    document at `other` × best or more joins."""
    order = [int(i) for i in np.argsort(-p) if p[i] >= 0]
    keep = max(ratio * p[order[0]], floor)
    chosen = [i for i in order[:4] if p[i] >= keep] or order[:1]
    if len({docs[i] for i in chosen}) == 1:
        alt = next((i for i in order if docs[i] != docs[chosen[0]] and p[i] >= other * p[order[0]]), None)
        if alt is not None:
            chosen.append(alt)
    return chosen


def chosen_sets(weights: dict, groups: list[dict]) -> list[dict]:
    """Per question, the rows and labels of the sentences the selection of `weights` (stage 2 and its keep
    thresholds, as `_choose` forms them) puts in the answer: the opening model chooses among these."""
    out = []
    for g in groups:
        p = masked(probs(weights["stage2"], g["rows"]), g)
        if p.max() < 0:
            continue
        chosen = _choose(p, g["docs"], weights["keep_ratio"], weights["keep_floor"], weights["other_source"])
        out.append({"id": g["id"], "rows": [g["rows"][i] for i in chosen],
                    "labels": [g["labels"][i] for i in chosen], "questions": [False] * len(chosen)})
        if "texts" in g:  # a dump that has them (scripts/fit_interaction.py reads them)
            out[-1].update(texts=[g["texts"][i] for i in chosen], query=g["query"])
    return out


def fit_opening(weights: dict, groups: list[dict], kept_out: list[dict], c_reg: float) -> dict:
    """The opening model: which of the chosen sentences holds the evidence, fitted on the chosen sentences
    only (5-fold cross-validated on the tuning questions: 0.681 against 0.675 for a fit on every sentence,
    docs/QUALITY.md). Prints its top-1 among the chosen beside stage 2's."""
    sets, held = chosen_sets(weights, groups), chosen_sets(weights, kept_out)
    stage = fit(sets, FEATURES, c_reg)
    cv = fold_probs(sets, FEATURES, c_reg)
    n = sum(len(s["rows"]) for s in sets)
    print(f"opening: {len(sets)} questions, {n} chosen sentences; top-1 among the chosen "
          f"{top1(weights['stage2'], sets):.3f} (stage 2), {top1(stage, sets, cv):.3f} (opening model, "
          "10-fold)" + (f"; held out ({len(held)}): {top1(weights['stage2'], held):.3f} → "
                        f"{top1(stage, held):.3f}" if held else ""), file=sys.stderr)
    return stage


def choose_keep(stage: dict, groups: list[dict], beta: float = 3.0) -> tuple[float, float, float]:
    """keep_ratio, keep_floor and other_source maximising, over answerable dev questions, the mean F-beta
    of evidence quotes cited (per passage, as the eval counts them) against the share of chosen sentences
    that are evidence; beta = 3: a missed quote costs three times one sentence too many (an answer holds
    at most 4; beta 2 gave one-sentence answers that left out half of the two-source questions on dev)."""
    # the probabilities do not depend on the thresholds: read them once, not once per grid point
    scored = [(g, masked(held_out_probs(stage, g), g)) for g in groups
              if any(g["labels"]) and any(g["quotes"])]  # an evidence quote in some passage
    best = (-1.0, 0.5, 0.2, 0.8)
    for ratio in np.arange(0.3, 0.96, 0.05):
        for floor in np.arange(0.05, 0.8, 0.05):
            for other in np.arange(0.3, 1.01, 0.1):
                scores = []
                for g, p in scored:
                    chosen = _choose(p, g["docs"], ratio, floor, other)
                    cited = {k for i in chosen for k in g["quotes"][i]}
                    rec = len(cited) / g["n_quotes"]
                    prec = sum(g["labels"][i] for i in chosen) / len(chosen)
                    scores.append(0 if not rec or not prec else
                                  (1 + beta**2) * prec * rec / (beta**2 * prec + rec))
                score = float(np.mean(scores))
                if score > best[0] + 1e-9:
                    best = (score, float(ratio), float(floor), float(other))
    print(f"selection: mean F{beta:g} {best[0]:.3f} at keep_ratio {best[1]:.2f}, keep_floor {best[2]:.2f}, "
          f"other_source {best[3]:.2f}", file=sys.stderr)
    return best[1], best[2], best[3]


# Refusing an answerable question costs 3 of the eval's metrics (evidence cited, must_include, abstention),
# answering an out-of-scope one 2 (abstention, citation precision).
MISS_COST = 1.5


def _threshold(pos: list[float], neg: list[float], miss_cost: float = MISS_COST) -> float:
    """The cut (pos at or above, neg below) with the lowest cost: a pos below it costs `miss_cost`, a neg
    at or above it 1; mid-way between neighbouring values (under the lowest: half of it); ties go to the
    lower cut."""
    values = sorted(set(pos + neg))
    cuts = [values[0] / 2, *((a + b) / 2 for a, b in itertools.pairwise(values)), values[-1] + 1e-3]
    return max(cuts, key=lambda t: (sum(n < t for n in neg) - miss_cost * sum(p < t for p in pos), -t))


def choose_abstain(stage: dict, groups: list[dict]) -> tuple[float, float]:
    """The abstention floor, over dev questions that pass the coverage checks (no unknown name, no
    missing year): the cut between answerable and refused best-statement probabilities. The strong match,
    over questions with an unknown name: the cut above which such a question is answered anyway."""
    def best_p(g):
        return float(masked(held_out_probs(stage, g), g).max())

    plain = [g for g in groups if not g["unknown_names"] and not g["missing_years"]]
    named = [g for g in groups if g["unknown_names"] and not g["missing_years"]]
    if Settings().embedding_model in MULTILINGUAL_MODELS:
        # The e5 fit serves the multilingual lane, which answers only Turkish and Russian questions: its
        # floor is chosen on those (English questions read by e5 score differently).
        plain = [g for g in plain if g["kind"] == "multilingual"]
    answerable = [best_p(g) for g in plain if not g["abstain"]]
    refused = [best_p(g) for g in plain if g["abstain"]]
    floor = _threshold(answerable, refused) if answerable else 0.0
    print(f"  answerable {sorted(round(p, 2) for p in answerable)[:8]} …; refused "
          f"{sorted(round(p, 2) for p in refused)}", file=sys.stderr)
    pos = [best_p(g) for g in named if not g["abstain"]]
    neg = [best_p(g) for g in named if g["abstain"]]
    strong = _threshold(pos, neg) if pos and neg else 1.01
    print(f"abstention: floor {floor:.3f} ({len(plain)} questions), strong match {strong:.3f} "
          f"({len(pos)} answerable and {len(neg)} refused questions with an unknown name)", file=sys.stderr)
    return round(floor, 4), round(strong, 4)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="dev,fresh-dev", help="tuning sets (dev, fresh-dev)")
    ap.add_argument("--c", type=float, default=0.1, help="inverse L2 strength")
    ap.add_argument("--dump", type=Path, help="also write the collected rows here (JSON)")
    ap.add_argument("--from-dump", type=Path, help="fit from rows collected earlier")
    ap.add_argument("--hold-out", default=HOLD_OUT, help=f"question ids not fitted on (default {HOLD_OUT})")
    ap.add_argument("--opening", action="store_true",
                    help="fit only the opening model, on the selection of the weights file as it is")
    args = ap.parse_args()
    if args.from_dump:
        groups = json.loads(args.from_dump.read_text())
    else:
        groups = []
        for engine, items in tuning_sets(args.sets, "fit_ranker"):
            groups.extend(collect(engine, items))
        if args.dump:
            args.dump.write_text(json.dumps(groups))
    hold = held_out_ids(args.hold_out)
    kept_out = [g for g in groups if g["id"] in hold]
    groups = [g for g in groups if g["id"] not in hold]
    model = Settings().embedding_model
    target = WEIGHTS if model == "minilm" else WEIGHTS.with_name(f"ranker_weights.{model}.json")
    # --opening keeps the file's selection (stages and thresholds); a full fit makes a new one
    out = (json.loads(target.read_text(encoding="utf-8")) if args.opening
           else fit_selection(groups, kept_out, args.c, args.sets, args.hold_out, model))
    out["opening"] = fit_opening(out, groups, kept_out, args.c)
    out["meta"]["opening"] = {"questions": len(groups), "C": args.c, "sets": args.sets,
                              "held_out": args.hold_out}
    target.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}", file=sys.stderr)


def fit_selection(groups: list[dict], kept_out: list[dict], c_reg: float, sets: str, hold_out: str,
                  model: str) -> dict:
    """Stages 1 and 2, the keep thresholds and the abstention floor (the weights file without its opening
    model), printing their top-1 figures and stage 2's coefficients."""
    n = sum(len(g["rows"]) for g in groups)
    pos = sum(sum(g["labels"]) for g in groups)
    print(f"{len(groups)} questions, {n} sentences, {pos} evidence sentences", file=sys.stderr)
    s1, s2 = fit(groups, STAGE1, c_reg), fit(groups, FEATURES, c_reg)
    for name, stage, names in (("stage 1", s1, STAGE1), ("stage 2", s2, FEATURES)):
        held_out = fold_probs(groups, names, c_reg)
        print(f"{name}: top-1 on dev {top1(stage, groups):.3f} (training), "
              f"{top1(stage, groups, held_out):.3f} (10-fold, grouped by question)", file=sys.stderr)
    if kept_out:
        print(f"held out ({len(kept_out)} questions, not fitted on): top-1 {top1(s2, kept_out):.3f}",
              file=sys.stderr)
    for g, p in zip(groups, held_out, strict=True):  # stage 2's: the thresholds below are chosen on them
        g["oof"] = p.tolist()
    ratio, floor, other = choose_keep(s2, groups)
    abstain, strong = choose_abstain(s2, groups)
    for f, w in sorted(zip(FEATURES, s2["coef"], strict=True), key=lambda t: -abs(t[1])):
        print(f"  {f:>20} {w:+.3f}", file=sys.stderr)
    return {"stage1": s1, "stage2": s2, "keep_ratio": ratio, "keep_floor": floor, "other_source": other,
            "abstain_below": abstain, "strong_match": strong,
            "meta": {"questions": len(groups), "sentences": n, "evidence_sentences": pos, "C": c_reg,
                     "sets": sets, "held_out": hold_out, "embedding_model": model}}


def tuning_sets(sets: str, script: str):
    """(engine, questions) for each tuning set named in `sets` ("dev,fresh-dev"): the engine over the store
    `corridor eval` uses for it, and the questions a fit reads (English ones; every language for a
    multilingual model). A held-out set ends the script: test and fresh are never tuned on."""
    for name in [n.strip() for n in sets.split(",") if n.strip()]:
        if name not in TUNING_SETS:
            sys.exit(f"{script}: {name!r} is not a tuning set (only {', '.join(TUNING_SETS)}); "
                     "test and fresh are never tuned on")
        engine, items = _engine_for(name)
        multilingual = engine.settings.embedding_model in MULTILINGUAL_MODELS
        yield engine, [i for i in items if i.lang == "en" or multilingual]


def answerable_standalone(engine, items):
    """(question, its stand-alone form) for each answerable question with evidence, as the passage fits
    read them: the question cleaned as the engine cleans it, a follow-up rewritten by rule after its turns."""
    for it in items:
        if it.expect_abstain or not it.evidence:
            continue
        query = clean_question(it.question, engine.settings.max_question_chars).query
        if query:
            history = earlier_turns(it)
            yield it, rewrite_follow_up(query, history) if history else query


def earlier_turns(item) -> list[Turn]:
    """A question's conversation as the fits read it: each earlier turn rewritten by rule, its answer left
    empty (answering the turns as the eval does was measured and was worse: docs/QUALITY.md)."""
    history: list[Turn] = []
    for turn in item.conversation:
        history.append(Turn(question=turn, standalone=rewrite_follow_up(turn, history), answer=""))
    return history


def _engine_for(name: str):
    """The engine over the store `corridor eval` uses for this set (built by the normal ingest), and the
    set's questions."""
    from answering.engine import Engine
    from bot.evaluate.sets import SETS, build_set_store, set_settings

    eval_set = SETS[name]
    built = build_set_store(set_settings(Settings(), eval_set), eval_set, progress=False)
    return Engine(built.settings, built.store), eval_set.load()


if __name__ == "__main__":
    main()
