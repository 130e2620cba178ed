"""The fitted fusion (vectorstore/fusion.py): reciprocal rank fusion chooses the passages, the model fitted
by scripts/fit_fusion.py orders them; real store, real embeddings, the bundled weights."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from corridor.records import Chunk, DocumentMeta
from corridor.settings import PROJECT_ROOT
from vectorstore import fusion
from vectorstore.retrieval import HybridRetriever

QUESTIONS = (
    "What was the main focus of President Tokayev's visit to Türkiye, according to Engin Ozer?",
    "How long is the Baku–Tbilisi–Kars railway?",
    "Why is Kazakhstan seen as an alternative grain supplier?",
    "How does Turkey use the Organization of Turkic States on the Middle Corridor?",
    "What did Engin Ozer say about the $15 billion trade target?",
    # BM25 ranks the infobox chunk first, dense search far down: RRF alone leaves it out of its k + extra
    "When did Turkey recognize Kazakhstan's independence?",
)


@pytest.fixture(scope="module")
def retrievers(ingested):
    settings, store = ingested
    return (HybridRetriever(store, settings.model_copy(update={"fusion": "fitted"})),
            HybridRetriever(store, settings.model_copy(update={"fusion": "rrf"})))


@pytest.mark.parametrize("model", ["minilm", "e5-multilingual"])
def test_each_bundled_model_has_its_own_fit(model) -> None:
    fitted = fusion.load(model)
    assert fitted is not None and fitted.coef.shape == (len(fusion.FEATURES),)
    assert fitted.meta["embedding_model"] == model and "dev" in fitted.meta["sets"]
    assert fusion.weights_path(model).name == ("fusion_weights.json" if model == "minilm"
                                               else f"fusion_weights.{model}.json")


def test_a_model_without_a_fit_keeps_rrf(tmp_path) -> None:
    from answering.ranker import WEIGHTS, weights_path

    folder = str(tmp_path / "my-local-model")  # CORRIDOR_EMBEDDING_MODEL may name a local folder
    assert fusion.load(folder) is None and fusion.load("another-model") is None  # other cosine scales
    assert weights_path(folder) == WEIGHTS  # the sentence ranker falls back to the MiniLM fit


_SHORT = {"meta": {"embedding_model": "minilm"}, "features": list(fusion.FEATURES), "mean": [1], "scale": [1],
          "coef": [1], "intercept": 0}  # one coefficient for eleven features


@pytest.mark.parametrize("text", ["{not json", '{"meta": {"embedding_model": "minilm"}}', json.dumps(_SHORT)])
def test_unreadable_weights_fall_back_to_rrf(tmp_path, caplog, text) -> None:
    path = tmp_path / "fusion_weights.json"
    path.write_text(text, encoding="utf-8")
    assert fusion.load("minilm", path) is None  # no traceback: retrieval keeps RRF's order
    assert "fusion weights" in caplog.text


def _search_bests(pool, chosen: list[str]) -> list[str]:
    """The chunks a search ranks first that are not among `chosen` (the about block is asked for by none)."""
    signals = pool.signals
    return [p.chunk.chunk_id for p in pool.passages
            if p.chunk.chunk_id not in chosen and p.chunk.kind != "about"
            and 0 in (signals[p.chunk.chunk_id].lex_rank, signals[p.chunk.chunk_id].dense_rank)]


def test_fitted_fusion_orders_the_passages_rrf_chose(retrievers) -> None:
    """The fitted model keeps its k most probable of RRF's k + fusion_extra passages and of each search's
    best hit, best first."""
    fitted, rrf = retrievers
    k, extra = fitted.settings.k, fitted.settings.fusion_extra
    assert extra >= 1
    wider = HybridRetriever(rrf.store, rrf.settings.model_copy(update={"k": k + extra}))
    reordered = brought_in = repeats = 0
    for q in QUESTIONS:
        a, b = fitted.retrieve(q), rrf.retrieve(q)
        ids_a, ids_b = [p.chunk.chunk_id for p in a.passages], [p.chunk.chunk_id for p in b.passages]
        assert len(ids_a) == len(ids_b) == k and [p.rank for p in a.passages] == list(range(1, k + 1))
        # RRF's k + extra and each search's best: the fitted k are the most probable of them, in the bundled
        # model's order
        pool = rrf.pool(q, k + extra)
        candidates = [p.chunk.chunk_id for p in wider.retrieve(q).passages]
        bests = _search_bests(pool, candidates)
        brought_in += bool(bests)
        candidates += bests
        by_id = {p.chunk.chunk_id: p for p in pool.passages}
        probs = fusion.load("minilm").probability(rrf.pool_features(q, [by_id[i] for i in candidates], pool))
        ranked = sorted(zip(probs, candidates, strict=True), reverse=True)
        best = _without_repeats(ranked, by_id)[:k]
        repeats += len(best) < len(ranked[:k]) or best != ranked[:k]
        assert ids_a == [cid for _, cid in best], q
        assert np.allclose([p.score for p in a.passages], [pr for pr, _ in best])
        assert set(ids_b) <= set(candidates), q  # RRF's own k are the first k of its k + extra
        reordered += ids_a != ids_b
    assert reordered, "the fitted order never differed from RRF's: is the fusion switched off?"
    assert brought_in, "no search's best hit was outside RRF's k + extra: the case is not tested"
    # the current and the older revision of the Wikipedia article share their opening chunk almost word for
    # word: the less likely of the two gives its place to the next passage
    assert repeats, "no near-duplicate reached the fitted k: the case is not tested"


def _without_repeats(ranked: list[tuple[float, str]], by_id) -> list[tuple[float, str]]:
    """`ranked` without a chunk whose terms overlap an earlier one's by 80% or more (Jaccard)."""
    from vectorstore.lexical import terms

    kept: list[tuple[float, str]] = []
    for prob, cid in ranked:
        t = set(terms(by_id[cid].chunk.text))
        if all(len(t & o) / len(t | o) < 0.8 for o in (set(terms(by_id[c].chunk.text)) for _, c in kept)):
            kept.append((prob, cid))
    return kept


def test_without_extra_the_fitted_fusion_keeps_rrfs_passages(retrievers) -> None:
    """With no extra passage the fitted fusion weighs RRF's k and the searches' best hits only."""
    fitted, rrf = retrievers
    exact = HybridRetriever(fitted.store, fitted.settings.model_copy(update={"fusion_extra": 0}))
    for q in QUESTIONS:
        ids_a = [p.chunk.chunk_id for p in exact.retrieve(q).passages]
        ids_b = [p.chunk.chunk_id for p in rrf.retrieve(q).passages]
        assert set(ids_a) <= set(ids_b) | set(_search_bests(rrf.pool(q, rrf.settings.k), ids_b)), q


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
