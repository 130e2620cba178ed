"""The default answer mode: choose the corpus sentences that answer the question and quote them, each
with its citation. No language model; every word of the answer is a word of a source."""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from corridor.records import Passage, Statement
from vectorstore.lexical import LexicalIndex, terms

from .sentences import sentence_spans

# Sentences that lean on the one before them; the previous sentence is quoted too, as context.
_LEANS_BACK = re.compile(
    r"^(?:against this backdrop|in this context|this|these|that|those|such|it|however|therefore|"
    r"thus|as a result|in addition|also|but)\b", re.I)
EMBED_TOP = 8  # candidate sentences embedded per question (each costs ~5 ms on 2 cores)


@dataclass
class Candidate:
    passage: Passage
    start: int  # span inside the passage text
    end: int
    text: str
    lexical: float = 0.0
    semantic: float = 0.0
    score: float = 0.0


class SentenceEmbeddings:
    """An LRU cache of sentence vectors: corpus sentences recur across questions."""

    def __init__(self, embeddings, size: int = 20000) -> None:
        self.embeddings = embeddings
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> list[np.ndarray]:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vectors = self.embeddings.embed_documents(missing)
            with self._lock:
                for t, v in zip(missing, vectors, strict=True):
                    self._cache[t] = np.asarray(v, dtype=np.float32)
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        with self._lock:
            out = []
            for t in texts:
                self._cache.move_to_end(t)
                out.append(self._cache[t])
            return out


@dataclass
class Extract:
    """The chosen sentences and how relevant the best one is (for abstention)."""

    statements: list[Statement]
    cited: list[Passage]  # citation n is cited[n-1]
    relevance: float


def _weights(query_terms: list[str], lexical: LexicalIndex) -> dict[str, float]:
    """IDF weight per query term; a term the corpus never uses weighs as the rarest, so a question
    about something absent loses coverage instead of being carried by its common words."""
    n = max(len(lexical.current().ids), 1)
    rarest = math.log(1 + (n + 0.5) / 0.5)
    return {t: (lexical.idf(t) or rarest) for t in dict.fromkeys(query_terms)}


def extract(query: str, q_emb: list[float], passages: list[Passage], lexical: LexicalIndex,
            sent_emb: SentenceEmbeddings, max_sentences: int) -> Extract:
    """Score every sentence of the passages against the question and keep the best few."""
    weights = _weights(terms(query), lexical)
    total = sum(weights.values()) or 1.0
    cands: list[Candidate] = []
    for p in passages:
        text = p.chunk.text
        for s, e in sentence_spans(text):
            sent = text[s:e]
            sent_terms = set(terms(sent))
            if len(sent_terms) < 2:
                continue
            lex = sum(w for t, w in weights.items() if t in sent_terms) / total
            c = Candidate(p, s, e, sent, lexical=lex)
            c.score = 0.6 * lex + 0.4 * max(p.dense_score or 0.0, 0.0)
            cands.append(c)
    if not cands:
        return Extract([], [], 0.0)
    cands.sort(key=lambda c: c.score, reverse=True)
    top = cands[:EMBED_TOP]
    q = np.asarray(q_emb, dtype=np.float32)
    q /= np.linalg.norm(q) or 1.0
    for c, v in zip(top, sent_emb([c.text for c in top]), strict=True):
        c.semantic = float(q @ v / (np.linalg.norm(v) or 1.0))
        question_penalty = 0.7 if c.text.rstrip().endswith("?") else 1.0  # an interviewer's question
        c.score = question_penalty * (0.45 * c.semantic + 0.35 * c.lexical
                                      + 0.20 * max(c.passage.dense_score or 0.0, 0.0))
    top.sort(key=lambda c: c.score, reverse=True)
    best = top[0]
    chosen: list[Candidate] = []
    for c in top:
        if len(chosen) >= max_sentences or c.score < 0.75 * best.score:
            break
        if any(_overlap(c.text, o.text) >= 0.6 for o in chosen):
            continue
        chosen.append(c)
    return _compose(chosen, best.score)


def _overlap(a: str, b: str) -> float:
    ta, tb = set(terms(a)), set(terms(b))
    return len(ta & tb) / min(len(ta), len(tb)) if ta and tb else 0.0


def _compose(chosen: list[Candidate], relevance: float) -> Extract:
    """Order the sentences as they stand in their sources and number the passages by first use."""
    order = {id(c.passage): c.passage.rank for c in chosen}
    chosen.sort(key=lambda c: (order[id(c.passage)], c.start))
    cited: list[Passage] = []
    statements: list[Statement] = []
    for c in chosen:
        if c.passage not in cited:
            cited.append(c.passage)
        n = cited.index(c.passage) + 1
        text = c.text
        if _LEANS_BACK.match(text.lstrip("–—- ")):
            spans = sentence_spans(c.passage.chunk.text)
            i = next((i for i, (s, _) in enumerate(spans) if s == c.start), 0)
            if i > 0:
                prev = c.passage.chunk.text[spans[i - 1][0]:spans[i - 1][1]]
                if not prev.rstrip().endswith("?") and not any(prev == s.text for s in statements):
                    statements.append(Statement(text=_tidy(prev), citations=[n]))
        statements.append(Statement(text=_tidy(text), citations=[n]))
    return Extract(statements, cited, relevance)


def _tidy(sentence: str) -> str:
    """Drop list bullets and interview dashes in front of a quoted sentence."""
    return re.sub(r"^[\s–—\-•*]+", "", sentence).strip()
