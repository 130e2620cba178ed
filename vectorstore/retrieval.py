"""Hybrid retrieval: dense (Chroma) + lexical (BM25), pooled by reciprocal rank fusion, de-duplicated,
diversified, then ordered by the fitted fusion (vectorstore/fusion.py) or an optional reranker. Returns
Passages with the signals the answer engine needs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from corridor.errors import InputError
from corridor.records import Chunk, DocumentMeta, Passage, parse_iso
from corridor.settings import Settings

from . import fusion
from .fusion import Signals
from .lexical import LexicalIndex, terms
from .store import day_num

log = logging.getLogger(__name__)


# Questions about a source itself (its author, interviewer, publisher or date), which the about block of a
# document answers ("Author: …", "Published: …"); for other questions that block only takes a passage's place.
ASKS_ABOUT_SOURCE = re.compile(
    r"\b(?:who|whom|whose|when|author\w*|wr[io]te|written|publish\w*|interview\w*|byline|editor|"
    r"journalist|reporter|source|date[ds]?|dated)\b", re.I)


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some documents and/or a date range (inclusive, ISO dates)."""

    doc_ids: tuple[str, ...] | None = None
    date_from: str | None = None
    date_to: str | None = None

    def date_range(self) -> tuple[int, int] | None:
        if not (self.date_from or self.date_to):
            return None
        return (_date_num(self.date_from) if self.date_from else 0,
                _date_num(self.date_to) if self.date_to else 99991231)

    def chroma_where(self) -> dict | None:
        clauses: list[dict] = []
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        rng = self.date_range()
        if rng:  # a dated chunk in the range, or a month or year (date_end_num) that overlaps it
            clauses.append({"$or": [
                {"$and": [{"date_num": {"$gte": rng[0]}}, {"date_num": {"$lte": rng[1]}}]},
                {"$and": [{"date_end_num": {"$gte": rng[0]}}, {"date_num": {"$lte": rng[1]}}]}]})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _date_num(value: str) -> int:
    try:
        d = date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"not a date (use YYYY-MM-DD): {value!r}") from exc
    return day_num(d)


@dataclass
class Pool:
    """What the two searches proposed, reciprocal rank fusion's best `fetch_k` first (Passage.score = RRF),
    with what each search said of each passage (by chunk id)."""

    passages: list[Passage]
    signals: dict[str, Signals]
    query_embedding: list[float]
    candidates: int  # how many distinct chunks the two searches proposed
    timings_ms: dict[str, float]


@dataclass
class Retrieval:
    """What retrieval found for one question."""

    passages: list[Passage]
    query_embedding: list[float]
    candidates: int = 0  # how many distinct chunks the two searches proposed
    timings_ms: dict[str, float] = field(default_factory=dict)
    found: list[Passage] | None = None  # the question's own search, in its order, before passages were added


