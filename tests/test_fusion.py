"""The fitted fusion (vectorstore/fusion.py): reciprocal rank fusion gathers the pool, the model fitted by
scripts/fit_fusion.py chooses and orders the passages from it; real store, real embeddings, the bundled
weights."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from corridor.records import Chunk, DocumentMeta, Passage
from corridor.settings import PROJECT_ROOT
from vectorstore import fusion
from vectorstore.retrieval import ASKS_ABOUT_SOURCE, HybridRetriever, prefer_newer

QUESTIONS = (
    "What was the main focus of President Tokayev's visit to Türkiye, according to Engin Ozer?",
    "How long is the Baku–Tbilisi–Kars railway?",
    "Why is Kazakhstan seen as an alternative grain supplier?",
    "How does Turkey use the Organization of Turkic States on the Middle Corridor?",
    "What did Engin Ozer say about the $15 billion trade target?",
    # BM25 ranks the infobox chunk first, dense search far down: RRF alone leaves it out of its k + 1
    "When did Turkey recognize Kazakhstan's independence?",
)


@pytest.fixture(scope="module")
def retrievers(ingested):
    """The fitted and the RRF retriever, each reading sentence vectors as the engine wires it."""
    from answering.extractive import SentenceEmbeddings
    from vectorstore.sentence_vectors import SentenceVectors

    settings, store = ingested
    sent_emb = SentenceEmbeddings(store.embeddings, stored=SentenceVectors(store))
    out = (HybridRetriever(store, settings.model_copy(update={"fusion": "fitted"})),
           HybridRetriever(store, settings.model_copy(update={"fusion": "rrf"})))
    for r in out:
        r.sentence_similarity = sent_emb.best_similarity
    return out


@pytest.mark.parametrize("model", ["minilm", "e5-multilingual"])
def test_each_bundled_model_has_its_own_fit(model) -> None:
    fitted = fusion.load(model)
    assert fitted is not None and fitted.coef.shape == (len(fitted.names),)
    assert fitted.meta["embedding_model"] == model and "dev" in fitted.meta["sets"]
    # the MiniLM fit weighs the question's best sentence in each chunk; the e5 fit predates those features
    # and is read without them
    assert fitted.reads_sentences == (model == "minilm")
    assert set(fitted.names) == set(fusion.FEATURES) - (set() if model == "minilm"
                                                        else set(fusion.OPTIONAL_FEATURES))
    assert fusion.weights_path(model).name == ("fusion_weights.json" if model == "minilm"
                                               else f"fusion_weights.{model}.json")


def test_a_model_without_a_fit_keeps_rrf(tmp_path) -> None:
    from answering.ranker import WEIGHTS, weights_path

    folder = str(tmp_path / "my-local-model")  # CORRIDOR_EMBEDDING_MODEL may name a local folder
    assert fusion.load(folder) is None and fusion.load("another-model") is None  # other cosine scales
    assert weights_path(folder) == WEIGHTS  # the sentence ranker falls back to the MiniLM fit


_SHORT = {"meta": {"embedding_model": "minilm"}, "features": list(fusion.FEATURES), "mean": [1], "scale": [1],
          "coef": [1], "intercept": 0}  # one coefficient for thirteen features


@pytest.mark.parametrize("text", ["{not json", '{"meta": {"embedding_model": "minilm"}}', json.dumps(_SHORT)])
def test_unreadable_weights_fall_back_to_rrf(tmp_path, caplog, text) -> None:
    path = tmp_path / "fusion_weights.json"
    path.write_text(text, encoding="utf-8")
    assert fusion.load("minilm", path) is None  # no traceback: retrieval keeps RRF's order
    assert "fusion weights" in caplog.text


def test_fitted_fusion_chooses_from_the_whole_pool(retrievers) -> None:
    """The fitted model scores every chunk of the pool (RRF's best `fetch_k`) and keeps its k most probable,
    best first, skipping a near-duplicate of a kept chunk and a document's chunks past its share."""
    from vectorstore.retrieval import diversify

    fitted, rrf = retrievers
    k = fitted.settings.k
    model = fusion.load("minilm")
    brought_in = repeats = reordered = 0
    for q in QUESTIONS:
        a, b = fitted.retrieve(q), rrf.retrieve(q)
        ids_a, ids_b = [p.chunk.chunk_id for p in a.passages], [p.chunk.chunk_id for p in b.passages]
        assert len(ids_a) == k and [p.rank for p in a.passages] == list(range(1, k + 1))
        pool = rrf.pool(q, k)
        # a document's about block is scored only for a question about a source ("When did …?"): the
        # sentence features rank the chunks scored together
        passages = [p for p in pool.passages if p.chunk.kind != "about" or ASKS_ABOUT_SOURCE.search(q)]
        rows = rrf.pool_features(q, passages, pool, sentences=True)
        probs = dict(zip([p.chunk.chunk_id for p in passages], model.probability(rows), strict=True))
        assert np.allclose([p.score for p in a.passages], [probs[i] for i in ids_a])
        assert [p.score for p in a.passages] == sorted((p.score for p in a.passages), reverse=True)
        kth = a.passages[-1].score
        per_doc = {d: sum(p.doc.doc_id == d for p in a.passages) for d in {p.doc.doc_id for p in a.passages}}
        for p in passages:  # a more probable chunk left out repeats a kept one or its document is full
            if p.chunk.chunk_id in ids_a or probs[p.chunk.chunk_id] <= kth:
                continue
            full = per_doc.get(p.doc.doc_id, 0) >= max(2, k - 1)
            repeated = _repeats_one_of(p, a.passages)
            assert full or repeated, (q, p.chunk.chunk_id)
            repeats += repeated
        rrf_first = [p.chunk.chunk_id for p in diversify(passages, k + 1)]
        brought_in += any(i not in rrf_first for i in ids_a)
        reordered += ids_a != ids_b
    assert reordered, "the fitted order never differed from RRF's: is the fusion switched off?"
    assert brought_in, "every fitted passage was among RRF's k + 1: the whole pool is not tested"
    # the current and the older revision of the Wikipedia article share their opening chunk almost word for
    # word: the less likely of the two gives its place to the next passage
    assert repeats, "no near-duplicate outscored the k-th passage: the case is not tested"


def _repeats_one_of(passage, kept) -> bool:
    """Whether `passage`'s terms overlap a kept chunk's by 80% or more (Jaccard)."""
    from vectorstore.lexical import terms

    t = set(terms(passage.chunk.text))
    return any(len(t & o) / len(t | o) >= 0.8 for o in (set(terms(p.chunk.text)) for p in kept))


def test_a_single_search_keeps_its_own_order(retrievers) -> None:
    fitted, rrf = retrievers
    q = QUESTIONS[1]
    for kw in ({"dense_only": True}, {"lexical_only": True}):
        assert ([p.chunk.chunk_id for p in fitted.retrieve(q, **kw).passages]
                == [p.chunk.chunk_id for p in rrf.retrieve(q, **kw).passages])


def test_features_weigh_the_question_terms_by_idf() -> None:
    doc = DocumentMeta(doc_id="d", title="Aktau port expansion", source="x", content_hash="h")
    chunk = Chunk(chunk_id="c", doc_id="d", ordinal=0, text="The port of Aktau handled more cargo.",
                  start=0, end=37)
    weights = {"aktau": 3.0, "cargo": 1.0, "tariff": 4.0}
    sig = fusion.Signals(dense=0.5, dense_rank=1, bm25=6.0, lex_rank=None)
    f = fusion.features(weights, chunk, doc, sig, dense_best=0.7, bm25_best=12.0)
    assert f["cover"] == pytest.approx(4.0 / 8.0) and f["title_cover"] == pytest.approx(3.0 / 8.0)
    assert f["dense_rel"] == pytest.approx(-0.2) and f["dense_inv"] == pytest.approx(0.5)
    assert f["bm25"] == pytest.approx(0.5) and f["lex_inv"] == 0.0
    assert f["first_chunk"] == 1.0 and f["about"] == 0.0 and set(f) == set(fusion.FEATURES)
    assert f["sentence_rel"] == 0.0 and f["sentence_inv"] == 0.0  # no sentence scored: both read 0
    read = fusion.Signals(dense=0.5, dense_rank=1, bm25=6.0, lex_rank=None, sentence=0.55, sentence_rank=2)
    f = fusion.features(weights, chunk, doc, read, dense_best=0.7, bm25_best=12.0, sentence_best=0.75)
    assert f["sentence_rel"] == pytest.approx(-0.2) and f["sentence_inv"] == pytest.approx(1 / 3)
    # the document's best chunk in the pool: without one named, the chunk's own cosine stands for it
    assert f["doc_dense_rel"] == pytest.approx(-0.2)
    f = fusion.features(weights, chunk, doc, replace(sig, doc_dense=0.68), dense_best=0.7, bm25_best=12.0)
    assert f["doc_dense_rel"] == pytest.approx(-0.02) and f["dense_rel"] == pytest.approx(-0.2)


def test_a_chunk_reads_its_document_s_best_cosine_in_the_pool(retrievers) -> None:
    """Real retrieval: every chunk of a document in the pool reads the same document cosine, the best of
    its chunks' dense cosines (about blocks included), relative to the pool's best."""
    _, rrf = retrievers
    q = "What did Engin Ozer say about the $15 billion trade target?"
    pool = rrf.pool(q, 5)
    rows = rrf.pool_features(q, pool.passages, pool)
    best = max(s.dense for s in pool.signals.values())
    by_doc: dict[str, list[float]] = {}
    for p in pool.passages:
        by_doc.setdefault(p.doc.doc_id, []).append(pool.signals[p.chunk.chunk_id].dense)
    several = [d for d, v in by_doc.items() if len(v) > 1]
    assert several, "no document has two chunks in the pool: the case is not tested"
    for p, row in zip(pool.passages, rows, strict=True):
        assert row["doc_dense_rel"] == pytest.approx(max(by_doc[p.doc.doc_id]) - best)
        assert row["doc_dense_rel"] >= row["dense_rel"]
    assert any(row["doc_dense_rel"] > row["dense_rel"] + 1e-6 for row in rows)


def test_the_pool_features_read_each_chunks_best_sentence(retrievers) -> None:
    """Real embeddings: the chunk holding the sentence closest to the question ranks first on the sentence
    features, and its best cosine is that of the sentence, not of the whole chunk."""
    fitted, _ = retrievers
    q = "What did Engin Ozer say about the $15 billion trade target?"
    pool = fitted.pool(q, 5)
    rows = fitted.pool_features(q, pool.passages, pool)
    first = max(range(len(rows)), key=lambda i: rows[i]["sentence_inv"])
    assert rows[first]["sentence_inv"] == 1.0 and rows[first]["sentence_rel"] == 0.0
    assert "$15 billion" in pool.passages[first].chunk.text
    assert all(r["sentence_rel"] <= 0.0 for r in rows) and len({r["sentence_inv"] for r in rows}) == len(rows)
    sentence = fitted.sentence_similarity(pool.query_embedding, [pool.passages[first]])[0]
    assert sentence > pool.signals[pool.passages[first].chunk.chunk_id].dense  # one sentence, not diluted
    # each chunk's sentence vectors are split and stacked once, then served from the cache; another version
    # of the document is read afresh
    from answering.extractive import SentenceEmbeddings

    sent_emb = SentenceEmbeddings(fitted.store.embeddings)
    first_read = sent_emb.of_passages(pool.passages)
    assert all(a is b for a, b in zip(first_read, sent_emb.of_passages(pool.passages), strict=True))
    p = pool.passages[first]
    changed = p.model_copy(update={"doc": p.doc.model_copy(update={"content_hash": "another version"})})
    again = sent_emb.of_passages([changed])[0]
    assert again is not first_read[first] and np.allclose(again, first_read[first])
    # a fusion that does not weigh them (RRF here, the multilingual lane's e5 fit) never reads them: no
    # sentence is embedded for it
    _, rrf = retrievers
    assert all(r["sentence_inv"] == 0.0 for r in rrf.pool_features(q, pool.passages, pool))


def test_fit_fusion_refuses_the_held_out_sets() -> None:
    before = fusion.WEIGHTS.read_bytes()
    run = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "fit_fusion.py"), "--sets", "test"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and "never tuned on" in run.stderr
    assert "Traceback" not in run.stderr
    assert fusion.WEIGHTS.read_bytes() == before
    assert json.loads(before)["meta"]["held_out"]  # the weights say which questions they were not fitted on


