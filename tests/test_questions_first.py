"""Questions before ingest (vectorstore/embeddings.py QuestionsFirst): in a process that answers questions,
an ingest's document embedding waits between small batches while a question is being answered."""

from __future__ import annotations

import threading

import numpy as np

from vectorstore.embeddings import QuestionsFirst, embed_giving_way

TEXTS = [f"Freight report {i}: the Aktau port handled more containers this month." for i in range(5)]


class Counting:
    """The real embeddings, counting the calls made to them (the gate under test is not mocked)."""

    def __init__(self, inner) -> None:
        self.inner, self.calls = inner, []

    def embed_documents(self, texts):
        self.calls.append(len(texts))
        return self.inner.embed_documents(texts)


def test_an_ingest_in_a_process_without_questions_embeds_in_one_call(embeddings) -> None:
    spy = Counting(embeddings)
    vectors = embed_giving_way(spy, TEXTS, QuestionsFirst(), batch=2)
    assert spy.calls == [5]
    assert np.allclose(vectors, embeddings.embed_documents(TEXTS), atol=1e-5)


def test_an_ingest_waits_for_the_question_in_progress(embeddings) -> None:
    gate, spy, got = QuestionsFirst(), Counting(embeddings), {}
    with gate.question():
        worker = threading.Thread(
            target=lambda: got.setdefault("v", embed_giving_way(spy, TEXTS, gate, batch=2, max_wait_s=120)))
        worker.start()
        assert gate.paused.wait(60)  # the first batch waits for the question (event, not a sleep)
        assert spy.calls == [] and "v" not in got
    worker.join(120)
    assert spy.calls == [2, 2, 1]  # after the question: small batches, none lost
    assert np.allclose(got["v"], embeddings.embed_documents(TEXTS), atol=1e-5)


def test_a_question_that_never_ends_cannot_stop_an_ingest(embeddings) -> None:
    gate = QuestionsFirst()
    with gate.question():  # still answering when the ingest ends: each batch waited max_wait_s, then went
        vectors = embed_giving_way(embeddings, TEXTS, gate, batch=2, max_wait_s=0.01)
    assert len(vectors) == 5


def test_the_engine_marks_its_questions(ingested) -> None:
    from answering.engine import Engine
    from vectorstore.embeddings import QUESTIONS_FIRST

    engine = Engine(*ingested)
    seen = []
    original = engine.retriever.retrieve

    def retrieve(*a, **k):
        seen.append(QUESTIONS_FIRST._active)
        return original(*a, **k)

    engine.retriever.retrieve = retrieve
    engine.ask("How long is the Baku–Tbilisi–Kars railway?")
    assert seen and all(n >= 1 for n in seen) and QUESTIONS_FIRST.served
    assert QUESTIONS_FIRST._active == 0  # and the question is over