class HybridRetriever:
    """Dense + BM25 over one ChunkStore: reciprocal rank fusion gathers a pool of `fetch_k` passages, and the
    fitted fusion keeps and orders the k most probable of the whole pool (RRF's k best without a fit)."""

    def __init__(self, store, settings: Settings | None = None, reranker=None) -> None:
        self.store = store
        self.settings = settings or store.settings
        lexical_dir = None if self.settings.store_dir is None else self.settings.store_dir / "lexical"
        self.lexical = LexicalIndex(store, lexical_dir)
        self.reranker = reranker  # a sentence_transformers CrossEncoder, or None (the stage is off)
        # (query vector, passages) → each passage's best cosine with one of its sentences: the answering core
        # sets it (it splits passages into the sentences whose vectors were kept at ingest); without it the
        # fusion's sentence features read 0 for every passage
        self.sentence_similarity: Callable[[list[float], list[Passage]], list[float]] | None = None

    def retrieve(self, query: str, k: int | None = None, filters: Filters | None = None,
                 dense_only: bool = False, query_embedding: list[float] | None = None,
                 lexical_only: bool = False, newer: float = 0.0) -> Retrieval:
        """The k best passages; `query_embedding` reuses the query's vector from an earlier search.
        `lexical_only` skips Chroma's vector search (its date-filtered queries cost 0.3–0.9 s at 100k chunks;
        BM25 filters in memory): the lexical hits still get their dense scores. `newer` (per year, for a
        question about the latest state): newer documents' passages are preferred (`prefer_newer`)."""
        import time

        k = k or self.settings.k
        pool = self.pool(query, k, filters, dense_only, query_embedding, lexical_only)
        t0 = time.perf_counter()
        chosen = diversify(self.scored(query, pool, dense_only, lexical_only, newer), k)
        for i, p in enumerate(chosen, 1):
            p.rank = i
        return Retrieval(chosen, pool.query_embedding, candidates=pool.candidates,
                         timings_ms={**pool.timings_ms, "fuse": (time.perf_counter() - t0) * 1e3})

    def scored(self, query: str, pool: Pool, dense_only: bool = False, lexical_only: bool = False,
               newer: float = 0.0) -> list[Passage]:
        """The pool's passages, most probable first by the fitted fusion (or the reranker's, or RRF's order),
        without a document's about block unless the question asks about a source. `newer`: the fitted
        probabilities get the recency prior (`prefer_newer`); RRF's or a reranker's scores do not."""
        passages = pool.passages
        if self.reranker is not None and passages:
            passages = self._rerank(query, passages)
        if not ASKS_ABOUT_SOURCE.search(query):  # a document's about block answers who/when/where-from only
            passages = [p for p in passages if p.chunk.kind != "about"] or passages
        fitted = self.fitted_fusion() if not (dense_only or lexical_only or self.reranker) else None
        if fitted is not None and passages:  # one search alone keeps its own order
            # The fitted model weighs the whole pool, not only RRF's best: it may bring in a chunk one search
            # ranks high and the other misses (docs/QUALITY.md, fifteenth session).
            probs = fitted.probability(self.pool_features(query, passages, pool, fitted.reads_sentences))
            for p, prob in zip(passages, probs, strict=True):
                p.score = float(prob)
            if newer:
                prefer_newer(passages, newer)
            passages = sorted(passages, key=lambda p: p.score, reverse=True)
        return list(passages)

    def pool(self, query: str, k: int, filters: Filters | None = None, dense_only: bool = False,
             query_embedding: list[float] | None = None, lexical_only: bool = False) -> Pool:
        """The passages reciprocal rank fusion puts in its best `fetch_k`, in that order (score = RRF),
        and what the two searches said of each."""
        q_emb, dense, lexical, timings = self._search(query, k, filters, dense_only, query_embedding,
                                                      lexical_only)
        fused = self._fuse(dense, lexical)
        dense_scores = dict(dense)
        lexical_scores = dict(lexical)
        dense_rank = {cid: i for i, (cid, _) in enumerate(dense)}
        lex_rank = {cid: i for i, (cid, _) in enumerate(lexical)}
        order = self._best(fused, k)
        found = self.store.get_passages(order)
        missing = [cid for cid in order if cid not in dense_scores and cid in found]
        if missing:  # lexical-only hits still need a dense score for abstention and ranking
            dense_scores.update(self._cosine(q_emb, missing))
        kept = [cid for cid in order if cid in found]
        return Pool(
            passages=[Passage(chunk=found[cid][0], doc=found[cid][1], score=fused[cid],
                              dense_score=dense_scores.get(cid), lexical_score=lexical_scores.get(cid))
                      for cid in kept],
            signals={cid: Signals(dense=dense_scores.get(cid, 0.0), dense_rank=dense_rank.get(cid),
                                  bm25=lexical_scores.get(cid, 0.0), lex_rank=lex_rank.get(cid))
                     for cid in kept},
            query_embedding=q_emb, candidates=len(fused), timings_ms=timings)

    def _search(self, query: str, k: int, filters: Filters | None, dense_only: bool = False,
                query_embedding: list[float] | None = None, lexical_only: bool = False):
        """The query's vector, the dense and the BM25 hits ((chunk id, score), best first, `fetch_k` each),
        and how long each step took."""
        import time

        fetch_k = max(self.settings.fetch_k, k * 3)
        filters = filters or Filters()
        t0 = time.perf_counter()
        q_emb = query_embedding if query_embedding is not None else self.store.embeddings.embed_query(query)
        t1 = time.perf_counter()
        dense = [] if lexical_only else self.store.dense_search(q_emb, fetch_k, where=filters.chroma_where())
        t2 = time.perf_counter()
        lexical = [] if dense_only else self.lexical.search(
            query, fetch_k, doc_ids=filters.doc_ids, date_range=filters.date_range())
        t3 = time.perf_counter()
        return q_emb, dense, lexical, {"embed": (t1 - t0) * 1e3, "dense": (t2 - t1) * 1e3,
                                       "lexical": (t3 - t2) * 1e3}

    def _rrf(self, rank: int, weight: float = 1.0) -> float:
        """One ranking's share of a reciprocal rank fusion score (rank 0-based)."""
        return weight / (self.settings.rrf_k + rank + 1)

    def _fuse(self, dense: list[tuple[str, float]], lexical: list[tuple[str, float]]) -> dict[str, float]:
        fused: dict[str, float] = {}
        for ranking, weight in ((dense, 1.0), (lexical, self.settings.lexical_weight)):
            for rank, (cid, _) in enumerate(ranking):
                fused[cid] = fused.get(cid, 0.0) + self._rrf(rank, weight)
        return fused

    def _best(self, fused: dict[str, float], k: int) -> list[str]:
        """The chunk ids of the fused ranking's best `fetch_k`, best first."""
        return sorted(fused, key=fused.__getitem__, reverse=True)[: max(self.settings.fetch_k, k * 3)]

    def order_by_asked(self, asked: str, passages: list[Passage], filters: Filters | None = None) -> None:
        """Reorder, in place, a follow-up's passages (found with its rewritten form, which carries the earlier
        turn's subject) by that order and the order a search for the question as asked gives them, fused by
        reciprocal rank: the words asked say what is new, so they also break a tie (first in one order, second
        in the other). A passage that search did not rank goes last in it. Only the asked search's ranking is
        needed: no passage text is read for it."""
        if len(passages) < 2:
            return
        _, dense, lexical, _ = self._search(asked, len(passages), filters)
        order = self._best(self._fuse(dense, lexical), len(passages))
        asked_rank = {cid: i for i, cid in enumerate(order)}
        fused = {p.chunk.chunk_id: self._rrf(i) + self._rrf(asked_rank.get(p.chunk.chunk_id, len(order)))
                 for i, p in enumerate(passages)}
        passages.sort(key=lambda p: (fused[p.chunk.chunk_id],
                                     -asked_rank.get(p.chunk.chunk_id, len(order))), reverse=True)
        for i, p in enumerate(passages, 1):
            p.rank = i

    def pool_features(self, query: str, passages: list[Passage], pool: Pool,
                      sentences: bool | None = None) -> list[dict[str, float]]:
        """The fitted fusion's features (vectorstore/fusion.py) of these passages of the pool. The sentence
        features are read when `sentences` says so, by default when the fitted fusion weighs them (reading
        them embeds the pool's sentences that have no stored vector: the multilingual lane's e5 fit does
        not weigh them, and e5 takes ~25 ms a sentence)."""
        weights = {t: self.lexical.weight(t) for t in dict.fromkeys(terms(query))}
        dense_best = max((sig.dense for sig in pool.signals.values()), default=0.0)
        bm25_best = max((sig.bm25 for sig in pool.signals.values()), default=0.0)
        doc_best: dict[str, float] = {}  # over the whole pool (about blocks too), as the fit read it
        for p in pool.passages:
            d = pool.signals[p.chunk.chunk_id].dense
            doc_best[p.doc.doc_id] = max(d, doc_best.get(p.doc.doc_id, d))
        signals = [replace(pool.signals[p.chunk.chunk_id], doc_dense=doc_best.get(p.doc.doc_id))
                   for p in passages]
        sentence_best = 0.0
        if sentences is None:
            fitted = self.fitted_fusion()
            sentences = fitted is not None and fitted.reads_sentences
        if sentences and self.sentence_similarity is not None and passages:
            best = self.sentence_similarity(pool.query_embedding, passages)
            order = {i: r for r, i in enumerate(sorted(range(len(best)), key=lambda i: -best[i]))}
            signals = [replace(sig, sentence=b, sentence_rank=order[i])
                       for i, (sig, b) in enumerate(zip(signals, best, strict=True))]
            sentence_best = max(best)
        return [fusion.features(weights, p.chunk, p.doc, sig, dense_best, bm25_best, sentence_best)
                for p, sig in zip(passages, signals, strict=True)]

    def fitted_fusion(self) -> fusion.Fusion | None:
        """The fitted fusion for this store's embedding model, unless settings ask for RRF alone."""
        if self.settings.fusion != "fitted":
            return None
        return fusion.load(self.settings.embedding_model)

    def _cosine(self, q_emb: list[float], ids: list[str]) -> dict[str, float]:
        q = np.asarray(q_emb, dtype=np.float32)
        return {cid: float(q @ e / ((np.linalg.norm(q) * np.linalg.norm(e)) or 1.0))
                for cid, e in self.store.vectors(ids).items()}

    def _rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        scores = self.reranker.predict([(query, p.chunk.text) for p in passages])
        for p, sc in zip(passages, scores, strict=True):
            p.rerank_score = float(sc)
            p.score = float(sc)
        return sorted(passages, key=lambda p: p.score, reverse=True)