def test_a_local_model_folder_answers(tmp_path, settings_factory, small_corpus) -> None:
    """CORRIDOR_EMBEDDING_MODEL naming a local sentence-transformers folder (here the bundled MiniLM's own
    folder): the engine answers with the MiniLM ranker fit and RRF's passage order, without an error."""
    from answering.engine import Engine
    from vectorstore.embeddings import model_path

    settings = settings_factory(tmp_path, embedding_model=str(model_path("minilm")), corpus_dir=small_corpus,
                                collection="local_model")
    engine = Engine(settings)
    engine.ingest(None)
    answer = engine.ask("What did Engin Ozer say about the Zangezur corridor?")
    assert answer.citations and not answer.abstained
    assert engine.retriever.fitted_fusion() is None


def test_a_follow_up_is_ordered_by_its_own_words_too(ingested) -> None:
    """A rewritten follow-up keeps the passages its rewritten form found; their order fuses that search's
    with a search for the words asked (reciprocal rank, ties to the words asked), and the eval measures the
    order the answer used."""
    from answering.engine import Engine
    from corridor.records import Turn

    settings, store = ingested
    engine = Engine(settings, store)
    first = "What trade goal did President Erdoğan set for Türkiye and Kazakhstan?"
    earlier = engine.ask(first)
    history = [Turn(question=first, standalone=earlier.standalone_question, answer=earlier.text)]
    asked = "Is that realistic, in the expert's view?"
    standalone, retrieval, _ = engine.prepare(asked, history)
    assert standalone != asked  # rewritten: it carries the earlier turn's subject

    found = engine.retriever.retrieve(standalone).passages
    k = len(found)
    assert sorted(p.chunk.chunk_id for p in retrieval.passages[:k]) == sorted(p.chunk.chunk_id for p in found)
    pool = [p.chunk.chunk_id for p in engine.retriever.pool(asked, k).passages]
    rrf = settings.rrf_k
    asked_rank = {cid: i for i, cid in enumerate(pool)}
    fused = {p.chunk.chunk_id: 1 / (rrf + i + 1) + 1 / (rrf + asked_rank.get(p.chunk.chunk_id, len(pool)) + 1)
             for i, p in enumerate(found)}
    # a tie (first in one order, second in the other) goes to the passage the words asked prefer
    expected = sorted(fused, key=lambda c: (fused[c], -asked_rank.get(c, len(pool))), reverse=True)
    assert expected != [p.chunk.chunk_id for p in found]  # the words asked do move something here
    assert [p.chunk.chunk_id for p in retrieval.passages[:k]] == expected
    assert [p.rank for p in retrieval.passages] == list(range(1, len(retrieval.passages) + 1))
    measured = engine.retrieve(standalone, asked=asked).passages
    assert [p.chunk.chunk_id for p in measured] == expected  # what `corridor eval` scores


