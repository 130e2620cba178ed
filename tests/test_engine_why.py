"""A why-question opens with the reason, not with a sentence that only restates the question: the real
pipeline (real embeddings, embedded Chroma, BM25) over two small documents."""

from __future__ import annotations

from tests.conftest import engine_fixture

DOCS = {
    "pharma.md": ("Kazakhstan plans four pharmaceutical plants", "Steppe Post", None, "2026-01-29",
                  "Kazakhstan is to build four new pharmaceutical plants. The step follows the president's "
                  "order to raise the share of medicines made at home to half of the market by 2030. The "
                  "plants will stand in Almaty, Shymkent, Karaganda and Pavlodar, and together they will "
                  "employ about 1,200 people."),
    "grain.md": ("Kazakh grain for Türkiye", "Caspian Herald", None, "2025-08-04",
                 "Many countries want Kazakh grain, because food security has become a priority everywhere. "
                 "Ports on the Black Sea are no longer considered safe, and insurers refuse ships that dock "
                 "there. Against this backdrop, Kazakhstan is seen as an alternative grain supplier. Its "
                 "harvest reached 26 million tonnes last year."),
}


engine = engine_fixture("why", DOCS)


def test_a_why_question_opens_with_the_reason_after_a_restatement(engine) -> None:
    answer = engine.ask("Why is Kazakhstan building four new pharmaceutical plants?")
    assert not answer.abstained, answer.notes
    assert answer.statements[0].text.startswith("The step follows the president's order")
    assert any(s.text == "Kazakhstan is to build four new pharmaceutical plants." for s in answer.statements)


def test_a_restatement_that_leans_back_keeps_its_place(engine) -> None:
    """"Against this backdrop, …" points at the reason before it; the sentence after it is no reason."""
    answer = engine.ask("Why is Kazakhstan seen as an alternative grain supplier?")
    assert not answer.abstained, answer.notes
    assert not answer.statements[0].text.startswith("Its harvest")


def test_other_questions_keep_their_opening(engine) -> None:
    answer = engine.ask("Is Kazakhstan building four new pharmaceutical plants?")
    assert not answer.abstained, answer.notes
    assert not answer.statements[0].text.startswith("The step follows")