def prefer_newer(passages: list[Passage], per_year: float) -> None:
    """Scale each passage's probability, in place, by exp(per_year × years its document is older than the
    newest dated document among them): for a question about the latest state, a recency prior added to the
    log of the fitted fusion's probability (fitted by scripts/fit_recency.py). An undated document counts as
    of the dated ones' mean date (no evidence either way); with no dated document nothing changes."""
    years = {id(p): _years(p.doc.date) for p in passages}
    known = [y for y in years.values() if y is not None]
    if not known:
        return
    newest, mean = max(known), sum(known) / len(known)
    for p in passages:
        y = years[id(p)]
        p.score *= float(np.exp(per_year * ((mean if y is None else y) - newest)))


def _years(iso: str | None) -> float | None:
    """A document's date as a year with its fraction (the first day of a month's or a year's date)."""
    d = parse_iso(iso)
    return None if d is None else d.year + (d.timetuple().tm_yday - 1) / 365.25


NEAR_DUPLICATE = 0.8  # Jaccard overlap of two chunks' terms at which the second repeats the first


def diversify(passages: list[Passage], k: int, max_per_doc: int | None = None) -> list[Passage]:
    """Pick k passages in score order, skipping near-duplicates and deferring a document's chunks past
    `max_per_doc`, so one document cannot crowd out other sources; a document's about block (its author, date
    and source, scored only for a question about a source) takes no share of it. (A rule that also deferred
    the third of three overlapping neighbours was removed: sections sharing a heading line overlap too, and it
    hid the answering chunk of fresh-dev fd109 and fd118 for no gain elsewhere: docs/QUALITY.md.)"""
    max_per_doc = max_per_doc or max(2, k - 1)
    chosen: list[Passage] = []
    deferred: list[Passage] = []
    seen_terms: list[set[str]] = []
    per_doc: dict[str, int] = {}
    for p in passages:
        t = set(terms(p.chunk.text))
        if _repeats(t, seen_terms):
            continue  # the same text twice (an older revision, an overlap) adds nothing
        about = p.chunk.kind == "about"  # a document's facts (author, date), not more of its text: no share
        if not about and per_doc.get(p.doc.doc_id, 0) >= max_per_doc:
            deferred.append(p)
            continue
        chosen.append(p)
        seen_terms.append(t)
        if not about:
            per_doc[p.doc.doc_id] = per_doc.get(p.doc.doc_id, 0) + 1
        if len(chosen) == k:
            return chosen
    for p in deferred:  # fill with what was held back rather than return fewer than k
        if len(chosen) == k:
            break
        chosen.append(p)
    return sorted(chosen, key=lambda p: p.score, reverse=True)


def _repeats(chunk_terms: set[str], seen: list[set[str]]) -> bool:
    """Whether a chunk's terms overlap one of `seen` by NEAR_DUPLICATE or more (Jaccard): the same text."""
    return any(_jaccard(chunk_terms, other) >= NEAR_DUPLICATE for other in seen)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def load_reranker(settings: Settings):
    """A CrossEncoder from a local folder, or None when reranking is off (no reranker ships offline)."""
    if not settings.reranker_model:
        return None
    from pathlib import Path

    if not Path(settings.reranker_model).is_dir():
        raise InputError(f"reranker model folder not found: {settings.reranker_model}")
    from sentence_transformers import CrossEncoder

    return CrossEncoder(settings.reranker_model, device="cpu")


__all__ = ["Chunk", "DocumentMeta", "Filters", "HybridRetriever", "Pool", "Retrieval", "diversify",
           "load_reranker"]
