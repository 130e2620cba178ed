"""The fitted fusion: orders the passages retrieval found by the probability, from a logistic model fitted
on the tuning sets, that a passage holds the answer.

Reciprocal rank fusion (its constants set by hand on the old gold set) gathers the pool: its best `fetch_k`
(30) of the dense and the BM25 ranking. The fitted model scores the whole pool and `retrieval.diversify` keeps
its k most probable, near-duplicates skipped and one document's share capped (docs/QUALITY.md, fifteenth
session: scoring only RRF's best k lost a chunk one search ranks high and the other misses). The model weighs
signals retrieval already has: the dense cosine and BM25 score, each absolute, relative to the pool's best and
as a rank; how much of the question's IDF weight the chunk and its document's title hold; its length; what
kind of chunk it is (a document's about block, an interview turn, its first chunk); and the best cosine of the
question with one of the chunk's sentences (their vectors are kept at ingest), relative to the pool's best and
as a rank: one sentence that says what was asked is diluted in a chunk's own vector; and the best dense cosine
of any pool chunk of the same document, relative to the pool's best: a chunk whose document is on the question
as a whole (its lead matches) is likelier to hold the answer than an equally near chunk of an off-topic one.
`scripts/fit_fusion.py` writes `fusion_weights.json` for MiniLM and `fusion_weights.<model>.json` for another
bundled model (dev and fresh-dev only); scoring is a dot product. A model without a fit (a local folder) keeps
reciprocal rank fusion's order.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from corridor.records import Chunk, DocumentMeta
from corridor.settings import BUNDLED_MODELS

from .lexical import terms

log = logging.getLogger(__name__)

WEIGHTS = Path(__file__).with_name("fusion_weights.json")

# The order of the coefficients in fusion_weights.json.
FEATURES = ("dense", "dense_rel", "dense_inv", "bm25", "lex_inv", "cover", "title_cover", "log_len", "about",
            "turn", "first_chunk", "sentence_rel", "sentence_inv", "doc_dense_rel")
SENTENCE_FEATURES = ("sentence_rel", "sentence_inv")
# The features a fit may leave out: a weights file fitted before they existed (the e5 one) reads without them.
OPTIONAL_FEATURES = (*SENTENCE_FEATURES, "doc_dense_rel")


@dataclass(frozen=True)
class Signals:
    """What the two searches said of one pool chunk (ranks are 0-based; None: that search did not list it)."""

    dense: float
    dense_rank: int | None
    bm25: float
    lex_rank: int | None
    sentence: float = 0.0  # the best cosine of the question with one of the chunk's sentences
    sentence_rank: int | None = None  # that cosine's rank in the pool; None: no sentence was scored
    doc_dense: float | None = None  # the best dense cosine of a pool chunk of its document (None: its own)


def features(query_weights: dict[str, float], chunk: Chunk, doc: DocumentMeta, sig: Signals,
             dense_best: float, bm25_best: float, sentence_best: float = 0.0) -> dict[str, float]:
    """The feature values of one pool chunk; `query_weights`: the question's terms and their IDF."""
    total = sum(query_weights.values()) or 1.0
    in_chunk, in_title = set(terms(chunk.text)), set(terms(doc.title or ""))
    return {
        "dense": sig.dense,
        "dense_rel": sig.dense - dense_best,
        "dense_inv": 0.0 if sig.dense_rank is None else 1.0 / (sig.dense_rank + 1),
        "bm25": sig.bm25 / bm25_best if bm25_best > 0 else 0.0,
        "lex_inv": 0.0 if sig.lex_rank is None else 1.0 / (sig.lex_rank + 1),
        "cover": sum(w for t, w in query_weights.items() if t in in_chunk) / total,
        "title_cover": sum(w for t, w in query_weights.items() if t in in_title) / total,
        "log_len": math.log1p(len(chunk.text.split())),
        "about": float(chunk.kind == "about"),
        "turn": float(chunk.kind == "turn"),
        "first_chunk": float(chunk.ordinal == 0),
        "sentence_rel": sig.sentence - sentence_best,
        "sentence_inv": 0.0 if sig.sentence_rank is None else 1.0 / (sig.sentence_rank + 1),
        "doc_dense_rel": (sig.dense if sig.doc_dense is None else max(sig.dense, sig.doc_dense)) - dense_best,
    }


@dataclass(frozen=True)
class Fusion:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    meta: dict
    names: tuple[str, ...] = FEATURES  # the features this fit weighs, in its coefficients' order

    @property
    def reads_sentences(self) -> bool:
        return any(n in SENTENCE_FEATURES for n in self.names)

    def probability(self, rows: list[dict[str, float]]) -> np.ndarray:
        x = np.asarray([[r[n] for n in self.names] for r in rows], dtype=np.float64)
        x = (x - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept)))


def weights_path(embedding_model: str) -> Path | None:
    """Each embedding model has its own fit (cosines differ in scale): `fusion_weights.json` for MiniLM,
    `fusion_weights.<model>.json` for another bundled one; None for a local model folder (no fit)."""
    if embedding_model == "minilm":
        return WEIGHTS
    if embedding_model not in BUNDLED_MODELS:
        return None
    return WEIGHTS.with_name(f"fusion_weights.{embedding_model}.json")


@lru_cache(maxsize=4)
def load(embedding_model: str, path: Path | None = None) -> Fusion | None:
    """The fit for this embedding model, or None (no fit, one for another model, or a file that cannot be
    read: retrieval then falls back to reciprocal rank fusion, and says so in the log once)."""
    path = path or weights_path(embedding_model)
    if path is None or not path.is_file():
        return None
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        names = tuple(d["features"])
        # every feature but the optional ones, in FEATURES' order: a file of another feature set is not read
        if d["meta"].get("embedding_model") != embedding_model or \
                tuple(n for n in FEATURES if n in names or n not in OPTIONAL_FEATURES) != names:
            return None
        fitted = Fusion(np.asarray(d["mean"], dtype=np.float64), np.asarray(d["scale"], dtype=np.float64),
                        np.asarray(d["coef"], dtype=np.float64), float(d["intercept"]), d["meta"], names)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("fusion weights %s unreadable (%s): passages keep RRF's order", path, exc)
        return None
    if not fitted.mean.shape == fitted.scale.shape == fitted.coef.shape == (len(names),):
        log.warning("fusion weights %s do not match the features: passages keep RRF's order", path)
        return None
    return fitted


__all__ = ["FEATURES", "OPTIONAL_FEATURES", "SENTENCE_FEATURES", "Fusion", "Signals", "features", "load",
           "weights_path"]
