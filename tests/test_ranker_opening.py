"""The ranker's opening model: stage 2 chooses the answer's sentences, the opening model (fitted on the
sentences stage 2 chooses, with their late-interaction scores: `scripts/fit_interaction.py`) says which of
them opens. Through the real pipeline: the bundled corpus in embedded Chroma, real MiniLM embeddings and token
vectors, the bundled weights and head."""

from __future__ import annotations

import dataclasses

import pytest

from answering import extractive
from answering.engine import Engine
from answering.features import FEATURES
from answering.interaction import LATE
from answering.ranker import load

QUESTIONS = [
    "Why is Kazakhstan looking for routes that bypass Russia?",
    "What did Engin Ozer say about Turkish investment in Kazakhstan?",
    "What role does the Organization of Turkic States play?",
    "What is the Trans-Caspian International Transport Route?",
    "How does the interview describe the Zangezur corridor?",
    "What challenges does the Middle Corridor face?",
    "What are Kazakhstan's main exports to Türkiye?",
    "How did Türkiye's economic crisis affect its currency?",
]


@pytest.fixture(scope="module")
def engine(ingested):
    e = Engine(ingested.settings, ingested.store)
    yield e
    e.close()


def test_the_bundled_weights_carry_an_opening_model() -> None:
    """The MiniLM weights have an opening model over the ranker's features and the late-interaction ones and
    say which questions it was not fitted on; the e5 weights (an older fit) have none, and there stage 2's
    best opens as before."""
    ranker = load("minilm")
    assert ranker.opening is not None and ranker.opening.names == FEATURES + LATE
    assert ranker.opening_reads_late
    assert ranker.meta["opening"]["held_out"]
    assert ranker.meta["opening"]["questions"] > ranker.meta["questions"]
    assert load("e5-multilingual").opening is None


def _chosen(engine: Engine, question: str, ranker, late=True):
    _, retrieval, _ = engine.prepare(question)
    cands, aspects = extractive.score(question, retrieval.query_embedding, retrieval.passages,
                                      engine.retriever.lexical, engine.sentence_embeddings,
                                      engine.settings.sentence_candidates, ranker=ranker)
    statements = [c for c in cands if not c.is_question and c.semantic[0] is not None]
    rate = extractive.opening_rater(cands, question, ranker, engine.late if late else None)
    return extractive._select(statements, aspects, engine.settings.max_answer_sentences, ranker, rate=rate)


def test_the_opening_model_orders_what_stage_2_chose(engine) -> None:
    """With or without the opening model the same sentences are chosen; with it, the one it rates highest
    opens (these questions ask for no value or author, whose rules come after it), and for some questions
    that is not stage 2's best."""
    ranker = load("minilm")
    without = dataclasses.replace(ranker, opening=None)
    differ = 0
    for question in QUESTIONS:
        chosen, before = _chosen(engine, question, ranker), _chosen(engine, question, without)
        assert {c.text for c in chosen} == {c.text for c in before}, question
        assert chosen[0].opening == max(c.opening for c in chosen), question
        assert before[0].score[0] == max(c.score[0] for c in before), question
        differ += chosen[0].text != before[0].text
    assert differ >= 1, differ


def test_without_token_vectors_stage_2_orders_the_answer(engine) -> None:
    """A model with no late-interaction scorer (another embedding model, a local folder) cannot read an
    opening model fitted with the late features: the answer keeps stage 2's order instead."""
    assert engine.late is not None  # the bundled MiniLM has token vectors and a head
    ranker = load("minilm")
    for question in QUESTIONS[:4]:
        chosen = _chosen(engine, question, ranker, late=False)
        assert chosen[0].score[0] == max(c.score[0] for c in chosen), question
