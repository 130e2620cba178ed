"""Late interaction: how well a sentence's words answer the question's, word by word, for the opening model.

A sentence vector averages a sentence's words, so the one restating the question's setting ("The meeting of
the TURKSOY museums' coordinators was held in Girne") is as near the question as the one with the asked detail
("Shirin Malikova … represented Azerbaijan at the meeting"). Late interaction (ColBERT's MaxSim, Khattab &
Zaharia, 2020) keeps the words apart: each question token's best cosine with one of the sentence's tokens,
averaged over the question's tokens. The tokens are MiniLM's own contextual vectors (the bundled model's last
layer, `MiniLMEmbeddings.token_vectors`), through a linear projection fitted on the tuning sets by
`scripts/fit_interaction.py` (dev and fresh-dev only; a softmax over each question's chosen sentences,
evidence first) and stored in `interaction_head.npy`. The opening model (answering/ranker.py) reads the score
and its distance from the best chosen sentence's as two more features (`LATE`).

Only the chosen sentences (at most six or so) and the question are run through the model, at question time:
their token vectors are not stored at ingest. A question MiniLM embedded lately is not run again, and where
the engine embeds a pool's sentences itself (no prepared sentence vectors) their token vectors come with
them (`Scorer.offer`). Other embedding models (the multilingual lane, a local folder)
have no fitted head: their opening order does without it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from threading import Lock

import numpy as np

HEAD = Path(__file__).with_name("interaction_head.npy")
# the opening model's features: the MaxSim score, and the score less the best chosen sentence's
LATE = ("late", "late_rel")


class Interaction:
    """A fitted projection of MiniLM token vectors; `score`: MaxSim of the projected unit-length vectors."""

    def __init__(self, projection: np.ndarray) -> None:
        self.projection = np.asarray(projection, dtype=np.float32)  # (dimensions, 384)

    def project(self, tokens: np.ndarray) -> np.ndarray:
        p = np.asarray(tokens, dtype=np.float32) @ self.projection.T
        return p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-9)

    def score(self, question: np.ndarray, sentence: np.ndarray) -> float:
        """Mean over the question's (projected) tokens of the best cosine with one of the sentence's."""
        if len(question) == 0 or len(sentence) == 0:
            return 0.0
        return float((question @ sentence.T).max(axis=1).mean())


@lru_cache(maxsize=2)
def load(path: Path = HEAD) -> Interaction | None:
    """The fitted head, or None when there is none (the opening model then goes without it)."""
    if not path.is_file():
        return None
    return Interaction(np.load(path))


def features(scores: list[float], best: float | None = None) -> list[dict[str, float]]:
    """The `LATE` features of sentences with these scores; `best`: the best chosen sentence's score."""
    top = max(scores, default=0.0) if best is None else best
    return [{"late": s, "late_rel": s - top} for s in scores]


class Scorer:
    """(question, sentences) → each sentence's late-interaction score, with the bundled MiniLM's token vectors
    and the fitted head; a sentence's projected tokens are kept (LRU), as answers quote the same passages."""

    def __init__(self, token_vectors: Callable[[list[str]], list], head: Interaction,
                 size: int = 4000) -> None:
        self._tokens = token_vectors
        self._head = head
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def clear(self) -> None:
        """Forget the kept token vectors (the benchmark's cold pass)."""
        with self._lock:
            self._cache.clear()

    def offer(self, texts: list[str], token_vectors: list) -> None:
        """Keep these texts' projected token vectors, computed by a forward pass made for another purpose (the
        engine's sentence embeddings, when they are not stored): a chosen sentence is then not run through
        the model a second time. One matrix product for them all."""
        with self._lock:
            todo = [(t, np.asarray(v, dtype=np.float32)) for t, v in zip(texts, token_vectors, strict=True)
                    if t not in self._cache]
        if not todo:
            return
        rows = self._head.project(np.concatenate([v for _, v in todo]))
        ends = np.cumsum([len(v) for _, v in todo])
        self._keep(zip([t for t, _ in todo], np.split(rows, ends[:-1]), strict=True))

    def _keep(self, projected) -> None:
        """Cache (text, projected tokens) pairs, the least recently used going first past the size."""
        with self._lock:
            for t, tokens in projected:
                self._cache[t] = tokens
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)

    def _projected(self, texts: list[str]) -> list[np.ndarray]:
        with self._lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
            for t in known:  # least recently used first out
                self._cache.move_to_end(t)
        todo = list(dict.fromkeys(t for t in texts if t not in known))
        if todo:
            for t, v in zip(todo, self._tokens(todo), strict=True):
                known[t] = self._head.project(np.asarray(v))
            self._keep((t, known[t]) for t in todo)
        return [known[t] for t in texts]

    def __call__(self, question: str, sentences: list[str]) -> list[float]:
        q, *rest = self._projected([question, *sentences])
        return [self._head.score(q, s) for s in rest]


def scorer(embeddings) -> Scorer | None:
    """The late-interaction scorer for these embeddings: only the bundled MiniLM has token vectors and a
    fitted head; None for any other model."""
    token_vectors = getattr(embeddings, "token_vectors", None)
    head = load() if token_vectors is not None else None  # (an e5 lane's engine never reads the head file)
    if head is None or token_vectors is None:
        return None
    return Scorer(token_vectors, head)


__all__ = ["HEAD", "LATE", "Interaction", "Scorer", "features", "load", "scorer"]