def _dated(chunk_id: str, date_value: str | None, score: float) -> Passage:
    doc = DocumentMeta(doc_id=chunk_id, title="t", source="x", date=date_value, content_hash="h")
    return Passage(chunk=Chunk(chunk_id=chunk_id, doc_id=chunk_id, ordinal=0, text="x", start=0, end=1),
                   doc=doc, score=score)


def test_the_recency_prior_scales_by_years_older_than_the_newest() -> None:
    """exp(per_year × years older than the pool's newest dated document); an undated document counts as of
    the dated ones' mean date; a month's or a year's date as its first day."""
    new, old, undated, month = (_dated("new", "2025-01-01", 0.5), _dated("old", "2021-01-01", 0.5),
                                _dated("undated", None, 0.5), _dated("month", "2023-01", 0.5))
    prefer_newer([new, old, undated, month], 0.15)
    assert new.score == pytest.approx(0.5)
    assert old.score == pytest.approx(0.5 * np.exp(-0.15 * 4), rel=1e-3)
    assert month.score == pytest.approx(0.5 * np.exp(-0.15 * 2), rel=1e-3)
    assert undated.score == pytest.approx(0.5 * np.exp(-0.15 * 2), rel=1e-3)  # the mean of 2025, 2021, 2023
    nothing_dated = [_dated("a", None, 0.4), _dated("b", "no date shown", 0.3)]
    prefer_newer(nothing_dated, 0.15)
    assert [p.score for p in nothing_dated] == [0.4, 0.3]

